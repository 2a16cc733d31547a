// authorized_keys options, exactly as OpenSSH 9.2 reads them: where the options field ends
// (sshkey_advance_past_options, authfile.c: the first unquoted space or tab; `\"` is skipped
// everywhere) and what the options mean (sshauthopt_parse, auth-options.c, with opt_flag /
// opt_match / opt_dequote from misc.c: case-insensitive prefix matches, `no-` negation, quoted
// values where only `\"` is an escape, empty items between commas accepted, anything else an
// error that makes sshd ignore the whole key). Each option keeps its byte span for edits. Pure.
import type { ByteString } from '../text/bytes.js';

export type FlagName = 'restrict' | 'cert-authority' | 'port-forwarding' | 'agent-forwarding' | 'x11-forwarding' | 'touch-required' | 'verify-required' | 'pty' | 'user-rc';
export type ValueName = 'command' | 'principals' | 'from' | 'expiry-time' | 'environment' | 'permitopen' | 'permitlisten' | 'tunnel';

export type KeyOption =
  | { readonly kind: 'flag'; readonly flag: FlagName; readonly negated: boolean; readonly start: number; readonly end: number; readonly text: ByteString }
  | { readonly kind: 'value'; readonly name: ValueName; readonly value: ByteString; readonly start: number; readonly end: number; readonly text: ByteString };

export type OptionsResult =
  | { readonly ok: true; readonly options: readonly KeyOption[] }
  | { readonly ok: false; readonly message: string; readonly offset: number };

/** The order sshauthopt_parse tries flags in (it matters: these are prefix matches). */
const FLAGS: readonly (readonly [FlagName, boolean])[] = [
  ['restrict', false],
  ['cert-authority', false],
  ['port-forwarding', true],
  ['agent-forwarding', true],
  ['x11-forwarding', true],
  ['touch-required', true],
  ['verify-required', true],
  ['pty', true],
  ['user-rc', true],
];
const VALUES: readonly ValueName[] = ['command', 'principals', 'from', 'expiry-time', 'environment', 'permitopen', 'permitlisten', 'tunnel'];

/** ASCII case-insensitive prefix test (term is lower case ASCII; as strncasecmp in opt_match):
 * by char code, without slicing or lower-casing the line. */
function startsWithCi(s: string, at: number, term: string): boolean {
  if (s.length - at < term.length) return false;
  for (let k = 0; k < term.length; k++) {
    const t = term.charCodeAt(k);
    const c = s.charCodeAt(at + k);
    if (c !== t && !(t >= 97 && t <= 122 && c === t - 32)) return false;
  }
  return true;
}

/** sshkey_advance_past_options: index of the first unquoted space/tab from `at`, or -1 for an
 * unterminated quote. */
export function advancePastOptions(s: string, at: number): number {
  let quoted = false;
  let i = at;
  for (; i < s.length && (quoted || (s[i] !== ' ' && s[i] !== '\t')); i++) {
    if (s[i] === '\\' && s[i + 1] === '"') i++;
    else if (s[i] === '"') quoted = !quoted;
  }
  return i >= s.length && quoted ? -1 : i;
}

/** opt_dequote: value and the index after the closing quote, or an error. */
function dequote(s: string, at: number): { value: string; end: number } | { error: string } {
  if (s[at] !== '"') return { error: 'missing start quote' };
  let i = at + 1;
  let out = '';
  while (i < s.length && s[i] !== '"') {
    if (s[i] === '\\' && s[i + 1] === '"') i++;
    out += s[i];
    i++;
  }
  if (i >= s.length) return { error: 'missing end quote' };
  return { value: out, end: i + 1 };
}

/** parse_absolute_time (misc.c): YYYYMMDD[HHMM[SS]][Z]. */
function validAbsoluteTime(v: string): boolean {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?Z?$/i.exec(v);
  if (!m) return false;
  const [, y, mo, d, h = '00', mi = '00', se = '00'] = m;
  const t = new Date(Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +se));
  return t.getUTCMonth() === +mo! - 1 && t.getUTCDate() === +d! && +h < 24 && +mi < 60 && +se < 61 && t.getTime() > 0;
}

