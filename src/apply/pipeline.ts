// The only writer. Applies a Plan in journaled, undoable steps: re-check the files did not change
// since planning (sha256) and every host step's `before` state -> back up every touched file and
// record the steps in a manifest -> validate the staged candidate tree with the real `sshd -t` /
// `sshd -T` (stage.ts; skipped for a plan that changes nothing sshd parses at start, e.g.
// authorized_keys) -> run the 'before-files' host steps (accounts, chroot directories:
// host-steps.ts) -> write candidates beside the originals (fsynced, owner and mode kept) ->
// install each by an atomic rename -> reload -> verify with a new connection -> run the
// 'after-files' host steps (a shell change) -> log in as the admin with their own identity, as
// before the change (credential.ts; the login before runs right after the backup) -> commit, or
// arm the confirm watcher. Any failure
// undoes the steps that started (in reverse), restores the backup and reloads again; a run
// killed at any point leaves each file old or new (never partial), and its journal (the phase,
// and each step's phase) tells the next run (recover) what to undo. Decisions about *what* to
// change are the planners'; this module never edits text.
import { dirname, resolve } from 'node:path';
import { textToBytes } from '../text/bytes.js';
import type { ApplyHost } from './host.js';
import type { Plan, PlanStep, StepStage } from './plan.js';
import { blockingGuards, sha256, stepsOf } from './plan.js';
import { applyStep, checkStep, undoStep } from './host-steps.js';
import { withLock } from './lock.js';
import type { BackupRecord, Journal, Manifest, ManifestEntry, StepPhase } from './backup.js';
import { CANDIDATE_SUFFIX, backupDir, stateOwner, currentSha, isTerminal, listBackups, loadBackup, claimBackupId, phaseIndex, readBackupCopy, writeJournal, writeManifest } from './backup.js';
import { stageTree } from './stage.js';
import { validateStaged } from './validate.js';
import { reloadDaemon, verifyDaemon } from './reload.js';
import { loginAfter, loginBefore, type CredentialProof, type CredentialRequest } from './credential.js';

export interface PipelineOptions {
  readonly backupRoot: string;
  /** The backup directory's own lock. Default: <backupRoot>/.lock */
  readonly lockPath?: string;
  /**
   * Where the host-wide locks live, one per root ("/" or an offline root), whatever --backup-dir
   * says: two runs with different backup directories must not change the same files at once.
   * Default /run/lock/sshield; tests give their own so concurrent test files do not wait on each other.
   */
  readonly lockDir?: string;
  /** How long to wait for another run's host lock (default 120 s). */
  readonly lockWaitMs?: number;
  /** The sshd binary used to validate; undefined = skip validation (only when it cannot run). */
  readonly sshd?: string;
  /**
   * A host key for `sshd -t` on an offline root (whose own keys are not this machine's): a path,
   * or 'throwaway' to make one inside the run's staging tree, removed with it on every exit path
   * (and by the next run's recovery after a kill).
   */
  readonly extraHostKey?: string | 'throwaway';
  readonly confirmTimeoutSec?: number;
  /** SSH_CONNECTION of the session making the change (recorded in the manifest for `sshield confirm`). */
  readonly madeFrom?: string;
  /** Arguments for `sshield` that start the confirm watcher of a backup. */
  readonly watcherArgs?: (backupId: string) => readonly string[];
  readonly verifyTimeoutMs?: number;
  /**
   * The admin's own identity (their agent or --verify-key) for a real login before and after the
   * change (credential.ts), or why there is none. Undefined: only the 'none' probe verifies.
   */
  readonly credential?: CredentialRequest;
  /** Progress callback for people (never required for correctness). */
  readonly onStep?: (step: Step, detail?: string) => void | Promise<void>;
  /**
   * Aborted when the run is asked to stop (the CLI's SIGINT/SIGTERM): the writer stops at its
   * next step and finishes exactly as the next run's recovery would finish a killed run (from the
   * journal: undo, or commit a change already verified), then releases its locks.
   */
  readonly abort?: AbortSignal;
}

export type Step = 'recover' | 'recheck' | 'backup' | 'validate' | 'host-step' | 'candidates' | 'install' | 'reload' | 'verify' | 'prove' | 'confirm-watch' | 'commit' | 'rollback';

