// The concrete syntax tree of one sshd_config file. It owns every byte: each line's span runs
// from its first byte through its line terminator, spans tile the file, and printing is the
// concatenation of the spans (printSshdConfig). Tokens carry both the raw bytes and the value
// sshd itself derives from them (servconf.c strdelim for the keyword, misc.c argv_split for the
// arguments, OpenSSH 9.2p1), so that nothing downstream re-tokenises text.
import type { ByteString } from '../text/bytes.js';
import type { Diagnostic, DiagnosticCode, Severity } from './diagnostics.js';

export interface Span {
  /** Byte offset of the first byte. */
  readonly start: number;
  /** Byte offset just past the last byte. */
  readonly end: number;
}

export interface Token extends Span {
  /** The bytes as written, quotes and escapes included. */
  readonly raw: ByteString;
  /** The value sshd sees: quotes removed, escapes resolved. */
  readonly value: ByteString;
  /** 1-based byte column of `start` on its line. */
  readonly column: number;
}

interface LineBase extends Span {
  /** 1-based line number as sshd counts it. */
  readonly line: number;
  /** Line terminator bytes ("\n", "\r\n" or "" on a last line without one); included in the span. */
  readonly eol: ByteString;
}

export interface BlankLine extends LineBase {
  readonly kind: 'blank';
}

export interface CommentLine extends LineBase {
  readonly kind: 'comment';
  /** The `#...` text, without leading blanks and the terminator. */
  readonly comment: Token;
}

export interface DirectiveLine extends LineBase {
  readonly kind: 'directive';
  /** As written; compare through the keyword table, never by string. */
  readonly keyword: Token;
  readonly args: readonly Token[];
  /** A `#` comment that started a token position (argv_split stops there), if any. */
  readonly trailingComment?: Token;
  /**
   * Everything after the keyword separator, as servconf.c's `str` sees it after strdelim()
   * (trailing blanks stripped, comments and quotes NOT processed). sshd 9.2 reads some keywords
   * from this raw text instead of the argv_split() tokens: see src/sshd/parser.ts.
   */
  readonly rest: Token;
}

/** A line sshd cannot tokenise (e.g. unbalanced quotes). Kept verbatim. */
export interface InvalidLine extends LineBase {
  readonly kind: 'invalid';
  readonly keyword?: Token;
  readonly reason: string;
  /** The diagnostic code reported for this line. */
  readonly code: DiagnosticCode;
  /**
   * 'error': sshd counts the line as a bad option and refuses the file at its end
   * (parse_server_config_depth: "terminating, N bad configuration options");
   * 'warning': sshd silently skips the line.
   */
  readonly severity: Severity;
}

export type ConfigLine = BlankLine | CommentLine | DirectiveLine | InvalidLine;

export interface ConfigFile {
  readonly path: string;
  readonly text: ByteString;
  /** True when the file starts with a UTF-8 byte order mark (sshd treats it as part of the first keyword). */
  readonly bom: boolean;
  readonly lines: readonly ConfigLine[];
  readonly diagnostics: readonly Diagnostic[];
}
