// Target specs: `host`, `host:port`, `[v6addr]:port`, bare IPv6 (`::1`, no port), and the targets
// file (one spec a line, `#` comments and blank lines ignored). Pure: a bad spec is a result
// with a message naming the spec (and the file line), never a throw.
import ipaddr from 'ipaddr.js';

export interface Target {
  /** The spec as given (trimmed), shown in output. */
  readonly spec: string;
  readonly host: string;
  readonly port: number;
}

export type TargetResult = { readonly kind: 'ok'; readonly target: Target } | { readonly kind: 'error'; readonly message: string };

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*\.?$/;

function parsePort(s: string, spec: string): number | string {
  if (!/^\d{1,5}$/.test(s)) return `bad port in "${spec}"`;
  const n = Number(s);
  return n >= 1 && n <= 65535 ? n : `port out of range in "${spec}" (1-65535)`;
}

export function parseTarget(raw: string, defaultPort = 22): TargetResult {
  const spec = raw.trim();
  if (!spec) return { kind: 'error', message: 'empty target' };
  let host: string;
  let port: number | string = defaultPort;
  if (spec.startsWith('[')) {
    const close = spec.indexOf(']');
    if (close === -1) return { kind: 'error', message: `missing "]" in "${spec}"` };
    host = spec.slice(1, close);
    const rest = spec.slice(close + 1);
    if (rest) {
      if (!rest.startsWith(':')) return { kind: 'error', message: `expected ":PORT" after "]" in "${spec}"` };
      port = parsePort(rest.slice(1), spec);
    }
    if (!ipaddr.IPv6.isValid(host)) return { kind: 'error', message: `not an IPv6 address inside [] in "${spec}"` };
  } else if ((spec.match(/:/g) ?? []).length > 1) {
    // Bare IPv6 without brackets cannot carry a port.
    if (!ipaddr.IPv6.isValid(spec)) return { kind: 'error', message: `not a valid address: "${spec}" (write IPv6 with a port as [addr]:port)` };
    host = spec;
  } else {
    const colon = spec.indexOf(':');
    host = colon === -1 ? spec : spec.slice(0, colon);
    if (colon !== -1) port = parsePort(spec.slice(colon + 1), spec);
    if (!ipaddr.IPv4.isValidFourPartDecimal(host) && !HOSTNAME.test(host)) return { kind: 'error', message: `not a valid host name or address: "${host}"` };
  }
  if (typeof port === 'string') return { kind: 'error', message: port };
  return { kind: 'ok', target: { spec, host, port } };
}

export interface TargetsFileResult {
  readonly targets: readonly Target[];
  readonly errors: readonly string[];
}

/** Parses a targets file's text; errors name the file and the 1-based line. */
export function parseTargetsFile(text: string, file: string): TargetsFileResult {
  const targets: Target[] = [];
  const errors: string[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    const hash = line.indexOf('#');
    const body = (hash === -1 ? line : line.slice(0, hash)).trim();
    if (!body) return;
    for (const word of body.split(/\s+/)) {
      const r = parseTarget(word);
      if (r.kind === 'ok') targets.push(r.target);
      else errors.push(`${file}:${i + 1}: ${r.message}`);
    }
  });
  return { targets, errors };
}
