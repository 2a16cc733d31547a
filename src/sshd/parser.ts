// parseSshdConfig: bytes -> lossless CST (src/sshd/cst.ts), reproducing OpenSSH 9.2p1's own
// line handling and tokenisation (servconf.c load_server_config and
// process_server_config_line_depth, misc.c strdelim and argv_split; see src/sshd/lexer.ts).
// It classifies lines only by what sshd does before it looks the keyword up; keyword meaning,
// Match evaluation and value checks belong to src/sshd/keywords and src/sshd/evaluate.
// It never throws, does no I/O and runs in linear time.
//
// Which tokens to use, per keyword (checked in servconf.c, OpenSSH 9.2p1):
//  - every directive's arguments are argv_split() first, so an unbalanced quote is an error
//    ("invalid quotes") whatever the keyword (InvalidLine, INVALID_QUOTES);
//  - most keywords then read DirectiveLine.args (argv_next);
//  - these read the raw text in `str` instead, exposed as DirectiveLine.rest:
//      Match                (match_cfg_line tokenises `rest` with strdelim(): use lexer.strdelim;
//                            a criterion starting with '#' ends the line)
//      ForceCommand         (str + strspn(str, WHITESPACE): the whole rest, quotes and '#' kept)
//      AuthorizedKeysCommand, AuthorizedPrincipalsCommand (same as ForceCommand, "parse_command")
//      VersionAddendum      (rest, after strchr(line, '#') -- which in 9.2 only searches the
//                            keyword, because strdelim has already cut the line after it)
//  - Subsystem reads args (name, command, then the remaining args joined by single spaces);
//    Banner, ChrootDirectory, AcceptEnv, SetEnv, AuthorizedKeysFile read args.
import { type ByteString, displayText } from '../text/bytes.js';
import type { CommentLine, ConfigFile, ConfigLine, DirectiveLine, InvalidLine, Token } from './cst.js';
import type { Diagnostic, DiagnosticCode, Severity } from './diagnostics.js';
import { argvSplit, columnIn, type LogicalLine, logicalLines, offsetIn, strdelim, trimmedLength } from './lexer.js';

const BOM = '\xEF\xBB\xBF';

export function parseSshdConfig(text: ByteString, path: string): ConfigFile {
  const lines: ConfigLine[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const ll of logicalLines(text)) {
    for (const nul of ll.nulOffsets) {
      const lineStart = text.lastIndexOf('\n', nul - 1) + 1;
      diagnostics.push({
        code: 'NUL_BYTE',
        severity: 'warning',
        message: 'NUL byte: sshd ignores the rest of this line and joins the next line onto it',
        hint: 'remove the NUL byte (the file may be binary or corrupted)',
        file: path,
        line: ll.line,
        column: nul - lineStart + 1,
      });
    }
    lines.push(parseLine(text, path, ll, diagnostics));
  }
  return { path, text, bom: text.startsWith(BOM), lines, diagnostics };
}

/**
 * A Token whose `raw` bytes are read from the file text on demand (and whose `value` is `raw`
 * unless quotes or escapes changed it): a 50 MB config then costs one small object per token.
 */
class SourceToken implements Token {
  constructor(
    private readonly src: ByteString,
    readonly start: number,
    readonly end: number,
    readonly column: number,
    private readonly cooked: ByteString | undefined,
  ) {}
  get raw(): ByteString {
    return this.src.slice(this.start, this.end);
  }
  get value(): ByteString {
    return this.cooked ?? this.src.slice(this.start, this.end);
  }
  toJSON(): { start: number; end: number; raw: ByteString; value: ByteString; column: number } {
    return { start: this.start, end: this.end, raw: this.raw, value: this.value, column: this.column };
  }
}

function makeToken(text: ByteString, ll: LogicalLine, from: number, to: number, value: ByteString): Token {
  const start = offsetIn(ll, from);
  const end = offsetIn(ll, to - 1) + 1;
  // value is always a subsequence of raw, so equal lengths mean equal bytes.
  const same = end - start === value.length;
  return new SourceToken(text, start, end, columnIn(ll, from), same ? undefined : value);
}

function invalidLine(
  ll: LogicalLine,
  path: string,
  diagnostics: Diagnostic[],
  code: DiagnosticCode,
  severity: Severity,
  reason: string,
  column: number,
  keyword: Token | undefined,
  hint?: string,
): InvalidLine {
  const d: Diagnostic = hint === undefined
    ? { code, severity, message: reason, file: path, line: ll.line, column }
    : { code, severity, message: reason, hint, file: path, line: ll.line, column };
  diagnostics.push(d);
  const line: InvalidLine = keyword === undefined
    ? { kind: 'invalid', start: ll.start, end: ll.end, line: ll.line, eol: ll.eol, reason, code, severity }
    : { kind: 'invalid', start: ll.start, end: ll.end, line: ll.line, eol: ll.eol, reason, code, severity, keyword };
  return line;
}

function parseLine(text: ByteString, path: string, ll: LogicalLine, diagnostics: Diagnostic[]): ConfigLine {
  const c = ll.content;
  const len = trimmedLength(c);
  if (len === 0) return { kind: 'blank', start: ll.start, end: ll.end, line: ll.line, eol: ll.eol };

  let kw = strdelim(c, 0, len);
  if (kw !== undefined && kw.value === '') {
    // "Ignore leading whitespace": a second strdelim() when the first token is empty.
    kw = kw.next === undefined ? undefined : strdelim(c, kw.next, len);
  }
  if (kw === undefined) {
    return invalidLine(ll, path, diagnostics, 'INVALID_QUOTES', 'warning', 'unmatched double quote in the keyword: sshd silently ignores this line', 1, undefined, 'close the quote or remove the line');
  }
  if (kw.value === '') {
    return invalidLine(ll, path, diagnostics, 'IGNORED_DIRECTIVE', 'warning', 'line without a keyword: sshd silently ignores it', 1, undefined);
  }
  if (kw.value.charCodeAt(0) === 0x23 /* # */) {
    const comment = makeToken(text, ll, 0, len, c.slice(0, len));
    const line: CommentLine = { kind: 'comment', start: ll.start, end: ll.end, line: ll.line, eol: ll.eol, comment };
    return line;
  }
  const keyword = makeToken(text, ll, kw.start, kw.end, kw.value);
  if (kw.next === undefined || kw.next >= len) {
    return invalidLine(ll, path, diagnostics, 'MISSING_ARGUMENT', 'error', `no argument after keyword "${displayText(kw.value)}"`, keyword.column, keyword);
  }
  const rest = makeToken(text, ll, kw.next, len, c.slice(kw.next, len));
  const argv = argvSplit(c, kw.next, len);
  if (!argv.ok) {
    const which = c[argv.quoteAt] === "'" ? 'single' : 'double';
    return invalidLine(ll, path, diagnostics, 'INVALID_QUOTES', 'error', `invalid quotes: unterminated ${which} quote`, columnIn(ll, argv.quoteAt), keyword, 'close the quote or escape it with a backslash');
  }
  const args: Token[] = [];
  for (const a of argv.args) args.push(makeToken(text, ll, a.start, a.end, a.value));
  const line: DirectiveLine =
    argv.comment === undefined
      ? { kind: 'directive', start: ll.start, end: ll.end, line: ll.line, eol: ll.eol, keyword, args, rest }
      : { kind: 'directive', start: ll.start, end: ll.end, line: ll.line, eol: ll.eol, keyword, args, rest, trailingComment: makeToken(text, ll, argv.comment, len, c.slice(argv.comment, len)) };
  return line;
}
