// Glue between the CLI and the planner: takes what the planner needs from the loaded host (the
// build, the PVE cluster addresses, accounts, the config and its memoized evaluation: src/host/
// loaded-host.ts), how to reload and where to verify; has the audit decide what to change
// (audit-plan.ts: the failing rules' remediations of the chosen profile or policy file, proven by
// auditing the prediction), runs the preflight guards on the result. Pure decisions stay in
// planner.ts, remediations.ts and guards/; every read goes through the loaded host.
import type { ReadOnlyFs } from '../host/fs.js';
import type { BuildProfile } from '../sshd/builds/index.js';
import { findKeyword } from '../sshd/keywords/index.js';
import type { ReloadTarget, VerifyExpectation } from './plan.js';
import { candidateFiles, type PlanResult, type PlanSpec } from './planner.js';
import { offlineExecutor, type HostExecutor } from '../host/executor.js';
import { loadHost, type LoadedHost } from '../host/loaded-host.js';
import type { Policy } from '../policy/policy-file.js';
import type { Report } from '../report/types.js';
import { planFromAudit } from './audit-plan.js';
import type { SessionFacts } from '../host/session.js';
import { guardPlan, listenOf } from './guard-stage.js';

export interface HardenRequest {
  /** The loaded host (read once); without it, one is loaded from `exec` (or `fs`) and `configPath`. */
  readonly host?: LoadedHost;
  readonly fs: ReadOnlyFs;
  readonly configPath: string;
  readonly root?: string;
  /** The profile or policy file; undefined = proxmox on a PVE host, else baseline. */
  readonly policy?: Policy;
  /** Runs facts programs (sshd -V) on a live host; default: read-only over `fs`. */
  readonly exec?: HostExecutor;
  /** The admin account the audit evaluates (default: SUDO_USER / first sudo member). */
  readonly admin?: string;
  /** For waiver expiry (YYYY-MM-DD); default today. */
  readonly today?: string;
  readonly version?: string;
  /** True for the default /etc/ssh/sshd_config on a systemd host. */
  readonly systemd: boolean;
  /** Guard override flags given (e.g. "--allow-no-key-admin"). */
  readonly overrides?: ReadonlySet<string>;
  /** Who runs sshield and from where (live host only). */
  readonly session?: SessionFacts;
}

export type HardenPlanResult = PlanResult & { readonly build: BuildProfile; readonly before?: Report; readonly after?: Report; readonly policy?: Policy };

export async function buildHardenPlan(req: HardenRequest): Promise<HardenPlanResult> {
  const exec: HostExecutor = req.exec ?? offlineExecutor(req.fs, req.root ? 'root' : 'local');
  const host = req.host ?? (await loadHost(exec, { mainPath: req.configPath }));
  const build = host.build.profile;
  const clusterView = host.cluster;
  const cluster = [...(clusterView?.addresses ?? [])];
  const accounts = host.accounts;
  const evAcc = host.evalAccounts;
  const eff = host.global();
  const { laddr, lport: port } = listenOf(eff);
  const reload: ReloadTarget = req.root
    ? { kind: 'none', why: 'offline root (--root)' }
    : req.systemd
      ? { kind: 'systemd', unit: 'ssh' }
      : { kind: 'pidfile', pidFile: eff.value('pidfile') ?? '/run/sshd.pid' };
  const expectedMethods = (v: (k: string) => string | undefined): string[] | undefined => {
    if ((v('authenticationmethods') ?? 'any') !== 'any') return undefined;
    const m: string[] = [];
    if (v('pubkeyauthentication') === 'yes') m.push('publickey');
    if (v('gssapiauthentication') === 'yes') m.push('gssapi-with-mic');
    if (v('passwordauthentication') === 'yes') m.push('password');
    if (v('kbdinteractiveauthentication') === 'yes') m.push('keyboard-interactive');
    if (v('hostbasedauthentication') === 'yes') m.push('hostbased');
    return m;
  };
  const spec = { user: 'sshield-probe', host: laddr, addr: laddr, laddr, lport: port };
  const specs: PlanSpec[] = [{ label: `a new connection from ${laddr}`, spec }];
  for (const a of cluster) specs.push({ label: `root from ${a} (PVE cluster node)`, spec: { user: 'root', host: a, addr: a, laddr, lport: port } });
  if (cluster.length) specs.push({ label: 'root from 203.0.113.7 (outside the cluster)', spec: { user: 'root', host: '203.0.113.7', addr: '203.0.113.7', laddr, lport: port } });
  const sshAddr = req.root ? undefined : req.session?.client?.addr;
  const admin = req.admin ?? (!req.root && req.session?.user && req.session.user !== 'root' ? req.session.user : undefined);
  const audited = await planFromAudit({
    fs: host.fs,
    host,
    gather: { ...(admin ? { admin } : {}), ...(sshAddr ? { adminAddr: sshAddr } : {}) },
    ...(req.policy ? { policy: req.policy } : {}),
    today: req.today ?? new Date().toISOString().slice(0, 10),
    version: req.version ?? '0',
    configPath: req.configPath,
    ...(req.root ? { root: req.root } : {}),
    build,
    ...(evAcc ? { accounts: evAcc } : {}),
    specs,
    reload,
    clusterAddresses: cluster,
  });
  const { before: reportBefore, after: reportAfter, policy, ...planned } = audited;
  const reports = { ...(reportBefore ? { before: reportBefore } : {}), ...(reportAfter ? { after: reportAfter } : {}), ...(policy ? { policy } : {}) };
  // The one guard stage (guard-stage.ts) over the current and the predicted host.
  let res: PlanResult = planned;
  if (planned.plan && planned.plan.files.length) {
    const guarded = await guardPlan({ host, plan: planned.plan, ...(req.session ? { session: req.session } : {}), overrides: req.overrides ?? new Set() });
    const plan = { ...guarded, notes: [...planned.plan.notes, ...(clusterView?.notes ?? [])] };
    res = planned.ok ? { ok: true, plan } : { ok: false, reason: planned.reason, plan };
  }
  if (!res.plan || req.root) return { ...res, build, ...reports };
  // What the verifying connection must see: the candidate tree evaluated for the probe's spec.
  const candView = await host.candidate(candidateFiles(res.plan));
  const candTree = candView.input.items;
  const candEff = candView.evaluate(spec);
  const methods = expectedMethods((k) => candEff.value(k));
  const bannerOp = findKeyword('DebianBanner')?.opcode;
  const banner = candTree.find((x) => x.kind === 'directive' && bannerOp !== undefined && findKeyword(x.line.keyword.value)?.opcode === bannerOp);
  const verify: VerifyExpectation = {
    address: laddr,
    port,
    user: 'sshield-probe',
    ...(methods ? { methods } : {}),
    ...(build.debian && banner?.kind === 'directive' && banner.line.args[0]?.value.toLowerCase() === 'no' ? { identExcludes: ' Debian-' } : {}),
  };
  const plan = { ...res.plan, verify };
  return res.ok ? { ok: true, plan, build, ...reports } : { ok: false, reason: res.reason, plan, build, ...reports };
}
