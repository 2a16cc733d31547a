// The allowlist planner: from the current main config text and a request (add or remove
// addresses, for everyone or one user), the new text, the edits, the guards' verdicts and the
// proofs. Pure apart from the injected evaluator (which reads an overlay of the candidate text):
// it never writes. The proof evaluates the effective configuration before and after for the
// admin, root, an unknown user and the restricted user, from every listed address, a sample
// address outside the list for IPv4 and IPv6, the session address and the cluster node
// addresses, and checks with auth.c's list logic (./access.ts) that every address outside the
// list is now refused and nothing inside it changed.
import type { ByteString } from '../text/bytes.js';
import { applyEdits, type TextEdit } from '../text/edit.js';
import type { ConfigFile } from '../sshd/cst.js';
import { findKeyword } from '../sshd/keywords/index.js';
import type { ConnectionSpec } from '../sshd/evaluate/types.js';
import type { GuardVerdict } from '../apply/plan.js';
import { type AccessVerdict, accessListsOf, checkAccess } from '../sshd/access.js';
import { type AllowAddress, addressContains, normaliseClientAddress, parseAllowAddress, sampleInside, sampleOutside } from './address.js';
import { type ManagedState, managedEdits, readManaged, toMap } from './managed.js';

export interface EffectiveLike {
  get(key: string): { readonly values: readonly string[] } | undefined;
  readonly ok: boolean;
  readonly diagnostics?: readonly { readonly message: string; readonly severity: string }[];
}

/** Evaluates the config tree (main file text replaced by `mainText`) for one connection. */
export type EvaluateFn = (mainText: ByteString, spec: ConnectionSpec) => Promise<EffectiveLike>;

export interface AllowRequest {
  readonly op: 'add' | 'remove';
  readonly addresses: readonly AllowAddress[];
  /** A user name; undefined = everyone ("*"). */
  readonly user?: string;
}

export interface AllowContext {
  readonly main: ConfigFile;
  readonly evaluate: EvaluateFn;
  /** Groups of a user (primary first), undefined for an unknown account. */
  readonly groupsOf: (user: string) => readonly string[] | undefined;
  /** The current SSH session (from SSH_CONNECTION) and its login user, when run over SSH. */
  readonly session?: { readonly addr: string; readonly user: string };
  /** The admin running the command (SUDO_USER, else the login user), for the proofs. */
  readonly admin?: string;
  /** PVE cluster node addresses (IPs); kept in the lists of everyone and root. */
  readonly clusterAddresses: readonly AllowAddress[];
  /** Cluster nodes with no known IP: they may connect from any address. */
  readonly clusterUnknownNodes?: readonly string[];
  /** More client addresses to prove (e.g. from Match Address criteria of the whole tree). */
  readonly extraSamples?: readonly string[];
  /** Guard overrides given on the command line (flag names). */
  readonly overrides: ReadonlySet<string>;
}

export interface ProofRow {
  readonly label: string;
  readonly user: string;
  readonly addr: string;
  /** Whether the address is inside every list that applies to this user after the change. */
  readonly listed: boolean;
  /** refused: outside the list, must be refused; unchanged: as without any allowlist. */
  readonly before: AccessVerdict;
  readonly after: AccessVerdict;
  readonly expect: 'refused' | 'unchanged';
  readonly ok: boolean;
}

export interface AllowPlanResult {
  readonly before: ByteString;
  readonly after: ByteString;
  readonly edits: readonly TextEdit[];
  readonly listBefore: ReadonlyMap<string, readonly AllowAddress[]>;
  readonly listAfter: ReadonlyMap<string, readonly AllowAddress[]>;
  readonly notes: readonly string[];
  readonly guards: readonly GuardVerdict[];
  readonly proof: readonly ProofRow[];
  /** True when every proof row holds and the candidate evaluates without errors. */
  readonly proven: boolean;
  readonly evalErrors: readonly string[];
}

export const UNKNOWN_USER = 'sshield-no-such-user';
export const OVERRIDE_SESSION = '--allow-session-lockout';
export const OVERRIDE_CLUSTER = '--allow-cluster-lockout';

