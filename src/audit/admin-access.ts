// The audit's view of who must keep a way in and whether they have one now: the credential
// model (src/access: admin facts, access facts, candidate addresses, mustKeep, waysIn) over the
// loaded host, the same judgment the guards use for a change. No decisions beyond the model's;
// the rule sshd/require-admin-access reports from it.
import { candidateAddresses, gatherAccessFacts, mustKeep, rootCapable, rootMayLogIn, waysIn, waysInFromCandidates, type AccessVerdict } from '../access/index.js';
import type { AdminFacts } from '../host/facts/admin-facts.js';
import type { AdminAccessFact, AuditFacts } from '../host/facts/audit-facts.js';
import type { LoadedHost } from '../host/loaded-host.js';
import type { SessionFacts } from '../host/session.js';
import type { ConnectionSpec } from '../sshd/evaluate/types.js';
import { listenOf } from '../apply/guard-stage.js';

const why = (v: AccessVerdict): string => (v.kind === 'works' ? v.ways.map((w) => w.chain.join('+')).join(' | ') : v.reasons.join('; '));

/** The audit's admin: the first account with a login shell that can become root (sudo's grants, as the guards judge them). */
export function auditAdmin(host: LoadedHost, admin: AdminFacts | undefined): string | undefined {
  const accounts = host.accounts;
  if (!accounts || !admin) return undefined;
  const capable = rootCapable(accounts, admin);
  return accounts.users.find((u) => u.uid !== 0 && u.loginShell && capable.has(u.name))?.name;
}

export async function adminAccessFact(host: LoadedHost, admin: AdminFacts | undefined, session?: SessionFacts): Promise<AuditFacts['adminAccess']> {
  const accounts = host.accounts;
  if (!accounts || !admin) return { missing: `accounts unknown: ${host.facts.accounts.status === 'unknown' ? host.facts.accounts.reason : 'unknown'}` };
  if (!host.tree.main) return { missing: 'the sshd configuration could not be read' };
  const files = [...host.tree.files.values()];
  const base = listenOf(host.global());
  const cluster = host.cluster;
  const users = [...new Set(['root', ...rootCapable(accounts, admin).keys(), ...(admin.live && session?.sudoUser ? [session.sudoUser] : [])])].filter((u) => accounts.user(u));
  const pre = [...candidateAddresses(files), ...(cluster?.addresses ?? []).map((a) => ({ addr: a, why: 'PVE node' }))];
  const spec = (user: string, addr: string): ConnectionSpec => ({ user, host: addr, addr, ...base });
  const facts = await gatherAccessFacts({ exec: host.exec, accounts, users, configs: users.flatMap((u) => pre.map((c) => host.evaluate(spec(u, c.addr)))) });
  const cands = candidateAddresses(files, facts);
  // Login history (last, auth.log) is left out: the audit's own connection (a fleet audit logs in
  // over SSH) would become a known address, and the audit of a host must equal the audit of its
  // files (--root) rule for rule. The guards use it; the audit judges some admitted address.
  const { last: _last, authLog: _authLog, ...noHistory } = admin;
  const keep = mustKeep({ accounts, admin: noHistory, ...(session ? { session } : {}), ...(cluster ? { cluster } : {}), rootMayLogIn: rootMayLogIn(facts, host.evaluate, cands, base) });
  const out: AdminAccessFact[] = [];
  const peers = new Set(cluster?.addresses ?? []);
  for (const k of keep) {
    // root kept only because it may log in now (not an admin's account, not a PVE peer) may log in
    // to a forced command (cloud images' "Please login as the user ..."): that is its way in.
    const anyWay = k.account === 'root' && k.why.length === 1 && k.why[0] === 'root may log in now';
    const ok = (v: AccessVerdict) => v.kind === 'works' && (v.shell || anyWay);
    const isPeer = k.account === 'root' && k.addresses !== 'any-admitted' && k.addresses.some((a) => peers.has(a));
    if (k.addresses !== 'any-admitted') {
      const vs = k.addresses.map((a) => waysIn(facts, host.evaluate, spec(k.account, a)));
      const bad = vs.find((v) => !ok(v));
      const verdict = !bad ? 'works' : bad.kind === 'unknown' ? 'unknown' : 'none';
      const shown = bad ?? vs[0]!;
      out.push({ account: k.account, why: k.why, addresses: k.addresses, peer: isPeer, verdict, detail: `from ${shown.spec.addr}: ${bad?.kind === 'works' ? 'no shell: ' : ''}${why(shown)}` });
      continue;
    }
    const r = waysInFromCandidates(facts, host.evaluate, k.account, cands, base);
    const shell = r.works.find((w) => ok(w.verdict));
    if (shell) out.push({ account: k.account, why: k.why, addresses: 'any-admitted', peer: false, verdict: 'works', detail: `from ${shell.candidate.addr}: ${why(shell.verdict)}` });
    else if (r.unknown.length) out.push({ account: k.account, why: k.why, addresses: 'any-admitted', peer: false, verdict: 'unknown', detail: `from ${r.unknown[0]!.candidate.addr}: ${why(r.unknown[0]!.verdict)}` });
    else {
      const first = r.works[0] ?? r.refused[0];
      out.push({ account: k.account, why: k.why, addresses: 'any-admitted', peer: false, verdict: 'none', detail: first ? `from every address the configuration admits, e.g. ${first.candidate.addr}: ${first.verdict.kind === 'works' ? 'no shell: ' : ''}${why(first.verdict)}` : 'no address to try' });
    }
  }
  return out;
}
