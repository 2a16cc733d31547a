// glob(3) as sshd calls it for Include (servconf.c: glob(arg, 0, NULL, &gbuf); glibc, C locale
// since sshd never calls setlocale): wildcards * ? [...] matched per path component with
// fnmatch(FNM_PERIOD) (a leading dot is never matched by a wildcard), backslash escapes, no
// tilde or brace expansion, a literal last component matched by lstat (a dangling symlink
// matches), unlistable directories silently skipped, results sorted in byte order, no match =
// empty list. All access goes through the injected ReadOnlyFs.
import type { ReadOnlyFs } from '../host/fs.js';
import { type ByteString, displayText, utf8ToByteString } from '../text/bytes.js';

type Item = { t: 'lit'; c: string } | { t: 'any' } | { t: 'star' } | { t: 'set'; neg: boolean; test: (c: string) => boolean };

const CLASSES: Record<string, (c: string) => boolean> = {
  alpha: (c) => /[A-Za-z]/.test(c),
  digit: (c) => /[0-9]/.test(c),
  alnum: (c) => /[A-Za-z0-9]/.test(c),
  upper: (c) => /[A-Z]/.test(c),
  lower: (c) => /[a-z]/.test(c),
  space: (c) => /[ \t\n\r\f\v]/.test(c),
  blank: (c) => c === ' ' || c === '\t',
  punct: (c) => /[!-/:-@[-`{-~]/.test(c),
  xdigit: (c) => /[0-9A-Fa-f]/.test(c),
  print: (c) => c >= ' ' && c <= '~',
  graph: (c) => c > ' ' && c <= '~',
  cntrl: (c) => c < ' ' || c === '\x7f',
};

/** Parses a bracket expression starting at p[i] === '['; undefined if unterminated (then '[' is literal). */
function parseSet(p: ByteString, i: number): { item: Item; next: number } | undefined {
  let j = i + 1;
  let neg = false;
  if (p[j] === '!' || p[j] === '^') {
    neg = true;
    j++;
  }
  const tests: ((c: string) => boolean)[] = [];
  let first = true;
  for (;;) {
    if (j >= p.length) return undefined;
    let c = p[j]!;
    if (c === ']' && !first) break;
    first = false;
    if (c === '[' && p[j + 1] === ':') {
      const close = p.indexOf(':]', j + 2);
      const cls = close === -1 ? undefined : CLASSES[p.slice(j + 2, close)];
      if (cls !== undefined) {
        tests.push(cls);
        j = close + 2;
        continue;
      }
    }
    if (c === '\\' && j + 1 < p.length) {
      j++;
      c = p[j]!;
    }
    if (p[j + 1] === '-' && j + 2 < p.length && p[j + 2] !== ']') {
      let hi = p[j + 2]!;
      let k = j + 3;
      if (hi === '\\' && j + 3 < p.length) {
        hi = p[j + 3]!;
        k = j + 4;
      }
      const lo = c;
      tests.push((x) => x >= lo && x <= hi);
      j = k;
      continue;
    }
    const lit = c;
    tests.push((x) => x === lit);
    j++;
  }
  return { item: { t: 'set', neg, test: (x) => tests.some((f) => f(x)) }, next: j + 1 };
}

function compile(p: ByteString): Item[] {
  const items: Item[] = [];
  for (let i = 0; i < p.length; ) {
    const c = p[i]!;
    if (c === '*') {
      items.push({ t: 'star' });
      i++;
    } else if (c === '?') {
      items.push({ t: 'any' });
      i++;
    } else if (c === '[') {
      const s = parseSet(p, i);
      if (s === undefined) {
        items.push({ t: 'lit', c });
        i++;
      } else {
        items.push(s.item);
        i = s.next;
      }
    } else if (c === '\\' && i + 1 < p.length) {
      items.push({ t: 'lit', c: p[i + 1]! });
      i += 2;
    } else {
      items.push({ t: 'lit', c });
      i++;
    }
  }
  return items;
}

/** fnmatch(pattern, name, FNM_PERIOD) on byte strings. */
export function fnmatchPeriod(pattern: ByteString, name: ByteString): boolean {
  const items = compile(pattern);
  if (name.startsWith('.') && !(items[0]?.t === 'lit' && items[0].c === '.')) return false;
  let pi = 0;
  let ni = 0;
  let starPi = -1;
  let starNi = 0;
  while (ni < name.length) {
    const it = items[pi];
    if (it !== undefined && it.t === 'star') {
      starPi = pi++;
      starNi = ni;
      continue;
    }
    const c = name[ni]!;
    if (it !== undefined && (it.t === 'any' || (it.t === 'lit' && it.c === c) || (it.t === 'set' && it.test(c) !== it.neg))) {
      pi++;
      ni++;
      continue;
    }
    if (starPi === -1) return false;
    pi = starPi + 1;
    ni = ++starNi;
  }
  while (items[pi]?.t === 'star') pi++;
  return pi === items.length;
}

/** True when a pattern component has an unescaped * ? or a (terminated) bracket expression. */
export function hasMeta(component: ByteString): boolean {
  return compile(component).some((i) => i.t !== 'lit');
}

function unescape(component: ByteString): ByteString {
  return compile(component)
    .map((i) => (i.t === 'lit' ? i.c : ''))
    .join('');
}

/**
 * Expands an absolute pattern (byte string) to matching paths (ordinary strings for the fs),
 * sorted in byte order. A relative pattern is taken relative to "/" (sshd's working directory
 * under systemd).
 */
export async function globPaths(fs: ReadOnlyFs, pattern: ByteString): Promise<string[]> {
  const comps = pattern.split('/').filter((c) => c !== '');
  if (comps.length === 0) return (await fs.lstat('/')) ? ['/'] : [];
  let current: ByteString[] = [''];
  for (let i = 0; i < comps.length; i++) {
    const comp = comps[i]!;
    const isLast = i === comps.length - 1;
    const next: ByteString[] = [];
    if (hasMeta(comp)) {
      for (const dir of current) {
        const names = await fs.readDir(displayText(dir === '' ? '/' : dir));
        if (names === undefined) continue;
        for (const n of names) {
          const nb = utf8ToByteString(n);
          if (fnmatchPeriod(comp, nb)) next.push(`${dir}/${nb}`);
        }
      }
    } else {
      const lit = unescape(comp);
      for (const dir of current) {
        const p = `${dir}/${lit}`;
        if (!isLast || (await fs.lstat(displayText(p))) !== undefined) next.push(p);
      }
    }
    current = next;
    if (current.length === 0) break;
  }
  current.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return current.map((p) => displayText(p));
}
