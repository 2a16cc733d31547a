// The sshd_config lexer: a byte-for-byte port of how OpenSSH 9.2p1 turns file bytes into lines
// and tokens, working on indices instead of mutating C strings. It owns three steps:
//   1. physical -> logical lines (servconf.c load_server_config: getline(), leading " \t\r"
//      stripped per physical line, then strlen(), so a NUL drops the rest of its physical line
//      *including the newline* and glues the next physical line on; parse_server_config_depth
//      then splits on "\n" and counts lines);
//   2. strdelim()/strdelimw() (misc.c strdelim_internal) for the keyword;
//   3. argv_split(..., terminate_on_comment=1) (misc.c) for the arguments.
// It never throws and runs in linear time; it knows nothing about keywords (that is the table's job).
import type { ByteString } from '../text/bytes.js';

/** misc.h WHITESPACE */
const WS = ' \t\r\n';

function isWs(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

/** strspn(s + from, WHITESPACE), as an index. */
export function skipWhitespace(s: ByteString, from: number, end = s.length): number {
  let i = from;
  while (i < end && isWs(s[i])) i++;
  return i;
}

/** One piece of the original text that contributes to a logical line. */
export interface Segment {
  /** Index in the logical line. */
  readonly logical: number;
  /** Offset in the file. */
  readonly offset: number;
  readonly length: number;
  /** Offset of the first byte of the physical line this piece sits on (for columns). */
  readonly lineStart: number;
}

export interface LogicalLine {
  /** 1-based, as sshd counts (one per "\n" that survives load_server_config). */
  readonly line: number;
  /** Span in the file: first byte of the first physical line through the last one's terminator. */
  readonly start: number;
  readonly end: number;
  readonly eol: ByteString;
  /** What process_server_config_line_depth receives (before trailing-blank stripping). */
  readonly content: ByteString;
  /** Where each piece of `content` comes from (one segment unless NUL bytes joined lines). */
  readonly segments: readonly Segment[];
  /** Offsets of the first NUL byte of each physical line that had one. */
  readonly nulOffsets: readonly number[];
}

/**
 * Splits a file into the lines sshd processes. A final newline does not produce an extra
 * (empty) line here: sshd processes that empty string and ignores it.
 */
export function* logicalLines(text: ByteString): Generator<LogicalLine> {
  const n = text.length;
  let pos = 0;
  let lineNo = 1;
  let nextNul = text.indexOf('\0');
  // Accumulated state of the current logical line.
  let start = 0;
  let content = '';
  let segments: Segment[] = [];
  let nuls: number[] = [];
  while (pos < n) {
    const nl = text.indexOf('\n', pos);
    const physEnd = nl === -1 ? n : nl + 1; // getline() includes the "\n"
    // strspn(line, " \t\r")
    let cp = pos;
    while (cp < physEnd && (text[cp] === ' ' || text[cp] === '\t' || text[cp] === '\r')) cp++;
    while (nextNul !== -1 && nextNul < cp) nextNul = text.indexOf('\0', nextNul + 1);
    let stop = physEnd; // strlen(cp) stops at a NUL
    if (nextNul !== -1 && nextNul < physEnd) {
      stop = nextNul;
      nuls.push(nextNul);
      nextNul = text.indexOf('\0', physEnd);
    }
    const endsLine = stop === physEnd && nl !== -1; // its "\n" reached the buffer
    const pieceEnd = endsLine ? nl : stop;
    if (pieceEnd > cp) {
      segments.push({ logical: content.length, offset: cp, length: pieceEnd - cp, lineStart: pos });
      content += text.slice(cp, pieceEnd);
    }
    pos = physEnd;
    if (endsLine || pos >= n) {
      const eol = endsLine ? (nl > start && text[nl - 1] === '\r' ? '\r\n' : '\n') : '';
      yield { line: lineNo, start, end: pos, eol, content, segments, nulOffsets: nuls };
      lineNo++;
      start = pos;
      content = '';
      segments = [];
      nuls = [];
    }
  }
}

/** The segment of a logical line that holds content index `index` (binary search; segments non-empty). */
function segmentAt(segs: LogicalLine['segments'], index: number): LogicalLine['segments'][number] {
  let lo = 0;
  let hi = segs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (segs[mid]!.logical <= index) lo = mid;
    else hi = mid - 1;
  }
  return segs[lo]!;
}

/** Maps an index of a logical line's content to a file offset. */
export function offsetIn(line: LogicalLine, index: number): number {
  if (line.segments.length === 0) return line.start;
  const s = segmentAt(line.segments, index);
  return s.offset + (index - s.logical);
}

