// sshd's pattern matching for AllowUsers/DenyUsers-style lists and Match Address lists, as in
// match.c (match_pattern, match_pattern_list, addr_match_list; OpenSSH 9.2p1): `*` and `?`
// wildcards, `!` negation (a negated match wins), and CIDR for addresses. Pure.
import ipaddr from 'ipaddr.js';

export function matchPattern(s: string, pattern: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
  return re.test(s);
}

/** match_pattern_list: 1 match, -1 negated match, 0 none. Case-sensitive like user names. */
export function matchList(s: string, list: string): 1 | 0 | -1 {
  let got: 1 | 0 = 0;
  for (const raw of list.split(',')) {
    const neg = raw.startsWith('!');
    const p = neg ? raw.slice(1) : raw;
    if (matchPattern(s, p)) {
      if (neg) return -1;
      got = 1;
    }
  }
  return got;
}

/** addr_match_list for one address: CIDR entries, wildcard patterns, negation. */
export function matchAddressList(addr: string, list: string): 1 | 0 | -1 {
  let got: 1 | 0 = 0;
  let ip: ipaddr.IPv4 | ipaddr.IPv6 | undefined;
  try {
    ip = ipaddr.process(addr);
  } catch {
    ip = undefined;
  }
  for (const raw of list.split(',')) {
    const neg = raw.startsWith('!');
    const p = neg ? raw.slice(1) : raw;
    let hit = false;
    if (p.includes('/')) {
      try {
        const [net, bits] = ipaddr.parseCIDR(p);
        hit = ip !== undefined && ip.kind() === net.kind() && ip.match([net, bits] as never);
      } catch {
        hit = false;
      }
    } else hit = matchPattern(addr, p);
    if (hit) {
      if (neg) return -1;
      got = 1;
    }
  }
  return got;
}

/** Whether an AllowUsers/DenyUsers entry (USER or USER@HOST) matches user from addr. */
export function matchUserEntry(user: string, addr: string | undefined, entry: string): boolean {
  const at = entry.lastIndexOf('@');
  if (at < 0) return matchPattern(user, entry);
  if (!matchPattern(user, entry.slice(0, at))) return false;
  return addr !== undefined && matchAddressList(addr, entry.slice(at + 1)) === 1;
}

/** A representative address inside an address pattern (for probing Match blocks), if any. */
export function sampleAddress(pattern: string): string | undefined {
  for (const raw of pattern.split(',')) {
    if (raw.startsWith('!')) continue;
    if (raw.includes('/')) {
      try {
        const [net, bits] = ipaddr.parseCIDR(raw);
        const bytes = net.toByteArray();
        const total = bytes.length * 8;
        if (bits < total) {
          // first host of the network: network address with the last bit set
          const i = bytes.length - 1;
          bytes[i] = (bytes[i]! & ~1) | 1;
        }
        return ipaddr.fromByteArray(bytes).toString();
      } catch {
        continue;
      }
    }
    if (!/[*?]/.test(raw) && ipaddr.isValid(raw)) return raw;
    if (/^[\d.]+\*$/.test(raw)) {
      const parts = raw.replace(/\.?\*$/, '').split('.').filter(Boolean);
      while (parts.length < 4) parts.push(parts.length === 3 ? '1' : '0');
      const a = parts.join('.');
      if (ipaddr.IPv4.isValidFourPartDecimal(a)) return a;
    }
  }
  return undefined;
}
