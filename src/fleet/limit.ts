// --limit PATTERN, as Ansible reads host patterns: items separated by ',' (or ':' when there is
// no ','), each a host name, a group name or a glob (`*`, `?`, `[...]`) over both; `!item`
// excludes, `&item` intersects. Ansible's order of evaluation: the union of the plain items, then
// each intersection, then each exclusion. `all` and `*` are every host. Regular expressions
// (`~...`) are refused rather than half-supported. Pure; the result keeps the inventory's order.
import type { FleetTarget, Parsed } from './target.js';

function globRe(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function splitPattern(pattern: string): string[] {
  const sep = pattern.includes(',') ? ',' : /^[!&]?[0-9A-Fa-f]*:[0-9A-Fa-f:.]*$/.test(pattern) && pattern.split(':').length > 2 ? undefined : ':';
  return (sep ? pattern.split(sep) : [pattern]).map((s) => s.trim()).filter(Boolean);
}

/** The targets a pattern selects, in inventory order; an error names an item that matches nothing. */
export function applyLimit(targets: readonly FleetTarget[], pattern: string): Parsed<FleetTarget[]> {
  const items = splitPattern(pattern);
  if (items.length === 0) return { ok: false, message: `--limit ${JSON.stringify(pattern)}: empty pattern` };
  const matching = (item: string): Set<FleetTarget> | string => {
    if (item.startsWith('~')) return `regular expressions ("${item}") are not supported; use globs`;
    if (item === '' ) return 'empty item';
    if (item === 'all' || item === '*') return new Set(targets);
    const re = /[*?[]/.test(item) ? globRe(item) : undefined;
    const hit = (s: string) => (re ? re.test(s) : s === item);
    return new Set(targets.filter((t) => hit(t.name) || t.groups.some(hit)));
  };
  const plus: string[] = [];
  const and: string[] = [];
  const not: string[] = [];
  for (const it of items) {
    if (it.startsWith('!')) not.push(it.slice(1));
    else if (it.startsWith('&')) and.push(it.slice(1));
    else plus.push(it);
  }
  let chosen = new Set<FleetTarget>();
  const sets = new Map<string, Set<FleetTarget>>();
  for (const it of [...plus, ...and, ...not]) {
    const m = matching(it);
    if (typeof m === 'string') return { ok: false, message: `--limit ${JSON.stringify(pattern)}: ${m}` };
    sets.set(it, m);
  }
  if (plus.length === 0) chosen = new Set(targets);
  for (const it of plus) for (const t of sets.get(it)!) chosen.add(t);
  for (const it of and) chosen = new Set([...chosen].filter((t) => sets.get(it)!.has(t)));
  for (const it of not) for (const t of sets.get(it)!) chosen.delete(t);
  const unmatched = [...plus, ...and].filter((it) => sets.get(it)!.size === 0);
  if (unmatched.length) return { ok: false, message: `--limit ${JSON.stringify(pattern)}: ${unmatched.map((u) => `"${u}"`).join(', ')} matches no host or group` };
  const out = targets.filter((t) => chosen.has(t));
  if (out.length === 0) return { ok: false, message: `--limit ${JSON.stringify(pattern)}: no host left` };
  return { ok: true, value: out };
}
