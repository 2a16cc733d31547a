// `sshield harden`: plan (diff per file), ask, then apply through the journaled pipeline.
// Exit codes: 0 applied / nothing to do / dry run, 2 error or failed (rolled back), 3 refused
// by a guard, declined, or no TTY without --yes.
import { validatorFor } from '../apply/validator.js';
import type { Command } from '@commander-js/extra-typings';
import { Option } from '@commander-js/extra-typings';
import { readFileSync } from 'node:fs';
import { hasSystemd } from '../host/executor.js';
import { sessionFromEnv } from '../host/session.js';
import { openHost } from '../apply/open-host.js';
import type { ApplyHost } from '../apply/host.js';
import { PROFILES, isBuiltinProfile } from '../policy/profiles.js';
import { formatPolicyError, parsePolicy, type Policy } from '../policy/policy-file.js';
import pkg from '../../package.json' with { type: 'json' };
import { EXIT } from './exit-codes.js';
import { NO_TTY_MESSAGE, confirm, processOutput, color } from './io.js';
import { buildHardenPlan } from '../apply/harden.js';
import { applyPlan, recover, type ApplyOutcome } from '../apply/pipeline.js';
import { testPause } from './test-hooks.js';
import { DEFAULT_BACKUP_ROOT } from '../apply/backup.js';
import { blockingGuards, type Plan } from '../apply/plan.js';
import { GUARDS } from '../apply/guards/index.js';
import { userInfo } from 'node:os';

export function renderPlan(plan: Plan): string {
  if (plan.files.length === 0) return `Nothing to change: every remediation the profile can apply is already in effect.\n${plan.notes.map((n) => `Note: ${n}\n`).join('')}`;
  const parts = plan.files.map((f) => `${f.diff}`);
  parts.push(`Rules fixed: ${plan.remediated.join(', ') || '(none)'}`);
  for (const n of plan.notes) parts.push(`Note: ${n}`);
  const pv = plan.predicted.filter((p) => p.label === 'global').map((p) => `${p.key} ${p.values.join(' ')}`);
  if (pv.length) parts.push(`Predicted (sshd -T): ${pv.join(', ')}`);
  const refused = plan.guards.filter((g) => !g.ok);
  for (const g of refused) parts.push(`${g.overridden ? 'Guard overridden' : 'REFUSED by guard'} ${g.id}: ${g.message}${g.overridden ? '' : ` (override: ${g.overrideFlag})`}`);
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
    .option('--profile <name|file>', 'baseline, proxmox, strict, or a YAML policy file (default: proxmox on PVE hosts, else baseline)')
    .option('--admin <user>', 'the admin account the audit evaluates (default: $SUDO_USER, else the first sudo member)')
    .option('--root <dir>', 'edit an offline root directory (never reloads)')
    .option('-f, --config <file>', 'sshd_config to harden (a test daemon started with -f FILE is reloaded by SIGHUP to its PidFile)')
    .option('--dry-run', 'print the plan (diff per file, guards) and stop; exit 0 (a guard that would refuse is reported on stderr and in --json)')
    .option('--yes', 'apply without asking')
    .option('--confirm-timeout <seconds>', 'keep the change only if `sshield confirm` runs within this many seconds')
    .option('--backup-dir <dir>', 'where backups and the journal live', DEFAULT_BACKUP_ROOT)
    .option('--sshd <path>', 'the sshd binary that validates candidates', '/usr/sbin/sshd')
    .option('--json', 'machine-readable output')
    .option('--allow-no-key-admin', 'apply even though passwords go off while no admin (root, sudo/wheel/admin) has a usable key')
    .option('--allow-session-lockout', 'apply even though this SSH session (SSH_CONNECTION) could not log in again')
    .option('--allow-user-lockout', 'apply even though the user running sshield (SUDO_USER) could not log in any more')
    .option('--allow-cluster-break', 'apply even though root from the PVE cluster nodes would be refused')
    .option('--allow-bad-chroot', 'apply even though sshd would refuse a ChrootDirectory (ownership/modes)')
    .option('--allow-hostkey-mismatch', 'apply even though no host key matches HostKeyAlgorithms')
    .addHelpText('after', '\nPreflight guards refuse (exit 3) a change that could lock someone out; each names the flag that overrides it:\n' + GUARDS.map((g) => `  ${g.flag.padEnd(26)} ${g.summary}`).join('\n') + '\n')
    .addHelpText('after', '\nExamples:\n  sshield harden --dry-run\n  sshield harden --profile proxmox --yes --confirm-timeout 120\n  sshield harden --root /mnt/image --yes\n')
    .action(async (o) => {
      process.exitCode = await runHarden(o);
    });
}

type HardenOpts = { profile?: string; admin?: string; root?: string; config?: string; dryRun?: true; yes?: true; confirmTimeout?: string; backupDir: string; sshd: string; json?: true } & Partial<Record<'allowNoKeyAdmin' | 'allowSessionLockout' | 'allowUserLockout' | 'allowClusterBreak' | 'allowBadChroot' | 'allowHostkeyMismatch', true>>;

