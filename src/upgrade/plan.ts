// The upgrade planner (pure): from the installed openssh packages, the apt candidates and what is
// known about the CVEs (the candidate's changelog when it could be read, else the data), a Plan of
// kind 'upgrade' for the one writer (src/apply/pipeline.ts): no files, one 'install-packages'
// step, the daemon reloaded (SIGHUP re-executes sshd from its path: the new binary serves) and
// verified with a new connection. Nothing to do when no candidate is newer.
import { PLAN_VERSION, type Plan, type ReloadTarget, type VerifyExpectation } from '../apply/plan.js';
import { compareDebianVersions } from '../vulns/dpkg-version.js';
import { assessVulnerabilities, isExposed, type BuildInput, type CveAssessment } from '../vulns/assess.js';
import type { ChangelogEntry } from '../vulns/changelog.js';
import type { VulnData } from '../vulns/data.js';

export interface UpgradeInput {
  /** Installed packages of the openssh source: package -> version. */
  readonly installed: Readonly<Record<string, string>>;
  /** apt candidates of the same packages (from the host's apt lists). */
  readonly candidates: Readonly<Record<string, string>>;
  readonly distro?: { readonly id: string; readonly versionId?: string };
  /** The installed changelog, and the candidate's when it could be fetched. */
  readonly installedChangelog?: { readonly path: string; readonly entries: readonly ChangelogEntry[] };
  readonly candidateChangelog?: readonly ChangelogEntry[];
  readonly data?: VulnData;
  readonly root?: string;
  readonly configPath: string;
  readonly sshd: string;
  readonly keepDir: string;
  readonly reload: ReloadTarget;
  readonly verify?: VerifyExpectation;
}

export interface UpgradePlan {
  readonly from: string;
  readonly to?: string;
  /** Server-side CVEs exposed now that the candidate fixes, with evidence. */
  readonly fixes: readonly CveAssessment[];
  /** Exposed now and still exposed after the upgrade. */
  readonly remaining: readonly CveAssessment[];
  readonly plan?: Plan;
  readonly nothingToDo?: string;
}

export function planUpgrade(i: UpgradeInput): UpgradePlan {
  const server = i.installed['openssh-server'];
  if (!server) return { from: '(not installed)', fixes: [], remaining: [], nothingToDo: 'openssh-server is not installed' };
  const newer = Object.fromEntries(Object.entries(i.candidates).filter(([p, v]) => i.installed[p] !== undefined && compareDebianVersions(v, i.installed[p]!) > 0));
  const build = (pkg: string): BuildInput => ({ ...(i.distro ? { distro: i.distro } : {}), packageVersion: pkg });
  const opts = { ...(i.data ? { data: i.data } : {}) };
  const now = assessVulnerabilities(build(server), undefined, { ...opts, ...(i.installedChangelog ? { changelog: i.installedChangelog } : {}) }).filter((c) => c.serverSide && isExposed(c.verdict));
  const target = newer['openssh-server'];
  if (!target) return { from: server, fixes: [], remaining: now, nothingToDo: `openssh-server ${server} is the newest version apt offers (apt-get update refreshes the lists)` };
  const after = assessVulnerabilities(build(target), undefined, { ...opts, ...(i.candidateChangelog ? { changelog: { path: `changelog of the candidate ${target}`, entries: i.candidateChangelog } } : {}) });
  const fixedAfter = new Set(after.filter((c) => c.verdict === 'fixed' || c.verdict === 'not-affected').map((c) => c.id));
  const fixes = now.filter((c) => fixedAfter.has(c.id)).map((c) => ({ ...c, evidence: [...c.evidence, ...(after.find((a) => a.id === c.id)?.evidence ?? [])] }));
  const remaining = now.filter((c) => !fixedAfter.has(c.id));
  const packages = Object.fromEntries(Object.entries(newer));
  const before = Object.fromEntries(Object.keys(packages).map((p) => [p, i.installed[p]!]));
  const list = Object.entries(packages).map(([p, v]) => `${p}=${v}`).join(' ');
  const plan: Plan = {
    version: PLAN_VERSION,
    kind: 'upgrade',
    configPath: i.configPath,
    ...(i.root !== undefined ? { root: i.root } : {}),
    files: [],
    steps: [
      {
        kind: 'install-packages',
        describe: `${i.root !== undefined ? `chroot ${i.root} ` : ''}apt-get install --only-upgrade ${list} (installed .debs kept in ${i.keepDir})`,
        stage: 'before-files',
        ...(i.root !== undefined ? { root: i.root } : {}),
        packages,
        keepDir: i.keepDir,
        configPath: i.configPath,
        sshd: i.sshd,
        restart: i.reload,
        before: { versions: before },
      },
    ],
    tree: [],
    predicted: [],
    guards: [],
    remediated: fixes.length ? ['host/no-known-vulnerabilities', 'host/require-current-openssh'] : ['host/require-current-openssh'],
    notes: remaining.length ? [`still exposed after the upgrade (no fix yet): ${remaining.map((c) => c.id).join(', ')}`] : [],
    reload: i.reload,
    ...(i.verify ? { verify: i.verify } : {}),
  };
  return { from: server, to: target, fixes, remaining, plan };
}
