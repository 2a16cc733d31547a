// sshd's scalar value grammars: convtime (misc.c), strtonum-based integers (atoi_err, a2port),
// scan_scaled (RekeyLimit), octal masks, IPQoS names (misc.c parse_ipqos/iptos2str), log levels
// and facilities (log.c). Pure functions; each returns undefined where sshd would fail.
// Checked against OpenSSH 9.2p1 misc.c/log.c; unchanged through 10.3p1.

const INT_MAX = 2147483647;

/** strtol(p, &end, 10) prefix: optional blanks, sign, digits. Returns [value, rest] or undefined. */
function strtolPrefix(s: string, base: 10 | 0 | 8 = 10): { value: number; rest: string } | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|[0-9]+)/.exec(s);
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1 : 1;
  let digits = m[2]!;
  let value: number;
  if (base === 0 && /^0[xX]/.test(digits)) value = parseInt(digits.slice(2), 16);
  else if (base === 0 && digits.length > 1 && digits.startsWith('0')) {
    const o = /^[0-7]+/.exec(digits)![0];
    digits = o;
    value = parseInt(o, 8);
  } else if (base === 8) {
    const o = /^[0-7]+/.exec(digits);
    if (!o) return undefined;
    digits = o[0];
    value = parseInt(digits, 8);
  } else {
    if (/^0[xX]/.test(digits)) digits = '0';
    value = parseInt(digits, 10);
  }
  return { value: sign * value, rest: s.slice(m[0].length - (m[2]!.length - digits.length)) };
}

/** misc.c convtime: "90", "1m30s", "2h"; -1 in sshd becomes undefined here. */
export function convtime(s: string): number | undefined {
  if (s === '') return undefined;
  let total = 0;
  let p = s;
  while (p.length > 0) {
    const r = strtolPrefix(p);
    if (!r || r.value < 0 || r.value > INT_MAX) return undefined;
    let mult = 1;
    const c = r.rest[0];
    let rest = r.rest.slice(1);
    switch (c) {
      case undefined: rest = ''; break;
      case 's': case 'S': break;
      case 'm': case 'M': mult = 60; break;
      case 'h': case 'H': mult = 3600; break;
      case 'd': case 'D': mult = 86400; break;
      case 'w': case 'W': mult = 604800; break;
      default: return undefined;
    }
    if (r.value > Math.floor(INT_MAX / mult)) return undefined;
    const secs = r.value * mult;
    if (total > INT_MAX - secs) return undefined;
    total += secs;
    p = rest;
  }
  return total;
}

/** OpenBSD strtonum(s, min, max): decimal only (strtoll base 10), whole string. */
export function strtonum(s: string, min: number, max: number): number | undefined {
  if (!/^[ \t\n\v\f\r]*[+-]?[0-9]+$/.test(s)) return undefined;
  const v = Number(s.trim());
  if (!Number.isFinite(v) || v < min || v > max) return undefined;
  return v;
}

/** misc.c atoi_err: 0..INT_MAX. */
export function atoiErr(s: string | undefined): number | undefined {
  if (s === undefined || s === '') return undefined;
  return strtonum(s, 0, INT_MAX);
}

const SERVICES: Record<string, number> = { ssh: 22, http: 80, https: 443, ftp: 21, telnet: 23, smtp: 25, domain: 53 };

/** misc.c a2port: 0..65535 or a tcp service name (/etc/services; common ones built in). */
export function a2port(s: string): number {
  const v = strtonum(s, 0, 65535);
  if (v !== undefined) return v;
  return SERVICES[s] ?? -1;
}

/** misc.c scan_scaled (fmt_scaled.c): "1G", "512M", "100"; units B K M G T P E, no fraction beyond. */
export function scanScaled(s: string): number | undefined {
  const m = /^[ \t]*([+-]?)([0-9]*)(?:\.([0-9]*))?([bBkKmMgGtTpPeE]?)$/.exec(s);
  if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) return undefined;
  const unit = (m[4] ?? '').toUpperCase();
  const pow = { '': 0, B: 0, K: 1, M: 2, G: 3, T: 4, P: 5, E: 6 }[unit]!;
  if (m[3] !== undefined && unit === '') return undefined;
  const whole = Number(m[2] || '0');
  const frac = m[3] ? Number(`0.${m[3]}`) : 0;
  const v = Math.floor((whole + frac) * 1024 ** pow);
  return m[1] === '-' ? -v : v;
}

