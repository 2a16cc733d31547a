// Confirm-or-roll-back. After a change with a confirm window (`--confirm-timeout S`, or by default
// on a terminal inside an SSH session: confirmWindowOf below) the journal says 'awaiting-confirm'
// with a deadline, and a detached watcher process (`sshield confirm --watch ID`, started through
// ApplyHost.spawnDetached, surviving the admin's session) waits for it. `sshield confirm`, run
// from a new login (which proves access still works), commits the change; when the deadline
// passes unconfirmed the watcher restores the backup and reloads. `sshield confirm --reject`
// (rejectChange) does the same at once, through the same rollback: a fleet run's controller whose
// new connection or peer check failed does not wait for the deadline. A watcher that died is
// covered by the next run's recovery (pipeline.ts).
import type { ApplyHost } from './host.js';
import { listBackups, loadBackup, writeJournal, type BackupRecord } from './backup.js';
import type { PipelineOptions } from './pipeline.js';
import { rollback, withRunLocks } from './pipeline.js';

export type ConfirmOutcome =
  | { readonly status: 'confirmed'; readonly backupId: string }
  | { readonly status: 'nothing-pending' }
  | { readonly status: 'too-late'; readonly backupId: string }
  | { readonly status: 'same-session'; readonly backupId: string; readonly session: string };

/** The same SSH session: the same client address and port to the same server address and port. */
export function sameSession(a: string, b: string): boolean {
  const f = (s: string) => s.trim().split(/\s+/).join(' ');
  return f(a) !== '' && f(a) === f(b);
}

/**
 * The backups whose change awaits confirmation, or, when there are none, why: the last change was
 * already rolled back at its deadline (too late) or nothing is pending.
 */
async function awaitingConfirm(host: ApplyHost, opts: PipelineOptions): Promise<BackupRecord[] | { readonly status: 'too-late'; readonly backupId: string } | { readonly status: 'nothing-pending' }> {
  const all = await listBackups(host, opts.backupRoot);
  const pending = all.filter((b) => b.journal?.phase === 'awaiting-confirm');
  if (pending.length > 0) return pending;
  const last = all.at(-1);
  if (last?.journal?.phase === 'rolled-back' && last.journal.confirmDeadline !== undefined) return { status: 'too-late', backupId: last.id };
  return { status: 'nothing-pending' };
}

/**
 * Keeps the changes awaiting confirmation. `from` is the SSH_CONNECTION of the session asking:
 * when it is the session that made a change, nothing is confirmed (only a NEW login proves that
 * access still works); a run outside SSH (a console) may confirm.
 */
export async function confirmChange(host: ApplyHost, opts: PipelineOptions, from?: string): Promise<ConfirmOutcome> {
  return withRunLocks(host, opts, undefined, async () => {
    const pending = await awaitingConfirm(host, opts);
    if (!Array.isArray(pending)) return pending;
    const same = from === undefined ? undefined : pending.find((b) => b.manifest?.madeFrom !== undefined && sameSession(b.manifest.madeFrom, from));
    if (same) return { status: 'same-session', backupId: same.id, session: from! };
    let id = '';
    for (const b of pending) {
      const j = await writeJournal(host, opts.backupRoot, b.journal, b.id, 'committed');
      id = j.id;
      if (b.journal?.watcherPid !== undefined) await host.signal(b.journal.watcherPid, 'SIGTERM').catch(() => false);
    }
    return { status: 'confirmed', backupId: id };
  });
}

export type RejectOutcome =
  | { readonly status: 'rolled-back'; readonly backupIds: readonly string[]; readonly problems: readonly string[] }
  | { readonly status: 'nothing-pending' }
  | { readonly status: 'too-late'; readonly backupId: string };

/**
 * Rolls back every change awaiting confirmation now, as the watcher would at its deadline (the
 * same rollback under the same locks), and stops its watcher. From any session: undoing a change
 * never needs the proof that confirming does. `why` goes into the journal.
 */
