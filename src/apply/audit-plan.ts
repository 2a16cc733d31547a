// Plans harden from the audit: runs the profile's rules on the current configuration, turns the
// failing rules' remediations into settings (remediations.ts), plans them (planner.ts), then
// audits the PREDICTED configuration (the candidate tree overlaid on the host's files) and
// requires every rule it fixed to pass and no rule to start failing. A rule that starts failing
// because of the change (the PVE cluster's peer access once forwarding goes off globally)
// contributes its own remediations and the plan is made again (a few rounds at most). Reads only
// through the loaded host (its candidates re-read nothing); the audit itself is pure.
import { offlineExecutor, type HostExecutor } from '../host/executor.js';
import { loadHost, type LoadedHost } from '../host/loaded-host.js';
import { gatherAudit, type GatherOptions } from '../audit/gather.js';
import { runAudit } from '../audit/run.js';
import type { Policy } from '../policy/policy-file.js';
import { PROFILES } from '../policy/profiles.js';
import type { Report } from '../report/types.js';
import { candidateFiles, planHarden, type PlanInput, type PlanResult, type PlanSpec } from './planner.js';
import { remediationsOf } from './remediations.js';
import { moduliChanges } from './moduli-file.js';
import { clusterException, type Desired } from './settings.js';

export interface AuditPlanInput extends Omit<PlanInput, 'desired' | 'commentOut' | 'specs'> {
  /** The loaded host: the audit of the current config and of every candidate reads it. */
  readonly host?: LoadedHost;
  /** Without `host`: the executor to load it from (`gather.mainConfig`, `gather.openssh`). */
  readonly exec?: HostExecutor;
  readonly gather: GatherOptions;
  /** undefined: proxmox on a PVE host, else baseline (as `sshield audit`). */
  readonly policy?: Policy;
  readonly specs: readonly PlanSpec[];
  readonly today: string;
  readonly version: string;
  /** PVE cluster node addresses: with a PVE-aware profile the cluster exception is pinned for them. */
  readonly clusterAddresses?: readonly string[];
}

export type AuditPlanResult = PlanResult & {
  readonly before?: Report;
  readonly after?: Report;
  readonly policy?: Policy;
};

const MAX_ROUNDS = 4;

function scopeKey(d: Desired): string {
  return `${d.keyword.toLowerCase()}|${d.scope === undefined || d.scope === 'global' ? '' : d.scope.match}`;
}

/** Rules whose new failure on the prediction the guards judge (same credential model, with an override flag). */
const JUDGED_BY_GUARDS: ReadonlySet<string> = new Set(['sshd/require-admin-access']);

