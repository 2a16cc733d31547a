// "Is there some address from which this account gets in?" without inventing one: the client
// addresses a configuration can treat differently are exactly those its patterns name. This
// enumerates them: every address or CIDR in a Match Address criterion, in the host part of an
// AllowUsers/DenyUsers USER@HOST entry, and in a key's from= option (one sample inside each,
// negated entries too), plus one sample outside all of them (standing for "everywhere else":
// every address outside all patterns is treated alike). Host-name patterns are not sampled
// (UseDNS no: sshd matches the address text). Pure.
import type { AccessFacts } from '../host/facts/access-facts.js';
import type { ConfigFile } from '../sshd/cst.js';
import { findKeyword } from '../sshd/keywords/index.js';
import { addrMatchList } from '../sshd/values/pattern.js';
import { keyLines } from '../keys/parser.js';
import { parsedFile } from './keys.js';
import type { ConnectionSpec } from '../sshd/evaluate/types.js';
import type { AccessVerdict } from './types.js';
import { waysIn, type ConfigFor } from './ways-in.js';

export interface CandidateAddress {
  readonly addr: string;
  /** Where it comes from: "Match Address 10.0.0.0/8 (/etc/ssh/sshd_config:12)", "outside every listed address". */
  readonly why: string;
}

const OUTSIDE_V4 = ['203.0.113.77', '198.51.100.77', '192.0.2.77', '100.64.255.77', '10.255.255.77', '172.31.255.77', '1.1.1.77'];
const OUTSIDE_V6 = ['2001:db8:ffff::77', 'fd00:ffff::77', '2606:4700::77'];

/** A sample address inside one pattern token (CIDR base, or wildcards filled), or undefined for a host name. */
export function sampleOf(token: string): string | undefined {
  const t = token.replace(/^!/, '');
  const base = t.split('/')[0]!;
  if (/^[0-9.*?]+$/.test(base) && base.includes('.')) {
    const parts = base.split('.');
    while (parts.length < 4) parts.push('*');
    const filled = parts.slice(0, 4).map((p) => (p === '*' || p === '' ? '1' : p.replace(/[*?]/g, '1')));
    const v = filled.join('.');
    return filled.every((p) => /^\d{1,3}$/.test(p) && Number(p) < 256) ? v : undefined;
  }
  if (base.includes(':') && /^[0-9a-fA-F:.]+$/.test(base)) return base.toLowerCase();
  return undefined;
}

function tokensOfPatternList(list: string): string[] {
  return list.split(',').map((x) => x.trim()).filter(Boolean);
}

/** Address patterns the configuration files name (Match Address, Allow/DenyUsers host parts), with origin. */
export function configAddressPatterns(files: readonly ConfigFile[]): { token: string; why: string }[] {
  const out: { token: string; why: string }[] = [];
  for (const f of files) {
    for (const l of f.lines) {
      if (l.kind !== 'directive') continue;
      const kw = findKeyword(l.keyword.value)?.name;
      const at = `${f.path}:${l.line}`;
      if (kw === 'Match') {
        const words = l.rest.value.split(/[\s=]+/).filter(Boolean);
        for (let i = 0; i + 1 < words.length; i++) {
          if (words[i]!.toLowerCase() !== 'address') continue;
          for (const t of tokensOfPatternList(words[i + 1]!)) out.push({ token: t, why: `Match Address ${words[i + 1]} (${at})` });
        }
      } else if (kw === 'AllowUsers' || kw === 'DenyUsers') {
        for (const e of l.rest.value.split(/\s+/)) {
          const i = e.indexOf('@');
          if (i < 0) continue;
          for (const t of tokensOfPatternList(e.slice(i + 1))) out.push({ token: t, why: `${kw} ${e} (${at})` });
        }
      }
    }
  }
  return out;
}

/** from= patterns of the user's key lines in the gathered files. */
export function keyAddressPatterns(facts: AccessFacts): { token: string; why: string }[] {
  const out: { token: string; why: string }[] = [];
  for (const f of facts.userFiles.values()) {
    if (f.text === undefined || !f.text.includes('from=')) continue;
    for (const k of keyLines(parsedFile(f)!)) {
      for (const o of k.options ?? []) if (o.kind === 'value' && o.name === 'from') for (const t of tokensOfPatternList(o.value)) out.push({ token: t, why: `from="${o.value}" (${f.path}:${k.line})` });
    }
  }
  return out;
}

/** Sample addresses: one inside each named pattern, then one outside all of them (IPv4; IPv6 too when IPv6 patterns exist). */
export function candidateAddresses(files: readonly ConfigFile[], facts?: AccessFacts, extra: readonly { addr: string; why: string }[] = []): CandidateAddress[] {
  const patterns = [...configAddressPatterns(files), ...(facts ? keyAddressPatterns(facts) : [])];
  const out: CandidateAddress[] = [];
  const seen = new Set<string>();
  const add = (addr: string, why: string) => {
    if (!seen.has(addr)) {
      seen.add(addr);
      out.push({ addr, why });
    }
  };
  for (const e of extra) add(e.addr, e.why);
  for (const p of patterns) {
    const s = sampleOf(p.token);
    if (s !== undefined) add(s, p.why);
  }
  const inside = (a: string) => patterns.some((p) => addrMatchList(a, p.token.replace(/^!/, '')) === 1);
  const v4 = OUTSIDE_V4.find((a) => !inside(a));
  if (v4) add(v4, 'outside every address the configuration and keys name');
  if (patterns.some((p) => p.token.includes(':'))) {
    const v6 = OUTSIDE_V6.find((a) => !inside(a));
    if (v6) add(v6, 'outside every IPv6 address the configuration and keys name');
  }
  return out;
}

export interface SomeAddressResult {
  /** Candidates from which the account gets in (proven). */
  readonly works: readonly { readonly candidate: CandidateAddress; readonly verdict: AccessVerdict & { kind: 'works' } }[];
  readonly unknown: readonly { readonly candidate: CandidateAddress; readonly verdict: AccessVerdict & { kind: 'unknown' } }[];
  readonly refused: readonly { readonly candidate: CandidateAddress; readonly verdict: AccessVerdict & { kind: 'refused' } }[];
}

/** waysIn from every candidate address (laddr/lport from `base`). */
export function waysInFromCandidates(facts: AccessFacts, configFor: ConfigFor, user: string, candidates: readonly CandidateAddress[], base: Pick<ConnectionSpec, 'laddr' | 'lport'> = {}): SomeAddressResult {
  const works: SomeAddressResult['works'][number][] = [];
  const unknown: SomeAddressResult['unknown'][number][] = [];
  const refused: SomeAddressResult['refused'][number][] = [];
  for (const c of candidates) {
    const v = waysIn(facts, configFor, { user, host: c.addr, addr: c.addr, ...base });
    if (v.kind === 'works') works.push({ candidate: c, verdict: v });
    else if (v.kind === 'unknown') unknown.push({ candidate: c, verdict: v });
    else refused.push({ candidate: c, verdict: v });
  }
  return { works, unknown, refused };
}
