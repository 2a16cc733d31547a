// `sshield backups`: lists the backups the apply pipeline made, oldest first, with the command that
// made each (its kind) and its state; on many hosts over SSH with --host/--inventory/--cluster
// (read-only: each host's backup directory gathered, nothing installed).
import type { Command } from '@commander-js/extra-typings';
import { defaultBackupDir } from './user-scope.js';
import { openMachine } from '../apply/open-host.js';
import { DEFAULT_BACKUP_ROOT } from '../apply/backup.js';
import { listBackupRows } from '../apply/backup-list.js';
import { EXIT } from './exit-codes.js';
import { color, processOutput } from './io.js';
import { versioned } from '../report/document.js';
import { backupsListView, renderListView } from '../report/lists.js';
import { fleetRequested, withFleetFlags, type FleetFlags } from './fleet.js';
import { runFleetList } from './list-fleet.js';
import { normalizePath } from '../fleet/snapshot.js';

export function register(program: Command): void {
  const cmd = program
    .command('backups')
    .description('List the backups made by harden, allow, user, keys and restore (each: id, kind, state, files, account and directory steps). Restore one with `sshield restore ID`. Without root: your own backups (of your keys), in ~/.local/state/sshield. On many hosts over SSH with --host/--inventory/--cluster (read-only, nothing installed; --backup-dir then names the directory on the hosts, default /var/backups/sshield).')
    .option('--backup-dir <dir>', 'where backups live (without root: your own state directory)', defaultBackupDir())
    .option('--json', 'machine-readable output');
  withFleetFlags(cmd).action(async (_o, c) => {
    const o = c.opts() as FleetFlags & { backupDir: string; json?: true };
    if (fleetRequested(o)) {
      // On the hosts the default is root's directory, whoever runs sshield here.
      // Remote paths are taken lexically ('..' drops the component before it), as every gathered read is.
      const given = c.getOptionValueSource('backupDir') === 'default' ? DEFAULT_BACKUP_ROOT : o.backupDir;
      if (!given.startsWith('/')) {
        processOutput.err(`sshield backups: --backup-dir ${given}: an absolute path on the hosts`);
        process.exitCode = EXIT.error;
        return;
      }
      const dir = normalizePath(given);
      process.exitCode = await runFleetList(processOutput, o, process.env, { command: 'backups', list: (exec) => listBackupRows(exec, dir), view: backupsListView, prefetch: [{ op: 'backups', arg: dir }] });
      return;
    }
    const listing = await listBackupRows(await openMachine(), o.backupDir);
    if (typeof listing === 'string') {
      processOutput.err(`sshield backups: ${listing}`);
      process.exitCode = EXIT.error;
      return;
    }
    if (o.json) processOutput.out(JSON.stringify(versioned('backups', listing), null, 2));
    else for (const line of renderListView(backupsListView(listing), color).out) processOutput.out(line);
    process.exitCode = EXIT.ok;
  });
}
