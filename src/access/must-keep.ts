// Who must keep a way in (issue 13 item 2), and whether a change keeps it for them. The accounts:
// every account that can become root (members of sudo/wheel/admin where sudo is installed, and
// sudo's grants: `sudo -l -U` where it ran, the parsed sudoers files otherwise; sudoers.ts), root
// where root may log in, the account running sshield (SUDO_USER, else the session's user), and
// root for the PVE cluster's peers (their node addresses: host/facts/cluster-addresses.ts). Each
// with the addresses it is known to come from (the session's SSH_CONNECTION, `last`/auth log, the
// PVE node addresses) or, when none is known, "any-admitted": it must keep a way in from some
// address the configuration admits (addresses.ts enumerates them; nothing is invented).
// The rule (judgeKeep): whoever has a way in before a change keeps one after it, from each known
// address, or from some admitted address. Pure.
import type { AccessFacts } from '../host/facts/access-facts.js';
import type { AdminFacts } from '../host/facts/admin-facts.js';
import type { Accounts } from '../host/facts/accounts.js';
import type { ClusterAddressView } from '../host/facts/cluster-addresses.js';
import type { SessionFacts } from '../host/session.js';
import type { ConnectionSpec } from '../sshd/evaluate/types.js';
import { waysInFromCandidates, type CandidateAddress } from './addresses.js';
import { loginAddresses } from './login-history.js';
import { parseSudoers, sudoListGrantsRoot } from './sudoers.js';
import type { AccessVerdict, StepProof } from './types.js';
import { waysIn, type ConfigFor } from './ways-in.js';

export const ADMIN_GROUPS: readonly string[] = ['sudo', 'wheel', 'admin'];

export interface MustKeepEntry {
  readonly account: string;
  /** Addresses it is known to come from, or 'any-admitted' when none is known. */
  readonly addresses: readonly string[] | 'any-admitted';
  /** Known addresses AND some admitted address (a PVE node without a known address). */
  readonly anyAdmittedToo?: true;
  readonly why: readonly string[];
}

export interface MustKeepInput {
  readonly accounts: Accounts;
  readonly admin: AdminFacts;
  /** Session facts; only trusted when `admin.live` (an offline root's session is another machine's). */
  readonly session?: SessionFacts;
  readonly cluster?: ClusterAddressView;
  /** Root has a way in now (rootMayLogIn), so it must keep one. */
  readonly rootMayLogIn: boolean;
}

/** Root has a proven or possible way in from some candidate address (the "before" state). */
export function rootMayLogIn(facts: AccessFacts, configFor: ConfigFor, candidates: readonly CandidateAddress[], base: Pick<ConnectionSpec, 'laddr' | 'lport'>): boolean {
  if (!facts.accounts.users.some((u) => u.name === 'root')) return false;
  const r = waysInFromCandidates(facts, configFor, 'root', candidates, base);
  return r.works.length > 0 || r.unknown.length > 0;
}

/** Accounts that can become root through sudo, with why. */
export function rootCapable(accounts: Accounts, admin: AdminFacts): Map<string, string> {
  const out = new Map<string, string>();
  if (!admin.sudoInstalled) return out;
  const grants = parseSudoers(admin.sudoers);
  for (const u of accounts.users) {
    if (u.uid === 0 || out.has(u.name)) continue;
    const listed = admin.sudoList.get(u.name);
    if (listed !== undefined) {
      if (sudoListGrantsRoot(listed)) out.set(u.name, `sudo -l -U ${u.name}: may run ALL as root`);
      continue;
    }
    const groups = accounts.groupsOf(u.name);
    const g = groups.find((x) => grants.groups.has(x));
    if (grants.users.has(u.name)) out.set(u.name, `sudoers grants ${u.name} ALL (${grants.origins.get(u.name)})`);
    else if (g !== undefined) out.set(u.name, `member of %${g}, granted ALL in sudoers (${grants.origins.get(`%${g}`)})`);
    else if (grants.uids.has(u.uid)) out.set(u.name, `sudoers grants #${u.uid} ALL`);
    else if (grants.everyone) out.set(u.name, 'sudoers grants ALL users ALL');
    else {
      const ag = groups.find((x) => ADMIN_GROUPS.includes(x));
      if (ag !== undefined && admin.sudoers.size === 0) out.set(u.name, `member of ${ag} and sudo is installed (sudoers unreadable)`);
    }
  }
  return out;
}