/** 1-based byte column, on its physical line, of a logical line's content index. */
export function columnIn(line: LogicalLine, index: number): number {
  if (line.segments.length <= 1) return offsetIn(line, index) - line.start + 1;
  const s = segmentAt(line.segments, index);
  return s.offset + (index - s.logical) - s.lineStart + 1;
}

/**
 * Length after process_server_config_line_depth's trailing strip: WHITESPACE and "\f" are
 * removed from the end, but never the first byte (`for (len--; len > 0; len--)`).
 */
export function trimmedLength(s: ByteString): number {
  let len = s.length;
  if (len === 0) return 0;
  for (len--; len > 0; len--) {
    const c = s[len]!;
    if (!(isWs(c) || c === '\f')) break;
  }
  return len + 1;
}

export interface DelimResult {
  /** Index where the token starts (the raw text starts here). */
  readonly start: number;
  /** Index just past the token's raw text (past the closing quote, if quoted). */
  readonly end: number;
  /** The token as strdelim returns it (the quote characters removed). */
  readonly value: ByteString;
  /** Where `*s` points afterwards; undefined when strdelim set it to NULL. */
  readonly next: number | undefined;
}

/**
 * misc.c strdelim_internal (OpenSSH 9.2p1) over s[from, end): returns undefined where the C
 * function returns NULL (an unmatched double quote). `splitEquals` selects strdelim (true) or
 * strdelimw (false). Match criteria are tokenised with this (servconf.c match_cfg_line).
 */
export function strdelim(s: ByteString, from: number, end = s.length, splitEquals = true): DelimResult | undefined {
  let q = from;
  while (q < end) {
    const c = s[q]!;
    if (isWs(c) || c === '"' || (splitEquals && c === '=')) break;
    q++;
  }
  if (q >= end) return { start: from, end, value: s.slice(from, end), next: undefined };
  if (s[q] === '"') {
    const r = s.indexOf('"', q + 1);
    if (r === -1 || r >= end) return undefined; // no matching quote
    return { start: from, end: r + 1, value: s.slice(from, q) + s.slice(q + 1, r), next: skipWhitespace(s, r + 1, end) };
  }
  const wspace = splitEquals && s[q] === '=';
  let next = skipWhitespace(s, q + 1, end);
  if (splitEquals && s[next] === '=' && next < end && !wspace) next = skipWhitespace(s, next + 1, end);
  return { start: from, end: q, value: s.slice(from, q), next };
}

export interface ArgToken {
  readonly start: number;
  readonly end: number;
  readonly value: ByteString;
}

export type ArgvResult =
  | { readonly ok: true; readonly args: readonly ArgToken[]; /** index of a `#` at a token start */ readonly comment?: number }
  | { readonly ok: false; readonly args: readonly ArgToken[]; /** index where the unterminated quote opened */ readonly quoteAt: number };

/** misc.c argv_split(s, ..., terminate_on_comment=1) (OpenSSH 9.2p1) over s[from, end). */
export function argvSplit(s: ByteString, from: number, end = s.length, terminateOnComment = true): ArgvResult {
  const args: ArgToken[] = [];
  for (let i = from; i < end; i++) {
    const c0 = s[i];
    if (c0 === ' ' || c0 === '\t') continue;
    if (terminateOnComment && c0 === '#') return { ok: true, args, comment: i };
    const start = i;
    let quote = '';
    let quoteAt = -1;
    let value = '';
    let chunk = i; // start of a run of bytes copied verbatim
    for (; i < end; i++) {
      const c = s[i]!;
      if (c === '\\') {
        const d = i + 1 < end ? s[i + 1] : undefined;
        if (d === "'" || d === '"' || d === '\\' || (quote === '' && d === ' ')) {
          value += s.slice(chunk, i);
          i++;
          chunk = i; // the escaped byte starts the next verbatim run
        }
        // unrecognised escape: the backslash is kept
      } else if (quote === '' && (c === ' ' || c === '\t')) {
        break;
      } else if (quote === '' && (c === '"' || c === "'")) {
        value += s.slice(chunk, i);
        quote = c;
        quoteAt = i;
        chunk = i + 1;
      } else if (quote !== '' && c === quote) {
        value += s.slice(chunk, i);
        quote = '';
        chunk = i + 1;
      }
    }
    value += s.slice(chunk, Math.min(i, end));
    if (i >= end) {
      if (quote !== '') return { ok: false, args, quoteAt };
      args.push({ start, end, value });
      break;
    }
    args.push({ start, end: i, value });
  }
  return { ok: true, args };
}

export { WS as WHITESPACE };
