// gatherAudit: everything the rules read, from the loaded host (src/host/loaded-host.ts: the
// config tree, host facts, the OpenSSH build, accounts, its memoized evaluation): the directives,
// the effective configuration for every planned connection spec (src/sshd/evaluate), the
// vulnerability assessment (src/vulns) and the file-level facts rules need (modes, moduli,
// chroot components). Unknown facts become { missing: reason }, never exceptions.
import { gatherCertificateFacts } from '../host/facts/certificates.js';
import { gatherAdminFacts } from '../host/facts/admin-facts.js';
import type { SessionFacts } from '../host/session.js';
import { adminAccessFact, auditAdmin } from './admin-access.js';
import type { HostExecutor } from '../host/executor.js';
import { inspectHostKeys, type HostFacts } from '../host/facts/index.js';
import type { ReadOnlyFs } from '../host/fs.js';
import { loadHost, type LoadedHost } from '../host/loaded-host.js';
import { gatherAuthorizedKeysFact } from '../keys/audit-facts.js';
import type { EffectiveConfig } from '../sshd/evaluate/types.js';
import { assessVulnerabilities, opensshCurrency, type BuildInput } from '../vulns/assess.js';
import { loadVulnData } from '../vulns/data.js';
import { gatherAptCandidate, gatherOpensshChangelog, gatherRunningSshd, type OpensshChangelog, type RunningSshd } from '../host/facts/openssh-package.js';
import type { Fact } from '../host/facts/types.js';
import type { AuditFacts, FileModeFact, PveFact, VulnFinding } from '../host/facts/audit-facts.js';
import type { RuleInput, SpecEvaluation } from '../rules/types.js';
import type { ReportTarget } from '../report/types.js';
import { directivesOf } from './tree.js';
import { planSpecs } from './specs.js';

export interface GatherOptions {
  readonly mainConfig?: string;
  /** Build id ("9.2p1-debian") or version ("9.2p1", "1:9.2p1-2+deb12u3") overriding detection. */
  readonly openssh?: string;
  readonly admin?: string;
  readonly adminAddr?: string;
  readonly note?: string;
  /** The clock certificates are judged by (ms since the epoch; default now). */
  readonly now?: number;
  /** Who runs the audit (live host only): the model keeps that account's way in too. */
  readonly session?: SessionFacts;
}

export interface AuditInput {
  readonly input: RuleInput;
  readonly target: ReportTarget;
  readonly isPve: boolean;
  readonly configOk: boolean;
  readonly specsUsed: readonly { role: string; label: string; spec: string }[];
}

const missing = (reason: string) => ({ missing: reason }) as const;
const unknownFact = (reason: string): Fact<never> => ({ status: 'unknown', reason });

function toPve(f: HostFacts): PveFact | undefined {
  if (f.pve.status !== 'known' || !f.pve.value.isPve) return undefined;
  const p = f.pve.value;
  const local = p.localNodeName;
  return {
    ...(p.managerVersion ? { version: p.managerVersion } : {}),
    ...(local ? { nodeName: local } : {}),
    ...(p.cluster
      ? {
          cluster: {
            name: p.cluster.clusterName ?? 'cluster',
            nodes: p.cluster.nodes.map((n, i) => {
              const v = p.clusterAddresses?.nodes[i];
              return { name: n.name ?? `node${n.nodeid ?? '?'}`, addresses: v?.ips ?? [], unresolved: v?.unresolved ?? [], local: n.name !== undefined && n.name === local };
            }),
          },
        }
      : {}),
  };
}

async function fileModes(fs: ReadOnlyFs, paths: readonly string[]): Promise<FileModeFact[]> {
  const out: FileModeFact[] = [];
  for (const p of [...new Set(paths)]) {
    const s = await fs.stat(p);
    if (s) out.push({ path: p, mode: s.mode, uid: s.uid, gid: s.gid });
  }
  return out;
}

async function moduliFact(fs: ReadOnlyFs, path: string): Promise<AuditFacts['moduli']> {
  const r = await fs.readFile(path, 8 << 20);
  if (!r.ok) return missing(`${path}: ${r.reason}`);
  let min = Infinity;
  let weak = 0;
  let total = 0;
  for (const line of Buffer.from(r.bytes).toString('latin1').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 7 || line.startsWith('#')) continue;
    const bits = Number(f[4]) + 1;
    if (!Number.isFinite(bits)) continue;
    total++;
    if (bits < min) min = bits;
    if (bits < 3072) weak++;
  }
  if (total === 0) return missing(`${path}: no moduli`);
  return { path, minBits: min, weakCount: weak, total };
}

