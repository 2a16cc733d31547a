// The directives of a loaded config tree (src/sshd/include.ts) as the rules list them, each with
// its enclosing Match line (a Match in a file lasts to the end of that file; an Include inside
// Match is conditional, servconf.c 9.2p1). The evaluator's input is itemsOfTree's, not built here.
import type { ConfigTree } from '../sshd/include.js';
import { canonicalKeyword } from '../sshd/keywords/index.js';
import { displayText } from '../text/bytes.js';
import type { DirectiveInfo } from '../rules/types.js';

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