function sameList(a: readonly AllowAddress[] | undefined, b: readonly AllowAddress[] | undefined): boolean {
  const x = (a ?? []).map((v) => v.text).sort();
  const y = (b ?? []).map((v) => v.text).sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Computes the desired lists from the current state and the request (cluster addresses kept). */
export function desiredLists(state: ManagedState, req: AllowRequest, cluster: readonly AllowAddress[]): { lists: Map<string, AllowAddress[]>; notes: string[]; refusedRemovals: string[] } {
  const lists = toMap(state);
  const notes: string[] = [];
  const refusedRemovals: string[] = [];
  const key = req.user ?? '*';
  const cur = [...(lists.get(key) ?? [])];
  if (req.op === 'add') {
    for (const a of req.addresses) {
      if (cur.some((c) => c.text === a.text)) notes.push(`${a.text} is already allowed${key === '*' ? '' : ` for ${key}`}`);
      else cur.push(a);
    }
    const keepCluster = key === '*' || key === 'root';
    if (keepCluster && cluster.length) {
      for (const c of cluster) {
        if (!cur.some((x) => x.text === c.text || addressContains(x, sampleInside(c)))) {
          cur.push(c);
          notes.push(`kept PVE cluster node address ${c.text} (corosync.conf)`);
        }
      }
    }
  } else {
    for (const a of req.addresses) {
      const i = cur.findIndex((c) => c.text === a.text);
      if (i < 0) {
        notes.push(`${a.text} is not in the ${key === '*' ? '' : `${key} `}allowlist`);
        continue;
      }
      if ((key === '*' || key === 'root') && cluster.some((c) => c.text === a.text) && cur.length > 1) {
        refusedRemovals.push(a.text);
        continue;
      }
      cur.splice(i, 1);
    }
    // Only cluster addresses left in a list the admin is emptying: the whole restriction goes.
    if (cur.length > 0 && cur.every((c) => cluster.some((k) => k.text === c.text)) && req.addresses.some((a) => !cluster.some((k) => k.text === a.text))) {
      notes.push(`only cluster node addresses were left for ${key === '*' ? 'everyone' : key}: the restriction is removed entirely`);
      cur.length = 0;
    }
  }
  if (cur.length) lists.set(key, cur);
  else lists.delete(key);
  return { lists, notes, refusedRemovals };
}

export async function planAllow(ctx: AllowContext, req: AllowRequest): Promise<AllowPlanResult> {
  const file = ctx.main;
  const state = readManaged(file);
  const listBefore = toMap(state);
  const { lists, notes, refusedRemovals } = desiredLists(state, req, ctx.clusterAddresses);
  for (const r of refusedRemovals) notes.push(`not removing ${r}: it is a PVE cluster node address (corosync.conf); cluster nodes must reach each other as root`);
  const edits = managedEdits(file, state, lists);
  const after = edits.length ? applyEdits(file.text, edits) : file.text;

  const users = new Set<string>(['root', UNKNOWN_USER]);
  if (ctx.admin) users.add(ctx.admin);
  if (ctx.session) users.add(ctx.session.user);
  // Users named in AllowUsers (plain names): the case an address list must not leave open.
  const named = file.lines.flatMap((l) => (l.kind === 'directive' && findKeyword(l.keyword.value)?.name === 'AllowUsers' ? l.args.map((a) => a.value.split('@')[0]!) : []));
  for (const n of named) if (/^[A-Za-z0-9._-]+$/.test(n) && users.size < 12) users.add(n);
  for (const k of lists.keys()) if (k !== '*') users.add(k);
  for (const k of listBefore.keys()) if (k !== '*') users.add(k);

  const addrs = new Set<string>();
  const all = [...lists.values(), ...listBefore.values(), req.addresses].flat();
  for (const a of all) addrs.add(sampleInside(a));
  for (const fam of ['ipv4', 'ipv6'] as const) {
    const o = sampleOutside(all, fam);
    if (o) addrs.add(o);
  }
  if (ctx.session) addrs.add(normaliseClientAddress(ctx.session.addr));
  for (const c of ctx.clusterAddresses) addrs.add(sampleInside(c));
  for (const a of ctx.extraSamples ?? []) addrs.add(normaliseClientAddress(a));

  const evalErrors: string[] = [];
  const proof: ProofRow[] = [];
  const verdict = async (text: ByteString, user: string, addr: string): Promise<AccessVerdict> => {
    const eff = await ctx.evaluate(text, { user, host: addr, addr });
    if (!eff.ok) for (const d of eff.diagnostics ?? []) if (d.severity === 'error' && !evalErrors.includes(d.message)) evalErrors.push(d.message);
    return checkAccess(accessListsOf(eff), { user, addr, groups: ctx.groupsOf(user) ?? [] });
  };
  // The unrestricted configuration: the same text without any managed line. The result must be
  // exactly "unrestricted AND listed" for every identity and address.
  const baseEdits = managedEdits(file, state, new Map());
  const base = baseEdits.length ? applyEdits(file.text, baseEdits) : file.text;
  for (const user of users) {
    const applies = [lists.get('*'), lists.get(user)].filter((l): l is AllowAddress[] => l !== undefined);
    for (const addr of addrs) {
      const before = await verdict(file.text, user, addr);
      const afterV = edits.length ? await verdict(after, user, addr) : before;
      const unrestricted = base === file.text ? before : base === after ? afterV : await verdict(base, user, addr);
      const listed = applies.every((l) => l.some((a) => addressContains(a, addr)));
      const expect = listed ? 'unchanged' : 'refused';
      const ok = expect === 'refused' ? !afterV.allowed : afterV.allowed === unrestricted.allowed;
      const label = user === UNKNOWN_USER ? 'an unknown user' : user === ctx.admin ? `admin ${user}` : user;
      proof.push({ label, user, addr, listed, before, after: afterV, expect, ok });
    }
  }

  const guards: GuardVerdict[] = [];
  if (ctx.session) {
    const row = proof.find((p) => p.user === ctx.session!.user && p.addr === normaliseClientAddress(ctx.session!.addr));
    const ok = row ? row.after.allowed || !row.before.allowed : true;
    guards.push({
      id: 'session-address',
      ok,
      message: ok
        ? `your session (${ctx.session.user} from ${ctx.session.addr}) stays allowed`
        : `this change would lock out your own session: ${ctx.session.user} from ${ctx.session.addr} would be refused (${row && !row.after.allowed ? row.after.reason : ''}); add ${ctx.session.addr} first`,
      overrideFlag: OVERRIDE_SESSION,
      overridden: !ok && ctx.overrides.has(OVERRIDE_SESSION),
    });
  }
  const unknownNodes = ctx.clusterUnknownNodes ?? [];
  if (ctx.clusterAddresses.length || unknownNodes.length) {
    const lost = proof.filter((p) => p.user === 'root' && ctx.clusterAddresses.some((c) => sampleInside(c) === p.addr) && p.before.allowed && !p.after.allowed);
    // A node without a known address may connect from anywhere outside the list.
    const lostElsewhere = unknownNodes.length ? proof.filter((p) => p.user === 'root' && !p.listed && !ctx.clusterAddresses.some((c) => sampleInside(c) === p.addr) && p.before.allowed && !p.after.allowed) : [];
    const ok = lost.length === 0 && lostElsewhere.length === 0;
    const why = [
      lost.length ? `root would be refused from cluster node(s) ${lost.map((l) => l.addr).join(', ')}: migration, replication and the web console's node shells need it` : '',
      lostElsewhere.length ? `cluster node(s) ${unknownNodes.join(', ')} have no address sshield can resolve (not an IP in corosync.conf, not in /etc/hosts or /etc/pve/.members) and root would be refused from unlisted addresses such as ${lostElsewhere[0]!.addr}: add those nodes' IPs to /etc/hosts first` : '',
    ].filter(Boolean);
    guards.push({
      id: 'cluster-nodes',
      ok,
      message: ok ? 'PVE cluster node addresses stay allowed for root' : why.join('; '),
      overrideFlag: OVERRIDE_CLUSTER,
      overridden: !ok && ctx.overrides.has(OVERRIDE_CLUSTER),
    });
  }

  const changedLists = [...new Set([...lists.keys(), ...listBefore.keys()])].some((k) => !sameList(lists.get(k), listBefore.get(k)));
  if (!changedLists && edits.length === 0) notes.push('the allowlist already is as requested: nothing to change');
  return {
    before: file.text,
    after,
    edits,
    listBefore,
    listAfter: lists,
    notes,
    guards,
    proof,
    proven: proof.every((p) => p.ok) && evalErrors.length === 0,
    evalErrors,
  };
}

/** The restriction currently configured, for `allow list`. */
export function currentAllowlist(file: ConfigFile): { user: string; addresses: string[]; file: string; line: number }[] {
  return readManaged(file).entries.map((e) => ({ user: e.user, addresses: e.addresses.map((a) => a.text), file: file.path, line: e.line.line }));
}

/**
 * Client addresses named by `Match ... Address` criteria (non-negated entries, their base
 * address): connections a Match block may treat differently, so the proof asks about them too.
 */
export function matchAddressSamples(files: readonly ConfigFile[]): string[] {
  const out = new Set<string>();
  for (const f of files) {
    for (const l of f.lines) {
      if (l.kind !== 'directive' || findKeyword(l.keyword.value)?.name !== 'Match') continue;
      const words = l.rest.value.split(/[\s=]+/).filter(Boolean);
      for (let i = 0; i + 1 < words.length; i++) {
        if (words[i]!.toLowerCase() !== 'address') continue;
        for (const e of words[i + 1]!.split(',')) {
          if (e.startsWith('!')) continue;
          const base = e.split('/')[0]!;
          const p = parseAllowAddress(base);
          if (p.ok) out.add(sampleInside(p.value));
        }
      }
    }
  }
  return [...out].slice(0, 16);
}
