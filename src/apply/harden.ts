// Glue between the CLI and the planner: reads the facts the planner needs (build from dpkg, the
// PVE cluster addresses, accounts, how to reload, where to verify), has the audit decide what to
// change (audit-plan.ts: the failing rules' remediations of the chosen profile or policy file,
// proven by auditing the prediction), runs the preflight guards on the result. Pure decisions
// stay in planner.ts, remediations.ts and guards/; this module only reads through the ReadOnlyFs.
import type { ReadOnlyFs } from '../host/fs.js';
import { bytesToText } from '../text/bytes.js';
import { BUILDS, detectBuild, type BuildProfile } from '../sshd/builds/index.js';
import { evaluateEffective } from '../sshd/evaluate/evaluate.js';
import { loadConfigTree } from '../sshd/include.js';
import type { ConnectionSpec } from '../sshd/evaluate/types.js';
import { gatherAccounts, type Accounts } from '../host/facts/accounts.js';
import { readClusterAddresses } from '../host/facts/cluster-addresses.js';
import { findKeyword } from '../sshd/keywords/index.js';
import type { ReloadTarget, VerifyExpectation } from './plan.js';
import { candidateFs, treeToItems, type PlanResult, type PlanSpec } from './planner.js';
import { offlineExecutor, type HostExecutor } from '../host/executor.js';
import type { Policy } from '../policy/policy-file.js';
import type { Report } from '../report/types.js';
import { planFromAudit } from './audit-plan.js';
import { gatherGuardFacts, type SessionInfo } from './guard-facts.js';
import { runGuards } from './guards/index.js';

export interface HardenRequest {
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
  readonly session?: SessionInfo;
}

function evalAccounts(acc: Accounts | undefined) {
  return acc ? { groupsOf: (u: string) => (acc.user(u) ? acc.groupsOf(u) : undefined) } : undefined;
}

async function readText(fs: ReadOnlyFs, p: string): Promise<string | undefined> {
  const r = await fs.readFile(p);
  return r.ok ? bytesToText(r.bytes) : undefined;
}

export type HardenPlanResult = PlanResult & { readonly build: BuildProfile; readonly before?: Report; readonly after?: Report; readonly policy?: Policy };

export async function buildHardenPlan(req: HardenRequest): Promise<HardenPlanResult> {
  const dpkg = await readText(req.fs, '/var/lib/dpkg/status');
  const build = detectBuild(dpkg) ?? BUILDS['9.2p1-debian'];
  const clusterView = await readClusterAddresses(req.fs);
  const cluster = [...(clusterView?.addresses ?? [])];
  const accFact = await gatherAccounts(req.fs);
  const accounts = accFact.status === 'known' ? accFact.value : undefined;
  const evAcc = evalAccounts(accounts);
  const tree = await loadConfigTree(req.fs, req.configPath);
  const items = treeToItems(tree);
  const eff = evaluateEffective(items, { build });
  const listen = eff.get('listenaddress')?.values[0] ?? '0.0.0.0:22';
  const lm = /^\[?(.*?)\]?:(\d+)$/.exec(listen);
  const laddr = lm?.[1] && lm[1] !== '0.0.0.0' && lm[1] !== '::' ? lm[1] : '127.0.0.1';
  const port = Number(lm?.[2] ?? 22);
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
  const sshAddr = req.root ? undefined : req.session?.sshConnection?.trim().split(/\s+/)[0];
  const admin = req.admin ?? (!req.root && req.session?.user && req.session.user !== 'root' ? req.session.user : undefined);
  const audited = await planFromAudit({
    fs: req.fs,
    exec: req.exec ?? offlineExecutor(req.fs, req.root ? 'root' : 'local'),
    gather: { mainConfig: req.configPath, ...(admin ? { admin } : {}), ...(sshAddr ? { adminAddr: sshAddr } : {}) },
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
  // Preflight guards over the current and the predicted configuration.
  let res: PlanResult = planned;
  if (planned.plan && planned.plan.files.length) {
    const candItems = treeToItems(await loadConfigTree(candidateFs(req.fs, planned.plan), req.configPath));
    const memo = (its: typeof items) => {
      const cache = new Map<string, ReturnType<typeof evaluateEffective>>();
      return (s?: ConnectionSpec) => {
        const k = s ? JSON.stringify(s) : '';
        return cache.get(k) ?? cache.set(k, evaluateEffective(its, { build, ...(s ? { spec: s } : {}), ...(evAcc ? { accounts: evAcc } : {}) })).get(k)!;
      };
    };
    const before = memo(items);
    const after = memo(candItems);
    const facts = await gatherGuardFacts({ fs: req.fs, ...(accounts ? { accounts } : {}), before, after, laddr, lport: port, clusterAddresses: cluster, ...(clusterView?.unknownNodes.length ? { clusterUnknownNodes: clusterView.unknownNodes } : {}), ...(req.session ? { session: req.session } : {}), live: !req.root });
    const guards = runGuards({ facts, build, before, after, laddr, lport: port }, req.overrides ?? new Set());
    const plan = { ...planned.plan, guards, notes: [...planned.plan.notes, ...(clusterView?.notes ?? [])] };
    res = planned.ok ? { ok: true, plan } : { ok: false, reason: planned.reason, plan };
  }
  if (!res.plan || req.root) return { ...res, build, ...reports };
  // What the verifying connection must see: the candidate tree evaluated for the probe's spec.
  const candTree = treeToItems(await loadConfigTree(candidateFs(req.fs, res.plan), req.configPath));
  const candEff = evaluateEffective(candTree, { build, spec, ...(evAcc ? { accounts: evAcc } : {}) });
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