export type ApplyOutcome =
  | { readonly status: 'applied'; readonly backupId: string; readonly confirmDeadline?: number; readonly notes: readonly string[]; readonly credential?: CredentialProof }
  | { readonly status: 'nothing-to-do' }
  | { readonly status: 'refused'; readonly reason: string }
  | { readonly status: 'stale'; readonly reason: string }
  | { readonly status: 'pending-confirm'; readonly backupId: string; readonly reason: string }
  | { readonly status: 'failed'; readonly step: Step; readonly reason: string; readonly backupId?: string; readonly rolledBack: boolean; readonly rollbackError?: string; readonly credential?: CredentialProof };

/** The run was asked to stop (opts.abort) at `step`; thrown past the inline rollback to applyPlan. */
export class Interrupted extends Error {
  constructor(
    readonly step: Step,
    reason: string,
    readonly backupId?: string,
  ) {
    super(reason);
  }
}

function abortReason(signal: AbortSignal): string {
  return typeof signal.reason === 'string' ? signal.reason : 'interrupted';
}

class StepFailure extends Error {
  constructor(
    readonly step: Step,
    reason: string,
    /** false: the daemon was certainly not signalled (e.g. the PidFile names another program). */
    readonly signalled?: boolean,
  ) {
    super(reason);
  }
}

/** The daemon this plan's reload may signal: the sshd started with its config (listening on the verify port). */
function daemonOf(configPath: string, files: readonly { path: string; hostPath: string }[], port?: number) {
  return { configPath: files.find((f) => f.path === configPath)?.hostPath ?? configPath, ...(port !== undefined ? { port } : {}) };
}

/**
 * The backup directory's lock for runs on one root: <backupRoot>/.lock for "/", .lock-<hash> for an
 * offline root, so runs on different roots that share a backup directory do not wait on each other
 * (each recovers only its own root's backups; ids are taken by an exclusive mkdir).
 */
export function lockPathOf(opts: PipelineOptions, root?: string): string {
  return opts.lockPath ?? (root === undefined ? `${opts.backupRoot}/.lock` : `${opts.backupRoot}/.lock-${rootKey(root)}`);
}

function rootKey(root: string): string {
  return sha256(resolve(root)).slice(0, 16);
}

/** Whether a backup's recorded root is this run's root (undefined: this machine, "/"). */
function sameRoot(a: string | undefined, b: string | undefined): boolean {
  const norm = (r: string | undefined) => (r === undefined || resolve(r) === '/' ? undefined : resolve(r));
  return norm(a) === norm(b);
}

export const DEFAULT_LOCK_DIR = '/run/lock/sshield';

/** The host-wide lock of a root: host.lock for "/", root-<hash>.lock for an offline root. */
export function hostLockPathOf(opts: Pick<PipelineOptions, 'lockDir'>, root?: string): string {
  const dir = opts.lockDir ?? DEFAULT_LOCK_DIR;
  return root === undefined ? `${dir}/host.lock` : `${dir}/root-${rootKey(root)}.lock`;
}

/** Runs `fn` holding the root's host-wide lock (waiting for another run) and then the backup directory's lock. */
export async function withRunLocks<T>(host: ApplyHost, opts: PipelineOptions, root: string | undefined, fn: () => Promise<T>): Promise<T> {
  const hostLock = hostLockPathOf(opts, root);
  const lockDir = hostLock.slice(0, hostLock.lastIndexOf('/'));
  const distrust = host.untrustedDir ? await host.untrustedDir(lockDir) : undefined;
  if (distrust) throw new Error(`lock directory not trusted: ${distrust.replace(/--backup-dir/g, 'lock directory')}`);
  return withLock(host, hostLock, () => withLock(host, lockPathOf(opts, root), fn), opts.lockWaitMs ?? 120_000, opts.abort);
}