/** handle_permit's syntax check: host:port with hpdelim2 ([v6]:port allowed), port '*' or 1-65535. */
function validPermit(v: string, allowBarePort: boolean): string | undefined {
  let s = v;
  if (allowBarePort && !s.includes(':')) s = `*:${s}`;
  let host: string;
  let port: string | undefined;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0) return 'invalid permission hostname';
    host = s.slice(1, close);
    const rest = s.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':') && !rest.startsWith('/')) return 'invalid permission hostname';
    port = rest === '' ? undefined : rest.slice(1);
  } else {
    const i = s.search(/[:/]/);
    host = i < 0 ? s : s.slice(0, i);
    port = i < 0 ? undefined : s.slice(i + 1);
  }
  if (host.length >= 1025) return 'invalid permission hostname';
  if (port === undefined || (port !== '*' && !(/^\d+$/.test(port) && +port > 0 && +port <= 65535))) return 'invalid permission port';
  return undefined;
}

/**
 * Parses options starting at `at` in the line content `s`, as sshauthopt_parse does on the
 * rest of the line. Stops at the first space/tab outside a quoted value.
 */
const fail = (message: string, offset: number): OptionsResult => ({ ok: false, message, offset });

export function parseKeyOptions(s: ByteString, at: number): OptionsResult {
  const options: KeyOption[] = [];
  // Hot path (100k-key files): no per-call closure, and the once-only check allocates lazily.
  let seen: Set<ValueName> | undefined;
  let i = at;
  while (i < s.length && s[i] !== ' ' && s[i] !== '\t') {
    const start = i;
    let matched = false;
    for (const [flag, negatable] of FLAGS) {
      let j = i;
      let negated = false;
      if (negatable && startsWithCi(s, j, 'no-')) {
        j += 3;
        negated = true;
      }
      if (startsWithCi(s, j, flag)) {
        i = j + flag.length;
        options.push({ kind: 'flag', flag, negated, start, end: i, text: s.slice(start, i) });
        matched = true;
        break;
      }
    }
    if (!matched) {
      for (const name of VALUES) {
        if (startsWithCi(s, i, name) && s[i + name.length] === '=') {
          const q = dequote(s, i + name.length + 1);
          if ('error' in q) return fail(q.error, i);
          if ((name === 'command' || name === 'principals' || name === 'from') && seen?.has(name)) return fail(`multiple "${name}" clauses`, i);
          (seen ??= new Set()).add(name);
          const v = q.value;
          if (name === 'expiry-time' && !validAbsoluteTime(v)) return fail('invalid expires time', i);
          if (name === 'environment') {
            const eq = v.indexOf('=');
            if (eq < 0 || !/^[A-Za-z0-9_]+$/.test(v.slice(0, eq))) return fail('invalid environment string', i);
          }
          if (name === 'permitopen' || name === 'permitlisten') {
            const bad = validPermit(v, name === 'permitlisten');
            if (bad) return fail(bad, i);
          }
          if (name === 'tunnel' && !/^(any|\d+)(:(any|\d+))?$/i.test(v)) return fail('invalid tun device', i);
          i = q.end;
          options.push({ kind: 'value', name, value: v, start, end: i, text: s.slice(start, i) });
          break;
        }
      }
    }
    if (i >= s.length || s[i] === ' ' || s[i] === '\t') break;
    if (s[i] !== ',') return fail('unknown key option', i);
    i++;
    if (i >= s.length) return fail('unexpected end-of-options', i);
  }
  return { ok: true, options };
}

export type Permission = 'pty' | 'port-forwarding' | 'agent-forwarding' | 'x11-forwarding' | 'user-rc';
export const PERMISSIONS: readonly Permission[] = ['agent-forwarding', 'port-forwarding', 'pty', 'user-rc', 'x11-forwarding'];

/** What a key may do after its options, as sshauthopt_parse leaves the flags (last one wins,
 * `restrict` turns all five off at its position). */
export function effectivePermissions(options: readonly KeyOption[]): Record<Permission, boolean> {
  const p: Record<Permission, boolean> = { pty: true, 'port-forwarding': true, 'agent-forwarding': true, 'x11-forwarding': true, 'user-rc': true };
  for (const o of options) {
    if (o.kind !== 'flag') continue;
    if (o.flag === 'restrict') for (const k of PERMISSIONS) p[k] = false;
    else if ((PERMISSIONS as readonly string[]).includes(o.flag)) p[o.flag as Permission] = !o.negated;
  }
  return p;
}

/** The spelling sshield writes for each permission flag (sshd_config(5) / sshd(8) spelling). */
export function flagText(p: Permission, negated: boolean): ByteString {
  const base = p === 'x11-forwarding' ? 'X11-forwarding' : p;
  return negated ? `no-${base}` : base;
}

/** Quotes a value for an option (opt_dequote's only escape is \"); undefined if not representable. */
export function quoteOptionValue(v: string): ByteString | undefined {
  if (/[\n\r\0]/.test(v) || v.endsWith('\\')) return undefined;
  return `"${v.replaceAll('"', '\\"')}"`;
}
