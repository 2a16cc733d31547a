// `sshield backups`: lists the backups the apply pipeline made, newest last, with their state.
import type { Command } from '@commander-js/extra-typings';
import { localFs } from '../host/local-fs.js';
import { localApplyHost } from '../apply/local-host.js';
import { DEFAULT_BACKUP_ROOT, listBackups } from '../apply/backup.js';
import { EXIT } from './exit-codes.js';
import { processOutput } from './io.js';

export function register(program: Command): void {
  program
    .command('backups')
    .description('List the backups made by harden/restore (each: id, state, files). Restore one with `sshield restore ID`.')
    .option('--backup-dir <dir>', 'where backups live', DEFAULT_BACKUP_ROOT)
    .option('--json', 'machine-readable output')
    .action(async (o) => {
      const host = localApplyHost(localFs());
      const all = await listBackups(host, o.backupDir);
      const rows = all.map((b) => ({ id: b.id, kind: b.manifest?.kind ?? 'unknown', state: b.journal?.phase ?? 'unknown', created: b.manifest?.created, files: (b.manifest?.files ?? []).map((f) => ({ path: f.path, existed: f.existed, sha256: f.sha256, mode: f.mode.toString(8), uid: f.uid, gid: f.gid })) }));
      if (o.json) processOutput.out(JSON.stringify({ backupDir: o.backupDir, backups: rows }, null, 2));
      else if (rows.length === 0) processOutput.out(`No backups in ${o.backupDir}.`);
      else for (const r of rows) processOutput.out(`${r.id}  ${r.kind.padEnd(7)}  ${r.state.padEnd(16)}  ${r.files.map((f) => f.path + (f.existed ? '' : ' (new)')).join(', ')}`);
      process.exitCode = EXIT.ok;
    });
}