function expandChroot(p: string, user: string, home: string, uid: number): string {
  return p.replace(/%(.)/g, (_, c: string) => (c === '%' ? '%' : c === 'h' ? home : c === 'u' ? user : c === 'U' ? String(uid) : `%${c}`));
}

async function chrootFacts(fs: ReadOnlyFs, specs: readonly SpecEvaluation[], f: HostFacts): Promise<AuditFacts['chroot']> {
  const chrooted = specs.filter((s) => (s.config.value('chrootdirectory') ?? 'none') !== 'none');
  if (chrooted.length === 0) return [];
  if (f.accounts.status !== 'known') return missing(`users unknown: ${f.accounts.reason}`);
  const users = f.accounts.value.users;
  const out: { user: string; path: string; problems: string[] }[] = [];
  for (const s of chrooted) {
    const u = users.find((x) => x.name === s.spec.user);
    if (!u) continue;
    const path = expandChroot(s.config.value('chrootdirectory')!, u.name, u.home, u.uid).replace(/\/+$/, '') || '/';
    const problems: string[] = [];
    const parts = path.split('/').filter(Boolean);
    for (let i = 0; i <= parts.length; i++) {
      const comp = `/${parts.slice(0, i).join('/')}`;
      const st = await fs.stat(comp);
      if (!st) { problems.push(`${comp} does not exist`); break; }
      if (st.kind !== 'directory') problems.push(`${comp} is not a directory`);
      if (st.uid !== 0) problems.push(`${comp} is owned by uid ${st.uid}, not root`);
      if ((st.mode & 0o022) !== 0) problems.push(`${comp} is writable by group or others (mode ${(st.mode & 0o777).toString(8)})`);
    }
    out.push({ user: u.name, path, problems });
  }
  return out;
}

/**
 * The apt candidate only changes what a fix-available CVE says (whether the host's lists offer the
 * fix yet), and `apt-cache policy` can take seconds on a busy host: it is asked only then.
 */
async function mapVulns(build: BuildInput, effective: EffectiveConfig | undefined, changelog: Fact<OpensshChangelog>, askCandidate: () => Promise<Fact<string>>, running: Fact<RunningSshd>): Promise<AuditFacts['vulns']> {
  const data = loadVulnData();
  const base = { data, ...(changelog.status === 'known' ? { changelog: changelog.value } : {}) };
  let all = assessVulnerabilities(build, effective, base);
  let candidate: Fact<string> = unknownFact('not asked: no CVE has a fix to install');
  if (all.some((a) => a.serverSide && a.verdict === 'fix-available')) {
    candidate = await askCandidate();
    if (candidate.status === 'known') all = assessVulnerabilities(build, effective, { ...base, candidate: { version: candidate.value } });
  }
  const findings: VulnFinding[] = all
    .filter((a) => a.serverSide)
    .map((a) => ({
      cve: a.id,
      severity: a.severity,
      severityBasis: a.severityBasis,
      summary: a.title,
      status: a.verdict === 'fix-available' || a.verdict === 'no-fix-yet' ? 'vulnerable' : a.verdict,
      verdict: a.verdict,
      reason: a.note,
      basis: a.basis === 'distro-revision' ? 'package' : a.basis === 'changelog' ? 'changelog' : 'upstream',
      ...(a.fixedIn ? { fixedIn: a.fixedIn } : {}),
      ...(a.verdict === 'mitigated' ? { mitigation: a.evidence.find((e) => e.kind === 'config')?.text ?? 'configuration mitigation in effect' } : {}),
      mitigations: a.mitigations,
      evidence: a.evidence,
    }));
  const c = opensshCurrency(build, data);
  const life = c.eol ? `end of life since ${c.eol.date}: ${c.eol.note}` : c.support ? `supported until ${c.support.until}: ${c.support.note}` : undefined;
  return {
    findings,
    newestUpstream: c.newestUpstream,
    ...(c.isCurrent !== undefined ? { currency: { current: c.isCurrent, message: c.note.replace(/\.$/, '') } } : {}),
    dataDate: data.date,
    changelog: changelog.status === 'known' ? changelog.value.path : `not read (${changelog.reason})`,
    ...(candidate.status === 'known' ? { candidate: candidate.value } : {}),
    ...(life ? { lifecycle: life } : {}),
    ...(running.status === 'known' && running.value.replaced ? { staleDaemon: { pid: running.value.pid, exe: running.value.exe } } : {}),
  };
}

