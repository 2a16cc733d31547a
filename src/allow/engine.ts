// Glue between the allow/user planners and the loaded host (src/host/loaded-host.ts: the config
// tree, the build, the accounts and the memoized evaluation of it and of every candidate, the
// same the audit and harden read), the passwd/group/shadow entries the user planner edits,
// choosing the reload target, and wrapping a
// planned change into the apply pipeline's Plan (src/apply/plan.ts), so that every change made
// by `allow` and `user sftp` goes through the same backup, validate, reload, verify and rollback
// as `harden`. No writes here.
import type { ReadOnlyFs } from '../host/fs.js';
import { offlineExecutor, type HostExecutor } from '../host/executor.js';
import { loadHost, type LoadedHost } from '../host/loaded-host.js';
import type { ByteString } from '../text/bytes.js';
import type { TextEdit } from '../text/edit.js';
import { unifiedDiff } from '../text/diff.js';
import type { ConfigFile } from '../sshd/cst.js';
import type { ConfigTree } from '../sshd/include.js';
import type { ConnectionSpec, EffectiveConfig } from '../sshd/evaluate/index.js';
import type { BuildProfile } from '../sshd/builds/index.js';
import { PLAN_VERSION, sha256, type GuardVerdict, type Plan, type PlanKind, type PredictedValue, type ReloadTarget } from '../apply/plan.js';
import { makeAccounts, type Accounts } from '../host/facts/accounts.js';

/** The host's accounts (the one reader, src/host/facts/accounts.ts), or none when /etc/passwd is unreadable. */
function accountsOf(host: LoadedHost): Accounts {
  if (host.accounts) return host.accounts;
  const why = host.facts.accounts.status === 'unknown' ? host.facts.accounts.reason : 'accounts unknown';
  return makeAccounts([], [], undefined, [why], { shadowUnknown: why });
}

export function groupLookup(acc: Accounts): (user: string) => readonly string[] | undefined {
  return (user) => (acc.user(user) ? acc.groupsOf(user) : undefined);
}

export interface LoadedConfig {
  /** The loaded host this configuration belongs to. */
  readonly host: LoadedHost;
  readonly fs: ReadOnlyFs;
  /** Main config path as sshd names it. */
  readonly mainPath: string;
  readonly tree: ConfigTree;
  readonly main: ConfigFile;
  readonly build: BuildProfile;
  readonly accounts: Accounts;
}

export type LoadResult = { readonly ok: true; readonly value: LoadedConfig } | { readonly ok: false; readonly message: string };

/** The configuration of a loaded host, or of a host loaded here from an executor or a file view. */
export async function loadConfig(from: LoadedHost | HostExecutor | ReadOnlyFs, mainPath: string): Promise<LoadResult> {
  const host = 'candidate' in from ? from : await loadHost('run' in from ? from : offlineExecutor(from), { mainPath, facts: 'config' });
  const tree = host.tree;
  if (!tree.main) return { ok: false, message: `cannot read ${mainPath}${tree.diagnostics[0] ? `: ${tree.diagnostics[0].message}` : ''}` };
  return { ok: true, value: { host, fs: host.fs, mainPath: host.mainPath, tree, main: tree.main, build: host.build.profile, accounts: accountsOf(host) } };
}

/** Evaluates the tree with some files replaced (by sshd path) for one connection spec. */
export async function evaluateWith(cfg: LoadedConfig, replaced: ReadonlyMap<string, ByteString>, spec: ConnectionSpec | undefined): Promise<EffectiveConfig> {
  return (await cfg.host.candidate(replaced)).evaluate(spec);
}

/**
 * Evaluation with any set of files replaced (by sshd path): each candidate is loaded once by the
 * host (from its cache) and its evaluation memoized per spec; proofs ask many specs of one candidate.
 */
export function memoEvaluateFiles(cfg: LoadedConfig): (replaced: ReadonlyMap<string, ByteString>, spec: ConnectionSpec) => Promise<EffectiveConfig> {
  return (replaced, spec) => evaluateWith(cfg, replaced, spec);
}

/** The same with only the main file's text replaced. */
export function memoEvaluate(cfg: LoadedConfig): (mainText: ByteString, spec: ConnectionSpec) => Promise<EffectiveConfig> {
  const ev = memoEvaluateFiles(cfg);
  return (mainText, spec) => ev(mainText === cfg.main.text ? new Map() : new Map([[cfg.mainPath, mainText]]), spec);
}

/**
 * How the daemon is reloaded: nothing under --root; the PidFile's process for a daemon started
 * with -f FILE (or when there is no systemd); otherwise `systemctl reload ssh` (Debian's unit).
 */
export function reloadTargetFor(opts: { root?: string; customFile: boolean; systemd: boolean; pidFile: string | undefined }): ReloadTarget {
  if (opts.root !== undefined) return { kind: 'none', why: 'offline root (--root): files only' };
  if (!opts.customFile && opts.systemd) return { kind: 'systemd', unit: 'ssh' };
  if (opts.pidFile && opts.pidFile !== 'none') return { kind: 'pidfile', pidFile: opts.pidFile };
  return { kind: 'none', why: 'no PidFile to signal' };
}

export interface PlanInput {
  /** The command making the change, recorded in the backup manifest ('allow' or 'user'). */
  readonly kind: Extract<PlanKind, 'allow' | 'user'>;
  readonly cfg: LoadedConfig;
  readonly root?: string;
  readonly changes: readonly { readonly path: string; readonly before: ByteString | undefined; readonly after: ByteString; readonly edits: readonly TextEdit[]; readonly reasons: readonly string[] }[];
  readonly predicted: readonly PredictedValue[];
  readonly guards: readonly GuardVerdict[];
  readonly notes: readonly string[];
  readonly reload: ReloadTarget;
  readonly verify?: Plan['verify'];
}

export function hostPathOf(root: string | undefined, path: string): string {
  return root === undefined ? path : `${root.replace(/\/+$/, '')}${path}`;
}

export function buildPlan(p: PlanInput): Plan {
  const files = p.changes
    .filter((c) => c.before !== c.after)
    .map((c) => ({
      path: c.path,
      hostPath: hostPathOf(p.root, c.path),
      action: 'write' as const,
      beforeSha256: c.before === undefined ? null : sha256(c.before),
      before: c.before ?? '',
      after: c.after,
      edits: c.edits,
      diff: unifiedDiff(c.path, c.before ?? '', c.after),
      newFileMode: 0o644,
      reasons: c.reasons,
    }));
  const tree = [...p.cfg.tree.files.keys()].map((path) => ({ path, hostPath: hostPathOf(p.root, path) }));
  return {
    version: PLAN_VERSION,
    kind: p.kind,
    configPath: p.cfg.mainPath,
    ...(p.root !== undefined ? { root: p.root } : {}),
    files,
    tree,
    predicted: p.predicted,
    guards: p.guards,
    remediated: [],
    notes: p.notes,
    reload: p.reload,
    ...(p.verify ? { verify: p.verify } : {}),
  };
}