/** Applies a plan under the lock, after recovering whatever an earlier killed run left behind. */
export async function applyPlan(host: ApplyHost, plan: Plan, opts: PipelineOptions): Promise<ApplyOutcome> {
  const blocking = blockingGuards(plan);
  if (blocking.length) return { status: 'refused', reason: blocking.map((g) => `${g.message} (override: ${g.overrideFlag})`).join('; ') };
  if (plan.files.length === 0 && stepsOf(plan).length === 0) return { status: 'nothing-to-do' };
  const distrust = await untrustedBackupRoot(host, opts.backupRoot);
  if (distrust) return { status: 'refused', reason: distrust };
  return withRunLocks(host, opts, plan.root, async () => {
    const recovered: string[] = [];
    const pending = await recoverUnlocked(host, opts, recovered, plan.root);
    if (pending) return pending;
    // The plan was made on files an interrupted run had half changed: they are restored now, so
    // the plan no longer describes them (callers recover before planning; this is the safety net).
    if (recovered.length) return { status: 'stale', reason: `recovered the interrupted run(s) ${recovered.join(', ')}; plan again` };
    const h = confine(host, plan.root);
    const canonical = await canonicalPlan(h, plan);
    if (typeof canonical === 'string') return { status: 'refused', reason: canonical };
    try {
      return await applyUnlocked(h, canonical, opts);
    } catch (e) {
      if (!(e instanceof Interrupted)) throw e;
      return finishInterrupted(host, opts, plan.root, e);
    }
  });
}

/**
 * A run asked to stop (SIGINT/SIGTERM) ends as a killed one would after the next run's recovery:
 * the same journal-driven code (recoverUnlocked) undoes it, or commits a change that was already
 * verified, while this run still holds the locks; the outcome says which.
 */
async function finishInterrupted(host: ApplyHost, opts: PipelineOptions, rootOfRun: string | undefined, e: Interrupted): Promise<ApplyOutcome> {
  const { abort: _abort, onStep: _onStep, ...quiet } = opts;
  if (e.backupId === undefined) return { status: 'failed', step: e.step, reason: `${e.message} before anything was changed`, rolledBack: true };
  await recoverUnlocked(host, quiet, [], rootOfRun, `${e.message}, finished by this run as a later run's recovery would`);
  const j = (await loadBackup(host, opts.backupRoot, e.backupId))?.journal;
  if (j?.phase === 'committed') return { status: 'applied', backupId: e.backupId, notes: [`${e.message} after the change was verified: it was kept (committed)`] };
  if (j?.phase === 'rolled-back') return { status: 'failed', step: e.step, reason: `${e.message} at step ${e.step}; the change was undone (${j.error ?? ''})`, backupId: e.backupId, rolledBack: true };
  return { status: 'failed', step: e.step, reason: `${e.message} at step ${e.step}`, backupId: e.backupId, rolledBack: false, rollbackError: j?.error ?? `the journal is at "${j?.phase ?? 'missing'}": the next sshield run recovers it` };
}

/**
 * Backups, journals and the lock are trusted only in a directory no one but root can write:
 * otherwise a planted journal would make the next run "recover" arbitrary bytes into any file.
 */
async function untrustedBackupRoot(host: ApplyHost, root: string): Promise<string | undefined> {
  const why = host.untrustedDir ? await host.untrustedDir(root) : undefined;
  return why ? `backup directory not trusted: ${why}; nothing was changed or recovered` : undefined;
}

/** The host with the plan's offline root (if any) as a wall no read or write crosses. */
function confine(host: ApplyHost, root: string | undefined): ApplyHost {
  return root !== undefined && host.within ? host.within(root) : host;
}

/**
 * The plan with every file's host path resolved to where the change really lands: a root-owned
 * link to a root-owned file (a symlinked sshd_config or drop-in) is edited at its target and stays
 * a link, and the manifest records absolute canonical paths. A link the safe-path rules refuse
 * (owned by someone else, or leading to a file of someone else) refuses the plan.
 */
async function canonicalPlan(host: ApplyHost, plan: Plan): Promise<Plan | string> {
  if (!host.canonical) return plan;
  const files = [];
  for (const f of plan.files) {
    try {
      const real = await host.canonical(f.hostPath);
      files.push(real === f.hostPath ? f : { ...f, hostPath: real });
    } catch (e) {
      return `${f.hostPath}: ${(e as Error).message}; nothing was changed`;
    }
  }
  return { ...plan, files };
}

