// `sshield upgrade [--dry-run] [--yes] [--root DIR] [--json] [--backup-dir DIR]`: what apt would
// install for openssh (candidates from the host's lists), the CVEs the candidate fixes (its
// changelog when apt can fetch it, else the data), then the one change flow (src/apply/pipeline.ts,
// step 'install-packages'): keep the installed .debs, apt-get install --only-upgrade, sshd -t,
// reload (sshd re-executes the new binary), a new connection; on failure the kept packages go back.
// Thin: facts in src/upgrade/facts.ts, the plan in src/upgrade/plan.ts.
import { Command } from '@commander-js/extra-typings';
import { EXIT, type ExitCode } from './exit-codes.js';
import { color, confirm, NO_TTY_MESSAGE, processOutput, type Output } from './io.js';
import { openHost } from '../apply/open-host.js';
import { applyPlan, type ApplyOutcome } from '../apply/pipeline.js';
import { recoverFirst } from '../apply/flow.js';
import { exitCodeOf, outcomeOfApply, type Outcome } from '../apply/outcome.js';
import { renderChangeJson } from '../report/outcome-json.js';
import { DEFAULT_BACKUP_ROOT } from '../apply/backup.js';
import type { ReloadTarget, VerifyExpectation } from '../apply/plan.js';
import { gatherUpgradeFacts } from '../upgrade/facts.js';
import { planUpgrade } from '../upgrade/plan.js';
import type { CredentialProof } from '../apply/credential.js';
import { defaultWindowMessage, lockDirFromEnv, proofOf } from './change.js';
import { guardStops } from './interrupt.js';
import { withVerifyFlags, type VerifyFlags } from './flags.js';
import { sessionOfProcess } from './target.js';
import { orFleet } from './fleet-change.js';

const SSHD = '/usr/sbin/sshd';
const CONFIG = '/etc/ssh/sshd_config';

interface Opts extends VerifyFlags { dryRun?: boolean; yes?: boolean; root?: string; json?: boolean; backupDir: string }

