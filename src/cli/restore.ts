// `sshield restore [ID]`: the restore planner (src/apply/restore.ts) turns a backup into an
// ordinary plan; the one change flow validates, installs, reloads and verifies it (default: the
// newest backup). The restore itself is backed up.
import type { Command } from '@commander-js/extra-typings';
import { defaultBackupDir } from './user-scope.js';
import { openHost, openMachine } from '../apply/open-host.js';
import { listBackups, loadBackup } from '../apply/backup.js';
import { planRestore, restoreDetails } from '../apply/restore.js';
import { loadHost } from '../host/loaded-host.js';
import { isEmptyPlan } from '../apply/plan.js';
import type { ExitCode } from './exit-codes.js';
import { processOutput, type Output } from './io.js';
import { applyAndReport, recoverOrStop, report, type ChangeFlags } from './change.js';
import { guardOverrides, withGuardFlags, withVerifyFlags } from './flags.js';
import { sessionOfProcess } from './target.js';
import { orFleet } from './fleet-change.js';

type RestoreOpts = ChangeFlags & { sshd: string } & Record<string, unknown>;

export function register(program: Command): void {
  const c = program
    .command('restore')
    .argument('[id]', 'backup id from `sshield backups` (default: the newest)')
    .description('Restore the files of a backup (any kind: harden, allow, user, keys, restore); sshd config files are validated by sshd -t, then the daemon is reloaded and verified; the restore itself is backed up. Without root: your own backups (of your keys), in ~/.local/state/sshield.')
    .option('--backup-dir <dir>', 'where backups live (without root: your own state directory)', defaultBackupDir())
    .option('--sshd <path>', 'the sshd binary that validates', '/usr/sbin/sshd')
    .option('--dry-run', 'show what would be restored and stop')
    .option('--yes', 'restore without asking')
    .option('--json', 'machine-readable output (the change envelope)');
  withVerifyFlags(withGuardFlags(c)).action(async (id, o, cmd) => {
    process.exitCode = await orFleet(cmd, () => runRestore(processOutput, id, o as RestoreOpts));
  });
}

async function runRestore(io: Output, id: string | undefined, o: RestoreOpts): Promise<ExitCode> {
  const command = 'restore';
  const host = await openMachine();
  const pick = async () => (id ? await loadBackup(host, o.backupDir, id) : (await listBackups(host, o.backupDir)).filter((b) => b.manifest).at(-1));
  // Recovery of the root the backup was made on, under that root's lock; then the backup as recovery left it.
  const first = await pick();
  const stop = await recoverOrStop(io, command, host, o, o.sshd, first?.manifest?.root);
  if (stop !== undefined) return stop;
  const rec = first ? await loadBackup(host, o.backupDir, first.id) : await pick();
  if (!rec?.manifest) return report(io, { command, outcome: { kind: 'error', reason: rec ? `backup ${rec.id} has no manifest (its run was interrupted before changing anything)` : `${id ? `no backup "${id}"` : 'no backups'} in ${o.backupDir}` } }, o);
  const opened = await openHost({ ...(rec.manifest.root ? { root: rec.manifest.root } : {}), machine: host, session: sessionOfProcess() });
  if (!opened.ok) return report(io, { command, outcome: { kind: 'error', reason: `backup ${rec.id}: ${opened.message}` } }, o);
  const loaded = await loadHost(opened.host.target, { mainPath: rec.manifest.configPath, facts: 'config' });
  const plan = await planRestore(host, loaded, rec);
  return applyAndReport(io, { command, host, target: opened.host.target, plan, guard: { host: loaded, overrides: guardOverrides(o), session: opened.host.session }, details: await restoreDetails(host, rec), extraText: () => (!isEmptyPlan(plan) ? '' : `The files already match backup ${rec.id}.`), flow: { sshd: o.sshd } }, o);
}
