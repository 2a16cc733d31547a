// `sshield restore [ID]`: puts a backup's files back through the same validate/reload/verify
// pipeline as harden (default: the newest backup). Exit 0 restored, 2 failed, 3 declined.
import type { Command } from '@commander-js/extra-typings';
import { openHost, openMachine } from '../apply/open-host.js';
import { DEFAULT_BACKUP_ROOT, listBackups, loadBackup } from '../apply/backup.js';
import { planRestore } from '../apply/restore.js';
import { isEmptyPlan } from '../apply/plan.js';
import { applyPlan, recover } from '../apply/pipeline.js';
import { EXIT } from './exit-codes.js';
import { NO_TTY_MESSAGE, confirm, processOutput } from './io.js';
import { describeOutcome, outcomeExit } from './harden.js';

export function register(program: Command): void {
  program
    .command('restore')
    .argument('[id]', 'backup id from `sshield backups` (default: the newest)')
    .description('Restore the files of a backup (any kind: harden, allow, user, keys, restore); sshd config files are validated by sshd -t, then the daemon is reloaded and verified; the restore itself is backed up.')
    .option('--backup-dir <dir>', 'where backups live', DEFAULT_BACKUP_ROOT)
    .option('--sshd <path>', 'the sshd binary that validates', '/usr/sbin/sshd')
    .option('--dry-run', 'show what would be restored and stop')
    .option('--yes', 'restore without asking')
    .option('--json', 'machine-readable output')
    .action(async (id, o) => {
      const io = processOutput;
      const host = await openMachine();
      if (!o.dryRun) {
        // Finish what a killed run left half done before reading the current files (see harden).
        try {
          const pending = await recover(host, { backupRoot: o.backupDir, sshd: o.sshd });
          if (pending) {
            io.err(`sshield restore: ${describeOutcome(pending)}`);
            process.exitCode = outcomeExit(pending);
            return;
          }
        } catch (e) {
          io.err(`sshield restore: ${e instanceof Error ? e.message : String(e)}`);
          process.exitCode = EXIT.error;
          return;
        }
      }
      const rec = id ? await loadBackup(host, o.backupDir, id) : (await listBackups(host, o.backupDir)).filter((b) => b.manifest).at(-1);
      if (!rec) {
        io.err(`sshield restore: ${id ? `no backup "${id}"` : 'no backups'} in ${o.backupDir}`);
        process.exitCode = EXIT.error;
        return;
      }
      const opened = await openHost(rec.manifest?.root ? { root: rec.manifest.root } : {});
      if (!opened.ok) {
        io.err(`sshield restore: backup ${rec.id}: ${opened.message}`);
        process.exitCode = EXIT.error;
        return;
      }
      const plan = await planRestore(host, opened.host.target.fs, rec);
      if (!o.json) {
        io.out(isEmptyPlan(plan) ? `Nothing to restore: the files already match backup ${rec.id}.` : plan.files.map((f) => f.diff).join('\n'));
        for (const st of plan.steps ?? []) io.out(`step: ${st.describe}`);
        for (const n of plan.notes) io.out(`note: ${n}`);
      }
      if (o.dryRun || isEmptyPlan(plan)) {
        if (o.json) io.out(JSON.stringify({ backup: rec.id, plan }, null, 2));
        process.exitCode = EXIT.ok;
        return;
      }
      const answer = await confirm(`Restore backup ${rec.id}?`, { ...(o.yes ? { yes: true } : {}) }, io);
      if (answer !== 'yes') {
        io.err(answer === 'no-tty' ? `sshield restore: ${NO_TTY_MESSAGE}` : 'sshield restore: declined; nothing changed');
        process.exitCode = EXIT.refused;
        return;
      }
      const outcome = await applyPlan(host, plan, { backupRoot: o.backupDir, sshd: o.sshd });
      if (o.json) io.out(JSON.stringify({ backup: rec.id, outcome }, null, 2));
      else io.out(describeOutcome(outcome));
      process.exitCode = outcomeExit(outcome);
    });
}
