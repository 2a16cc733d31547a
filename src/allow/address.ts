// Allowlist addresses: parsing what the admin typed (IPv4, IPv6, with or without /prefix) into
// the canonical text sshd's addrmatch.c addr_pton_cidr accepts, and testing membership. It is
// stricter than sshd on purpose: sshd reads "10.0.0" as a wildcard pattern that matches nothing
// useful, and an address with host bits set under its mask ("10.0.0.5/24") is a fatal config
// error in 9.2 (addrmatch.c addr_match_list returns -2, servconf.c: "invalid ... pattern"), so
// both are rejected here with a hint instead of being written. Pure; no I/O.
import ipaddr from 'ipaddr.js';

export type AddressFamily = 'ipv4' | 'ipv6';

export interface AllowAddress {
  /** Canonical text as written into sshd_config: "10.0.0.0/8", "192.0.2.7", "2001:db8::/32". */
  readonly text: string;
  readonly family: AddressFamily;
  readonly prefix: number;
  /** True for a single host (/32 or /128). */
  readonly host: boolean;
}

export type ParsedAddress = { readonly ok: true; readonly value: AllowAddress } | { readonly ok: false; readonly input: string; readonly message: string };

function bad(input: string, message: string): ParsedAddress {
  return { ok: false, input, message };
}

function parseIp(s: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(s)) return ipaddr.IPv4.parse(s);
  if (s.includes(':') && !s.includes('%') && ipaddr.IPv6.isValid(s)) return ipaddr.IPv6.parse(s);
  return undefined;
}

function addrText(a: ipaddr.IPv4 | ipaddr.IPv6): string {
  return a.kind() === 'ipv6' ? (a as ipaddr.IPv6).toRFC5952String() : a.toString();
}

/** Parses one ADDR or ADDR/PREFIX as typed on the command line. */
export function parseAllowAddress(input: string): ParsedAddress {
  const s = input.trim();
  if (s === '') return bad(input, 'empty address');
  if (s.length > 64) return bad(input, 'too long to be an address');
  const slash = s.indexOf('/');
  const head = slash < 0 ? s : s.slice(0, slash);
  if (head.includes('%')) return bad(input, 'IPv6 zone ids (%iface) are not accepted by sshd address patterns');
  const ip = parseIp(head);
  if (!ip) {
    if (/^[0-9.]+$/.test(head)) return bad(input, `not a full IPv4 address (four decimal parts, no leading zeros, each 0-255), e.g. ${head.split('.').length < 4 ? `${head}${'.0'.repeat(4 - head.split('.').length)}/${8 * head.split('.').length}` : '192.0.2.10'}`);
    return bad(input, 'not an IPv4 or IPv6 address (host names are not allowed: sshd matches the client IP unless UseDNS is on)');
  }
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) {
    return bad(input, `IPv4-mapped IPv6 address: sshd sees IPv4 clients as IPv4, write ${(ip as ipaddr.IPv6).toIPv4Address().toString()} instead`);
  }
  const family: AddressFamily = ip.kind() === 'ipv4' ? 'ipv4' : 'ipv6';
  const max = family === 'ipv4' ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(p) || Number(p) > max) return bad(input, `bad prefix length "${p}" (0-${max})`);
    prefix = Number(p);
  }
  const bytes = ip.toByteArray();
  for (let i = prefix; i < max; i++) {
    if ((bytes[i >> 3]! >> (7 - (i & 7))) & 1) {
      const net = networkOf(ip, prefix);
      return bad(input, `host bits set under /${prefix} (sshd refuses this pattern); did you mean ${net}/${prefix}?`);
    }
  }
  const base = addrText(ip);
  return { ok: true, value: { text: prefix === max ? base : `${base}/${prefix}`, family, prefix, host: prefix === max } };
}

function networkOf(ip: ipaddr.IPv4 | ipaddr.IPv6, prefix: number): string {
  const bytes = ip.toByteArray();
  for (let i = prefix; i < bytes.length * 8; i++) bytes[i >> 3] = bytes[i >> 3]! & ~(1 << (7 - (i & 7)));
  return addrText(ipaddr.fromByteArray(bytes));
}

/** Parses every input; all errors are reported together (nothing is changed if any fails). */
export function parseAllowAddresses(inputs: readonly string[]): { readonly values: AllowAddress[]; readonly errors: { input: string; message: string }[] } {
  const values: AllowAddress[] = [];
  const errors: { input: string; message: string }[] = [];
  for (const i of inputs) {
    const r = parseAllowAddress(i);
    if (r.ok) {
      if (!values.some((v) => v.text === r.value.text)) values.push(r.value);
    } else errors.push({ input: r.input, message: r.message });
  }
  return { values, errors };
}

/** Whether the client address `addr` (plain IP text) lies inside `a`. */
export function addressContains(a: AllowAddress, addr: string): boolean {
  const ip = parseIp(normaliseClientAddress(addr));
  if (!ip || ip.kind() !== a.family) return false;
  const base = parseIp(a.text.split('/')[0]!)!;
  return ip.match(base as never, a.prefix);
}

/** sshd unmaps IPv4-mapped IPv6 client addresses (canohost.c ipv64_normalise_mapped). */
export function normaliseClientAddress(addr: string): string {
  const ip = parseIp(addr);
  if (ip && ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) return (ip as ipaddr.IPv6).toIPv4Address().toString();
  return ip ? addrText(ip) : addr;
}

export function isIpAddress(s: string): boolean {
  return parseIp(s) !== undefined;
}

/** An address outside every entry of the list, of the given family, for proofs ("a sample outside"). */
export function sampleOutside(list: readonly AllowAddress[], family: AddressFamily): string | undefined {
  const candidates =
    family === 'ipv4'
      ? ['203.0.113.77', '198.51.100.77', '192.0.2.77', '127.0.0.2', '10.255.255.77', '172.31.255.77', '8.8.4.4', '1.1.1.77']
      : ['2001:db8:ffff::77', '2001:db8::77', 'fd00:ffff::77', '2606:4700::77', '::1'];
  return candidates.find((c) => !list.some((a) => addressContains(a, c)));
}

/** An address inside the entry (its own base address). */
export function sampleInside(a: AllowAddress): string {
  return a.text.split('/')[0]!;
}
