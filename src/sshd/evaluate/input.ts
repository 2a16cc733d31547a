// The evaluator's input: a flat, ordered sequence of what sshd reads, with include boundaries.
// Built from src/sshd/include.ts's tree (itemsOfTree: the start-up pass and the include-cache
// replay sshd uses for a connection) or, for one file without includes, from a parsed file.
// No I/O and no evaluation here: Match state across includes is the evaluator's.
import type { ConfigFile, DirectiveLine, InvalidLine } from '../cst.js';
import type { Diagnostic } from '../diagnostics.js';
import type { ConfigTree, ReadItem } from '../include.js';

export type EvalItem =
  | { readonly kind: 'directive'; readonly file: string; readonly line: DirectiveLine }
  | { readonly kind: 'invalid'; readonly file: string; readonly line: InvalidLine }
  /**
   * Start of an included file (servconf.c sInclude -> parse_server_config_depth, OpenSSH 9.2p1).
   * The evaluator saves *activep (oactive) and derives the file's flags from it:
   * MATCH_ONLY if the including file is MATCH_ONLY, else NEVERMATCH when oactive is 0.
   */
  | { readonly kind: 'enter'; readonly file: string }
  /** End of an included file: *activep = oactive, the including file's flags come back. */
  | { readonly kind: 'leave'; readonly file: string }
  /** A problem found while reading; an 'error' severity makes sshd refuse the configuration. */
  | { readonly kind: 'diagnostic'; readonly diagnostic: Diagnostic };

/**
 * What the evaluator replays: `items` is sshd's start-up pass (parse_server_config with no
 * connection); `matchItems` is the connection pass (parse_server_match_config), which sshd
 * serves from its include cache without globbing again. Without `matchItems`, `items` is used.
 */
export interface EvalInput {
  readonly items: readonly EvalItem[];
  readonly matchItems?: readonly EvalItem[];
}

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

function convert(read: readonly ReadItem[], withDiagnostics: boolean): EvalItem[] {
  const out: EvalItem[] = [];
  const reported = new Set<ConfigFile>();
  for (const it of read) {
    switch (it.kind) {
      case 'enter':
        if (it.include) out.push({ kind: 'enter', file: it.file.path });
        if (withDiagnostics && !reported.has(it.file)) {
          reported.add(it.file);
          for (const d of it.file.diagnostics) out.push({ kind: 'diagnostic', diagnostic: d });
        }
        break;
      case 'leave':
        if (it.include) out.push({ kind: 'leave', file: it.file.path });
        break;
      case 'error':
        // 'bad-option' (sshd error() + return -1, refused at the end of the file) and 'fatal'
        // (sshd exits here) both make the configuration rejected.
        out.push({ kind: 'diagnostic', diagnostic: it.diagnostic.severity === 'error' ? it.diagnostic : { ...it.diagnostic, severity: 'error' } });
        break;
      case 'line':
        if (it.line.kind === 'directive') out.push({ kind: 'directive', file: it.file.path, line: it.line });
        else if (it.line.kind === 'invalid') out.push({ kind: 'invalid', file: it.file.path, line: it.line });
        break;
    }
  }
  return out;
}

/**
 * The evaluator's input for a loaded include tree (src/sshd/include.ts loadConfigTree): the
 * start-up pass with each file's parse diagnostics (once per file, at its first read) and the
 * include problems in place, and the connection pass from the include cache.
 */
export function itemsOfTree(tree: ConfigTree): EvalInput {
  const items = convert(tree.items, true);
  if (tree.fatal || tree.main === undefined) {
    if (!items.some((i) => i.kind === 'diagnostic' && i.diagnostic.severity === 'error')) {
      const d = tree.diagnostics.find((x) => x.severity === 'error');
      if (d) items.push({ kind: 'diagnostic', diagnostic: d });
    }
    return { items, matchItems: [] };
  }
  return { items, matchItems: convert(tree.matchItems, false) };
}
