// `sshield harden`: reads the flags, loads the policy, has the harden planner (src/apply/harden.ts)
// make the plan and hands it to the one change flow (./change.ts -> src/apply/flow.ts).
import { Command } from '@commander-js/extra-typings';
import type { ReadOnlyFs } from '../host/fs.js';
import { hasSystemd } from '../host/executor.js';
import type { Policy } from '../policy/policy-file.js';
import { builtinPolicy, policyFromFile, policyFromText } from './policy-option.js';
import { buildHardenPlan } from '../apply/harden.js';
import { GUARDS } from '../apply/guards/index.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { processOutput, type Output } from './io.js';
import { applyAndReport, recoverOrStop, report } from './change.js';
import { guardOverrides, hidden, withChangeFlags, type CommonChangeFlags } from './flags.js';
import { todayOverride } from './session.js';
import { open } from './target.js';
import { VERSION } from './version.js';
import { orFleet } from './fleet-change.js';

const HELP = `
Preflight guards refuse (exit 3) a change that could lock someone out; each names the flag that overrides it:
${GUARDS.map((g) => `  ${g.flag.padEnd(26)} ${g.summary}`).join('\n')}

Examples:
  sshield harden --dry-run
  sshield harden --profile proxmox --yes --confirm-timeout 120
  sshield harden --root /mnt/image --yes
`;

type HardenOpts = CommonChangeFlags & { profile?: string; profileText?: string; admin?: string; config?: string; sshd: string } & Record<string, unknown>;

export function register(program: Command): void {
  const c = program
    .command('harden')
    .description('Plan and apply the hardening of the profile: shows a diff per file, asks, backs up, validates with sshd -t, reloads, verifies with a new connection, rolls back on any failure.')
    .option('--profile <name|file>', 'baseline, proxmox, strict, or a YAML policy file (default: proxmox on PVE hosts, else baseline)')
    .option('--admin <user>', 'the admin account the audit evaluates (default: $SUDO_USER, else the first sudo member)')
    .option('--sshd <path>', 'the sshd binary that validates candidates', '/usr/sbin/sshd')
    .addOption(hidden('--config <file>', 'old spelling of -f/--file'))
    .addOption(hidden('--profile-text <YAML>', "a policy file's text (what `harden --profile FILE --host H` sends each host)"));
  withChangeFlags(c, 'sshd_config to harden (a test daemon started with -f FILE is reloaded by SIGHUP to its PidFile)');
  c.addHelpText('after', HELP).action(async (_o, cmd) => {
    process.exitCode = await orFleet(cmd, () => runHarden(processOutput, cmd.opts() as HardenOpts));
  });
}


/** The policy: a built-in profile, a policy file of this machine read through its file view, or a policy file's text. */
async function loadPolicy(io: Output, o: Pick<HardenOpts, 'profile' | 'profileText'>, machine: ReadOnlyFs): Promise<Policy | undefined | ExitCode> {
  if (o.profileText !== undefined) {
    if (o.profile !== undefined) return (io.err('sshield harden: give --profile or --profile-text, not both'), EXIT.error);
    return policyFromText(io, 'harden', o.profileText, 'the policy sent by the controller');
  }
  if (o.profile === undefined) return undefined;
  return builtinPolicy(o.profile) ?? (await policyFromFile(io, 'harden', o.profile, machine));
}

async function runHarden(io: Output, o: HardenOpts): Promise<ExitCode> {
  const command = 'harden';
  const file = o.file ?? o.config;
  const t = await open({ ...(file !== undefined ? { file } : {}), ...(o.root !== undefined ? { root: o.root } : {}) });
  if (typeof t === 'string') return report(io, { command, outcome: { kind: 'error', reason: t } }, o);
  const host = t.machine;
  const policy = await loadPolicy(io, o, host.fs);
  if (typeof policy === 'number') return policy;
  const stop = await recoverOrStop(io, command, host, o, o.sshd, t.root);
  if (stop !== undefined) return stop;
  const today = todayOverride();
  const res = await buildHardenPlan({
    fs: t.target.fs,
    configPath: t.mainPath,
    ...(t.root !== undefined ? { root: t.root } : {}),
    exec: t.target,
    ...(policy ? { policy } : {}),
    ...(o.admin ? { admin: o.admin } : {}),
    ...(today ? { today } : {}),
    version: VERSION,
    systemd: !file && !o.root && (await hasSystemd(host)),
    overrides: guardOverrides(o),
    session: t.session,
  });
  if (!res.plan) return report(io, { command, outcome: { kind: 'error', reason: res.ok ? 'no plan' : res.reason } }, o);
  const bk = o.backupDir;
  return applyAndReport(
    io,
    {
      command,
      host,
      target: t.target,
      plan: res.plan,
      ...(res.ok ? {} : { refusal: res.reason }),
      flow: { sshd: o.sshd, watcherArgs: (id) => ['confirm', '--watch', id, '--backup-dir', bk, '--sshd', o.sshd] },
    },
    o,
  );
}
