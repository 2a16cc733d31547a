// The one guard stage every change goes through between its planner and the writer: given the
// loaded host and a Plan, it predicts the host after the plan (predicted-host.ts: files overlaid,
// host steps applied to accounts and directories), gathers the guards' facts before and after
// (guard-facts.ts), picks the client addresses to try for accounts whose address is unknown, and
// runs the one set of guards (guards/index.ts) on the pair, with the credential model's judgment
// (guard-model.ts: src/access mustKeep + judgeKeep) when the accounts are known. The verdicts are appended to the
// plan's own (a planner's proof-based guard of the same risk stands in for the generic one: allow's
// session-address and cluster-nodes). No writes; no decisions beyond the guards'.
import type { LoadedHost } from '../host/loaded-host.js';
import type { ConfigTree } from '../sshd/include.js';
import type { ConnectionSpec, EffectiveConfig } from '../sshd/evaluate/types.js';
import { candidateAddresses } from '../access/index.js';
import { NO_SESSION, type SessionFacts } from '../host/session.js';
import { gatherGuardFacts } from './guard-facts.js';
import { GUARDS } from './guards/index.js';
import { runGuard, type GuardContext } from './guards/types.js';
import type { GuardVerdict, Plan } from './plan.js';
import { predictHost } from './predicted-host.js';
import { judgeWithModel } from './guard-model.js';

export interface GuardStageInput {
  /** The host the plan was made from (read once). */
  readonly host: LoadedHost;
  readonly plan: Plan;
  /** Who runs sshield and from where; ignored for an offline root (plan.root). */
  readonly session?: SessionFacts;
  /** Override flags given (e.g. "--allow-admin-lockout"). */
  readonly overrides: ReadonlySet<string>;
}

/** Generic guards a planner's own verdict (by id) already judges, with the planner's proof. */
const STANDS_IN: Readonly<Record<string, string>> = { 'session-address': 'session-lockout', 'cluster-nodes': 'cluster-break' };

/**
 * A planner's guard of the same risk as a generic one, under its own flag: when the admin
 * overrides the planner's refusal, the generic refusal of that risk is overridden with it (one
 * risk, one flag): keys remove's last-admin-key (--allow-no-key-admin) is admin-lockout's risk.
 */
const SAME_RISK: Readonly<Record<string, string>> = { 'last-admin-key': 'admin-lockout' };

/** The daemon's listen address and port as the start-up configuration names them (for specs). */
export function listenOf(eff: EffectiveConfig): { laddr: string; lport: number } {
  const listen = eff.get('listenaddress')?.values[0] ?? '0.0.0.0:22';
  const lm = /^\[?(.*?)\]?:(\d+)$/.exec(listen);
  const laddr = lm?.[1] && lm[1] !== '0.0.0.0' && lm[1] !== '::' ? lm[1] : '127.0.0.1';
  return { laddr, lport: Number(lm?.[2] ?? 22) };
}

/**
 * Addresses to try for an account whose address is unknown: one inside every address pattern the
 * configurations name (Match Address, AllowUsers/DenyUsers hosts) and one outside them all, as
 * the credential model picks them (src/access candidateAddresses; never an invented address).
 */
export function addressSamples(trees: readonly ConfigTree[]): string[] {
  return candidateAddresses(trees.flatMap((t) => [...t.files.values()])).map((c) => c.addr).slice(0, 24);
}

/** The plan with the guards' verdicts on its predicted host appended. */
export async function guardPlan(i: GuardStageInput): Promise<Plan> {
  const { host, plan } = i;
  const live = plan.root === undefined;
  const session = live ? (i.session ?? NO_SESSION) : NO_SESSION;
  const predicted = await predictHost(host, plan);
  // No spec: the daemon's view (Match LocalPort judged for the first port, as the daemon runs it).
  const before = (spec?: ConnectionSpec) => (spec ? host.evaluate(spec) : host.global());
  const after = (spec?: ConnectionSpec) => (spec ? predicted.config.evaluate(spec) : predicted.config.global());
  const { laddr, lport } = listenOf(before());
  const cluster = host.cluster;
  const samples = addressSamples([host.tree, predicted.config.tree]);
  const common = {
    samples,
    before,
    after,
    laddr,
    lport,
    clusterAddresses: [...(cluster?.addresses ?? [])],
    ...(cluster?.unknownNodes.length ? { clusterUnknownNodes: cluster.unknownNodes } : {}),
    session,
    live,
    alsoUsers: predicted.touched,
  };
  const [factsBefore, facts] = await Promise.all([
    gatherGuardFacts({ ...common, fs: host.fs, ...(host.accounts ? { accounts: host.accounts } : {}) }),
    gatherGuardFacts({ ...common, fs: predicted.fs, ...(predicted.accounts ? { accounts: predicted.accounts } : {}) }),
  ]);
  const model =
    host.accounts && predicted.accounts
      ? await judgeWithModel({
          before: { exec: host.exec, accounts: host.accounts, tree: host.tree, configFor: before },
          after: { exec: { fs: predicted.fs, run: (c, a, o) => host.exec.run(c, a, o), live: host.exec.live }, accounts: predicted.accounts, tree: predicted.config.tree, configFor: after },
          ...(live ? { session } : {}),
          ...(cluster ? { cluster } : {}),
          laddr,
          lport,
          touched: predicted.touched,
        })
      : undefined;
  const ctx: GuardContext = { facts, factsBefore, samples, build: host.build.profile, before, after, laddr, lport, ...(model ? { model } : {}) };
  const judged = new Set(plan.guards.flatMap((g) => [g.id, ...(STANDS_IN[g.id] ? [STANDS_IN[g.id]!] : [])]));
  const overriddenRisks = new Set(plan.guards.filter((g) => !g.ok && g.overridden && SAME_RISK[g.id]).map((g) => SAME_RISK[g.id]!));
  const verdicts: GuardVerdict[] = GUARDS.filter((g) => !judged.has(g.id))
    .map((g) => runGuard(g, ctx, i.overrides))
    .map((v) => (!v.ok && !v.overridden && overriddenRisks.has(v.id) ? { ...v, overridden: true } : v));
  return { ...plan, guards: [...plan.guards, ...verdicts] };
}
