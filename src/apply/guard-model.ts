// The credential model's (src/access) judgment of a change, for the guards: who must keep a way
// in (mustKeep: sudo's grants, root where it may log in now, the invoking account from its SSH
// address, the PVE peers, login history), the access facts before (the host) and after (the
// predicted host: plan files overlaid, host steps applied), the candidate addresses of both
// configurations, and judgeKeep's losses. Gathers through the executors it is given; decides
// nothing itself (the guards partition the losses by risk).
import { candidateAddresses, gatherAccessFacts, gatherAdminFacts, judgeKeep, mustKeep, rootCapable, rootMayLogIn, waysInFromCandidates, type AccessFacts, type CandidateAddress, type ConfigFor, type KeepLoss, type MustKeepEntry } from '../access/index.js';
import type { HostExecutor } from '../host/executor.js';
import type { KnownCertificateText } from '../host/facts/access-facts.js';
import type { Accounts } from '../host/facts/accounts.js';
import type { ClusterAddressView } from '../host/facts/cluster-addresses.js';
import type { SessionFacts } from '../host/session.js';
import type { ConfigTree } from '../sshd/include.js';
import type { ConnectionSpec } from '../sshd/evaluate/types.js';

export interface ModelJudgment {
  readonly keep: readonly MustKeepEntry[];
  readonly losses: readonly KeepLoss[];
  /** Some account that can become root (or root) has a shell way in before / after the change. */
  readonly rootCapableBefore: boolean;
  readonly rootCapableAfter: boolean;
  /** A root-capable account with a shell way in after the change through a certificate it is known to hold (SSH_USER_AUTH). */
  readonly certificateAdminAfter?: string;
}

export interface ModelSide {
  readonly exec: Pick<HostExecutor, 'fs' | 'run' | 'live'>;
  readonly accounts: Accounts;
  readonly tree: ConfigTree;
  readonly configFor: ConfigFor;
}

export interface ModelInput {
  readonly before: ModelSide;
  readonly after: ModelSide;
  readonly session?: SessionFacts;
  readonly cluster?: ClusterAddressView;
  readonly laddr: string;
  readonly lport: number;
  /** Accounts the plan touches (their files are read too). */
  readonly touched: readonly string[];
  readonly now?: number;
}

export async function judgeWithModel(i: ModelInput): Promise<ModelJudgment> {
  const base = { laddr: i.laddr, lport: i.lport };
  const admin = await gatherAdminFacts({ exec: i.before.exec, accounts: i.before.accounts });
  const capable = [...rootCapable(i.before.accounts, admin).keys()];
  const invoking = admin.live ? (i.session?.sudoUser ?? i.session?.user) : undefined;
  const users = [...new Set(['root', ...capable, ...(invoking ? [invoking] : []), ...i.touched])].filter((u) => i.before.accounts.user(u) || i.after.accounts.user(u));
  const files = (t: ConfigTree) => [...t.files.values()];
  const pre = [...candidateAddresses(files(i.before.tree)), ...candidateAddresses(files(i.after.tree)), ...(i.session?.client ? [{ addr: i.session.client.addr, why: 'session' }] : []), ...(i.cluster?.addresses ?? []).map((a) => ({ addr: a, why: 'PVE node' }))];
  const spec = (user: string, addr: string): ConnectionSpec => ({ user, host: addr, addr, ...base });
  const configsOf = (side: ModelSide) => users.flatMap((u) => pre.map((c) => side.configFor(spec(u, c.addr))));
  // The certificate the invoking admin logged in with (sshd's ExposeAuthInfo file): a proven way in, or a refused one.
  const certificates = invoking ? await sessionCertificates(i.before.exec, invoking, i.session) : undefined;
  const gather = (side: ModelSide): Promise<AccessFacts> => gatherAccessFacts({ exec: side.exec, accounts: side.accounts, users, configs: configsOf(side), ...(i.now !== undefined ? { now: i.now } : {}), ...(certificates ? { certificates } : {}) });
  const [fb, fa] = await Promise.all([gather(i.before), gather(i.after)]);
  const cb: CandidateAddress[] = candidateAddresses(files(i.before.tree), fb);
  const ca: CandidateAddress[] = candidateAddresses(files(i.after.tree), fa);
  const keep = mustKeep({ accounts: i.before.accounts, admin, ...(i.session ? { session: i.session } : {}), ...(i.cluster ? { cluster: i.cluster } : {}), rootMayLogIn: rootMayLogIn(fb, i.before.configFor, cb, base) });
  const losses = judgeKeep(keep, { facts: fb, configFor: i.before.configFor, candidates: cb }, { facts: fa, configFor: i.after.configFor, candidates: ca }, base);
  const shellFrom = (facts: AccessFacts, configFor: ConfigFor, cands: readonly CandidateAddress[]) => ['root', ...capable].some((u) => waysInFromCandidates(facts, configFor, u, cands, base).works.some((w) => w.verdict.kind === 'works' && w.verdict.shell));
  const viaCert = (way: { readonly session: string; readonly steps: readonly { readonly key?: { readonly file: string }; readonly detail: string }[] }) => way.session === 'shell' && way.steps.some((st) => st.key?.file.startsWith('SSH_USER_AUTH'));
  const certificateAdminAfter = certificates
    ? ['root', ...capable].flatMap((u) => waysInFromCandidates(fa, i.after.configFor, u, ca, base).works.flatMap((w) => w.verdict.ways.filter(viaCert).map((way) => `${u} from ${w.candidate.addr}: ${way.steps.find((st) => st.key)!.detail}`)))[0]
    : undefined;
  return { keep, losses, rootCapableBefore: shellFrom(fb, i.before.configFor, cb), rootCapableAfter: shellFrom(fa, i.after.configFor, ca), ...(certificateAdminAfter ? { certificateAdminAfter } : {}) };
}

/** The session's SSH_USER_AUTH text (written by sshd with ExposeAuthInfo yes) as the invoking account's known certificates. */
async function sessionCertificates(exec: ModelSide['exec'], user: string, session: SessionFacts | undefined): Promise<ReadonlyMap<string, readonly KnownCertificateText[]> | undefined> {
  const path = session?.userAuthFile;
  if (!exec.live || !path) return undefined;
  const r = await exec.fs.readFile(path, 1 << 20).catch(() => undefined);
  if (!r?.ok) return undefined;
  return new Map([[user, [{ source: `SSH_USER_AUTH ${path}`, text: Buffer.from(r.bytes).toString('latin1') }]]]);
}