export async function planFromAudit(i: AuditPlanInput): Promise<AuditPlanResult> {
  const host = i.host ?? (await loadHost(i.exec ?? offlineExecutor(i.fs), { mainPath: i.gather.mainConfig ?? i.configPath, ...(i.gather.openssh ? { openssh: i.gather.openssh } : {}) }));
  const audit0 = await gatherAudit(host, i.gather);
  const policy = i.policy ?? { profile: PROFILES[audit0.isPve ? 'proxmox' : 'baseline'], source: 'builtin', waivers: [] };
  const before = runAudit(audit0, policy, { version: i.version, today: i.today });
  if (!audit0.configOk) return { ok: false, reason: 'sshd would refuse the current configuration; fix it first (see sshield audit, rule sshd/no-config-errors)', before, policy };
  const rem = remediationsOf(before);
  const desired = [...rem.desired];
  // On a cluster node a PVE-aware profile pins the exception whatever else changes, so a later
  // global change (forwarding off) can never take the cluster's access away.
  if (policy.profile.pveAware && i.clusterAddresses?.length) {
    const have = new Set(desired.map(scopeKey));
    desired.push(...clusterException(i.clusterAddresses).filter((d) => !have.has(scopeKey(d))));
  }
  const commentOut = [...rem.commentOut];
  const moduli = [...rem.moduli];
  const rules = new Set(rem.rules);
  const seenSpec = new Set<string>();
  const specs: PlanSpec[] = [];
  for (const s of [...i.specs, ...audit0.input.specs.map((x) => ({ label: x.label, spec: x.spec }))]) {
    const k = JSON.stringify(s.spec);
    if (seenSpec.has(k)) continue;
    seenSpec.add(k);
    specs.push(s);
  }
  const statusBefore = new Map(before.results.map((r) => [r.ruleId, r.status]));
  const isFail = (r: Report['results'][number]) => r.status === 'fail' && !r.waived;
  let planned: PlanResult | undefined;
  let after: Report | undefined;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const { host: _h, exec: _e, gather: _g, policy: _p, today: _t, version: _v, specs: _s, clusterAddresses: _c, ...base } = i;
    planned = await planHarden({ ...base, host, desired, commentOut, specs });
    if (planned.plan && moduli.length) {
      const extra = (await moduliChanges(host.fs, moduli, i.root)).filter((c) => !planned!.plan!.files.some((f) => f.path === c.path));
      if (extra.length) planned = { ...planned, plan: { ...planned.plan, files: [...planned.plan.files, ...extra] } } as PlanResult;
    }
    if (!planned.plan || planned.plan.files.length === 0) break;
    const candidate = await host.candidate(candidateFiles(planned.plan));
    after = runAudit(await gatherAudit(candidate, i.gather), policy, { version: i.version, today: i.today });
    const regressed = after.results.filter((r) => isFail(r) && (rules.has(r.ruleId) || statusBefore.get(r.ruleId) !== 'fail'));
    if (regressed.length === 0) break;
    const more = remediationsOf(after, new Set(regressed.map((r) => r.ruleId)));
    const known = new Set(desired.map(scopeKey));
    const fresh = more.desired.filter((d) => !known.has(scopeKey(d)));
    const freshComments = more.commentOut.filter((c) => !commentOut.some((x) => x.file === c.file && x.line === c.line));
    if (fresh.length === 0 && freshComments.length === 0) break;
    desired.push(...fresh);
    commentOut.push(...freshComments);
    moduli.push(...more.moduli.filter((m) => !moduli.some((x) => x.to === m.to)));
    for (const r of more.rules) rules.add(r);
  }
  if (!planned?.plan) return { ...(planned ?? { ok: false, reason: 'no plan' }), before, policy };
  const plan = planned.plan;
  if (plan.files.length === 0) {
    const still = before.results.filter((r) => isFail(r) && rules.has(r.ruleId)).map((r) => r.ruleId);
    const notes = [...rem.notes, ...(still.length ? [`failing rules whose remediation is already in effect for every identity the planner checks: ${still.join(', ')}`] : [])];
    return { ...planned, plan: { ...plan, notes }, before, policy };
  }
  const fixed = [...rules].filter((id) => statusBefore.get(id) === 'fail');
  const afterStatus = new Map(after!.results.map((r) => [r.ruleId, r]));
  const notFixed = fixed.filter((id) => { const r = afterStatus.get(id); return r !== undefined && isFail(r); });
  // A lockout the change would cause is the guard stage's to refuse (guard-stage.ts, with the flag
  // named after the risk), not a rule "starting to fail" that no flag can accept.
  const broken = after!.results.filter((r) => isFail(r) && statusBefore.get(r.ruleId) !== 'fail' && !JUDGED_BY_GUARDS.has(r.ruleId)).map((r) => r.ruleId);
  const verified = `audit of the predicted configuration (${policy.profile.name}): ${fixed.map((id) => `${id} ${afterStatus.get(id)?.status ?? '?'}`).join(', ') || 'nothing to fix'}`;
  const result = { ...plan, remediated: fixed, notes: [...rem.notes, verified] };
  if (!planned.ok) return { ok: false, reason: planned.reason, plan: result, before, after: after!, policy };
  if (notFixed.length || broken.length) {
    const why = [...notFixed.map((id) => `${id} still fails: ${afterStatus.get(id)?.message}`), ...broken.map((id) => `${id} would start failing: ${afterStatus.get(id)?.message}`)];
    return { ok: false, reason: `the audit of the predicted configuration does not pass: ${why.join('; ')}`, plan: result, before, after: after!, policy };
  }
  return { ok: true, plan: result, before, after: after!, policy };
}
