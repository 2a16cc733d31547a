// `sshield user nologin|add|sftp|list`: accounts without a shell, SFTP-only accounts locked in a
// chroot, and what every account can do over SSH. The user planner (src/users/change-plan.ts)
// makes the Plan (the Match block, typed host steps for the account, shell and chroot
// directories); the one change flow (./change.ts) journals, runs and undoes them with the files.
import type { Command } from '@commander-js/extra-typings';
import { loadHost } from '../host/loaded-host.js';
import { listAccounts } from '../users/list.js';
import { normaliseChrootPath } from '../users/chroot.js';
import { NOLOGIN, validUserName } from '../users/shell.js';
import { planUserChange } from '../users/change-plan.js';
import { hasSystemd } from '../host/executor.js';
import { renderUserChecks } from '../report/user-change.js';
import { versioned } from '../report/document.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { color, processOutput, type Output } from './io.js';
import { applyAndReport, recoverOrStop, report, sshdFor } from './change.js';
import { guardOverrides, withChangeFlags, type CommonChangeFlags } from './flags.js';
import { configOf, loadTarget, open } from './target.js';
import { USER_HELP } from './user-help.js';
import { orFleet } from './fleet-change.js';

type UserFlags = CommonChangeFlags & { create?: true; fixPermissions?: true; chroot?: string; upload?: string; nologin?: true } & Record<string, unknown>;

export function register(program: Command): void {
  const user = program.command('user').description('Accounts over SSH: nologin shells, SFTP-only chroot accounts, and who can log in').addHelpText('after', USER_HELP);
  const change = (op: 'nologin' | 'add' | 'sftp', c: Command<[string], Record<string, unknown>>) =>
    withChangeFlags(c).action(async (name, _o, cmd) => {
      process.exitCode = await orFleet(cmd, () => runUserChange(processOutput, op, name, cmd.opts() as unknown as UserFlags, process.env));
    });
  change('nologin', user.command('nologin').description(`Give NAME the shell ${NOLOGIN} and keep SFTP working (Match User block, no forwarding, no TTY)`).argument('<NAME>', 'account name'));
  change('add', user.command('add').description('Create an account; with --nologin it has no shell and is SFTP-only').argument('<NAME>', 'account name').option('--nologin', `shell ${NOLOGIN} plus the SFTP-only Match block`));
  change(
    'sftp',
    user
      .command('sftp')
      .description('Make NAME an SFTP-only account locked into a chroot directory')
      .argument('<NAME>', 'account name')
      .requiredOption('--chroot <DIR>', 'the chroot directory (absolute path)')
      .option('--create', 'create missing directories (root-owned, 0755) and the account if missing')
      .option('--fix-permissions', 'make every chroot component root-owned and not group/other-writable')
      .option('--upload <NAME>', 'writable subdirectory owned by the user', 'upload'),
  );
  user
    .command('list')
    .description('Each account: shell, password, can it log in over SSH, keys, restrictions')
    .option('--all', 'include system accounts')
    .option('-f, --file <FILE>', 'sshd_config to evaluate')
    .option('--root <DIR>', 'an offline root')
    .option('--json', 'machine-readable output')
    .action(async (o) => {
      process.exitCode = await runUserList(processOutput, o);
    });
}

function fail(io: Output, msg: string): ExitCode {
  io.err(`sshield: ${msg}`);
  return EXIT.error;
}

async function runUserList(io: Output, o: { all?: true; file?: string; root?: string; json?: true }): Promise<ExitCode> {
  const loaded = await loadTarget(o, {});
  if (typeof loaded === 'string') return fail(io, loaded);
  const { t } = loaded;
  const host = await loadHost(t.target, { mainPath: t.mainPath, facts: 'config' });
  const global = host.global();
  const listed = (global.get('denyusers')?.values ?? []).flatMap((v) => [...v.matchAll(/!([0-9a-fA-F.:]+(?:\/\d+)?)/g)].map((m) => m[1]!.split('/')[0]!));
  const accounts = await listAccounts({ host, addresses: ['203.0.113.77', ...new Set(listed)], all: Boolean(o.all) });
  if (typeof accounts === 'string') return fail(io, accounts);
  if (o.json) {
    io.out(JSON.stringify(versioned('user list', { config: t.mainPath, accounts }), null, 2));
    return EXIT.ok;
  }
  const rows = accounts.map((a) => [a.name, a.shell || '/bin/sh', a.password, a.canLogin, String(a.keys), a.restrictions.join(', ') || '-', a.why]);
  const head = ['USER', 'SHELL', 'PASSWORD', 'SSH', 'KEYS', 'RESTRICTIONS', 'WHY'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  io.out(color.bold(fmt(head)));
  for (const r of rows) io.out(fmt(r));
  return EXIT.ok;
}

async function runUserChange(io: Output, op: 'nologin' | 'add' | 'sftp', name: string, o: UserFlags, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const command = `user ${op}`;
  const fail = (reason: string): ExitCode => report(io, { command, outcome: { kind: 'error', reason } }, o);
  if (!validUserName(name)) return fail(`"${name}" is not a valid user name`);
  if (op === 'add' && !o.nologin) return fail('user add creates SFTP/no-shell accounts: pass --nologin (create login accounts with adduser)');
  let chroot: string | undefined;
  let uploadDir: string | undefined;
  if (op === 'sftp') {
    const c = normaliseChrootPath(o.chroot ?? '');
    if (!c.ok) return fail(c.message);
    chroot = c.path;
    const up = o.upload ?? 'upload';
    if (!/^[A-Za-z0-9._-]+$/.test(up) || up === '.' || up === '..') return fail(`--upload "${up}": one directory name`);
    uploadDir = `${chroot}/${up}`;
  }
  const t = await open(o, env);
  if (typeof t === 'string') return fail(t);
  const host = t.machine;
  const sshd = await sshdFor(host);
  const stop = await recoverOrStop(io, command, host, o, sshd, t.root);
  if (stop !== undefined) return stop;
  const cfg = await configOf(t);
  if (typeof cfg === 'string') return fail(cfg);
  const admin = t.session.user ?? 'root';
  const u = await planUserChange({
    op,
    user: name,
    ...(chroot ? { chroot } : {}),
    ...(uploadDir ? { uploadDir } : {}),
    create: Boolean(o.create),
    fixPermissions: Boolean(o.fixPermissions),
    target: t,
    fs: t.target.fs,
    mainPath: t.mainPath,
    cfg,
    self: t.root === undefined ? (t.session.names.length ? t.session.names : [admin]) : [],
    admin,
    systemd: await hasSystemd(host),
  });
  if (u.kind === 'refused') return report(io, { command, outcome: { kind: 'refused', reason: u.reason } }, o);
  return applyAndReport(io, { command, host, target: t.target, plan: u.plan, guard: { host: cfg.host, overrides: guardOverrides(o), session: t.session }, details: u.details, ...(u.refusal ? { refusal: u.refusal } : {}), extraText: () => renderUserChecks(u.userPlan, color), flow: { ...(sshd ? { sshd } : {}) } }, o);
}
