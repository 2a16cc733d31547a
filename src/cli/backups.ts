// `sshield backups`: lists the backups the apply pipeline made, newest last, with the command that
// made each (its kind) and its state.
import type { Command } from '@commander-js/extra-typings';
import { defaultBackupDir } from './user-scope.js';
import { openMachine } from '../apply/open-host.js';
import { listBackups } from '../apply/backup.js';
import { EXIT } from './exit-codes.js';
import { processOutput } from './io.js';
import { versioned } from '../report/document.js';

/** Wide enough for every PlanKind ('restore' is the longest) and 'unknown'. */
const KIND_WIDTH = 7;

export function register(program: Command): void {
  program
    .command('backups')
    .description('List the backups made by harden, allow, user, keys and restore (each: id, kind, state, files, account and directory steps). Restore one with `sshield restore ID`. Without root: your own backups (of your keys), in ~/.local/state/sshield.')
    .option('--backup-dir <dir>', 'where backups live (without root: your own state directory)', defaultBackupDir())
    .option('--json', 'machine-readable output')
    .action(async (o) => {
      const host = await openMachine();
      const all = await listBackups(host, o.backupDir);
      const rows = all.map((b) => ({ id: b.id, kind: b.manifest?.kind ?? 'unknown', state: b.journal?.phase ?? 'unknown', created: b.manifest?.created, ...(b.manifest?.root !== undefined ? { root: b.manifest.root } : {}), files: (b.manifest?.files ?? []).map((f) => ({ path: f.path, ...(f.hostPath !== f.path ? { hostPath: f.hostPath } : {}), existed: f.existed, sha256: f.sha256, mode: f.mode.toString(8), uid: f.uid, gid: f.gid })), steps: (b.manifest?.steps ?? []).map((st, i) => ({ kind: st.kind, describe: st.describe, phase: b.journal?.steps?.[i] ?? 'unknown' })) }));
      if (o.json) processOutput.out(JSON.stringify(versioned('backups', { backupDir: o.backupDir, backups: rows }), null, 2));
      else if (rows.length === 0) processOutput.out(`No backups in ${o.backupDir}.`);
      // A change made with --root DIR changed DIR's files, not this machine's: say so first.
      else for (const r of rows) processOutput.out(`${r.id}  ${r.kind.padEnd(KIND_WIDTH)}  ${r.state.padEnd(16)}  ${'root' in r ? `in root ${r.root}: ` : ''}${[...r.files.map((f) => f.path + (f.existed ? '' : ' (new)')), ...r.steps.map((st) => `${st.describe} [${st.phase}]`)].join(', ')}`);
      process.exitCode = EXIT.ok;
    });
}
