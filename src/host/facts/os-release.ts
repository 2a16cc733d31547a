// os-release(5) parsing: KEY=value lines, values optionally quoted with shell-style escapes.
// Pure. gatherOs reads /etc/os-release, else /usr/lib/os-release (the spec's fallback order).
import type { ReadOnlyFs } from '../fs.js';
import { type Fact, known, lines, readText, unknown } from './types.js';

export interface OsRelease {
  /** ID, lower-case ("debian", "ubuntu"). */
  readonly id: string;
  /** ID_LIKE entries. */
  readonly idLike: readonly string[];
  /** VERSION_ID ("12", "24.04"); undefined on testing/sid. */
  readonly versionId?: string;
  readonly codename?: string;
  readonly pretty?: string;
  readonly fields: Readonly<Record<string, string>>;
}

function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2 && (t[0] === '"' || t[0] === "'") && t[t.length - 1] === t[0]) {
    const inner = t.slice(1, -1);
    return t[0] === '"' ? inner.replace(/\\([\\$"`])/g, '$1') : inner;
  }
  return t;
}

export function parseOsRelease(text: string): OsRelease {
  const fields: Record<string, string> = {};
  for (const line of lines(text)) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) fields[m[1]!] = unquote(m[2]!);
  }
  const codename = fields.VERSION_CODENAME || fields.UBUNTU_CODENAME || /\(([a-z]+)\)/.exec(fields.VERSION ?? '')?.[1];
  return {
    id: (fields.ID ?? 'linux').toLowerCase(),
    idLike: (fields.ID_LIKE ?? '').split(/\s+/).filter(Boolean),
    ...(fields.VERSION_ID ? { versionId: fields.VERSION_ID } : {}),
    ...(codename ? { codename } : {}),
    ...(fields.PRETTY_NAME ? { pretty: fields.PRETTY_NAME } : {}),
    fields,
  };
}

export async function gatherOs(fs: ReadOnlyFs): Promise<Fact<OsRelease>> {
  const a = await readText(fs, '/etc/os-release', 1 << 20);
  if (a.status === 'known') return known(parseOsRelease(a.value));
  const b = await readText(fs, '/usr/lib/os-release', 1 << 20);
  if (b.status === 'known') return known(parseOsRelease(b.value));
  return unknown(`no os-release: ${a.reason}`);
}