async function applyUnlocked(host: ApplyHost, plan: Plan, opts: PipelineOptions): Promise<ApplyOutcome> {
  const step = async (s: Step, d?: string) => {
    await opts.onStep?.(s, d);
    // A stop request ends the run at its next step boundary (never inside a rollback).
    if (opts.abort?.aborted && s !== 'rollback') throw new Interrupted(s, abortReason(opts.abort));
  };
  await step('recheck');
  for (const f of plan.files) {
    const cur = await currentSha(host, f.hostPath);
    if (cur !== f.beforeSha256) return { status: 'stale', reason: `${f.hostPath} changed since the plan was made; plan again` };
  }
  const steps = stepsOf(plan);
  for (const s of steps) {
    const why = await checkStep(host, s);
    if (why !== undefined) return { status: 'stale', reason: `${why} (since the plan was made: ${s.describe}); plan again` };
  }

  await step('backup');
  const root = opts.backupRoot;
  await host.mkdirp(root, 0o700);
  const id = await claimBackupId(host, root);
  const dir = backupDir(root, id);
  await host.mkdirp(`${dir}/files`, 0o700);
  let j: Journal = await writeJournal(host, root, undefined, id, 'preparing');
  const entries: ManifestEntry[] = [];
  for (const [i, f] of plan.files.entries()) {
    const existed = f.beforeSha256 !== null;
    const newSha256 = f.action === 'write' ? sha256(f.after) : null;
    if (existed) {
      const st = await host.fs.stat(f.hostPath);
      const r = await host.fs.readFile(f.hostPath);
      if (!st || !r.ok || sha256(r.bytes) !== f.beforeSha256) return { status: 'stale', reason: `${f.hostPath} changed while backing it up; plan again` };
      const copy = `files/${i}`;
      await host.writeFile(`${dir}/${copy}`, r.bytes, { mode: 0o600, ...stateOwner(host) });
      entries.push({ path: f.path, hostPath: f.hostPath, existed, sha256: f.beforeSha256, newSha256, mode: st.mode, uid: st.uid, gid: st.gid, copy });
    } else {
      entries.push({ path: f.path, hostPath: f.hostPath, existed, sha256: null, newSha256, mode: f.newFileMode, uid: f.newFileOwner?.uid ?? 0, gid: f.newFileOwner?.gid ?? 0 });
    }
  }
  const manifest: Manifest = {
    version: 1,
    id,
    created: new Date(host.now()).toISOString(),
    kind: plan.kind,
    configPath: plan.configPath,
    ...(plan.root !== undefined ? { root: plan.root } : {}),
    reload: plan.reload,
    // After a rollback only an answer is required: the old daemon's methods were never planned.
    ...(plan.verify ? { verify: { address: plan.verify.address, port: plan.verify.port, user: plan.verify.user } } : {}),
    ...(opts.confirmTimeoutSec !== undefined ? { confirmTimeoutSec: opts.confirmTimeoutSec } : {}),
    ...(opts.confirmTimeoutSec !== undefined && opts.madeFrom ? { madeFrom: opts.madeFrom } : {}),
    files: entries,
    ...(steps.length ? { steps } : {}),
  };
  await writeManifest(host, root, manifest);
  const phases: StepPhase[] = steps.map(() => 'pending');
  j = await writeJournal(host, root, j, id, 'backed-up', steps.length ? { steps: [...phases] } : {});
  const rec: BackupRecord = { id, dir, manifest, journal: j };
  const notes: string[] = [];
  // The admin's own login: tried now, before anything changes, and again after the reload (or,
  // for files sshd reads at every login, after the install): wherever a live daemon is named.
  const proving = opts.credential && liveDaemon(plan) && host.live ? opts.credential : undefined;
  const proofTarget = plan.verify
    ? { address: plan.verify.address, port: plan.verify.port, mainConfig: daemonOf(plan.configPath, plan.files).configPath, ...(opts.sshd ? { sshd: opts.sshd } : {}), dir: `${dir}/verify`, timeoutMs: opts.verifyTimeoutMs ?? 10_000 }
    : undefined;
  let credential: CredentialProof | undefined;
  const withProof = <T extends object>(o: T): T & { credential?: CredentialProof } => (credential ? { ...o, credential } : o);

  let failedStep: Step = 'validate';
  try {
    let pending: Awaited<ReturnType<typeof loginBefore>> | undefined;
    if (proving && proofTarget) {
      if (!('unavailable' in proving)) await step('prove', `before the change, as ${proving.identity.user}`);
      pending = await loginBefore(host, proving, proofTarget);
      if ('proof' in pending) credential = pending.proof;
    }
    if (!touchesSshdConfig(plan)) {
      // Nothing sshd parses changes (e.g. only authorized_keys files, which sshd reads at each
      // login, not at start): `sshd -t` would check the unchanged config, so there is nothing to
      // validate and nothing to note.
    } else if (host.live && opts.sshd) {
      await step('validate');
      const staged = await stageTree(host, plan, `${dir}/stage`);
      try {
        await step('validate', 'staged');
        const extraHostKey = opts.extraHostKey === 'throwaway' ? await throwawayHostKey(host, staged.dir) : opts.extraHostKey;
        const v = await validateStaged(host, staged.main, plan, { sshd: opts.sshd, ...(extraHostKey ? { extraHostKey } : {}) });
        if (!v.ok) throw new StepFailure('validate', v.reason);
      } finally {
        await host.removeTree(staged.dir).catch(() => undefined);
      }
    } else {
      notes.push('not validated by a real sshd (none fits this host or build): the engine prediction stands');
    }
    j = await writeJournal(host, root, j, id, 'validated');

    // Each step: 'started' is on disk before it runs, 'done' after, so a kill anywhere in between
    // is undone by the next run's recovery (every undo works from either side).
    const runSteps = async (stage: StepStage) => {
      failedStep = 'host-step';
      for (const [i, s] of steps.entries()) {
        if (s.stage !== stage) continue;
        phases[i] = 'started';
        j = await writeJournal(host, root, j, id, j.phase, { steps: [...phases] });
        await applyStep(host, s);
        phases[i] = 'done';
        j = await writeJournal(host, root, j, id, j.phase, { steps: [...phases] });
        await step('host-step', s.describe);
      }
    };
    await runSteps('before-files');

    failedStep = 'candidates';
    await step('candidates');
    for (const [i, f] of plan.files.entries()) {
      if (f.action !== 'write') continue;
      const e = entries[i]!;
      // A new drop-in may go into a directory the host lacks (Debian ships sshd_config.d, other
      // systems may not; git drops empty directories from example roots): create it root-owned.
      if (!e.existed) await host.mkdirp(dirname(f.hostPath), 0o755);
      await host.writeFile(f.hostPath + CANDIDATE_SUFFIX, textToBytes(f.after), { mode: f.mode ?? e.mode, uid: e.uid, gid: e.gid });
    }
    j = await writeJournal(host, root, j, id, 'staged');

    failedStep = 'install';
    j = await writeJournal(host, root, j, id, 'installing');
    for (const f of plan.files) {
      await step('install', f.path);
      await checkBeforeInstall(host, f);
      if (f.action === 'write') await host.rename(f.hostPath + CANDIDATE_SUFFIX, f.hostPath);
      else await host.remove(f.hostPath);
    }
    j = await writeJournal(host, root, j, id, 'installed');

    failedStep = 'reload';
    await step('reload');
    const r = await reloadDaemon(host, plan.reload, daemonOf(plan.configPath, plan.files, plan.verify?.port));
    if (!r.ok) throw new StepFailure('reload', r.reason, r.signalled);
    if (r.detail) notes.push(r.detail);
    j = await writeJournal(host, root, j, id, 'reloaded');

    if (plan.verify && plan.reload.kind !== 'none') {
      failedStep = 'verify';
      await step('verify');
      const v = await verifyDaemon(host, plan.verify, opts.verifyTimeoutMs);
      if (!v.ok) throw new StepFailure('verify', v.reason);
      if (v.detail) notes.push(`verified: ${v.detail}`);
    }
    // A change that owes the admin's own login is 'verified' only once that login got in: a run
    // killed (or stopped) before is undone by recovery, never committed unproven.
    const owed = pending && 'before' in pending && proofTarget ? { ...pending, target: proofTarget } : undefined;
    if (!owed) j = await writeJournal(host, root, j, id, 'verified');
    await runSteps('after-files');

    if (owed) {
      // After the shell changes too: a session must still open as it did before the change.
      failedStep = 'verify';
      await step('prove', `after the change, as ${owed.id.user}`);
      credential = await loginAfter(host, owed.id, owed.before, owed.target);
      if (credential.status === 'failed') throw new StepFailure('verify', credential.detail);
      j = await writeJournal(host, root, j, id, 'verified');
    }

    if (opts.confirmTimeoutSec !== undefined && (plan.reload.kind !== 'none' || liveDaemon(plan))) {
      failedStep = 'confirm-watch';
      await step('confirm-watch');
      const deadline = host.now() + opts.confirmTimeoutSec * 1000;
      j = await writeJournal(host, root, j, id, 'awaiting-confirm', { confirmDeadline: deadline });
      const pid = await host.spawnDetached(opts.watcherArgs?.(id) ?? ['confirm', '--watch', id, '--backup-dir', root]);
      j = await writeJournal(host, root, j, id, 'awaiting-confirm', { watcherPid: pid });
      return withProof({ status: 'applied' as const, backupId: id, confirmDeadline: deadline, notes });
    }
    await step('commit');
    await writeJournal(host, root, j, id, 'committed');
    return withProof({ status: 'applied' as const, backupId: id, notes });
  } catch (err) {
    // Stopped by a signal: leave the undo to recovery (applyPlan), as after a kill.
    if (err instanceof Interrupted) throw new Interrupted(err.step, err.message, id);
    const reason = err instanceof Error ? err.message : String(err);
    const s = err instanceof StepFailure ? err.step : failedStep;
    await step('rollback', reason);
    try {
      const latest = (await loadBackup(host, root, id)) ?? rec;
      const daemonUntouched = err instanceof StepFailure && err.step === 'reload' && err.signalled === false;
      const rb = await rollback(host, latest, opts, reason, { daemonUntouched });
      if (rb.daemonProblem) return withProof({ status: 'failed' as const, step: s, reason, backupId: id, rolledBack: false, rollbackError: rb.daemonProblem });
      return withProof({ status: 'failed' as const, step: s, reason: daemonUntouched ? `${reason}: the daemon keeps its previous configuration` : reason, backupId: id, rolledBack: true });
    } catch (rbErr) {
      const rollbackError = rbErr instanceof Error ? rbErr.message : String(rbErr);
      return withProof({ status: 'failed' as const, step: s, reason, backupId: id, rolledBack: false, rollbackError });
    }
  } finally {
    await host.removeTree(`${dir}/verify`).catch(() => undefined);
  }
}

