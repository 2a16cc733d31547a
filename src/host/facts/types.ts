// The shape of every host fact: known with a value, or unknown with a reason a rule can print
// when it skips. Gatherers never throw; a missing or unreadable source becomes `unknown`.
import type { ReadOnlyFs } from '../fs.js';

export type Fact<T> =
  | { readonly status: 'known'; readonly value: T }
  | { readonly status: 'unknown'; readonly reason: string };

export const known = <T>(value: T): Fact<T> => ({ status: 'known', value });
export const unknown = <T = never>(reason: string): Fact<T> => ({ status: 'unknown', reason });

/** Reads a text file (latin1, one char per byte); a Fact with the fs's reason when it fails. */
export async function readText(fs: ReadOnlyFs, path: string, maxBytes = 16 << 20): Promise<Fact<string>> {
  try {
    const r = await fs.readFile(path, maxBytes);
    if (!r.ok) return unknown(`${path}: ${r.reason}${r.detail ? ` (${r.detail})` : ''}`);
    return known(Buffer.from(r.bytes).toString('latin1'));
  } catch (e) {
    return unknown(`${path}: ${(e as Error).message}`);
  }
}

/** Splits a file into lines without the terminators (LF or CRLF). */
export function lines(text: string): string[] {
  const out = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (out.length && out[out.length - 1] === '') out.pop();
  return out;
}
