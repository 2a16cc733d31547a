// The library: what `import { … } from 'sshield'` gives. A small facade over the modules the CLI
// runs, so a script gets exactly the CLI's judgement: load a host (this machine, an offline root
// directory or one sshd_config), evaluate its effective configuration, audit it, scan servers,
// plan a hardening and apply a plan through the one writer (journal, backup, verified atomic
// write, sshd -t, reload, verify, rollback). Everything exported here is documented in the README
// ("Library"); nothing else under src/ is public. It never touches process.exit, argv or a TTY.
import { sessionFromEnv } from './host/session.js';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pkg from '../package.json' with { type: 'json' };
import { DEFAULT_BACKUP_ROOT } from './apply/backup.js';
import { buildHardenPlan, type HardenPlanResult } from './apply/harden.js';
import { openHost, openMachine } from './apply/open-host.js';
import { runChange, type ChangeResult } from './apply/flow.js';
import type { Plan } from './apply/plan.js';
import { gatherAudit } from './audit/gather.js';
import { runAudit } from './audit/run.js';
import { findSshd, hasSystemd, type HostExecutor } from './host/executor.js';
import type { ReadOnlyFs } from './host/fs.js';
import { parsePolicy, type Policy, type PolicyError } from './policy/policy-file.js';
import { PROFILES, type BUILTIN_PROFILE_NAMES } from './policy/profiles.js';
import type { Report } from './report/types.js';
import { loadProfile } from './scan/profiles.js';
import { scanTargets } from './scan/scan.js';
import { parseTarget, type Target } from './scan/target.js';
import type { ScanReport } from './scan/types.js';
import { assessBanner } from './scan/vulns-adapter.js';
import { BUILD_IDS, getBuild, type BuildId } from './sshd/builds/index.js';
import type { ConnectionSpec, EffectiveConfig } from './sshd/evaluate/index.js';
import { loadHost as loadHostModel } from './host/loaded-host.js';
import { bytesToText } from './text/bytes.js';

export type { BuildId, ChangeResult, ConnectionSpec, EffectiveConfig, HardenPlanResult, Plan, Policy, PolicyError, Report, ScanReport };
export type { EffectiveEntry, Origin } from './sshd/evaluate/index.js';
export type { ReportResult, ReportTarget } from './report/types.js';
export type { GuardVerdict, FileChange, PlanStep } from './apply/plan.js';
export type { Outcome } from './apply/outcome.js';
export type { ChangeEnvelope } from './report/outcome-json.js';
export { parsePolicy, BUILD_IDS };

/** sshield's version (from package.json). */
export const version: string = pkg.version;

/** The built-in audit/harden profiles. */
export type ProfileName = (typeof BUILTIN_PROFILE_NAMES)[number];

/** Where sshield looks: nothing = this machine; `root` = an offline root directory (files only, never reloaded); `file` = one sshd_config (facts from this machine). */
export interface HostOptions {
  readonly root?: string;
  readonly file?: string;
}

/** A host to read, judge and change: made by loadHost, passed to the other functions. */
export interface Host {
  readonly kind: 'local' | 'root' | 'file';
  /** "localhost", "root:/srv/img", or the config file's path. */
  readonly label: string;
  /** The main sshd_config as sshd names it (under a root: the path inside it). */
  readonly configPath: string;
  /** The root directory, for kind 'root'. */
  readonly root?: string;
  /** The OpenSSH build profile the engine evaluates with: the installed build (dpkg, else `sshd -V` on a live host), default 9.2p1-debian. */
  readonly build: BuildId;
}

interface HostInternals {
  readonly fs: ReadOnlyFs;
  readonly exec: HostExecutor;
  readonly systemd: boolean;
}
const internals = new WeakMap<Host, HostInternals>();

function inside(host: Host): HostInternals {
  const i = internals.get(host);
  if (!i) throw new TypeError('not a host made by loadHost()');
  return i;
}