/**
 * Whether a live daemon serves what this plan changes: one that is reloaded, or one that reads the
 * changed files at every login (authorized_keys: reload 'none', but a login target named). An
 * offline root has none. Only then can a login prove the change, or a confirm window undo it.
 */
function liveDaemon(plan: Plan): boolean {
  return plan.root === undefined && plan.verify !== undefined;
}

/** A fresh ed25519 host key inside the staging tree (root-only backup directory), gone with it. */
async function throwawayHostKey(host: ApplyHost, stage: string): Promise<string> {
  await host.mkdirp(`${stage}/.hostkey`, 0o700);
  const path = `${stage}/.hostkey/ssh_host_ed25519_key`;
  const r = await host.run('ssh-keygen', ['-q', '-N', '', '-t', 'ed25519', '-f', path], { timeoutMs: 30_000 });
  if (r.code !== 0) throw new StepFailure('validate', `cannot make a throwaway host key for sshd -t: ${(r.stderr || r.error || '').trim()}`);
  return path;
}

/**
 * The last look before a file is replaced: the live file must still be what was planned and
 * backed up (another program may have changed it while we validated), and the candidate must
 * hold exactly the intended bytes (a full disk or a lying file system must not install a
 * truncated file). Either failing stops the install; the caller rolls back what was installed.
 */
