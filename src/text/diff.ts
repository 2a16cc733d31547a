// Unified diffs of planned changes, for admins to read before anything is written. Byte
// strings are decoded as UTF-8 for display only; the plan itself stays byte-exact.
import { createTwoFilesPatch } from 'diff';
import { type ByteString, displayText } from './bytes.js';

/** A unified diff (3 lines of context) of `path` from `before` to `after`; '' when equal. */
export function unifiedDiff(path: string, before: ByteString, after: ByteString, context = 3): string {
  if (before === after) return '';
  return createTwoFilesPatch(`a${path}`, `b${path}`, displayText(before), displayText(after), undefined, undefined, { context });
}
