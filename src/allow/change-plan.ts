// The planner of `allow add|remove`: from the loaded target and the request, the allowlist plan
// (planner.ts: DenyUsers USER@!ADDR,...,* lines, proven with the evaluator for the admin, root,
// an unknown user and every address), the predicted values, the daemon's reload and verify, and
// the text of the proof for people. Returns a Plan of kind 'allow' for the one writer; a result
// it cannot prove is the planner's refusal. Pure apart from reads through the target's fs.
import type { Plan, PredictedValue } from '../apply/plan.js';
import type { ReadOnlyFs } from '../host/fs.js';
import type { AllowAddress } from './address.js';
import { buildPlan, evaluateWith, groupLookup, memoEvaluate, type LoadedConfig } from './engine.js';
import { matchAddressSamples, OVERRIDE_CLUSTER, OVERRIDE_SESSION, planAllow, type AllowPlanResult } from './planner.js';
import { clusterAddresses, daemonOf, type Target } from './target.js';

export interface AllowChangeInput {
  readonly op: 'add' | 'remove';
  readonly addresses: readonly AllowAddress[];
  readonly user?: string;
  readonly target: Target;
  /** The view of the system changed (under --root: the root seen as "/"). */
  readonly fs: ReadOnlyFs;
  readonly mainPath: string;
  readonly cfg: LoadedConfig;
  readonly session?: { readonly addr: string; readonly user: string };
  readonly admin: string;
  readonly overrides: ReadonlySet<string>;
  /** Whether the host runs systemd (the default config is then reloaded through `systemctl`). */
  readonly systemd: boolean;
}

export interface AllowChangePlan {
  readonly plan: Plan;
  readonly details: Readonly<Record<string, unknown>>;
  readonly refusal?: string;
  readonly result: AllowPlanResult;
  readonly listAfter: readonly { readonly user: string; readonly addresses: readonly string[] }[];
}

export { OVERRIDE_CLUSTER, OVERRIDE_SESSION };

export async function planAllowChange(inp: AllowChangeInput): Promise<AllowChangePlan> {
  const { cfg, target: t } = inp;
  const cluster = await clusterAddresses(cfg.fs);
  const r = await planAllow(
    {
      main: cfg.main,
      evaluate: memoEvaluate(cfg),
      groupsOf: groupLookup(cfg.accounts),
      ...(inp.session ? { session: inp.session } : {}),
      admin: inp.admin,
      clusterAddresses: cluster.addresses,
      ...(cluster.unknownNodes.length ? { clusterUnknownNodes: cluster.unknownNodes } : {}),
      extraSamples: matchAddressSamples([...cfg.tree.files.values()]),
      overrides: inp.overrides,
    },
    { op: inp.op, addresses: inp.addresses, ...(inp.user !== undefined ? { user: inp.user } : {}) },
  );
  const afterEff = await evaluateWith(cfg, new Map([[cfg.mainPath, r.after]]), undefined);
  const predicted: PredictedValue[] = ['denyusers', 'allowusers'].map((key) => ({ key, values: afterEff.get(key)?.values ?? [], label: 'global' }));
  const daemon = await daemonOf(cfg, t, inp.systemd);
  const plan = buildPlan({
    kind: 'allow',
    cfg,
    ...(t.root !== undefined ? { root: t.root } : {}),
    changes: [{ path: cfg.mainPath, before: cfg.main.text, after: r.after, edits: r.edits, reasons: [`allow ${inp.op} ${inp.addresses.map((v) => v.text).join(' ')}${inp.user ? ` for ${inp.user}` : ''}`] }],
    predicted: predicted.filter((p) => p.values.length > 0),
    guards: r.guards,
    notes: [...r.notes, ...cluster.notes],
    reload: daemon.reload,
    ...(daemon.verify ? { verify: daemon.verify } : {}),
  });
  const listAfter = [...r.listAfter].map(([user, a]) => ({ user, addresses: a.map((x) => x.text) }));
  const details = {
    config: inp.mainPath,
    list: listAfter,
    proof: r.proof.map((p) => ({ identity: p.label, user: p.user, addr: p.addr, listed: p.listed, expect: p.expect, before: p.before, after: p.after, ok: p.ok })),
    proven: r.proven,
  };
  const refusal = r.proven
    ? undefined
    : `the planner could not prove the result (${r.evalErrors.length ? r.evalErrors.join('; ') : r.proof.filter((p) => !p.ok).map((p) => `${p.label} from ${p.addr}`).join(', ')}); a Match block may set DenyUsers/AllowUsers for these connections`;
  return { plan, details, ...(refusal ? { refusal } : {}), result: r, listAfter };
}