async function checkBeforeInstall(host: ApplyHost, f: Plan['files'][number]): Promise<void> {
  const cur = await currentSha(host, f.hostPath);
  if (cur !== f.beforeSha256) throw new StepFailure('install', `${f.hostPath} changed while this change was being prepared (another program or sshield run wrote it); this change was undone so theirs stays: plan again`);
  if (f.action !== 'write') return;
  const cand = await host.fs.readFile(f.hostPath + CANDIDATE_SUFFIX);
  if (!cand.ok || sha256(cand.bytes) !== sha256(f.after)) {
    throw new StepFailure('install', `the new ${f.hostPath} did not read back as written (${cand.ok ? `${cand.bytes.byteLength} of ${textToBytes(f.after).byteLength} bytes, sha256 mismatch` : cand.detail}); nothing of it was installed`);
  }
}

/**
 * Whether a plan changes anything sshd parses at start (and `sshd -t` checks): a file of the
 * config tree, or a deleted file (the tree lists files as they are after the change, so a deleted
 * include target is no longer in it), or any plan whose predicted `sshd -T` values are to be
 * checked. Only a plan that writes files outside the tree and predicts nothing is left out.
 */
export function touchesSshdConfig(plan: Plan): boolean {
  if (plan.predicted.length > 0) return true;
  const paths = new Set(plan.tree.map((t) => t.path));
  const hostPaths = new Set(plan.tree.map((t) => t.hostPath));
  return plan.files.some((f) => f.action === 'delete' || paths.has(f.path) || hostPaths.has(f.hostPath) || f.path === plan.configPath);
}

