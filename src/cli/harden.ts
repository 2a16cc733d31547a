// `sshield harden`: plan (diff per file), ask, then apply through the journaled pipeline.
// Exit codes: 0 applied / nothing to do / dry run, 2 error or failed (rolled back), 3 refused
// by a guard, declined, or no TTY without --yes.
import type { Command } from '@commander-js/extra-typings';
import { Option } from '@commander-js/extra-typings';
import { existsSync } from 'node:fs';
import { localFs } from '../host/local-fs.js';
import { rootFs } from '../host/root-fs.js';
import { EXIT } from './exit-codes.js';
import { NO_TTY_MESSAGE, confirm, processOutput, color } from './io.js';
import { localApplyHost } from '../apply/local-host.js';
import { buildHardenPlan } from '../apply/harden.js';
import { applyPlan, type ApplyOutcome } from '../apply/pipeline.js';
import { DEFAULT_BACKUP_ROOT } from '../apply/backup.js';
import type { Plan } from '../apply/plan.js';

export function renderPlan(plan: Plan): string {
  if (plan.files.length === 0) return 'Nothing to change: every setting of the profile is already in effect.\n';
  const parts = plan.files.map((f) => `${f.diff}`);
  parts.push(`Rules fixed: ${plan.remediated.join(', ') || '(none)'}`);
  const pv = plan.predicted.filter((p) => p.label === 'global').map((p) => `${p.key} ${p.values.join(' ')}`);
  if (pv.length) parts.push(`Predicted (sshd -T): ${pv.join(', ')}`);
  parts.push(`Reload: ${plan.reload.kind === 'systemd' ? `systemctl reload ${plan.reload.unit}` : plan.reload.kind === 'pidfile' ? `SIGHUP to the pid in ${plan.reload.pidFile}` : `none (${plan.reload.why})`}`);
  return `${parts.join('\n')}\n`;
}

export function outcomeExit(o: ApplyOutcome): number {
  if (o.status === 'applied' || o.status === 'nothing-to-do') return EXIT.ok;
  if (o.status === 'refused' || o.status === 'pending-confirm') return EXIT.refused;
  return EXIT.error;
}

export function describeOutcome(o: ApplyOutcome): string {
  switch (o.status) {
    case 'applied':
      return `Applied (backup ${o.backupId}).${o.confirmDeadline ? ` Run \`sshield confirm\` from a NEW login before ${new Date(o.confirmDeadline).toISOString()} or the change is rolled back.` : ''}`;
    case 'nothing-to-do':
      return 'Nothing to change.';
    case 'refused':
      return `Refused: ${o.reason}`;
    case 'stale':
      return `Not applied: ${o.reason}`;
    case 'pending-confirm':
      return o.reason;
    case 'failed':
      return `Failed at ${o.step}: ${o.reason}. ${o.rolledBack ? 'The previous configuration was restored.' : `ROLLBACK FAILED: ${o.rollbackError}; backup ${o.backupId ?? '?'} holds the old files.`}`;
  }
}

export function register(program: Command): void {
  program
    .command('harden')
    .description('Plan and apply the hardening of the profile: shows a diff per file, asks, backs up, validates with sshd -t, reloads, verifies with a new connection, rolls back on any failure.')
    .addOption(new Option('--profile <name>', 'profile: baseline or proxmox').default('baseline'))
    .option('--root <dir>', 'edit an offline root directory (never reloads)')
    .option('-f, --config <file>', 'sshd_config to harden (a test daemon started with -f FILE is reloaded by SIGHUP to its PidFile)')
    .option('--dry-run', 'print the plan and stop')
    .option('--yes', 'apply without asking')
    .option('--confirm-timeout <seconds>', 'keep the change only if `sshield confirm` runs within this many seconds')
    .option('--backup-dir <dir>', 'where backups and the journal live', DEFAULT_BACKUP_ROOT)
    .option('--sshd <path>', 'the sshd binary that validates candidates', '/usr/sbin/sshd')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExamples:\n  sshield harden --dry-run\n  sshield harden --profile proxmox --yes --confirm-timeout 120\n  sshield harden --root /mnt/image --yes\n')
    .action(async (o) => {
      process.exitCode = await runHarden(o);
    });
}

async function runHarden(o: { profile: string; root?: string; config?: string; dryRun?: true; yes?: true; confirmTimeout?: string; backupDir: string; sshd: string; json?: true }): Promise<number> {
  const io = processOutput;
  if (o.profile !== 'baseline' && o.profile !== 'proxmox') {
    io.err(`sshield harden: unknown profile "${o.profile}" (use baseline or proxmox)`);
    return EXIT.error;
  }
  const timeout = o.confirmTimeout !== undefined ? Number(o.confirmTimeout) : undefined;
  if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 10 || timeout > 86_400)) {
    io.err('sshield harden: --confirm-timeout takes whole seconds between 10 and 86400');
    return EXIT.error;
  }
  const configPath = o.config ?? '/etc/ssh/sshd_config';
  const fs = o.root ? rootFs(o.root) : localFs();
  const res = await buildHardenPlan({ fs, configPath, ...(o.root ? { root: o.root } : {}), profile: o.profile, systemd: !o.config && !o.root && existsSync('/run/systemd/system') });
  if (!res.plan) {
    io.err(`sshield harden: ${res.ok ? 'no plan' : res.reason}`);
    return EXIT.error;
  }
  const plan = res.plan;
  if (o.json && (o.dryRun || !res.ok)) io.out(JSON.stringify({ ok: res.ok, ...(res.ok ? {} : { reason: res.reason }), plan }, null, 2));
  else if (!o.json) io.out(renderPlan(plan));
  if (!res.ok) {
    io.err(`sshield harden: refused: ${res.reason}`);
    return EXIT.refused;
  }
  if (o.dryRun || plan.files.length === 0) return EXIT.ok;
  const answer = await confirm('Apply this change?', { ...(o.yes ? { yes: true } : {}) }, io);
  if (answer !== 'yes') {
    io.err(answer === 'no-tty' ? `sshield harden: ${NO_TTY_MESSAGE}` : 'sshield harden: declined; nothing changed');
    return EXIT.refused;
  }
  const host = localApplyHost(localFs());
  const outcome = await applyPlan(host, plan, {
    backupRoot: o.backupDir,
    sshd: o.sshd,
    ...(timeout !== undefined ? { confirmTimeoutSec: timeout } : {}),
    watcherArgs: (id) => ['confirm', '--watch', id, '--backup-dir', o.backupDir, '--sshd', o.sshd],
    ...(o.root ? { extraHostKey: await throwawayKey(host) } : {}),
    onStep: o.json ? undefined : (s, d) => io.stderrIsTTY && io.err(color.dim(`… ${s}${d ? `: ${d}` : ''}`)),
  });
  if (o.json) io.out(JSON.stringify({ outcome, plan }, null, 2));
  else io.out(describeOutcome(outcome));
  return outcomeExit(outcome);
}

async function throwawayKey(host: ReturnType<typeof localApplyHost>): Promise<string> {
  const dir = await host.tempDir('sshield-hostkey-');
  const path = `${dir}/ssh_host_ed25519_key`;
  await host.run('ssh-keygen', ['-q', '-N', '', '-t', 'ed25519', '-f', path]);
  return path;
}
