// The fleet's unit: one host to reach over SSH, as named on the command line (`--host
// [user@]host[:port]`), by an inventory (Ansible INI/YAML or a plain list) or by a PVE cluster's
// member list. Pure parsing and validation; nothing here connects. A target's address, user and
// port end up on the `ssh` command line, so they are validated strictly here (no leading '-', no
// whitespace or shell metacharacters): a hostile inventory must not smuggle ssh options in.
import { isIP } from 'node:net';

export interface FleetTarget {
  /** The name reports and --limit use (the inventory host name, or the --host text). */
  readonly name: string;
  /** What ssh connects to (ansible_host, else the name): a DNS name, an IP, or an ssh_config Host alias. */
  readonly address: string;
  readonly user?: string;
  readonly port?: number;
  /** Inventory groups the host belongs to (transitively), sorted; always includes "all". */
  readonly groups: readonly string[];
  /** Where it was named: "--host", "inventory.ini:12", "cluster pve1". */
  readonly source: string;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const HOST_RE = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,252})$/;
const USER_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}\$?$/;

/** A host name, ssh_config alias or IP that is safe as one ssh argument. */
export function validAddress(a: string): boolean {
  if (isIP(a) !== 0) return true;
  return HOST_RE.test(a);
}

export function validUser(u: string): boolean {
  return USER_RE.test(u);
}

export function parsePort(p: string): number | undefined {
  if (!/^\d{1,5}$/.test(p)) return undefined;
  const n = Number(p);
  return n >= 1 && n <= 65535 ? n : undefined;
}

/**
 * `[user@]host[:port]`, with IPv6 as `[addr]` or `[addr]:port` (a bare IPv6 address has no port).
 */
export function parseHostSpec(spec: string, source = '--host'): Parsed<FleetTarget> {
  const bad = (why: string): Parsed<FleetTarget> => ({ ok: false, message: `${source} ${JSON.stringify(spec)}: ${why}` });
  if (spec.length === 0 || spec.length > 300) return bad('expected [user@]host[:port]');
  let rest = spec;
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (!validUser(user)) return bad(`"${user}" is not a valid user name`);
  }
  let address: string;
  let port: number | undefined;
  const v6 = /^\[([0-9A-Fa-f:.]+)\](?::(.*))?$/.exec(rest);
  if (v6) {
    address = v6[1]!;
    if (isIP(address) !== 6) return bad(`"${address}" is not an IPv6 address`);
    if (v6[2] !== undefined) {
      port = parsePort(v6[2]);
      if (port === undefined) return bad(`"${v6[2]}" is not a port (1-65535)`);
    }
  } else if (isIP(rest) === 6) {
    address = rest;
  } else {
    const colon = rest.lastIndexOf(':');
    address = colon >= 0 ? rest.slice(0, colon) : rest;
    if (colon >= 0) {
      port = parsePort(rest.slice(colon + 1));
      if (port === undefined) return bad(`"${rest.slice(colon + 1)}" is not a port (1-65535)`);
    }
    if (!validAddress(address)) return bad(`"${address}" is not a host name or IP address`);
  }
  return { ok: true, value: { name: spec, address, ...(user !== undefined ? { user } : {}), ...(port !== undefined ? { port } : {}), groups: ['all'], source } };
}

/** How a target is written back for messages and `ssh`: user@host:port. */
export function targetText(t: Pick<FleetTarget, 'address' | 'user' | 'port'>): string {
  const h = isIP(t.address) === 6 && t.port !== undefined ? `[${t.address}]` : t.address;
  return `${t.user ? `${t.user}@` : ''}${h}${t.port !== undefined ? `:${t.port}` : ''}`;
}
