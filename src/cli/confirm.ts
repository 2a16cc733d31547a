// `sshield confirm`: keeps a change awaiting confirmation (--confirm-timeout, or the default window
// on a terminal inside an SSH session; run it from a NEW login: that proves access still works).
// `--reject` rolls it back now instead (what a fleet run's controller does when its new connection
// or a peer check failed). The hidden `--watch ID` is the detached watcher harden starts: it
// waits for the deadline and rolls the change back unless it was confirmed.
import { lockDirFromEnv } from './change.js';
import { Option, type Command } from '@commander-js/extra-typings';
import { defaultBackupDir } from './user-scope.js';
import { confirmChange, rejectChange, watchConfirm } from '../apply/confirm.js';
import type { Outcome } from '../apply/outcome.js';
import type { Message } from '../report/outcome-json.js';
import { EXIT } from './exit-codes.js';
import { processOutput } from './io.js';
import { report } from './change.js';
import { openMachine } from '../apply/open-host.js';
import { sessionOfProcess } from './target.js';

const REJECT_HELP = `
--reject: the pending change is rolled back now, through the same backup, journal and rollback as
when the window ends unconfirmed (files restored, sshd validated and reloaded), and its watcher is
stopped. A fleet run (--host/--inventory/--cluster) uses it when its new connection to the host, or
a PVE peer's SSH check, fails after the change; when even that cannot reach the host, the host's
watcher rolls back at the deadline. With --json the envelope's outcome is "failed" at step
"confirm-watch" with rolledBack true (exit 2); nothing pending: "nothing-to-do" (exit 0).
`;

export function register(program: Command): void {
  program
    .command('confirm')
    .description('Keep the change awaiting confirmation (a change made with --confirm-timeout, or by default on a terminal inside an SSH session); run it from a NEW login (from the SSH session that made the change it is refused). Without it the change is rolled back when the window ends.')
    .option('--backup-dir <dir>', 'where backups live (without root: your own state directory)', defaultBackupDir())
    .addOption(new Option('--watch <id>', '(internal) run the rollback watcher for a backup').hideHelp())
    .option('--sshd <path>', 'the sshd binary that validates', '/usr/sbin/sshd')
    .option('--reject', 'roll the change back now instead of keeping it (the same rollback as at the end of the window: the files restored from the backup, sshd validated and reloaded); from any session')
    .option('--json', 'machine-readable output (the change envelope)')
    .addHelpText('after', REJECT_HELP)
    .action(async (o) => {
      const host = await openMachine();
      const opts = { backupRoot: o.backupDir, sshd: o.sshd, ...lockDirFromEnv() };
      if (o.watch) {
        const r = await watchConfirm(host, opts, o.watch);
        process.exitCode = r === 'rolled-back' ? EXIT.findings : EXIT.ok;
        return;
      }
      if (o.reject) {
        const r = await rejectChange(host, opts, 'rejected with `sshield confirm --reject`');
        // Rolled back: the host is as before the change (the envelope's outcome says "failed" at
        // step confirm-watch with rolledBack true, exit 2, as for a watcher's rollback); nothing
        // pending: nothing to do; too late: the watcher had already rolled it back.
        const outcome: Outcome =
          r.status === 'rolled-back'
            ? { kind: 'failed', step: 'confirm-watch', reason: `rejected: change ${r.backupIds.join(', ')} rolled back${r.problems.length ? ` (${r.problems.join('; ')})` : ''}`, backupId: r.backupIds.at(-1)!, rolledBack: true }
            : r.status === 'nothing-pending'
              ? { kind: 'nothing-to-do' }
              : { kind: 'stale', reason: `change ${r.backupId} was not confirmed in time and is rolled back` };
        const message: Message = r.status === 'rolled-back' ? { level: 'info', text: `Rejected: change ${r.backupIds.join(', ')} rolled back.` } : r.status === 'nothing-pending' ? { level: 'info', text: 'Nothing awaits confirmation.' } : { level: 'warning', text: `Too late: change ${r.backupId} was already rolled back.` };
        process.exitCode = report(processOutput, { command: 'confirm', outcome, messages: [message] }, { ...(o.json ? { json: true } : {}), backupDir: o.backupDir });
        return;
      }
      const r = await confirmChange(host, opts, sessionOfProcess().sshConnection);
      if (r.status === 'same-session') {
        const reason = `run \`sshield confirm\` from a NEW login: this is the SSH session that made change ${r.backupId} (${r.session}), and only a new login proves that access still works; the change still awaits confirmation`;
        process.exitCode = report(processOutput, { command: 'confirm', outcome: { kind: 'refused', reason } }, { ...(o.json ? { json: true } : {}), backupDir: o.backupDir });
        return;
      }
      // Confirmed: the change is kept (applied); nothing pending: nothing to do; too late: the
      // change was already rolled back, so nothing is kept (stale: plan and apply it again).
      const outcome: Outcome = r.status === 'confirmed' ? { kind: 'applied', backupId: r.backupId, notes: [] } : r.status === 'nothing-pending' ? { kind: 'nothing-to-do' } : { kind: 'stale', reason: `change ${r.backupId} was not confirmed in time and is rolled back` };
      const message: Message = r.status === 'confirmed' ? { level: 'info', text: `Confirmed: change ${r.backupId} stays.` } : r.status === 'nothing-pending' ? { level: 'info', text: 'Nothing awaits confirmation.' } : { level: 'warning', text: `Too late: change ${r.backupId} was already rolled back.` };
      process.exitCode = report(processOutput, { command: 'confirm', outcome, messages: [message] }, { ...(o.json ? { json: true } : {}), backupDir: o.backupDir });
    });
}
