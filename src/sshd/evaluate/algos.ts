// Algorithm lists: validity checks as sshd does them while parsing (ciphers_valid, mac_valid,
// kex_names_valid, sshkey_names_valid2) and kex.c kex_assemble_names for `+ - ^` and wildcards
// against a build's default and supported lists (OpenSSH 9.2p1 kex.c, match.c).
import { matchPattern, matchPatternList } from '../values/pattern.js';

/** Exact-name validity (ciphers_valid, mac_valid, kex_names_valid): no wildcards. */
export function namesValid(list: string, all: readonly string[]): boolean {
  if (list === '') return false;
  for (const p of list.split(',')) {
    if (p === '') return true; // strsep loop stops at an empty element
    if (!all.includes(p)) return false;
  }
  return true;
}

/** sshkey_names_valid2(names, allow_wildcard=1). */
export function keyNamesValid(list: string, allKeys: readonly string[]): boolean {
  if (list === '') return false;
  for (const p of list.split(',')) {
    if (p === '') break;
    if (allKeys.includes(p)) continue;
    if (allKeys.some((k) => matchPatternList(k, p) !== 0)) continue;
    return false;
  }
  return true;
}

function filter(proposal: readonly string[], filterList: string, deny: boolean): string[] {
  return proposal.filter((cp) => {
    const r = matchPatternList(cp, filterList);
    return deny ? r !== 1 : r === 1;
  });
}

function namesCat(a: readonly string[], b: readonly string[]): string[] {
  const out = [...a];
  for (const p of b) {
    if (p === '') break;
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

/** kex_assemble_names: the effective list, or undefined where sshd fails (empty or '!' pattern). */
export function assembleNames(value: string | undefined, def: string, all: readonly string[]): string | undefined {
  const d = def.split(',');
  if (value === undefined || value === '') return def;
  let list: string[];
  if (value.startsWith('+')) list = namesCat(d, value.slice(1).split(','));
  else if (value.startsWith('-')) return filter(d, value.slice(1), true).join(',');
  else if (value.startsWith('^')) list = namesCat(value.slice(1).split(','), d);
  else list = value.split(',');
  let ret: string[] = [];
  for (const cp of list) {
    if (cp.startsWith('!')) return undefined;
    ret = namesCat(ret, all.filter((a) => matchPatternList(a, cp) === 1));
  }
  if (ret.length === 0) return undefined;
  return ret.join(',');
}

export { matchPattern };
