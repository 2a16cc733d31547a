// `sshield confirm`: keeps a change awaiting confirmation (--confirm-timeout, or the default window
// on a terminal inside an SSH session; run it from a NEW login: that proves access still works). The hidden `--watch ID` is the detached watcher harden starts:
// it waits for the deadline and rolls the change back unless it was confirmed.
import { lockDirFromEnv } from './change.js';
import { Option, type Command } from '@commander-js/extra-typings';
import { defaultBackupDir } from './user-scope.js';
import { confirmChange, watchConfirm } from '../apply/confirm.js';
import type { Outcome } from '../apply/outcome.js';
import type { Message } from '../report/outcome-json.js';
import { EXIT } from './exit-codes.js';
import { processOutput } from './io.js';
import { report } from './change.js';
import { openMachine } from '../apply/open-host.js';
import { sessionOfProcess } from './target.js';

export function register(program: Command): void {
  program
    .command('confirm')
    .description('Keep the change awaiting confirmation (a change made with --confirm-timeout, or by default on a terminal inside an SSH session); run it from a NEW login (from the SSH session that made the change it is refused). Without it the change is rolled back when the window ends.')
    .option('--backup-dir <dir>', 'where backups live (without root: your own state directory)', defaultBackupDir())
    .addOption(new Option('--watch <id>', '(internal) run the rollback watcher for a backup').hideHelp())
    .option('--sshd <path>', 'the sshd binary that validates', '/usr/sbin/sshd')
    .option('--json', 'machine-readable output (the change envelope)')
    .action(async (o) => {
      const host = await openMachine();
      const opts = { backupRoot: o.backupDir, sshd: o.sshd, ...lockDirFromEnv() };
      if (o.watch) {
        const r = await watchConfirm(host, opts, o.watch);
        process.exitCode = r === 'rolled-back' ? EXIT.findings : EXIT.ok;
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
