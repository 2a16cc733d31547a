// The evaluator's input: a flat, ordered sequence of what sshd reads, with include boundaries.
// Built from src/sshd/include.ts's tree (loadConfigTree) or, for one file, from a parsed file.
import type { ConfigFile, DirectiveLine, InvalidLine } from '../cst.js';
import type { Diagnostic } from '../diagnostics.js';

export type EvalItem =
  | { readonly kind: 'directive'; readonly file: string; readonly line: DirectiveLine }
  | { readonly kind: 'invalid'; readonly file: string; readonly line: InvalidLine }
  /** Start of an included file (sshd's parse_server_config_depth for an Include match). */
  | { readonly kind: 'enter'; readonly file: string }
  | { readonly kind: 'leave'; readonly file: string }
  | { readonly kind: 'diagnostic'; readonly diagnostic: Diagnostic };

/** Items of one file without includes being expanded (Include lines are validated only). */
export function itemsOfFile(file: ConfigFile): EvalItem[] {
  const out: EvalItem[] = [];
  for (const d of file.diagnostics) out.push({ kind: 'diagnostic', diagnostic: d });
  for (const line of file.lines) {
    if (line.kind === 'directive') out.push({ kind: 'directive', file: file.path, line });
    else if (line.kind === 'invalid') out.push({ kind: 'invalid', file: file.path, line });
  }
  return out;
}
