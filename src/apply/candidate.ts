// The candidate tree as the engine sees it, without writing anything: a ReadOnlyFs view in which
// planned files have their new text (overlayFs / candidateFs), and the config tree turned into the
// evaluator's items (treeToItems). Used by the planner's proof, the guards and the audit of the
// prediction. Pure over the injected fs.
import type { FileStat, ReadOnlyFs, ReadResult } from '../host/fs.js';
import type { ByteString } from '../text/bytes.js';
import type { ConfigTree } from '../sshd/include.js';
import type { EvalItem } from '../sshd/evaluate/input.js';
import type { Plan } from './plan.js';

export function treeToItems(tree: ConfigTree): EvalItem[] {
  const out: EvalItem[] = [];
  for (const it of tree.items) {
    if (it.kind === 'enter') {
      if (it.depth > 0) out.push({ kind: 'enter', file: it.file.path });
    } else if (it.kind === 'leave') {
      if (it.depth > 0) out.push({ kind: 'leave', file: it.file.path });
    } else if (it.kind === 'line') {
      if (it.line.kind === 'directive') out.push({ kind: 'directive', file: it.file.path, line: it.line });
      else if (it.line.kind === 'invalid') out.push({ kind: 'invalid', file: it.file.path, line: it.line });
    } else out.push({ kind: 'diagnostic', diagnostic: it.diagnostic });
  }
  return out;
}

/** A view of `fs` in which some files have new text (or are deleted: null). */
export function overlayFs(fs: ReadOnlyFs, over: ReadonlyMap<string, ByteString | null>): ReadOnlyFs {
  const fileStat = (size: number): FileStat => ({ kind: 'file', size, mode: 0o644, uid: 0, gid: 0, mtimeMs: 0 });
  return {
    label: fs.label,
    readFile: async (p, max): Promise<ReadResult> => {
      if (over.has(p)) {
        const t = over.get(p);
        return t === null || t === undefined ? { ok: false, reason: 'missing', detail: `${p}: no such file` } : { ok: true, bytes: Buffer.from(t, 'latin1') };
      }
      return fs.readFile(p, max);
    },
    readDir: async (p) => {
      const base = (await fs.readDir(p)) ?? undefined;
      const names = new Set(base ?? []);
      let touched = false;
      for (const [path, t] of over) {
        if (path.slice(0, path.lastIndexOf('/')) !== p) continue;
        touched = true;
        const n = path.slice(path.lastIndexOf('/') + 1);
        if (t === null) names.delete(n);
        else names.add(n);
      }
      return base || touched ? [...names] : undefined;
    },
    lstat: async (p) => (over.has(p) ? (over.get(p) === null ? undefined : fileStat(over.get(p)!.length)) : fs.lstat(p)),
    stat: async (p) => (over.has(p) ? (over.get(p) === null ? undefined : fileStat(over.get(p)!.length)) : fs.stat(p)),
    readLink: (p) => fs.readLink(p),
    realPath: async (p) => (over.has(p) ? (over.get(p) === null ? undefined : p) : fs.realPath(p)),
  };
}

/** Every file of the candidate (planned) tree as text, for guards and the audit of the prediction. */
export function candidateFs(fs: ReadOnlyFs, plan: Plan): ReadOnlyFs {
  return overlayFs(fs, new Map(plan.files.map((f) => [f.path, f.action === 'delete' ? null : f.after])));
}