/** The guard override flags given on the command line ("--allow-x" for allowX). */
function overridesOf(o: HardenOpts): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(o)) if (v === true && k.startsWith('allow')) out.add(`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  return out;
}

function osUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

async function runHarden(o: HardenOpts): Promise<number> {
  const io = processOutput;
  let policy: Policy | undefined;
  if (o.profile !== undefined) {
    if (isBuiltinProfile(o.profile)) policy = { profile: PROFILES[o.profile], source: 'builtin', waivers: [] };
    else {
      let text: string;
      try {
        text = readFileSync(o.profile, 'utf8');
      } catch (e) {
        io.err(`sshield harden: --profile ${o.profile}: not a built-in profile (baseline, proxmox, strict) and not a readable file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
        return EXIT.error;
      }
      const p = parsePolicy(text, o.profile);
      if (!p.ok) {
        io.err(p.errors.map((e) => `sshield harden: ${formatPolicyError(e)}`).join('\n'));
        return EXIT.error;
      }
      policy = p.policy;
    }
  }
  const timeout = o.confirmTimeout !== undefined ? Number(o.confirmTimeout) : undefined;
  if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 10 || timeout > 86_400)) {
    io.err('sshield harden: --confirm-timeout takes whole seconds between 10 and 86400');
    return EXIT.error;
  }
  const opened = await openHost({ ...(o.root !== undefined ? { root: o.root } : {}), ...(o.config !== undefined ? { file: o.config } : {}), cwd: process.cwd(), session: sessionFromEnv(process.env, osUser()) });
  if (!opened.ok) {
    io.err(`sshield harden: ${opened.message}`);
    return EXIT.error;
  }
  const t = opened.host;
  if (!o.dryRun) {
    // Undo what a killed earlier run left half done BEFORE planning: a plan made on half-changed
    // files would not describe them once the recovery restores them.
    try {
      const pending = await recover(t.machine, { backupRoot: o.backupDir, sshd: o.sshd });
      if (pending) {
        io.err(`sshield harden: ${describeOutcome(pending)}`);
        return outcomeExit(pending);
      }
    } catch (e) {
      io.err(`sshield harden: ${e instanceof Error ? e.message : String(e)}`);
      return EXIT.error;
    }
  }
  const today = process.env.SSHIELD_TODAY && /^\d{4}-\d{2}-\d{2}$/.test(process.env.SSHIELD_TODAY) ? process.env.SSHIELD_TODAY : undefined;
  const res = await buildHardenPlan({ fs: t.target.fs, configPath: t.mainPath, ...(t.root !== undefined ? { root: t.root } : {}), exec: t.target, ...(policy ? { policy } : {}), ...(o.admin ? { admin: o.admin } : {}), ...(today ? { today } : {}), version: pkg.version, systemd: !o.config && !o.root && (await hasSystemd(t.machine)), overrides: overridesOf(o), session: t.session });
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
  const blocking = blockingGuards(plan);
  if (blocking.length) {
    // A dry run only shows the plan (the issue fixes its exit code at 0); the guards' verdicts are
    // part of what it shows, so a script can still read them from --json (plan.guards).
    if (o.json && !o.dryRun) io.out(JSON.stringify({ ok: false, reason: 'refused by a guard', plan }, null, 2));
    const verb = o.dryRun ? 'would refuse' : 'refused';
    for (const g of blocking) io.err(`sshield harden: ${verb}: ${g.message} (override: ${g.overrideFlag})`);
    if (!o.dryRun) return EXIT.refused;
  }
  if (o.dryRun || plan.files.length === 0) return EXIT.ok;
  const answer = await confirm('Apply this change?', { ...(o.yes ? { yes: true } : {}) }, io);
  if (answer !== 'yes') {
    io.err(answer === 'no-tty' ? `sshield harden: ${NO_TTY_MESSAGE}` : 'sshield harden: declined; nothing changed');
    return EXIT.refused;
  }
  const host = t.machine;
  const validator = await validatorFor(t, o.sshd);
  if (validator.note && !o.json) io.err(`sshield harden: ${validator.note}`);
  const outcome = await applyPlan(host, plan, {
    backupRoot: o.backupDir,
    ...(validator.sshd ? { sshd: validator.sshd } : {}),
    ...(timeout !== undefined ? { confirmTimeoutSec: timeout } : {}),
    watcherArgs: (id) => ['confirm', '--watch', id, '--backup-dir', o.backupDir, '--sshd', o.sshd],
    ...(o.root && validator.sshd ? { extraHostKey: await throwawayKey(host) } : {}),
    onStep: async (s, d) => {
      if (!o.json && io.stderrIsTTY) io.err(color.dim(`… ${s}${d ? `: ${d}` : ''}`));
      await testPause(s);
    },
  });
  if (o.json) io.out(JSON.stringify({ outcome, plan }, null, 2));
  else io.out(describeOutcome(outcome));
  return outcomeExit(outcome);
}

async function throwawayKey(host: ApplyHost): Promise<string> {
  const dir = await host.tempDir('sshield-hostkey-');
  const path = `${dir}/ssh_host_ed25519_key`;
  await host.run('ssh-keygen', ['-q', '-N', '', '-t', 'ed25519', '-f', path]);
  return path;
}
