// Glue between the allow/user planners and the shared engine: loading the config tree through a
// ReadOnlyFs, evaluating a candidate main-file text with the built-in evaluator (the same one
// `sshield effective` uses), reading accounts, choosing the reload target, and wrapping a
// planned change into the apply pipeline's Plan (src/apply/plan.ts), so that every change made
// by `allow` and `user sftp` goes through the same backup, validate, reload, verify and rollback
// as `harden`. No writes here.
import type { ReadOnlyFs } from '../host/fs.js';
import { type ByteString, bytesToText } from '../text/bytes.js';
import type { TextEdit } from '../text/edit.js';
import { unifiedDiff } from '../text/diff.js';
import type { ConfigFile } from '../sshd/cst.js';
import { loadConfigTree, type ConfigTree } from '../sshd/include.js';
import { accountsFrom, compileTree, evaluateCompiled, type CompiledConfig, type ConnectionSpec, type EffectiveConfig } from '../sshd/evaluate/index.js';
import { BUILDS, detectBuild, type BuildProfile } from '../sshd/builds/index.js';
import { PLAN_VERSION, sha256, type GuardVerdict, type Plan, type PlanKind, type PredictedValue, type ReloadTarget } from '../apply/plan.js';
import { overlayFs } from './overlay-fs.js';
import { groupsOf, parseGroup, parsePasswd, parseShadow, type GroupEntry, type PasswdEntry, type ShadowEntry } from '../users/passwd.js';

export interface Accounts {
  readonly passwd: readonly PasswdEntry[];
  readonly groups: readonly GroupEntry[];
  readonly shadow: readonly ShadowEntry[] | undefined;
  readonly passwdText: ByteString | undefined;
  readonly groupText: ByteString | undefined;
}

async function readText(fs: ReadOnlyFs, path: string): Promise<ByteString | undefined> {
  const r = await fs.readFile(path, 16 << 20).catch(() => undefined);
  return r && r.ok ? bytesToText(r.bytes) : undefined;
}

export async function readAccounts(fs: ReadOnlyFs): Promise<Accounts> {
  const passwdText = await readText(fs, '/etc/passwd');
  const groupText = await readText(fs, '/etc/group');
  const shadowText = await readText(fs, '/etc/shadow');
  return {
    passwd: parsePasswd(passwdText ?? ''),
    groups: parseGroup(groupText ?? ''),
    shadow: shadowText === undefined ? undefined : parseShadow(shadowText),
    passwdText,
    groupText,
  };
}

export function groupLookup(acc: Accounts): (user: string) => readonly string[] | undefined {
  return (user) => {
    const e = acc.passwd.find((p) => p.name === user);
    return e ? groupsOf(e, acc.groups) : undefined;
  };
}

export async function detectHostBuild(fs: ReadOnlyFs): Promise<BuildProfile> {
  return detectBuild(await readText(fs, '/var/lib/dpkg/status')) ?? BUILDS['9.2p1-debian'];
}

export interface LoadedConfig {
  readonly fs: ReadOnlyFs;
  /** Main config path as sshd names it. */
  readonly mainPath: string;
  readonly tree: ConfigTree;
  readonly main: ConfigFile;
  readonly build: BuildProfile;
  readonly accounts: Accounts;
}

export type LoadResult = { readonly ok: true; readonly value: LoadedConfig } | { readonly ok: false; readonly message: string };

export async function loadConfig(fs: ReadOnlyFs, mainPath: string): Promise<LoadResult> {
  const tree = await loadConfigTree(fs, mainPath);
  if (!tree.main) return { ok: false, message: `cannot read ${mainPath}${tree.diagnostics[0] ? `: ${tree.diagnostics[0].message}` : ''}` };
  return { ok: true, value: { fs, mainPath, tree, main: tree.main, build: await detectHostBuild(fs), accounts: await readAccounts(fs) } };
}

function compile(cfg: LoadedConfig, tree: ConfigTree): CompiledConfig {
  return compileTree(tree, { build: cfg.build, accounts: accountsFrom(cfg.accounts.passwdText, cfg.accounts.groupText) });
}

/** Evaluates the tree with some files replaced (by sshd path) for one connection spec. */
export async function evaluateWith(cfg: LoadedConfig, replaced: ReadonlyMap<string, ByteString>, spec: ConnectionSpec | undefined): Promise<EffectiveConfig> {
  const tree = replaced.size ? await loadConfigTree(overlayFs(cfg.fs, replaced), cfg.mainPath) : cfg.tree;
  return evaluateCompiled(compile(cfg, tree), spec);
}

/**
 * Evaluation with any set of files replaced (by sshd path), each candidate tree read and
 * compiled once (src/sshd/evaluate/index.ts): proofs ask many specs of the same candidate.
 */
export function memoEvaluateFiles(cfg: LoadedConfig): (replaced: ReadonlyMap<string, ByteString>, spec: ConnectionSpec) => Promise<EffectiveConfig> {
  const compiled = new Map<string, Promise<CompiledConfig>>();
  return async (replaced, spec) => {
    const key = JSON.stringify([...replaced].sort(([a], [b]) => (a < b ? -1 : 1)));
    let c = compiled.get(key);
    if (!c) {
      c = (replaced.size === 0 ? Promise.resolve(cfg.tree) : loadConfigTree(overlayFs(cfg.fs, replaced), cfg.mainPath)).then((t) => compile(cfg, t));
      compiled.set(key, c);
    }
    return evaluateCompiled(await c, spec);
  };
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
