// Edit builders: pure functions that turn an intended change to one sshd_config file into
// TextEdit[] (src/text/edit.ts) against its ConfigFile. They never re-serialise the file: bytes
// outside the returned ranges stay identical (indentation, separators, comments, CRLF, BOM).
// New text follows the file's end-of-line style; values are quoted so that sshd's argv_split
// (misc.c, OpenSSH 9.2p1) reads back exactly the intended bytes. No I/O, no keyword knowledge.
import type { ByteString } from '../text/bytes.js';
import type { TextEdit } from '../text/edit.js';
import type { ConfigFile, ConfigLine, DirectiveLine } from './cst.js';

/** True when quoteArg can encode the value (no newline or NUL: they end a line for sshd). */
export function canQuote(value: ByteString): boolean {
  return !/[\n\0]/.test(value);
}

/**
 * The bytes to write so that argv_split() yields exactly `value` as one argument. Plain values
 * are written as is; anything with blanks, quotes, backslashes, '#', control bytes, a leading
 * '=' (strdelim would take it as the separator) or an empty value is double-quoted, with '"'
 * and '\' escaped. Throws RangeError for a newline or NUL (a caller bug: check canQuote).
 */
export function quoteArg(value: ByteString): ByteString {
  if (!canQuote(value)) throw new RangeError('a value containing a newline or NUL byte cannot be written to sshd_config');
  if (value !== '' && !/[\s"'\\#\x00-\x1f\x7f]/.test(value) && !value.startsWith('=')) return value;
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** `Keyword arg1 arg2`, each argument quoted as needed (no line terminator). */
export function directiveText(keyword: ByteString, values: readonly ByteString[]): ByteString {
  return [keyword, ...values.map(quoteArg)].join(' ');
}

/** The file's line terminator: that of its first terminated line, else "\n". */
export function eolStyle(file: ConfigFile): ByteString {
  for (const l of file.lines) if (l.eol !== '') return l.eol;
  return '\n';
}

/**
 * Replaces a directive's arguments, keeping keyword, separator, a trailing comment and the
 * line terminator byte-identical.
 */
export function setDirectiveArgs(file: ConfigFile, line: DirectiveLine, values: readonly ByteString[]): TextEdit[] {
  const text = values.map(quoteArg).join(' ');
  const last = line.args[line.args.length - 1];
  if (last !== undefined) return [{ start: line.rest.start, end: last.end, text }];
  // Only a comment after the keyword (e.g. "Port #x"): put the values in front of it.
  return [{ start: line.rest.start, end: line.rest.start, text: `${text} ` }];
}

/**
 * Replaces everything after the keyword separator with raw bytes, for the keywords sshd reads
 * as a raw rest of line (ForceCommand, AuthorizedKeysCommand, ...; see parser.ts).
 */
export function setDirectiveRest(file: ConfigFile, line: DirectiveLine, raw: ByteString): TextEdit[] {
  if (!canQuote(raw)) throw new RangeError('a value containing a newline or NUL byte cannot be written to sshd_config');
  return [{ start: line.rest.start, end: line.rest.end, text: raw }];
}

/** Comments a line out by inserting '#' before its first byte; the rest stays byte-identical. */
export function commentOutLine(file: ConfigFile, line: ConfigLine): TextEdit[] {
  return [{ start: line.start, end: line.start, text: '#' }];
}

/** Removes a whole line, terminator included. */
export function removeLine(file: ConfigFile, line: ConfigLine): TextEdit[] {
  return [{ start: line.start, end: line.end, text: '' }];
}

export type InsertPosition = { readonly before: ConfigLine } | { readonly after: ConfigLine } | 'top' | 'end';

/**
 * Inserts one line (`text` without terminator, e.g. from directiveText) in the file's EOL
 * style. Appending after a last line that has no terminator first adds one.
 */
export function insertLine(file: ConfigFile, where: InsertPosition, text: ByteString): TextEdit[] {
  if (!canQuote(text)) throw new RangeError('an inserted line cannot contain a newline or NUL byte');
  const eol = eolStyle(file);
  let anchor: ConfigLine | undefined;
  if (where === 'top') return [{ start: 0, end: 0, text: text + eol }];
  if (where === 'end') anchor = file.lines[file.lines.length - 1];
  else if ('before' in where) return [{ start: where.before.start, end: where.before.start, text: text + eol }];
  else anchor = where.after;
  if (anchor === undefined) return [{ start: 0, end: 0, text: text + eol }];
  return [{ start: anchor.end, end: anchor.end, text: (anchor.eol === '' ? eol : '') + text + eol }];
}