/** Opens a host. Throws a TypeError for both options at once, a missing root directory or file. */
export async function loadHost(opts: HostOptions = {}): Promise<Host> {
  if (opts.root !== undefined && opts.file !== undefined) throw new TypeError('loadHost: give root or file, not both');
  const machine = await openMachine();
  let host: Omit<Host, 'build' | 'label'>;
  if (opts.root !== undefined) {
    const dir = resolve(opts.root);
    if ((await machine.fs.stat(dir))?.kind !== 'directory') throw new TypeError(`loadHost: ${opts.root}: no such directory`);
    host = { kind: 'root', configPath: '/etc/ssh/sshd_config', root: dir };
  } else if (opts.file !== undefined) {
    const file = resolve(opts.file);
    if (!(await machine.fs.stat(file))) throw new TypeError(`loadHost: ${opts.file}: no such file`);
    host = { kind: 'file', configPath: file };
  } else {
    host = { kind: 'local', configPath: '/etc/ssh/sshd_config' };
  }
  const opened = await openHost({ ...(host.root !== undefined ? { root: host.root } : host.kind === 'file' ? { file: host.configPath } : {}), machine });
  if (!opened.ok) throw new TypeError(`loadHost: ${opened.message}`);
  // Each call reads the host afresh (one loaded host per call: a Host outlives the files it reads).
  const exec = opened.host.target;
  const fs = exec.fs;
  const build = (await loadHostModel(exec, { mainPath: host.configPath, facts: 'config' })).build.profile.id;
  const done: Host = Object.freeze({ ...host, label: host.kind === 'file' ? host.configPath : fs.label, build });
  internals.set(done, { fs, exec, systemd: host.kind === 'local' && (await hasSystemd(machine)) });
  return done;
}

/**
 * The effective configuration as `sshd -T [-C spec]` prints it, with the origin of every value.
 * A config sshd would refuse gives `ok: false` and its diagnostics (file:line), never a throw.
 */
export async function evaluateEffective(host: Host, opts: { readonly spec?: ConnectionSpec; readonly openssh?: BuildId } = {}): Promise<EffectiveConfig> {
  const { exec } = inside(host);
  const openssh = opts.openssh ?? host.build;
  if (!getBuild(openssh)) throw new TypeError(`unknown OpenSSH build ${openssh} (known: ${BUILD_IDS.join(', ')})`);
  return (await loadHostModel(exec, { mainPath: host.configPath, openssh, cwd: process.cwd(), facts: 'config' })).evaluate(opts.spec);
}

export interface JudgeOptions {
  /** A built-in profile (default: proxmox on a PVE host, else baseline). */
  readonly profile?: ProfileName;
  /** A policy file parsed with parsePolicy (wins over `profile`). */
  readonly policy?: Policy;
  /** The admin account to evaluate (default: SUDO_USER on this machine, else the first sudo member). */
  readonly admin?: string;
  /** For waiver expiry, YYYY-MM-DD (default: today). */
  readonly today?: string;
}

function policyOf(o: JudgeOptions): Policy | undefined {
  return o.policy ?? (o.profile ? { profile: PROFILES[o.profile], source: 'builtin', waivers: [] } : undefined);
}

const todayOf = (o: JudgeOptions) => o.today ?? new Date().toISOString().slice(0, 10);

/** The audit report, exactly what `sshield audit --json` prints (schemas/audit.schema.json). */
export async function audit(host: Host, opts: JudgeOptions & { readonly openssh?: string } = {}): Promise<Report> {
  const { exec } = inside(host);
  const input = await gatherAudit(exec, { ...(host.kind === 'file' ? { mainConfig: host.configPath } : {}), ...(opts.openssh ? { openssh: opts.openssh } : {}), ...(opts.admin ? { admin: opts.admin } : {}) });
  if (host.kind === 'file') (input.target as { kind: string }).kind = 'file';
  const policy = policyOf(opts) ?? { profile: PROFILES[input.isPve ? 'proxmox' : 'baseline'], source: 'builtin', waivers: [] };
  return runAudit(input, policy, { version, today: todayOf(opts) });
}

export interface ScanOptions {
  /** Deadline per target for all of its probes, in ms (default 5000). */
  readonly timeoutMs?: number;
  /** Targets in flight at once (default 64). */
  readonly concurrency?: number;
  /** Ask which login methods this user is offered (one more connection). */
  readonly user?: string;
  /** Fetch host keys and fingerprints (one key exchange per key type). */
  readonly hostKeys?: boolean;
  /** default, strict, compat, or a profile file (default: default). */
  readonly profile?: string;
}