export function mustKeep(i: MustKeepInput): MustKeepEntry[] {
  const entries = new Map<string, { addrs: string[]; anyAdmitted: boolean; why: string[] }>();
  const history = loginAddresses(i.admin.last, i.admin.authLog);
  const entry = (name: string) => {
    let e = entries.get(name);
    if (!e) entries.set(name, (e = { addrs: [], anyAdmitted: false, why: [] }));
    return e;
  };
  const known = (name: string, e: ReturnType<typeof entry>) => {
    for (const a of history.get(name) ?? []) if (!e.addrs.includes(a)) e.addrs.push(a);
  };
  for (const [name, why] of rootCapable(i.accounts, i.admin)) {
    const e = entry(name);
    e.why.push(`can become root: ${why}`);
    known(name, e);
  }
  if (i.rootMayLogIn) {
    const e = entry('root');
    e.why.push('root may log in now');
    known('root', e);
  }
  const s = i.admin.live ? i.session : undefined;
  const invoking = s?.sudoUser ?? s?.user;
  if (invoking !== undefined && i.accounts.user(invoking)) {
    const e = entry(invoking);
    e.why.push(`runs this command${s?.client ? ` over SSH from ${s.client.addr}` : ''}`);
    if (s?.client && !e.addrs.includes(s.client.addr)) e.addrs.unshift(s.client.addr);
    known(invoking, e);
  }
  if (i.cluster && i.cluster.nodes.length > 0) {
    const e = entry('root');
    e.why.push(`PVE cluster peers log in as root (${i.cluster.source})`);
    for (const a of i.cluster.addresses) if (!e.addrs.includes(a)) e.addrs.push(a);
    if (i.cluster.unknownNodes.length > 0) {
      e.anyAdmitted = true;
      e.why.push(`nodes without a known address: ${i.cluster.unknownNodes.join(', ')}`);
    }
  }
  return [...entries].map(([account, e]) => ({ account, addresses: e.addrs.length > 0 ? e.addrs : 'any-admitted', ...(e.anyAdmitted && e.addrs.length > 0 ? { anyAdmittedToo: true as const } : {}), why: e.why }));
}

export interface ModelState {
  readonly facts: AccessFacts;
  readonly configFor: ConfigFor;
  readonly candidates: readonly CandidateAddress[];
}

export interface KeepLoss {
  readonly account: string;
  /** The address, or 'any-admitted'. */
  readonly addr: string;
  readonly before: AccessVerdict;
  readonly after: AccessVerdict;
  readonly message: string;
}

const summary = (v: AccessVerdict): string =>
  v.kind === 'works' ? `works (${v.ways.map((w) => w.chain.join(',')).join(' | ')})` : v.kind === 'refused' ? `refused: ${v.reasons.join('; ')}` : `cannot be proven: ${v.reasons.join('; ')}`;

/** The credential a step takes: a key by fingerprint, else the method (a password is the account's one password). */
export function credentialOf(s: StepProof): string {
  return s.key ? `publickey ${s.key.fingerprint}` : s.method.split(':')[0]!;
}

/** Credentials the account used in some proven way before. */
function credentialsOf(vs: readonly AccessVerdict[]): Set<string> {
  const out = new Set<string>();
  for (const v of vs) if (v.kind === 'works') for (const w of v.ways) for (const st of w.steps) out.add(credentialOf(st));
  return out;
}