/** Each user's files per the effective AuthorizedKeysFile for that user (the admin's connection
 * otherwise: same address and port), compiled once and evaluated per user. */
async function authorizedKeysFact(host: LoadedHost, base: SpecEvaluation['spec'] | undefined): Promise<AuditFacts['authorizedKeys']> {
  const accounts = host.accounts;
  if (!accounts) return missing(`users unknown: ${host.facts.accounts.status === 'unknown' ? host.facts.accounts.reason : 'unknown'}`);
  return gatherAuthorizedKeysFact(host.fs, accounts, (user) => host.evaluate({ ...(base ?? {}), user }));
}

const isLoaded = (x: HostExecutor | LoadedHost): x is LoadedHost => 'candidate' in x;

/**
 * The audit's input from a loaded host (src/host/loaded-host.ts), or from an executor, which is
 * loaded first (`mainConfig` and `openssh` then say what to load; a loaded host already knows).
 */
export async function gatherAudit(from: HostExecutor | LoadedHost, opts: GatherOptions = {}): Promise<AuditInput> {
  const host = isLoaded(from) ? from : await loadHost(from, { ...(opts.mainConfig ? { mainPath: opts.mainConfig } : {}), ...(opts.openssh ? { openssh: opts.openssh } : {}) });
  const { exec, facts, tree, accounts } = host;
  const mainConfig = host.mainPath;
  const profile = host.build.profile;
  const opensshFact = host.build.fact;
  const ov = !('missing' in opensshFact) && opensshFact.source === 'override';
  const directives = directivesOf(tree);
  // The daemon's view (sshd -t's verdict): Match LocalPort is judged for the first port, not fatal as in `sshd -T` without lport.
  const global = host.global();
  const pve = toPve(facts);
  // The admin: the one named, else the first account that can become root as the guards judge it
  // (src/access rootCapable: sudo's grants where sudo is installed), never merely the first
  // account with a shell: an account sudo does not let run ALL is nobody's admin.
  // From the host's files alone (sudoers, not `sudo -l`; no `last`, no auth.log): the audit of a
  // host over SSH equals the audit of its files (--root), and its own login is no evidence.
  const filesOnly = {
    fs: { label: exec.fs.label, readFile: (p: string, m?: number) => (p === '/var/log/auth.log' ? Promise.resolve({ ok: false as const, reason: 'missing' as const, detail: 'not read by the audit' }) : exec.fs.readFile(p, m)), readDir: (p: string) => exec.fs.readDir(p), stat: (p: string) => exec.fs.stat(p), lstat: (p: string) => exec.fs.lstat(p), readLink: (p: string) => exec.fs.readLink(p), realPath: (p: string) => exec.fs.realPath(p) },
    run: exec.run.bind(exec),
    live: false,
  };
  const adminFacts = accounts ? await gatherAdminFacts({ exec: filesOnly, accounts }) : undefined;
  const admin = opts.admin ?? auditAdmin(host, adminFacts);
  const planned = planSpecs({
    ...(admin ? { admin } : {}),
    ...(opts.adminAddr ? { adminAddr: opts.adminAddr } : {}),
    directives,
    ...(pve ? { pve } : {}),
    groupMembers: (g) => accounts?.users.filter((u) => accounts.groupsOf(u.name).includes(g)).map((u) => u.name) ?? [],
    lport: Number(global.value('port') ?? 22) || 22,
  });
  const specs: SpecEvaluation[] = planned.map((p) => {
    const config = host.evaluate(p.spec);
    const fc = config.get('forcecommand')?.values.join(' ') ?? '';
    const isUser = accounts?.users.some((u) => u.name === p.spec.user) ?? false;
    const role = p.role === 'match-probe' && isUser && /internal-sftp/.test(fc) ? 'sftp-user' : p.role;
    return { ...p, role, config };
  });
  const first = specs[0]?.config;
  const hostKeyPaths = first?.get('hostkey')?.values ?? [];
  const hostKeysRaw = hostKeyPaths.length > 0 ? await inspectHostKeys(exec.fs, hostKeyPaths) : facts.hostKeys.status === 'known' ? facts.hostKeys.value : [];
  const hostKeys = hostKeysRaw.filter((k) => k.public).map((k) => ({ path: k.path, type: k.public!.family === 'other' ? k.public!.type : k.public!.family, ...(k.public!.bits ? { bits: k.public!.bits } : {}) }));
  const configFiles = [...tree.files.keys()];
  const dirs = [...new Set(configFiles.map((p) => p.slice(0, p.lastIndexOf('/')) || '/'))];
  const osText = facts.os.status === 'known' ? facts.os.value.pretty ?? `${facts.os.value.id} ${facts.os.value.versionId ?? ''}`.trim() : undefined;
  const buildInput: BuildInput | undefined = 'missing' in opensshFact ? undefined : {
    upstreamVersion: opensshFact.upstream,
    ...(opensshFact.packageVersion ? { packageVersion: opensshFact.packageVersion } : {}),
    ...(facts.os.status === 'known' ? { distro: { id: facts.os.value.id, ...(facts.os.value.versionId ? { versionId: facts.os.value.versionId } : {}) } } : {}),
  };
  const auditFacts: AuditFacts = {
    openssh: opensshFact,
    users: accounts ? accounts.users.map((u) => ({ name: u.name, uid: u.uid, gid: u.gid, home: u.home, shell: u.shell, groups: accounts.groupsOf(u.name) })) : missing(facts.accounts.status === 'unknown' ? facts.accounts.reason : 'unknown'),
    hostKeys,
    moduli: await moduliFact(exec.fs, first?.value('modulifile') ?? '/etc/ssh/moduli'),
    fileModes: await fileModes(exec.fs, [...configFiles, ...dirs, ...hostKeysRaw.filter((k) => k.privateExists).map((k) => k.path)]),
    pve,
    vulns: buildInput
      ? await mapVulns(
          buildInput,
          first,
          ov ? unknownFact('--openssh override: the installed changelog does not describe it') : await gatherOpensshChangelog(exec.fs),
          () => (ov ? Promise.resolve(unknownFact('--openssh override')) : gatherAptCandidate(exec)),
          await gatherRunningSshd(exec, facts.sshd.status === 'known' ? facts.sshd.value.pid : undefined),
        )
      : missing('OpenSSH build unknown'),
    chroot: await chrootFacts(exec.fs, specs, facts),
    authorizedKeys: await authorizedKeysFact(host, specs[0]?.spec),
    certificates: await gatherCertificateFacts(exec, global, opts.now ?? Date.now()),
    adminAccess: await adminAccessFact(host, adminFacts, exec.live ? opts.session : undefined),
  };
  const b = 'missing' in opensshFact ? undefined : opensshFact;
  const target: ReportTarget = {
    kind: exec.kind === 'memory' ? 'memory' : exec.kind === 'ssh' ? 'ssh' : exec.kind === 'root' ? 'root' : 'local',
    label: exec.label,
    config: mainConfig,
    ...(osText ? { os: osText } : {}),
    ...(b ? { openssh: `OpenSSH ${b.upstream}${b.packageVersion ? ` (${b.packageVersion})` : ''} [${b.source}]` } : {}),
    build: profile.id,
    ...(pve ? { pve: `Proxmox VE ${pve.version ?? ''}${pve.cluster ? ` cluster ${pve.cluster.name} (${pve.cluster.nodes.length} nodes)` : ' (standalone)'}`.replace(/\s+/g, ' ') } : {}),
    ...(opts.note ? { note: opts.note } : {}),
  };
  const specText = (s: SpecEvaluation['spec']) => Object.entries(s).map(([k, v]) => `${k}=${v}`).join(',');
  return {
    input: { specs, directives, diagnostics: global.diagnostics, facts: auditFacts, mainConfig },
    target,
    isPve: pve !== undefined,
    configOk: global.ok,
    specsUsed: specs.map((s) => ({ role: s.role, label: s.label, spec: specText(s.spec) })),
  };
}
