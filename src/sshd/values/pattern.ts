// OpenSSH pattern matching (match.c, OpenSSH 9.2p1): match_pattern with * and ?, comma-separated
// pattern lists with ! negation, and addr_match_list (addrmatch.c) with CIDR. Pure; no I/O.
import ipaddr from 'ipaddr.js';

/** match.c match_pattern: * and ? wildcards, byte-exact. */
export function matchPattern(s: string, pattern: string): boolean {
  let si = 0, pi = 0, starP = -1, starS = 0;
  while (si < s.length) {
    const pc = pattern[pi];
    if (pc === '*') { starP = pi++; starS = si; continue; }
    if (pc !== undefined && (pc === '?' || pc === s[si])) { si++; pi++; continue; }
    if (starP >= 0) { pi = starP + 1; si = ++starS; continue; }
    return false;
  }
  while (pattern[pi] === '*') pi++;
  return pi === pattern.length;
}

/** match.c match_pattern_list: 1 match, -1 negated match, 0 none. dolower lowercases the subject. */
export function matchPatternList(s: string, list: string, dolower = false): 1 | 0 | -1 {
  let got: 1 | 0 = 0;
  const subject = dolower ? s.toLowerCase() : s;
  for (const raw of list.split(',')) {
    const neg = raw.startsWith('!');
    const p = neg ? raw.slice(1) : raw;
    if (p.length === 0 && raw.length > 0 && !neg) continue;
    if (matchPattern(subject, dolower ? p.toLowerCase() : p)) {
      if (neg) return -1;
      got = 1;
    }
  }
  return got;
}

/** match.c match_hostname: case-insensitive pattern list. */
export function matchHostname(host: string, list: string): 1 | 0 | -1 {
  return matchPatternList(host.toLowerCase(), list.toLowerCase());
}

type Cidr = { addr: ipaddr.IPv4 | ipaddr.IPv6; bits: number };

/** Parsed addresses and CIDRs are immutable: memoised (bounded) so many specs against one list stay cheap. */
const MEMO_MAX = 4096;
const addrMemo = new Map<string, ipaddr.IPv4 | ipaddr.IPv6 | undefined>();
const cidrMemo = new Map<string, Cidr | 'bad' | 'inconsistent'>();
function memo<T>(m: Map<string, T>, k: string, f: (k: string) => T): T {
  if (m.has(k)) return m.get(k) as T;
  if (m.size >= MEMO_MAX) m.clear();
  const v = f(k);
  m.set(k, v);
  return v;
}

function parseAddr(a: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  return memo(addrMemo, a, parseAddrUncached);
}

function parseAddrUncached(a: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  try {
    if (ipaddr.IPv4.isValidFourPartDecimal(a)) return ipaddr.IPv4.parse(a);
    if (a.includes(':') && ipaddr.IPv6.isValid(a)) return ipaddr.IPv6.parse(a);
  } catch {
    /* not an address */
  }
  return undefined;
}

/** addrmatch.c addr_pton_cidr: a Cidr, 'bad' (-1: try as a wildcard) or 'inconsistent' (-2). */
function parseCidr(p: string): Cidr | 'bad' | 'inconsistent' {
  return memo(cidrMemo, p, parseCidrUncached);
}

function parseCidrUncached(p: string): Cidr | 'bad' | 'inconsistent' {
  const slash = p.indexOf('/');
  const addr = parseAddr(slash < 0 ? p : p.slice(0, slash));
  if (!addr) return 'bad';
  const max = addr.kind() === 'ipv4' ? 32 : 128;
  let bits = max;
  if (slash >= 0) {
    const b = p.slice(slash + 1);
    if (!/^[0-9]+$/.test(b) || Number(b) > max) return 'bad';
    bits = Number(b);
  }
  const bytes = addr.toByteArray();
  for (let i = bits; i < bytes.length * 8; i++) if ((bytes[i >> 3]! >> (7 - (i & 7))) & 1) return 'inconsistent';
  return { addr, bits };
}

/**
 * addrmatch.c addr_match_list (9.2p1): 1 match, 0 no match, -1 negated match, -2 invalid list.
 * With addr undefined it only validates (0 or -2). CIDR first, else a wildcard on the text.
 */
export function addrMatchList(addr: string | undefined, list: string): 1 | 0 | -1 | -2 {
  let a: ipaddr.IPv4 | ipaddr.IPv6 | undefined;
  if (addr !== undefined) {
    a = parseAddr(addr);
    if (!a) return 0;
  }
  let ret: 1 | 0 = 0;
  for (let cp of list.split(',')) {
    const neg = cp.startsWith('!');
    if (neg) cp = cp.slice(1);
    if (cp === '') return -2;
    const n = parseCidr(cp);
    if (n === 'inconsistent') return -2;
    let hit = false;
    if (n !== 'bad') hit = a !== undefined && a.kind() === n.addr.kind() && a.match(n.addr as never, n.bits);
    else hit = addr !== undefined && matchPattern(addr, cp);
    if (hit) {
      if (neg) return -1;
      ret = 1;
    }
  }
  return ret;
}