const IPQOS: readonly (readonly [string, number])[] = [
  ['none', INT_MAX], ['af11', 0x28], ['af12', 0x30], ['af13', 0x38], ['af21', 0x48], ['af22', 0x50], ['af23', 0x58],
  ['af31', 0x68], ['af32', 0x70], ['af33', 0x78], ['af41', 0x88], ['af42', 0x90], ['af43', 0x98],
  ['cs0', 0x00], ['cs1', 0x20], ['cs2', 0x40], ['cs3', 0x60], ['cs4', 0x80], ['cs5', 0xa0], ['cs6', 0xc0], ['cs7', 0xe0],
  ['ef', 0xb8], ['le', 0x01], ['lowdelay', 0x10], ['throughput', 0x08], ['reliability', 0x04],
];

/** OpenSSH 10.0 misc.c: lowdelay/throughput/reliability are deprecated (INT_MIN, which servconf.c sIPQoS turns into INT_MAX, "none"). */
const IPQOS_10: readonly (readonly [string, number])[] = IPQOS.filter(([n]) => !['lowdelay', 'throughput', 'reliability'].includes(n));
const DEPRECATED_TOS = new Set(['lowdelay', 'throughput', 'reliability']);

/**
 * misc.c parse_ipqos, as servconf.c sIPQoS uses it. 9.2p1: names or strtol(cp, &ep, 0) in
 * 0..255. 10.0p1: names (the three legacy TOS names mean "none": "Deprecated IPQoS value
 * ignored") or strtonum(cp, 0, 255), decimal only.
 */
export function parseIpqos(s: string, version = 9.2): number | undefined {
  const low = s.toLowerCase();
  if (version >= 10) {
    if (DEPRECATED_TOS.has(low)) return INT_MAX;
    for (const [n, v] of IPQOS_10) if (n === low) return v;
    const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+)$/.exec(s);
    if (!m) return undefined;
    const v = Number(m[1]);
    return v >= 0 && v <= 255 ? v : undefined;
  }
  for (const [n, v] of IPQOS) if (n === low) return v;
  const r = strtolPrefix(s, 0);
  if (!r || r.rest !== '' || s === '' || r.value < 0 || r.value > 255) return undefined;
  return r.value;
}

/** misc.c iptos2str (10.0p1 has no names for the legacy TOS values: they print as hex). */
export function iptos2str(v: number, version = 9.2): string {
  for (const [n, x] of version >= 10 ? IPQOS_10 : IPQOS) if (x === v) return n;
  return `0x${v.toString(16).padStart(2, '0')}`;
}

/** strtol(arg, &p, 8) as StreamLocalBindMask parses it: a valid octal prefix; rest ignored. */
export function octalPrefix(s: string): number | undefined {
  const r = strtolPrefix(s, 8);
  return r?.value;
}

const LEVELS = ['QUIET', 'FATAL', 'ERROR', 'INFO', 'VERBOSE', 'DEBUG', 'DEBUG1', 'DEBUG2', 'DEBUG3'] as const;
/** log.c log_level_number / log_level_name (DEBUG1 prints as DEBUG: first name of that level). */
export function logLevel(s: string): string | undefined {
  const up = LEVELS.find((l) => l.toLowerCase() === s.toLowerCase());
  return up === 'DEBUG1' ? 'DEBUG' : up;
}

const FACILITIES = ['DAEMON', 'USER', 'AUTH', 'AUTHPRIV', 'LOCAL0', 'LOCAL1', 'LOCAL2', 'LOCAL3', 'LOCAL4', 'LOCAL5', 'LOCAL6', 'LOCAL7'];
/** log.c log_facility_number (case-insensitive). */
export function logFacility(s: string): string | undefined {
  return FACILITIES.find((f) => f.toLowerCase() === s.toLowerCase());
}
