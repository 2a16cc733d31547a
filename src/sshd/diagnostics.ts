// Diagnostics: how every parser, include resolver and evaluator reports a problem instead of
// throwing. Codes are a closed vocabulary (SCREAMING_SNAKE); `severity: 'error'` means the real
// sshd would refuse to start with this configuration, 'warning' that it logs and carries on.

export type DiagnosticCode =
  | 'UNKNOWN_KEYWORD'
  | 'UNSUPPORTED_KEYWORD' // known to sshd_config(5) but not in this OpenSSH build
  | 'DEPRECATED_KEYWORD'
  | 'CLIENT_ONLY_KEYWORD' // ssh_config keywords such as ObscureKeystrokeTiming: fatal in sshd
  | 'MISSING_ARGUMENT'
  | 'EXTRA_ARGUMENT'
  | 'BAD_VALUE'
  | 'INVALID_QUOTES'
  | 'NOT_ALLOWED_IN_MATCH'
  | 'BAD_MATCH'
  | 'DUPLICATE_VALUE' // e.g. a second Subsystem of the same name on builds where that is fatal
  | 'INCLUDE_LOOP'
  | 'INCLUDE_DEPTH'
  | 'INCLUDE_GLOB'
  | 'UNREADABLE_FILE'
  | 'FILE_TOO_LARGE'
  | 'LINE_TOO_LONG'
  | 'NUL_BYTE'
  | 'INVALID_UTF8'
  | 'IGNORED_DIRECTIVE'; // parsed but without effect (e.g. Protocol)

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  /** What is wrong, in one sentence, for people. */
  readonly message: string;
  /** What to do about it, when we know. */
  readonly hint?: string;
  readonly file: string;
  /** 1-based; 0 when the problem concerns the whole file. */
  readonly line: number;
  /** 1-based byte column; 0 when unknown. */
  readonly column: number;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}${d.column > 0 ? `:${d.column}` : ''}` : d.file;
  return `${where}: ${d.severity}: ${d.message}${d.hint ? ` (${d.hint})` : ''} [${d.code}]`;
}