export async function runUpgrade(o: Opts, io: Output): Promise<ExitCode> {
  const session = sessionOfProcess();
  const proof = proofOf(io, o, session);
  if (typeof proof === 'string') {
    io.err(`sshield upgrade: ${proof}`);
    return EXIT.error;
  }
  const opened = await openHost(o.root ? { root: o.root } : {});
  if (!opened.ok) {
    io.err(`sshield upgrade: ${opened.message}`);
    return EXIT.error;
  }
  const { machine, target, root } = opened.host;
  // A killed earlier run (of this root) is finished first: its packages may be half upgraded.
  if (!o.dryRun) {
    const stop = await recoverFirst(machine, { backupRoot: o.backupDir, ...lockDirFromEnv(), ...(root === undefined ? { sshd: SSHD } : {}) }, root);
    if (stop) {
      io.err(`sshield upgrade: ${stop.kind}: ${'reason' in stop ? stop.reason : ''}`);
      return o.json ? (io.out(renderChangeJson({ command: 'upgrade', outcome: stop, messages: [] }).trimEnd()), exitCodeOf(stop)) : exitCodeOf(stop);
    }
  }
  const facts = await gatherUpgradeFacts(machine, target, root);
  let reload: ReloadTarget = { kind: 'none', why: 'offline root (--root)' };
  let verify: VerifyExpectation | undefined;
  if (root === undefined) {
    reload = (await machine.fs.stat('/run/systemd/system')) ? { kind: 'systemd', unit: 'ssh' } : { kind: 'pidfile', pidFile: '/run/sshd.pid' };
    const t = await machine.run(SSHD, ['-T', '-f', CONFIG], { timeoutMs: 30_000 });
    const port = Number(/^port (\d+)$/m.exec(t.stdout)?.[1] ?? 22);
    verify = { address: '127.0.0.1', port, user: 'sshield-probe' };
  }
  const up = planUpgrade({
    installed: facts.installed,
    candidates: facts.candidates,
    ...(facts.distro ? { distro: facts.distro } : {}),
    ...(facts.installedChangelog ? { installedChangelog: facts.installedChangelog } : {}),
    ...(facts.candidateChangelog ? { candidateChangelog: facts.candidateChangelog } : {}),
    ...(root !== undefined ? { root } : {}),
    configPath: CONFIG,
    sshd: SSHD,
    keepDir: root !== undefined ? '/var/backups/sshield-packages' : `${o.backupDir}/packages`,
    reload,
    ...(verify ? { verify } : {}),
  });
  const cve = (c: (typeof up.fixes)[number]) => ({ id: c.id, severity: c.severity, title: c.title, evidence: c.evidence.map((e) => `${e.kind}: ${e.text}`) });
  let credential: CredentialProof | undefined;
  const proofMessages = () => [
    ...(credential?.status === 'proven' ? [{ level: 'info' as const, text: `Proven with your credentials: ${credential.detail}.` }] : credential?.status === 'not-proven' ? [{ level: 'warning' as const, text: credential.detail }] : []),
    ...(windowArmed ? [{ level: 'info' as const, text: defaultWindowMessage(proof.window.seconds!, o.backupDir) }] : []),
  ];
  let windowArmed = false;
  const json = (outcome: Outcome): ExitCode => {
    io.out(renderChangeJson({ command: 'upgrade', outcome, ...(up.plan ? { plan: up.plan } : {}), details: summary, messages: [...summary.notes.map((text) => ({ level: 'info' as const, text })), ...proofMessages()], ...(credential ? { credential } : {}) }).trimEnd());
    return exitCodeOf(outcome);
  };
  const summary = { from: up.from, ...(up.to ? { to: up.to } : {}), packages: up.plan?.steps?.[0]?.kind === 'install-packages' ? up.plan.steps[0].packages : {}, fixes: up.fixes.map(cve), remaining: up.remaining.map((c) => c.id), notes: [...facts.notes, ...(up.plan?.notes ?? [])] };
  if (!up.plan) {
    if (o.json) return json({ kind: 'nothing-to-do' });
    io.out(`Nothing to do: ${up.nothingToDo}.${up.remaining.length ? ` Exposed with no fix yet: ${up.remaining.map((c) => c.id).join(', ')}.` : ''}`);
    return EXIT.ok;
  }
  if (!o.json) {
    io.out(`openssh ${up.from} -> ${up.to}${root ? ` in ${root}` : ''}`);
    io.out(`  ${up.plan.steps![0]!.describe}`);
    io.out(up.fixes.length ? `  fixes ${up.fixes.length} CVE${up.fixes.length === 1 ? '' : 's'}:` : '  fixes no CVE sshield knows of');
    for (const c of up.fixes) io.out(`    ${c.id} (${c.severity}) ${c.title}${c.evidence.length ? color.dim(` [${c.evidence.at(-1)!.kind}: ${c.evidence.at(-1)!.text}]`) : ''}`);
    for (const n of summary.notes) io.out(color.dim(`  note: ${n}`));
  }
  if (o.dryRun) {
    if (o.json) return json({ kind: 'dry-run' });
    io.out('Dry run: nothing installed.');
    return EXIT.ok;
  }
  const answer = await confirm(`Upgrade openssh to ${up.to}?`, { yes: o.yes }, io);
  if (answer !== 'yes') {
    io.err(answer === 'no-tty' ? NO_TTY_MESSAGE : 'declined: nothing installed');
    return o.json ? json(answer === 'no-tty' ? { kind: 'no-tty' } : { kind: 'declined' }) : EXIT.refused;
  }
  // SIGINT/SIGTERM from here on stop the writer at its next step; it finishes from the journal
  // (an upgrade not yet verified: the kept packages go back), as after a kill.
  const stops = guardStops(io, 'upgrade');
  stops.applying();
  let outcome: ApplyOutcome;
  try {
    outcome = await applyPlan(machine, up.plan, {
      abort: stops.signal,
      ...lockDirFromEnv(),
      backupRoot: o.backupDir,
      ...(root === undefined ? { sshd: SSHD } : {}),
      ...(proof.window.seconds !== undefined ? { confirmTimeoutSec: proof.window.seconds } : {}),
      watcherArgs: (id) => ['confirm', '--watch', id, '--backup-dir', o.backupDir, ...(root === undefined ? ['--sshd', SSHD] : [])],
      credential: proof.credential,
      ...(session.sshConnection ? { madeFrom: session.sshConnection } : {}),
      onStep: (s, d) => {
        if (!o.json && io.stderrIsTTY) io.err(color.dim(`… ${s}${d ? `: ${d}` : ''}`));
      },
    });
  } catch (e) {
    io.err(`sshield upgrade: ${(e as Error).message}`);
    return o.json ? json({ kind: 'error', reason: (e as Error).message }) : EXIT.error;
  } finally {
    stops.dispose();
  }
  if ((outcome.status === 'applied' || outcome.status === 'failed') && outcome.credential) credential = outcome.credential;
  windowArmed = proof.window.why === 'ssh-terminal' && outcome.status === 'applied' && outcome.confirmDeadline !== undefined;
  if (o.json && outcome.status !== 'applied') io.err(`sshield upgrade: ${outcome.status}: ${'reason' in outcome ? outcome.reason : ''}`);
  if (o.json) return json(outcomeOfApply(outcome));
  for (const m of proofMessages()) if (m.level === 'info') io.out(m.text);
  else io.err(`sshield upgrade: ${m.text}`);
  if (outcome.status === 'applied') {
    const confirmBy = outcome.confirmDeadline !== undefined ? ` Run \`sshield confirm${o.backupDir === DEFAULT_BACKUP_ROOT ? '' : ` --backup-dir ${o.backupDir}`}\` from a NEW login before ${new Date(outcome.confirmDeadline).toISOString()} or the upgrade is rolled back.` : '';
    io.out(`Upgraded openssh to ${up.to} (change ${outcome.backupId}; the installed packages were kept for a rollback).${confirmBy}${outcome.notes.length ? `\n  ${outcome.notes.join('\n  ')}` : ''}`);
    return EXIT.ok;
  }
  const reason = 'reason' in outcome ? outcome.reason : outcome.status;
  const rolled = outcome.status === 'failed' ? (outcome.rolledBack ? ' The kept packages were reinstalled.' : ` Rollback incomplete: ${outcome.rollbackError ?? ''}`) : '';
  io.err(`sshield upgrade: ${outcome.status}: ${reason}.${rolled}`);
  return outcome.status === 'refused' || outcome.status === 'pending-confirm' ? EXIT.refused : EXIT.error;
}

export function register(program: Command): void {
  const c = program
    .command('upgrade')
    .summary('upgrade openssh to the apt candidate through the safe change flow')
    .description('Show what apt would install for openssh (from the host\'s apt lists) and the CVEs it fixes, then upgrade through the one change flow: keep the installed packages, apt-get install --only-upgrade, sshd -t, reload (sshd re-executes the new binary), verify with a new connection; on failure the kept packages are reinstalled.')
    .option('--dry-run', 'only show the plan')
    .option('--yes', 'do not ask')
    .option('--root <dir>', 'an offline root (chroot; nothing is reloaded)')
    .option('--json', 'machine-readable output')
    .option('--backup-dir <dir>', 'where backups, the journal and the kept packages live', DEFAULT_BACKUP_ROOT)
    .addHelpText('after', '\nExit codes: 0 upgraded or nothing to do (or --dry-run); 2 failed (rolled back) or error; 3 declined, no TTY to ask on, or refused.\n');
  withVerifyFlags(c).action(async (opts, cmd) => {
    process.exitCode = await orFleet(cmd, () => runUpgrade(opts as Opts, processOutput));
  });
}