export async function rejectChange(host: ApplyHost, opts: PipelineOptions, why: string): Promise<RejectOutcome> {
  const pending = await awaitingConfirm(host, opts);
  if (!Array.isArray(pending)) return pending;
  const done: string[] = [];
  const problems: string[] = [];
  for (const b of pending) {
    const rolled = await withRunLocks(host, opts, b.manifest?.root, async () => {
      const again = await loadBackup(host, opts.backupRoot, b.id);
      if (again?.journal?.phase !== 'awaiting-confirm') return false;
      const r = await rollback(host, again, opts, why);
      if (r.daemonProblem) problems.push(`${b.id}: ${r.daemonProblem}`);
      return true;
    });
    if (!rolled) continue;
    done.push(b.id);
    if (b.journal?.watcherPid !== undefined) await host.signal(b.journal.watcherPid, 'SIGTERM').catch(() => false);
  }
  return done.length ? { status: 'rolled-back', backupIds: done, problems } : { status: 'nothing-pending' };
}

export type WatchOutcome = 'confirmed' | 'rolled-back' | 'gone';

/** The watcher's loop: returns once the change is confirmed, rolled back, or vanished. */
export async function watchConfirm(host: ApplyHost, opts: PipelineOptions, id: string, pollMs = 500): Promise<WatchOutcome> {
  for (;;) {
    const rec = await loadBackup(host, opts.backupRoot, id);
    const j = rec?.journal;
    if (!rec || !j) return 'gone';
    if (j.phase === 'committed') return 'confirmed';
    if (j.phase !== 'awaiting-confirm') return 'gone';
    const deadline = j.confirmDeadline ?? host.now();
    if (host.now() >= deadline) {
      return withRunLocks(host, opts, rec.manifest?.root, async () => {
        const again = await loadBackup(host, opts.backupRoot, id);
        if (again?.journal?.phase !== 'awaiting-confirm') return again?.journal?.phase === 'committed' ? 'confirmed' : 'gone';
        await rollback(host, again, opts, `not confirmed within the timeout`);
        return 'rolled-back';
      });
    }
    await host.sleep(Math.min(pollMs, deadline - host.now()));
  }
}

/** The confirm window a run gets when it is not told (netplan-try style), in seconds. */
export const DEFAULT_CONFIRM_WINDOW_SEC = 120;

/**
 * Why a run has (or has not) a confirm window: `flag` --confirm-timeout N; `ssh-terminal` the
 * default for a person at a terminal inside an SSH session (the one whose access the change may
 * cut); `opted-out` --confirm-timeout 0; `not-interactive` no terminal (scripts, Ansible: their
 * flags decide); `not-ssh` a terminal, but not over SSH (a console cannot be locked out by sshd).
 */
export type ConfirmWindow = { readonly seconds?: number; readonly why: 'flag' | 'ssh-terminal' | 'opted-out' | 'not-interactive' | 'not-ssh' };

/** The window from --confirm-timeout (a string as typed), the terminal and the session; a string: the flag is wrong. */
export function confirmWindowOf(o: { readonly given?: string; readonly interactive: boolean; readonly overSsh: boolean }): ConfirmWindow | string {
  if (o.given !== undefined) {
    const n = /^\d+$/.test(o.given.trim()) ? Number(o.given) : Number.NaN;
    if (n === 0) return { why: 'opted-out' };
    if (!Number.isInteger(n) || n < 10 || n > 86_400) return '--confirm-timeout takes whole seconds between 10 and 86400, or 0 for no confirm window';
    return { seconds: n, why: 'flag' };
  }
  if (!o.interactive) return { why: 'not-interactive' };
  if (!o.overSsh) return { why: 'not-ssh' };
  return { seconds: DEFAULT_CONFIRM_WINDOW_SEC, why: 'ssh-terminal' };
}
