// Text-range edits: the only way sshield changes a file. An edit replaces [start, end) of the
// original byte string; applying a set of edits never touches bytes outside their ranges, which
// is what keeps untouched lines byte-identical.
import type { ByteString } from './bytes.js';

export interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly text: ByteString;
}

/** Applies non-overlapping edits (any order). Throws on overlap: that is a planner bug. */
export function applyEdits(source: ByteString, edits: readonly TextEdit[]): ByteString {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    if (e.start < pos || e.end < e.start || e.end > source.length) {
      throw new Error(`overlapping or out-of-range edit [${e.start}, ${e.end}) at ${pos}`);
    }
    out += source.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + source.slice(pos);
}