/** Scans SSH servers ("host", "host:port", "[v6]:port"): what `sshield scan --json` prints. Throws a TypeError for a malformed target or profile. */
export async function scan(targets: readonly string[], opts: ScanOptions = {}): Promise<ScanReport> {
  const parsed: Target[] = [];
  for (const t of targets) {
    const r = parseTarget(t);
    if (r.kind === 'error') throw new TypeError(`scan: ${t}: ${r.message}`);
    parsed.push(r.target);
  }
  const profile = loadProfile(opts.profile ?? 'default');
  if (profile.kind === 'error') throw new TypeError(`scan: ${profile.message}`);
  return scanTargets(parsed, {
    profile: profile.profile,
    timeoutMs: opts.timeoutMs ?? 5000,
    concurrency: opts.concurrency ?? 64,
    toolVersion: version,
    assess: assessBanner,
    ...(opts.user !== undefined ? { user: opts.user } : {}),
    ...(opts.hostKeys ? { hostKeys: true } : {}),
  });
}

export interface PlanHardenOptions extends JudgeOptions {
  /** Guard override flags, e.g. ["--allow-no-key-admin"]: a refusing guard so named is overridden. */
  readonly overrides?: readonly string[];
  /** Who runs it and from where (guards keep that session working): SSH_CONNECTION and the user. */
  readonly session?: { readonly sshConnection?: string; readonly user?: string };
}

/**
 * Plans the hardening of the profile without changing anything: `plan.files` (diff per file),
 * `plan.guards` (refusing guards block applyPlan unless overridden), the predicted values. `ok:
 * false` with a reason when the planner cannot prove the result.
 */
export async function planHarden(host: Host, opts: PlanHardenOptions = {}): Promise<HardenPlanResult> {
  const { fs, exec, systemd } = inside(host);
  const policy = policyOf(opts);
  return buildHardenPlan({
    fs,
    configPath: host.configPath,
    ...(host.root !== undefined ? { root: host.root } : { exec }),
    ...(policy ? { policy } : {}),
    ...(opts.admin ? { admin: opts.admin } : {}),
    today: todayOf(opts),
    version,
    systemd,
    overrides: new Set(opts.overrides ?? []),
    ...(opts.session ? { session: sessionFromEnv({ SSH_CONNECTION: opts.session.sshConnection, SUDO_USER: opts.session.user }) } : {}),
  });
}

export interface ApplyOptions {
  /** Where backups and the journal live (default /var/backups/sshield). */
  readonly backupDir?: string;
  /** The sshd binary that validates the candidate (default: /usr/sbin/sshd when installed). */
  readonly sshd?: string;
  /** Roll the change back unless `sshield confirm` runs within this many seconds. */
  readonly confirmTimeoutSec?: number;
}

/** The sshield CLI next to this module (dist/index.js and src/index.ts both sit one level below the package). */
const CLI = fileURLToPath(new URL('../bin/sshield.js', import.meta.url));

/**
 * Applies a plan through the one change flow the CLI runs after `--yes`: the guards (a refusing
 * guard not overridden gives `refused`), then the writer: lock, recovery of a killed earlier run,
 * journal, backup, verified atomic write, sshd -t on a staged copy, reload, verify, rollback on
 * any failure. Never throws for a refused, stale or failed change: `outcome.kind` says so, as in
 * the CLI's JSON envelope (schemas/change.schema.json); `backup` says where the old files are.
 */
export async function applyPlan(plan: Plan, opts: ApplyOptions = {}): Promise<ChangeResult> {
  const backupRoot = opts.backupDir ?? DEFAULT_BACKUP_ROOT;
  const opened = await openHost({ ...(plan.root !== undefined ? { root: plan.root } : {}), self: [process.execPath, CLI] });
  if (!opened.ok) throw new TypeError(`applyPlan: ${opened.message}`);
  const { machine, target } = opened.host;
  const sshd = opts.sshd ?? (await findSshd(machine));
  return runChange(
    { host: machine, target, plan, ask: async () => 'yes' },
    {
      backupRoot,
      ...(sshd ? { sshd } : {}),
      ...(opts.confirmTimeoutSec !== undefined ? { confirmTimeoutSec: opts.confirmTimeoutSec } : {}),
      watcherArgs: (id) => ['confirm', '--watch', id, '--backup-dir', backupRoot, ...(sshd ? ['--sshd', sshd] : [])],
    },
  );
}
