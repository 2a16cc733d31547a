// `sshield user nologin|add|sftp|list`: accounts without a shell, SFTP-only accounts locked in a
// chroot, and what every account can do over SSH. The planner (src/users/plan.ts) returns the
// config change and typed host steps (useradd, usermod, chroot directories); the one writer
// (src/apply/pipeline.ts, via ./allow.ts runPlan) journals, runs and undoes them with the files:
// accounts and directories before the files are installed, so sshd never serves a Match block
// whose chroot it would refuse, the shell change after the change is verified. Under --root
// nothing is executed on the host's accounts: useradd --prefix DIR, and /etc/passwd inside DIR
// is edited through the same pipeline.
import { Command } from '@commander-js/extra-typings';
import { DEFAULT_BACKUP_ROOT } from '../apply/backup.js';
import { recover } from '../apply/pipeline.js';
import { findSshd } from '../host/executor.js';
import type { Plan, PredictedValue } from '../apply/plan.js';
import { buildPlan, evaluateWith, loadConfig, memoEvaluate, memoEvaluateFiles, type LoadedConfig } from '../allow/engine.js';
import { parseSshdConfig } from '../sshd/parser.js';
import { findKeyword } from '../sshd/keywords/index.js';
import { listAccounts } from '../users/list.js';
import { planUser, type UserPlan } from '../users/plan.js';
import { normaliseChrootPath } from '../users/chroot.js';
import { expectedValues } from '../users/match-block.js';
import { matchAddressSamples } from '../allow/planner.js';
import { NOLOGIN, validUserName } from '../users/passwd.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { color, processOutput, type Output } from './io.js';
import { adminOf, clusterAddresses, daemonOf, renderPlanText, runPlan, targetOf, type ChangeFlags, type Target } from './allow.js';
import { versioned } from '../report/document.js';
import { sessionFromEnv } from '../host/session.js';

type UserFlags = ChangeFlags & { create?: true; fixPermissions?: true; chroot?: string; upload?: string; nologin?: true };

const USER_HELP = `
What each command does:
  nologin NAME   shell -> ${NOLOGIN} (usermod; under --root DIR/etc/passwd is edited, other
                 bytes untouched) and a "Match User NAME" block at the end of sshd_config:
                 ForceCommand internal-sftp (SFTP keeps working: sftp-server would otherwise be
                 started through the nologin shell), no forwarding, no TTY.
  add NAME --nologin
                 useradd -m -s ${NOLOGIN} NAME, then the same block.
  sftp NAME --chroot DIR [--create]
                 the block plus ChrootDirectory DIR. sshd demands that DIR and every parent be
                 root-owned and not writable by group/others (session.c safely_chroot); this is
                 checked before anything is reloaded: --create makes missing directories,
                 --fix-permissions repairs owner/mode, otherwise it refuses with the exact fix.
                 DIR/upload (--upload NAME) is created owned by the user: the writable place.
  list           per account: shell, password state, whether it can log in (access lists
                 evaluated with the effective config), keys, restrictions.
Refuses root and the account running the command (exit 3). Changes show a diff first, take
--dry-run and --yes, -f FILE for a daemon started with -f (reloaded via its PidFile), and
--root DIR for an offline root (files only, no reload).

Examples:
  sshield user nologin backup --dry-run
  sshield user add upload-bot --nologin --yes
  sshield user sftp alex --chroot /srv/sftp/alex --create --yes
  sshield user list --json`;