/** After a change, a way counts only when it takes credentials the account already had (a restored old key does not). */
function keepsWith(a: AccessVerdict, creds: ReadonlySet<string>, needShell: boolean): boolean {
  return a.kind === 'works' && a.ways.some((w) => w.steps.every((st) => creds.has(credentialOf(st))) && (!needShell || w.session === 'shell'));
}

function afterSummary(a: AccessVerdict, creds: ReadonlySet<string>): string {
  if (a.kind !== 'works') return summary(a);
  const fresh = [...new Set(a.ways.flatMap((w) => w.steps.map(credentialOf)).filter((c) => !creds.has(c)))];
  const usable = a.ways.filter((w) => w.steps.every((st) => creds.has(credentialOf(st))));
  if (usable.length === 0 && fresh.length > 0) return `works only with credentials it does not use today (${fresh.join(', ')})`;
  return `${summary(a)}, but no shell`;
}

/**
 * Whether every must-keep account that has a way in before keeps one after: from each known
 * address; for 'any-admitted', from some candidate address (both states' candidates). "Keeps"
 * means a way that takes credentials the account already uses (a key by fingerprint, the
 * password): a way through a key it does not use today (a restored backup's old key) is no way
 * in for it. An account with a shell before must keep a shell. A proven way that becomes
 * unprovable is a loss ("cannot prove"); a way that was unprovable before
 * (AuthorizedKeysCommand, a certificate) is lost only when it becomes refused.
 */
export function judgeKeep(keep: readonly MustKeepEntry[], before: ModelState, after: ModelState, base: Pick<ConnectionSpec, 'laddr' | 'lport'>): KeepLoss[] {
  const losses: KeepLoss[] = [];
  const had = (v: AccessVerdict) => v.kind !== 'refused';
  for (const k of keep) {
    const spec = (addr: string): ConnectionSpec => ({ user: k.account, host: addr, addr, ...base });
    if (k.addresses !== 'any-admitted') {
      for (const addr of k.addresses) {
        const b = waysIn(before.facts, before.configFor, spec(addr));
        if (!had(b)) continue;
        const a = waysIn(after.facts, after.configFor, spec(addr));
        const creds = credentialsOf([b]);
        const kept = b.kind === 'works' ? keepsWith(a, creds, b.shell) : a.kind !== 'refused';
        if (!kept) losses.push({ account: k.account, addr, before: b, after: a, message: `${k.account} from ${addr}: before ${summary(b)}; after ${b.kind === 'works' ? afterSummary(a, creds) : summary(a)}` });
      }
      if (!k.anyAdmittedToo) continue;
    }
    const cands = [...before.candidates, ...after.candidates.filter((c) => !before.candidates.some((x) => x.addr === c.addr))];
    const bs = cands.map((c) => waysIn(before.facts, before.configFor, spec(c.addr))).filter(had);
    if (bs.length === 0) continue;
    const needShell = bs.some((b) => b.kind === 'works' && b.shell);
    const proven = bs.some((b) => b.kind === 'works');
    const creds = credentialsOf(bs);
    const keeps = (a: AccessVerdict) => (proven ? keepsWith(a, creds, needShell) : a.kind !== 'refused');
    let a: AccessVerdict | undefined;
    let kept = false;
    for (const c of cands) {
      const v = waysIn(after.facts, after.configFor, spec(c.addr));
      if (keeps(v)) {
        kept = true;
        break;
      }
      if (!a || v.spec.addr === bs[0]!.spec.addr) a = v;
    }
    if (kept || !a) continue;
    const b = bs[0]!;
    losses.push({ account: k.account, addr: 'any-admitted', before: b, after: a, message: `${k.account} (address unknown): before ${summary(b)} from ${b.spec.addr}; after, from no address the configuration admits${needShell ? ' with a shell' : ''} (from ${a.spec.addr}: ${proven ? afterSummary(a, creds) : summary(a)})` });
  }
  return losses;
}
