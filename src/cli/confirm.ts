// `sshield confirm`: keeps a change made with `harden --confirm-timeout` (run it from a NEW
// login: that proves access still works). `--watch ID` is the detached watcher harden starts:
// it waits for the deadline and rolls the change back unless it was confirmed.
import type { Command } from '@commander-js/extra-typings';
import { openMachine } from '../apply/open-host.js';
import { DEFAULT_BACKUP_ROOT } from '../apply/backup.js';
import { confirmChange, watchConfirm } from '../apply/confirm.js';
import { EXIT } from './exit-codes.js';
import { processOutput } from './io.js';
import { versioned } from '../report/document.js';

export function register(program: Command): void {
  program
    .command('confirm')
    .description('Keep the change made by `harden --confirm-timeout`; without it the change is rolled back when the timeout expires.')
    .option('--backup-dir <dir>', 'where backups live', DEFAULT_BACKUP_ROOT)
    .option('--watch <id>', '(internal) run the rollback watcher for a backup')
    .option('--sshd <path>', 'the sshd binary that validates', '/usr/sbin/sshd')
    .option('--json', 'machine-readable output')
    .action(async (o) => {
      const host = await openMachine();
      const opts = { backupRoot: o.backupDir, sshd: o.sshd };
      if (o.watch) {
        const r = await watchConfirm(host, opts, o.watch);
        process.exitCode = r === 'rolled-back' ? EXIT.findings : EXIT.ok;
        return;
      }
      const r = await confirmChange(host, opts);
      const msg = r.status === 'confirmed' ? `Confirmed: change ${r.backupId} stays.` : r.status === 'too-late' ? `Too late: change ${r.backupId} was already rolled back.` : 'Nothing awaits confirmation.';
      if (o.json) processOutput.out(JSON.stringify(versioned('confirm', r)));
      else processOutput.out(msg);
      process.exitCode = r.status === 'confirmed' || r.status === 'nothing-pending' ? EXIT.ok : EXIT.refused;
    });
}