export function register(program: Command): void {
  const user = program.command('user').description('Accounts over SSH: nologin shells, SFTP-only chroot accounts, and who can log in').addHelpText('after', USER_HELP);
  user
    .command('nologin')
    .description(`Give NAME the shell ${NOLOGIN} and keep SFTP working (Match User block, no forwarding, no TTY)`)
    .argument('<NAME>', 'account name')
    .option('-f, --file <FILE>', 'sshd_config of a daemon started with -f')
    .option('--root <DIR>', 'offline root: edit DIR/etc/passwd and DIR/etc/ssh/sshd_config, no reload')
    .option('--dry-run', 'show the plan, change nothing')
    .option('--yes', 'apply without asking')
    .option('--json', 'machine-readable output')
    .option('--backup-dir <DIR>', 'where backups and the journal live', DEFAULT_BACKUP_ROOT)
    .action(async (name, o) => {
      process.exitCode = await runUserChange(processOutput, 'nologin', name, o, process.env);
    });
  user
    .command('add')
    .description('Create an account; with --nologin it has no shell and is SFTP-only')
    .argument('<NAME>', 'account name')
    .option('--nologin', `shell ${NOLOGIN} plus the SFTP-only Match block`)
    .option('-f, --file <FILE>', 'sshd_config of a daemon started with -f')
    .option('--root <DIR>', 'offline root (useradd --prefix DIR), no reload')
    .option('--dry-run', 'show the plan, change nothing')
    .option('--yes', 'apply without asking')
    .option('--json', 'machine-readable output')
    .option('--backup-dir <DIR>', 'where backups and the journal live', DEFAULT_BACKUP_ROOT)
    .action(async (name, o) => {
      process.exitCode = await runUserChange(processOutput, 'add', name, o, process.env);
    });
  user
    .command('sftp')
    .description('Make NAME an SFTP-only account locked into a chroot directory')
    .argument('<NAME>', 'account name')
    .requiredOption('--chroot <DIR>', 'the chroot directory (absolute path)')
    .option('--create', 'create missing directories (root-owned, 0755) and the account if missing')
    .option('--fix-permissions', 'make every chroot component root-owned and not group/other-writable')
    .option('--upload <NAME>', 'writable subdirectory owned by the user', 'upload')
    .option('-f, --file <FILE>', 'sshd_config of a daemon started with -f')
    .option('--root <DIR>', 'offline root, no reload')
    .option('--dry-run', 'show the plan, change nothing')
    .option('--yes', 'apply without asking')
    .option('--json', 'machine-readable output')
    .option('--backup-dir <DIR>', 'where backups and the journal live', DEFAULT_BACKUP_ROOT)
    .action(async (name, o) => {
      process.exitCode = await runUserChange(processOutput, 'sftp', name, o, process.env);
    });
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

function fail(io: Output, msg: string, code: ExitCode = EXIT.error): ExitCode {
  io.err(`sshield: ${msg}`);
  return code;
}

export async function runUserList(io: Output, o: { all?: true; file?: string; root?: string; json?: true }): Promise<ExitCode> {
  const opened = await targetOf(o);
  if (!opened.ok) return fail(io, opened.message);
  const t = opened.host;
  const loaded = await loadConfig(t.target.fs, t.mainPath);
  if (!loaded.ok) return fail(io, loaded.message);
  const cfg = loaded.value;
  const global = await evaluateWith(cfg, new Map(), undefined);
  const listed = (global.get('denyusers')?.values ?? []).flatMap((v) => [...v.matchAll(/!([0-9a-fA-F.:]+(?:\/\d+)?)/g)].map((m) => m[1]!.split('/')[0]!));
  const evaluate = memoEvaluate(cfg);
  const accounts = await listAccounts({
    fs: t.target.fs,
    passwd: cfg.accounts.passwd,
    groups: cfg.accounts.groups,
    shadow: cfg.accounts.shadow,
    evaluate: (spec) => evaluate(cfg.main.text, spec),
    addresses: ['203.0.113.77', ...new Set(listed)],
    all: Boolean(o.all),
  });
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

export const USERS_DROPIN = '00-sshield-users.conf';

/** The first-read drop-in: <dir>/00-sshield-users.conf when the main file includes <dir>/*.conf. */
function dropInOf(cfg: LoadedConfig): { path: string; file: ReturnType<typeof parseSshdConfig>; exists: boolean } | undefined {
  for (const l of cfg.main.lines) {
    if (l.kind !== 'directive') continue;
    const k = findKeyword(l.keyword.value)?.name;
    if (k === 'Match') return undefined;
    if (k !== 'Include') continue;
    for (const a of l.args) {
      const m = /^(.*)\/\*\.conf$/.exec(a.value);
      if (!m || /[*?[]/.test(m[1]!)) continue;
      const dir = m[1]!.startsWith('/') ? m[1]! : `/etc/ssh/${m[1]}`;
      const path = `${dir}/${USERS_DROPIN}`;
      const existing = cfg.tree.files.get(path);
      return { path, file: existing ?? parseSshdConfig('', path), exists: existing !== undefined };
    }
  }
  return undefined;
}

export async function runUserChange(io: Output, op: 'nologin' | 'add' | 'sftp', name: string, o: UserFlags, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  if (!validUserName(name)) return fail(io, `"${name}" is not a valid user name`);
  if (op === 'add' && !o.nologin) return fail(io, 'user add creates SFTP/no-shell accounts: pass --nologin (create login accounts with adduser)');
  let chroot: string | undefined;
  let uploadDir: string | undefined;
  if (op === 'sftp') {
    const c = normaliseChrootPath(o.chroot ?? '');
    if (!c.ok) return fail(io, c.message);
    chroot = c.path;
    const up = o.upload ?? 'upload';
    if (!/^[A-Za-z0-9._-]+$/.test(up) || up === '.' || up === '..') return fail(io, `--upload "${up}": one directory name`);
    uploadDir = `${chroot}/${up}`;
  }
  const opened = await targetOf(o, env);
  if (!opened.ok) return fail(io, opened.message);
  const t = opened.host;
  if (!o.dryRun) {
    // Undo what a killed earlier run left half done (an account made, a config not installed)
    // BEFORE planning: a plan made on that host would take the half change as the starting point.
    try {
      const sshd = (await findSshd(t.machine, ['/usr/sbin/sshd'])) ?? undefined;
      const pending = await recover(t.machine, { backupRoot: o.backupDir ?? DEFAULT_BACKUP_ROOT, ...(sshd ? { sshd } : {}) });
      if (pending) return fail(io, pending.status === 'pending-confirm' ? pending.reason : `cannot recover an earlier run: ${JSON.stringify(pending)}`);
    } catch (e) {
      return fail(io, e instanceof Error ? e.message : String(e));
    }
  }
  const loaded = await loadConfig(t.target.fs, t.mainPath);
  if (!loaded.ok) return fail(io, loaded.message);
  const cfg = loaded.value;
  const session = sessionFromEnv(env);
  const admin = adminOf(session);
  const self = t.root === undefined ? (session.names.length ? [...session.names] : [admin]) : [];
  if (name === 'root' || self.includes(name)) {
    const why = name === 'root' ? 'refusing to restrict root: the administrator account must keep a shell' : `refusing to restrict ${name}: it is the account running this command (you would lose your shell)`;
    if (o.json) io.out(JSON.stringify({ command: `user ${op}`, user: name, status: 'refused', reason: why }, null, 2));
    return fail(io, `refused: ${why}`, EXIT.refused);
  }
  const account = cfg.accounts.passwd.find((p) => p.name === name);
  const dropIn = dropInOf(cfg);
  const plan0: UserPlan = await planUser({
    op,
    user: name,
    main: cfg.main,
    account,
    ...(t.root !== undefined && cfg.accounts.passwdText !== undefined ? { offlinePasswd: cfg.accounts.passwdText } : {}),
    ...(t.root !== undefined ? { root: t.root } : {}),
    ...(chroot ? { chroot } : {}),
    ...(uploadDir ? { uploadDir } : {}),
    create: Boolean(o.create),
    fixPermissions: Boolean(o.fixPermissions),
    stat: (p) => t.target.fs.stat(p),
    evaluate: memoEvaluateFiles(cfg),
    ...(dropIn ? { dropIn } : {}),
    protectedUsers: ['root', ...self],
    otherUser: name === 'root' ? admin : 'root',
    extraSamples: [...matchAddressSamples([...cfg.tree.files.values()]), ...(await clusterAddresses(t.target.fs)).addresses.map((a) => a.text.split('/')[0]!)],
  });
  const spec = { user: name, host: '127.0.0.1', addr: '127.0.0.1' };
  const want = expectedValues({ user: name, ...(chroot ? { chroot } : {}) });
  const predicted: PredictedValue[] = Object.entries(want).map(([key, v]) => ({ key, values: [v], label: `${name} from 127.0.0.1`, spec }));
  const daemon = await daemonOf(cfg, t);
  const changes = plan0.configChanges.map((c) => ({ ...c, reasons: [`user ${op} ${name}`] }));
  if (plan0.passwdAfter !== undefined && cfg.accounts.passwdText !== undefined) changes.push({ path: '/etc/passwd', before: cfg.accounts.passwdText, after: plan0.passwdAfter, edits: plan0.passwdEdits, reasons: [`shell of ${name} -> ${NOLOGIN}`] });
  const built = buildPlan({
    kind: 'user',
    cfg,
    ...(t.root !== undefined ? { root: t.root } : {}),
    changes,
    predicted,
    guards: [],
    notes: plan0.notes,
    reload: daemon.reload,
    ...(daemon.verify ? { verify: daemon.verify } : {}),
  });
  const plan: Plan = plan0.steps.length ? { ...built, steps: plan0.steps } : built;
  const json = {
    command: `user ${op}`,
    user: name,
    config: t.mainPath,
    actions: plan0.steps.map((a) => ({ kind: a.kind, describe: a.describe })),
    chroot: plan0.chroot ? { path: plan0.chroot.path, ok: plan0.chroot.ok, components: plan0.chroot.components.map((c) => ({ path: c.path, problems: c.problems })) } : undefined,
    proof: plan0.proof,
    refusals: plan0.refusals,
  };
  const render = () => {
    for (const a of plan0.steps) io.out(`${color.bold('action')}: ${a.describe}`);
    if (plan0.chroot) {
      for (const c of plan0.chroot.components) io.out(`chroot ${c.path}: ${c.problems.length ? color.red(c.problems.join(', ')) : color.green('ok (root-owned, not group/other-writable)')}`);
    }
    renderPlanText(io, plan);
    const okCount = plan0.proof.filter((p) => p.ok).length;
    io.out(`proof: ${okCount}/${plan0.proof.length} evaluated values as intended${okCount === plan0.proof.length ? '' : `; failing: ${plan0.proof.filter((p) => !p.ok).map((p) => `${p.identity} ${p.key}=${p.actual ?? 'unset'}`).join(', ')}`}`);
  };
  const refusal = plan0.refusals.length ? plan0.refusals.join('; ') : undefined;
  return runPlan(io, plan, o, t, json, render, refusal);
}
