// The filtered moduli file host/no-weak-moduli asks for (remediation `filter-moduli`): the groups
// of `minBits` and more of the moduli file sshd uses (moduli(5): field 5 is the size minus one;
// comments kept), written beside it as moduli.safe by the one writer like any planned file (the
// plan's `set ModuliFile` makes sshd use it; the conffile itself is never edited). Pure apart from
// reads through the host's fs.
import type { ReadOnlyFs } from '../host/fs.js';
import { bytesToText, type ByteString } from '../text/bytes.js';
import type { FileChange } from './plan.js';
import { fileChange } from './planner.js';

/** The lines of a moduli file whose group is at least `minBits` (comments and blank lines kept). */
export function filterModuli(text: ByteString, minBits: number): ByteString {
  return text
    .split(/(?<=\n)/)
    .filter((l) => {
      const f = l.trim().split(/\s+/);
      if (l.startsWith('#') || f.length < 7) return true;
      return Number(f[4]) + 1 >= minBits;
    })
    .join('');
}

export async function moduliChanges(fs: ReadOnlyFs, wanted: readonly { from: string; to: string; minBits: number; rule: string }[], root: string | undefined): Promise<FileChange[]> {
  const out: FileChange[] = [];
  for (const w of wanted) {
    const src = await fs.readFile(w.from, 8 << 20);
    if (!src.ok) continue;
    const after = filterModuli(bytesToText(src.bytes), w.minBits);
    const cur = await fs.readFile(w.to, 8 << 20);
    const before = cur.ok ? bytesToText(cur.bytes) : null;
    if (before === after) continue;
    out.push(fileChange(w.to, root ? `${root.replace(/\/+$/, '')}${w.to}` : w.to, before, after, [], [`${w.rule}: the groups of ${w.minBits} bits and more of ${w.from}`]));
  }
  return out;
}
