// `sshield user nologin|add|sftp|list`: accounts without a shell, SFTP-only accounts locked in a
// chroot, and what every account can do over SSH. The user planner (src/users/change-plan.ts)
// makes the Plan (the Match block, typed host steps for the account, shell and chroot
// directories); the one change flow (./change.ts) journals, runs and undoes them with the files.
import type { Command } from '@commander-js/extra-typings';
import { userListing } from '../users/list.js';
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
import { configOf, open } from './target.js';
import { fleetRequested, withFleetFlags, type FleetFlags } from './fleet.js';
import { runFleetList } from './list-fleet.js';
import { renderListView, userListView } from '../report/lists.js';
import { DEFAULT_CONFIG } from '../apply/open-host.js';
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
  const listCmd = user
    .command('list')
    .description('Each account: shell, password, can it log in over SSH, keys, restrictions. On many hosts over SSH with --host/--inventory/--cluster (read-only, nothing installed).')
    .option('--all', 'include system accounts')
    .option('-f, --file <FILE>', 'sshd_config to evaluate')
    .option('--root <DIR>', 'an offline root')
    .option('--json', 'machine-readable output');
  withFleetFlags(listCmd).action(async (_o, cmd) => {
    process.exitCode = await runUserList(processOutput, cmd.opts() as UserListFlags, process.env);
  });
}

function fail(io: Output, msg: string): ExitCode {
  io.err(`sshield: ${msg}`);
  return EXIT.error;
}

type UserListFlags = FleetFlags & { all?: true; file?: string; root?: string; json?: true };

async function runUserList(io: Output, o: UserListFlags, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const all = Boolean(o.all);
  if (fleetRequested(o)) {
    if (o.root !== undefined || o.file !== undefined) return fail(io, 'user list: --root/-f name files on this machine; --host/--inventory/--cluster remote hosts: choose one');
    return runFleetList(io, o, env, { command: 'user list', list: (exec) => userListing(exec, { mainPath: DEFAULT_CONFIG, all }), view: userListView });
  }
  const t = await open(o, {});
  if (typeof t === 'string') return fail(io, t);
  const l = await userListing(t.target, { mainPath: t.mainPath, all });
  if (typeof l === 'string') return fail(io, l);
  if (o.json) {
    io.out(JSON.stringify(versioned('user list', l), null, 2));
    return EXIT.ok;
  }
  for (const line of renderListView(userListView(l), color).out) io.out(line);
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
