// Glue between the CLI and the planner: reads the facts the planner needs (build from dpkg,
// regreSSHion exposure, how to reload, where to verify), builds the plan. Pure decisions stay in
// planner.ts; this module only reads through the ReadOnlyFs.
import type { ReadOnlyFs } from '../host/fs.js';
import { bytesToText } from '../text/bytes.js';
import { BUILDS, detectBuild, type BuildProfile } from '../sshd/builds/index.js';
import { compareDebianVersions } from '../vulns/dpkg-version.js';
import { evaluateEffective } from '../sshd/evaluate/evaluate.js';
import { loadConfigTree } from '../sshd/include.js';
import type { ConnectionSpec } from '../sshd/evaluate/types.js';
import { gatherAccounts, type Accounts } from '../host/facts/accounts.js';
import { parseCorosyncConf } from '../host/facts/corosync.js';
import { isIpAddress } from '../allow/address.js';
import type { ReloadTarget, VerifyExpectation } from './plan.js';
import { candidateFs, planHarden, treeToItems, type PlanResult, type PlanSpec } from './planner.js';
import { desiredSettings } from './settings.js';
import { gatherGuardFacts, type SessionInfo } from './guard-facts.js';
import { runGuards } from './guards/index.js';

export interface HardenRequest {
  readonly fs: ReadOnlyFs;
  readonly configPath: string;
  readonly root?: string;
  readonly profile: 'baseline' | 'proxmox';
  /** True for the default /etc/ssh/sshd_config on a systemd host. */
  readonly systemd: boolean;
  /** Guard override flags given (e.g. "--allow-no-key-admin"). */
  readonly overrides?: ReadonlySet<string>;
  /** Who runs sshield and from where (live host only). */
  readonly session?: SessionInfo;
}

/** PVE cluster node addresses (IP ring addresses of every node) from corosync.conf, if any. */
export async function clusterAddresses(fs: ReadOnlyFs): Promise<string[]> {
  for (const p of ['/etc/pve/corosync.conf', '/etc/corosync/corosync.conf']) {
    const t = await readText(fs, p);
    if (t === undefined) continue;
    const c = parseCorosyncConf(t);
    return [...new Set(c.nodes.flatMap((n) => n.addresses).filter((a) => isIpAddress(a)))];
  }
  return [];
}

function evalAccounts(acc: Accounts | undefined) {
  return acc ? { groupsOf: (u: string) => (acc.user(u) ? acc.groupsOf(u) : undefined) } : undefined;
}

async function readText(fs: ReadOnlyFs, p: string): Promise<string | undefined> {
  const r = await fs.readFile(p);
  return r.ok ? bytesToText(r.bytes) : undefined;
}

/** regreSSHion (CVE-2024-6387): 8.5p1 <= upstream < 9.8p1, fixed in Debian 1:9.2p1-2+deb12u3. */
export function regresshionVulnerable(packageVersion: string | undefined): boolean {
  if (!packageVersion) return false;
  const m = /^(?:\d+:)?(\d+)\.(\d+)p/.exec(packageVersion);
  if (!m) return false;
  const v = Number(m[1]) + Number(m[2]) / 10;
  if (v < 8.5 || v >= 9.8) return false;
  if (v === 9.2 && /deb12/.test(packageVersion)) return compareDebianVersions(packageVersion, '1:9.2p1-2+deb12u3') < 0;
  return true;
}

export async function buildHardenPlan(req: HardenRequest): Promise<PlanResult & { build: BuildProfile }> {
  const dpkg = await readText(req.fs, '/var/lib/dpkg/status');
  const build = detectBuild(dpkg) ?? BUILDS['9.2p1-debian'];
  const pkgVersion = dpkg ? /^Package: openssh-server$[\s\S]*?^Version: (.+)$/m.exec(dpkg)?.[1] : undefined;
  const cluster = await clusterAddresses(req.fs);
  const accFact = await gatherAccounts(req.fs);
  const accounts = accFact.status === 'known' ? accFact.value : undefined;
  const evAcc = evalAccounts(accounts);
  const desired = desiredSettings({
    profile: req.profile,
    debianBuild: build.debian,
    regresshionVulnerable: regresshionVulnerable(pkgVersion),
    ...(req.profile === 'proxmox' && cluster.length ? { clusterAddresses: cluster } : {}),
  });
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
  const planned = await planHarden({
    fs: req.fs,
    configPath: req.configPath,
    ...(req.root ? { root: req.root } : {}),
    desired,
    build,
    ...(evAcc ? { accounts: evAcc } : {}),
    specs,
    reload,
  });
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
    const facts = await gatherGuardFacts({ fs: req.fs, ...(accounts ? { accounts } : {}), before, after, laddr, lport: port, clusterAddresses: cluster, ...(req.session ? { session: req.session } : {}), live: !req.root });
    const guards = runGuards({ facts, build, before, after, laddr, lport: port }, req.overrides ?? new Set());
    const plan = { ...planned.plan, guards };
    res = planned.ok ? { ok: true, plan } : { ok: false, reason: planned.reason, plan };
  }
  if (!res.plan || req.root) return { ...res, build };
  // What the verifying connection must see, from the prediction for its own spec.
  const pred = new Map(res.plan.predicted.filter((p) => p.spec?.user === 'sshield-probe').map((p) => [p.key, p.values[0]]));
  const candEff = evaluateEffective(treeToItems(await loadConfigTree(req.fs, req.configPath)), { build, spec });
  const v = (k: string) => pred.get(k) ?? candEff.value(k);
  const methods = expectedMethods(v);
  const verify: VerifyExpectation = {
    address: laddr,
    port,
    user: 'sshield-probe',
    ...(methods ? { methods } : {}),
    ...(build.debian && desired.some((d) => d.keyword === 'DebianBanner') ? { identExcludes: ' Debian-' } : {}),
  };
  const plan = { ...res.plan, verify };
  return res.ok ? { ok: true, plan, build } : { ok: false, reason: res.reason, plan, build };
}
