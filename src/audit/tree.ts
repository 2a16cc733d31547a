// Turns a loaded config tree (src/sshd/include.ts) into what the audit needs: the evaluator's
// item sequence and the list of directives with their enclosing Match line (a Match in a file
// lasts to the end of that file; an Include inside Match is conditional, servconf.c 9.2p1).
import type { ConfigTree } from '../sshd/include.js';
import type { EvalItem } from '../sshd/evaluate/input.js';
import { canonicalKeyword } from '../sshd/keywords/index.js';
import { displayText } from '../text/bytes.js';
import type { DirectiveInfo } from '../rules/types.js';

export function evalItemsOf(tree: ConfigTree): EvalItem[] {
  const out: EvalItem[] = [];
  for (const it of tree.items) {
    if (it.kind === 'enter') {
      if (it.include) out.push({ kind: 'enter', file: it.file.path });
      for (const d of it.file.diagnostics) out.push({ kind: 'diagnostic', diagnostic: d });
    } else if (it.kind === 'leave') {
      if (it.include) out.push({ kind: 'leave', file: it.file.path });
    } else if (it.kind === 'error') out.push({ kind: 'diagnostic', diagnostic: it.diagnostic });
    else if (it.line.kind === 'directive') out.push({ kind: 'directive', file: it.file.path, line: it.line });
    else if (it.line.kind === 'invalid') out.push({ kind: 'invalid', file: it.file.path, line: it.line });
  }
  return out;
}

export function directivesOf(tree: ConfigTree): DirectiveInfo[] {
  const out: DirectiveInfo[] = [];
  let match: DirectiveInfo['match'];
  const stack: (typeof match)[] = [];
  for (const it of tree.items) {
    if (it.kind === 'enter') {
      if (it.include) stack.push(match);
      continue;
    }
    if (it.kind === 'leave') {
      if (it.include) match = stack.pop();
      continue;
    }
    if (it.kind !== 'line' || it.line.kind !== 'directive') continue;
    const l = it.line;
    const keyword = displayText(l.keyword.value);
    const canonical = canonicalKeyword(keyword);
    const args = l.args.map((a) => displayText(a.value));
    const d: DirectiveInfo = { file: it.file.path, line: l.line, column: l.keyword.column, keyword, canonical, args, ...(match ? { match } : {}) };
    out.push(d);
    if (canonical === 'Match') {
      const all = args.length === 1 && args[0]!.toLowerCase() === 'all';
      match = all ? undefined : { file: it.file.path, line: l.line, criteria: args };
    }
  }
  return out;
}