/**
 * Puts every file of a backup back as it was (only those that differ), removes candidates, and,
 * when the change may have reached the daemon, checks the restored config with `sshd -t` and
 * reloads. Idempotent: running it twice (e.g. after a crash during a rollback) is safe.
 */
export async function rollback(outer: ApplyHost, rec: BackupRecord, opts: PipelineOptions, why: string, ctx: { readonly daemonUntouched?: boolean } = {}): Promise<{ readonly daemonProblem?: string }> {
  const m = rec.manifest;
  const host = confine(outer, m?.root);
  const root = opts.backupRoot;
  if (!m) {
    await host.removeTree(`${rec.dir}/stage`);
    await writeJournal(host, root, rec.journal, rec.id, 'rolled-back', { error: `${why} (nothing had been changed)` });
    return {};
  }
  await host.removeTree(`${rec.dir}/stage`);
  // Host steps are undone in reverse: the 'after-files' ones before the files are restored (and
  // the daemon reloaded), the 'before-files' ones after, so sshd never serves a config whose
  // accounts or chroot directories are already gone; a package upgrade before the reload.
  const steps = m.steps ?? [];
  const phases: StepPhase[] = [...(rec.journal?.steps ?? steps.map(() => 'pending' as const))];
  let j = rec.journal;
  const left: string[] = [];
  const undoSteps = async (stage: StepStage, only: (s: PlanStep) => boolean = () => true) => {
    for (let i = steps.length - 1; i >= 0; i--) {
      const s = steps[i]!;
      if (s.stage !== stage || !only(s) || (phases[i] !== 'started' && phases[i] !== 'done')) continue;
      const note = await undoStep(host, s);
      if (note) left.push(note);
      phases[i] = 'undone';
      j = await writeJournal(host, root, j, rec.id, j?.phase ?? 'backed-up', { steps: [...phases] });
    }
  };
  await undoSteps('after-files');
  // The old packages go back before the daemon is reloaded below: a reload makes sshd re-execute
  // its binary, which must be the kept one again, never the failed upgrade's.
  await undoSteps('before-files', (s) => s.kind === 'install-packages');
  for (const e of m.files) await host.remove(e.hostPath + CANDIDATE_SUFFIX);
  const foreign: string[] = [];
  for (const e of m.files) {
    const cur = await currentSha(host, e.hostPath);
    if (cur === e.sha256) continue;
    // Only undo what this run installed: a file that is neither the old nor our new content was
    // written by someone else since (another run, an editor), and restoring it would lose that.
    if (cur !== e.newSha256) {
      foreign.push(e.hostPath);
      continue;
    }
    if (e.existed) await host.replaceFile(e.hostPath, await readBackupCopy(host, rec, e), { mode: e.mode, uid: e.uid, gid: e.gid });
    else await host.remove(e.hostPath);
  }
  const reached = rec.journal ? phaseIndex(rec.journal.phase) : 0;
  let error = why;
  if (foreign.length) error += `; left as they are, since something else changed them after this run: ${foreign.join(', ')}`;
  let daemonProblem: string | undefined;
  if (reached >= phaseIndex('installing') && m.reload.kind !== 'none' && host.live && !ctx.daemonUntouched) {
    // What the daemon runs if it cannot be reloaded now: the change's config once its reload went through.
    const running = reached >= phaseIndex('reloaded') ? "this change's configuration" : 'its previous configuration, unless the failed reload reached it';
    const mainHost = m.files.find((f) => f.path === m.configPath)?.hostPath ?? m.configPath;
    const t = opts.sshd ? await host.run(opts.sshd, ['-t', '-f', mainHost], { timeoutMs: 30_000 }) : { code: 0, stderr: '' };
    if (t.code !== 0) {
      daemonProblem = `the old files were restored, but they do not pass sshd -t (${t.stderr.trim()}), so the daemon was not reloaded: it still runs ${running}`;
    } else {
      const r = await reloadDaemon(host, m.reload, daemonOf(m.configPath, m.files, m.verify?.port));
      if (!r.ok) daemonProblem = `the old files were restored, but reloading the daemon failed (${r.reason}): it still runs ${running}; reload it by hand`;
      else if (m.verify) {
        const v = await verifyDaemon(host, m.verify, opts.verifyTimeoutMs);
        if (!v.ok) daemonProblem = `the old files were restored and the daemon reloaded, but a new connection fails: ${v.reason}`;
      }
    }
  }
  await undoSteps('before-files');
  if (left.length) error += `; ${left.join('; ')}`;
  if (daemonProblem) error += `; ${daemonProblem}`;
  await writeJournal(host, root, j, rec.id, 'rolled-back', { error });
  return daemonProblem ? { daemonProblem } : {};
}

