// Confirm-or-roll-back. After `harden --confirm-timeout S` the journal says 'awaiting-confirm'
// with a deadline, and a detached watcher process (`sshield confirm --watch ID`, started through
// ApplyHost.spawnDetached, surviving the admin's session) waits for it. `sshield confirm`, run
// from a new login (which proves access still works), commits the change; when the deadline
// passes unconfirmed the watcher restores the backup and reloads. A watcher that died is covered
// by the next run's recovery (pipeline.ts).
import type { ApplyHost } from './host.js';
import { listBackups, loadBackup, writeJournal } from './backup.js';
import type { PipelineOptions } from './pipeline.js';
import { rollback, withRunLocks } from './pipeline.js';

export type ConfirmOutcome = { readonly status: 'confirmed'; readonly backupId: string } | { readonly status: 'nothing-pending' } | { readonly status: 'too-late'; readonly backupId: string };

export async function confirmChange(host: ApplyHost, opts: PipelineOptions): Promise<ConfirmOutcome> {
  return withRunLocks(host, opts, undefined, async () => {
    const all = await listBackups(host, opts.backupRoot);
    const pending = all.filter((b) => b.journal?.phase === 'awaiting-confirm');
    if (pending.length === 0) {
      const last = all.at(-1);
      if (last?.journal?.phase === 'rolled-back' && last.journal.confirmDeadline !== undefined) return { status: 'too-late', backupId: last.id };
      return { status: 'nothing-pending' };
    }
    let id = '';
    for (const b of pending) {
      const j = await writeJournal(host, opts.backupRoot, b.journal, b.id, 'committed');
      id = j.id;
      if (b.journal?.watcherPid !== undefined) await host.signal(b.journal.watcherPid, 'SIGTERM').catch(() => false);
    }
    return { status: 'confirmed', backupId: id };
  });
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
