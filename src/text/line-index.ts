// LineIndex: byte offset <-> 1-based line/column for a byte string, by binary search over the
// offsets of line starts (a line ends after "\n"). Columns are 1-based byte columns. Pure.
import type { ByteString } from './bytes.js';

export interface Position {
  readonly line: number;
  readonly column: number;
}

export class LineIndex {
  private readonly starts: number[];
  constructor(private readonly text: ByteString) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    this.starts = starts;
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** Position of an offset (clamped to [0, text.length]). */
  positionOf(offset: number): Position {
    const off = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= off) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: off - this.starts[lo]! + 1 };
  }

  /** Offset of a 1-based line/column (clamped to the text). */
  offsetOf(line: number, column = 1): number {
    const l = Math.max(1, Math.min(line, this.starts.length));
    return Math.min(this.starts[l - 1]! + Math.max(0, column - 1), this.text.length);
  }

  /** Offset of the first byte of a 1-based line. */
  lineStart(line: number): number {
    return this.offsetOf(line, 1);
  }
}