/** Whether a change still awaits `sshield confirm`: its deadline is ahead and its watcher lives. */
async function awaitsConfirm(host: ApplyHost, j: Journal): Promise<boolean> {
  const watcherAlive = j.watcherPid !== undefined && (await host.signal(j.watcherPid, 0));
  return j.confirmDeadline !== undefined && host.now() < j.confirmDeadline && watcherAlive;
}

function pendingConfirm(id: string): ApplyOutcome {
  return { status: 'pending-confirm', backupId: id, reason: `change ${id} awaits confirmation: run \`sshield confirm\` (from a new login) or wait for its rollback` };
}

/** Recovers unfinished runs (caller holds the lock). Returns an outcome when a change awaits confirmation. */
async function recoverUnlocked(host: ApplyHost, opts: PipelineOptions, recovered: string[], root: string | undefined, cause = 'recovered by a later run'): Promise<ApplyOutcome | undefined> {
  for (const rec of await listBackups(host, opts.backupRoot)) {
    const j = rec.journal;
    // Only this root's runs: another root's backups are recovered by a run on that root, under
    // that root's lock (it may be running right now). A run that died before its manifest named
    // the root changed nothing; it is closed here unless its process still lives.
    if (rec.manifest ? !sameRoot(rec.manifest.root, root) : j !== undefined && !isTerminal(j.phase) && j.pid !== host.pid && (await host.signal(j.pid, 0))) {
      // Except that a change awaiting `sshield confirm` stops every changing command of this
      // backup directory (README "Outcomes"), whichever root it is on; that only reads.
      if (j?.phase === 'awaiting-confirm' && (await awaitsConfirm(host, j))) return pendingConfirm(rec.id);
      continue;
    }
    if (!j) {
      // Killed before the first journal write: nothing was changed, only an empty directory remains.
      await writeJournal(host, opts.backupRoot, undefined, rec.id, 'rolled-back', { error: 'interrupted before any change' });
      continue;
    }
    if (isTerminal(j.phase)) continue;
    await opts.onStep?.('recover', `${rec.id} (${j.phase})`);
    if (j.phase === 'awaiting-confirm') {
      if (await awaitsConfirm(host, j)) return pendingConfirm(rec.id);
      await rollback(host, rec, opts, 'not confirmed in time (recovered by a later run)');
      recovered.push(rec.id);
      continue;
    }
    // Verified and every host step done: only the commit record was missing. A step still
    // pending or started (an 'after-files' step) means the change is incomplete: undo it.
    const stepsDone = (j.steps ?? []).every((p) => p === 'done');
    if (j.phase === 'verified' && rec.manifest?.confirmTimeoutSec === undefined && stepsDone) {
      await writeJournal(host, opts.backupRoot, j, rec.id, 'committed');
      continue;
    }
    await rollback(host, rec, opts, `interrupted at phase "${j.phase}" (${cause})`);
    recovered.push(rec.id);
  }
  return undefined;
}

/**
 * Recovers the killed runs of one root (undefined: this machine) under that root's locks;
 * `sshield harden`/`restore` call applyPlan (which recovers too); this is for a bare recovery.
 */
export async function recover(host: ApplyHost, opts: PipelineOptions, root?: string): Promise<ApplyOutcome | undefined> {
  const distrust = await untrustedBackupRoot(host, opts.backupRoot);
  if (distrust) throw new Error(distrust);
  return withRunLocks(host, opts, root, () => recoverUnlocked(host, opts, [], root));
}
