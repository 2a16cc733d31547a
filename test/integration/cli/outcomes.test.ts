// One outcome table for every changing command, proven on the BUILT CLI (bin/sshield.js ->
// dist/sshield.cjs): harden, allow add|remove, user nologin|add|sftp, keys restrict|unrestrict,
// restore and confirm are run into every outcome that applies to them (applied, nothing to do,
// dry run, refused by a guard or the planner, declined at a real terminal, no TTY, stale, failed
// and rolled back, pending confirm, bad input) on offline --root copies, on -f configs, and on a
// live loopback sshd. Every run must exit with the code of the one table (src/apply/outcome.ts
// EXIT_OF, README "Outcomes of a change"), and with --json print the one envelope
// (schemas/change.schema.json) naming the command and that outcome; the text run of the same
// case exits the same. Cells left out are outcomes a command cannot reach (restore and confirm
// have no guards; `user add` of an existing account is a refusal, not nothing to do; keys has no
// sshd -t, reload or verify step to fail).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run, sshdAvailable, startSshd, type SshdInstance } from '../../helpers/sshd.js';
import { assertMatchesSchema } from '../../helpers/json-schema.js';
import { EXIT_OF, type OutcomeKind } from '../../../src/apply/outcome.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..');
const BIN = join(REPO, 'bin', 'sshield.js');
const skip = !sshdAvailable() && 'needs root and /usr/sbin/sshd';
const ED1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBP+2WDn8cx3oq2pI0kmJjvwbw8W0TmT3wSgZ6H1eL2F one';
const ENV = { NO_COLOR: '1', HOME: '/root', USER: 'root', LOGNAME: 'root', SSH_CONNECTION: undefined, SUDO_USER: undefined, SSH_USER_AUTH: undefined };
let dir = '';

before(() => {
  if (skip) return;
  execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO, stdio: 'ignore' });
  dir = mkdtempSync(join(tmpdir(), 'sshield-outcomes-'));
  chmodSync(dir, 0o755);
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let n = 0;
/** A small offline root: accounts, a main config that includes drop-ins, a key of `al`, a PVE cluster. */
function makeRoot(opts: { unknownNode?: boolean } = {}): string {
  const R = join(dir, `root-${++n}`);
  for (const d of ['etc/ssh/sshd_config.d', 'usr/sbin', 'home/al/.ssh', 'srv', 'etc/pve']) mkdirSync(join(R, d), { recursive: true, mode: 0o755 });
  writeFileSync(join(R, 'etc/ssh/sshd_config'), 'Include /etc/ssh/sshd_config.d/*.conf\n\nPermitRootLogin prohibit-password\nUsePAM yes\nSubsystem sftp /usr/lib/openssh/sftp-server\n');
  writeFileSync(join(R, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\nbob:x:1001:1001::/home/bob:/bin/bash\nal:x:1002:1002::/home/al:/bin/bash\n');
  writeFileSync(join(R, 'etc/group'), 'root:x:0:\nbob:x:1001:\nal:x:1002:\nusers:x:100:\n');
  writeFileSync(join(R, 'etc/shadow'), 'root:*:19000:0:99999:7:::\nbob:!:19000:0:99999:7:::\nal:!:19000:0:99999:7:::\n', { mode: 0o640 });
  writeFileSync(join(R, 'etc/gshadow'), 'root:*::\nbob:!::\nal:!::\nusers:*::\n', { mode: 0o640 });
  copyFileSync('/usr/sbin/nologin', join(R, 'usr/sbin/nologin'));
  writeFileSync(join(R, 'home/al/.ssh/authorized_keys'), `${ED1}\n`, { mode: 0o600 });
  const unknown = opts.unknownNode ? '  node {\n    name: pve3\n    nodeid: 3\n    ring0_addr: pve3-nowhere\n  }\n' : '';
  writeFileSync(join(R, 'etc/pve/corosync.conf'), `totem {\n  cluster_name: lab\n}\nnodelist {\n  node {\n    name: pve1\n    nodeid: 1\n    ring0_addr: 192.168.50.11\n  }\n${unknown}}\n`);
  return R;
}

function example(name: string): string {
  const R = join(dir, `${name}-${++n}`);
  cpSync(join(REPO, 'examples', name), R, { recursive: true, verbatimSymlinks: true });
  return R;
}

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function sshield(args: string[], env: Record<string, string | undefined> = {}): Promise<Result> {
  return run(process.execPath, [BIN, ...args], { env: { ...ENV, ...env }, timeoutMs: 120_000 });
}

/** Runs at a real terminal (util-linux `script` gives it a pty) and answers `answer` to the question. */
async function atTerminal(args: string[], answer: string): Promise<Result> {
  const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const r = await run('script', ['-qec', [process.execPath, BIN, ...args].map(q).join(' '), '/dev/null'], { input: `${answer}\n`, env: { ...ENV }, timeoutMs: 120_000 });
  const text = r.stdout.replaceAll('\r', '');
  const at = text.indexOf('\n{\n');
  return { code: r.code, stdout: at >= 0 ? text.slice(at + 1) : text, stderr: text };
}

/** Pauses the run at the writer's re-check, changes `file` meanwhile, then lets it go on. */
async function changedMeanwhile(args: string[], file: string, env: Record<string, string | undefined> = {}): Promise<Result> {
  const resume = join(dir, `resume-${++n}`);
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...ENV, ...env, SSHIELD_TEST_PAUSE_AT: 'recheck', SSHIELD_TEST_RESUME_FILE: resume } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  const paused = new Promise<void>((ok) =>
    child.stderr.on('data', (d) => {
      stderr += d;
      if (stderr.includes('sshield: paused at recheck#1')) ok();
    }),
  );
  const exited = new Promise<number | null>((ok) => child.on('exit', (c) => ok(c)));
  await Promise.race([paused, exited.then(() => assert.fail(`exited before the re-check: ${stdout}${stderr}`))]);
  writeFileSync(file, `${readFileSync(file, 'latin1')}# changed by someone else\n`, 'latin1');
  writeFileSync(resume, '');
  return { code: await exited, stdout, stderr };
}

/** The envelope and the exit code of the one table; `text` is the same case without --json. */
function check(label: string, r: Result, command: string, outcome: OutcomeKind, text?: Result): Record<string, unknown> & { outcome: Record<string, unknown> } {
  assert.equal(r.code, EXIT_OF[outcome], `${label}: exit ${r.code}, want ${EXIT_OF[outcome]} (${outcome})\n${r.stdout}\n${r.stderr}`);
  let doc: Record<string, unknown> & { outcome: Record<string, unknown> };
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    return assert.fail(`${label}: stdout is not one JSON document:\n${r.stdout}\n${r.stderr}`);
  }
  assertMatchesSchema('change', doc, label);
  assert.equal(doc.schemaVersion, 1, label);
  assert.equal(doc.command, command, label);
  assert.equal(doc.outcome.kind, outcome, `${label}: ${JSON.stringify(doc.outcome)}\n${r.stderr}`);
  assert.equal(doc.outcome.exitCode, EXIT_OF[outcome], label);
  if (text) {
    assert.equal(text.code, EXIT_OF[outcome], `${label} (text): exit ${text.code}\n${text.stdout}\n${text.stderr}`);
    assert.doesNotMatch(text.stdout, /^\{/, `${label} (text): no JSON without --json`);
  }
  return doc;
}

/** The case twice: with --json (envelope) and without (text), on a fresh fixture each time. */
async function both(label: string, command: string, outcome: OutcomeKind, make: () => string[]): Promise<Record<string, unknown> & { outcome: Record<string, unknown> }> {
  const j = await sshield([...make(), '--json']);
  const t = await sshield(make());
  return check(label, j, command, outcome, t);
}

test('every changing command on an offline root: applied, nothing to do, dry run, refused, no TTY, bad input', { skip, timeout: 600_000 }, async () => {
  const bk = () => ['--backup-dir', join(dir, `bk-${++n}`)];
  // harden
  await both('harden applied', 'harden', 'applied', () => ['harden', '--root', example('debian12-cloud'), '--profile', 'baseline', '--yes', ...bk()]);
  await both('harden nothing', 'harden', 'nothing-to-do', () => ['harden', '--root', example('hardened'), '--profile', 'baseline', '--yes', ...bk()]);
  await both('harden dry run', 'harden', 'dry-run', () => ['harden', '--root', example('debian12-cloud'), '--profile', 'baseline', '--dry-run']);
  const hr = await both('harden refused', 'harden', 'refused', () => ['harden', '--root', example('pve9-default'), '--profile', 'baseline', '--yes', ...bk()]);
  assert.match(String(hr.outcome.reason), /\(override: --allow-no-key-admin\)/);
  await both('harden no tty', 'harden', 'no-tty', () => ['harden', '--root', example('debian12-cloud'), '--profile', 'baseline', ...bk()]);
  const hw = await both('harden dry run that a guard would refuse', 'harden', 'dry-run', () => ['harden', '--root', example('pve9-default'), '--profile', 'baseline', '--dry-run']);
  assert.match(String(hw.outcome.wouldRefuse), /--allow-no-key-admin/);

  // allow add / remove
  for (const op of ['add', 'remove'] as const) {
    const cmd = `allow ${op}`;
    const listed = () => {
      const R = makeRoot();
      writeFileSync(join(R, 'etc/ssh/sshd_config'), `${readFileSync(join(R, 'etc/ssh/sshd_config'), 'latin1')}DenyUsers *@!203.0.113.0/24,!198.51.100.0/24,!192.168.50.11,*\n`);
      return R;
    };
    const root = op === 'add' ? makeRoot : listed;
    const a = await both(`${cmd} applied`, cmd, 'applied', () => ['allow', op, '203.0.113.0/24', '--root', root(), '--yes', ...bk()]);
    assert.equal((a.backup as { id: string } | null)?.id, String(a.outcome.backupId));
    const again = op === 'add' ? () => { const R = listed(); return ['allow', op, '203.0.113.0/24', '--root', R, '--yes', ...bk()]; } : () => ['allow', op, '192.0.2.0/24', '--root', listed(), '--yes', ...bk()];
    await both(`${cmd} nothing`, cmd, 'nothing-to-do', again);
    await both(`${cmd} dry run`, cmd, 'dry-run', () => ['allow', op, '203.0.113.0/24', '--root', root(), '--dry-run']);
    await both(`${cmd} no tty`, cmd, 'no-tty', () => ['allow', op, '203.0.113.0/24', '--root', root(), ...bk()]);
    await both(`${cmd} bad input`, cmd, 'error', () => ['allow', op, '10.0.0', '--root', root(), '--yes', ...bk()]);
  }
  const ar = await both('allow add refused (a cluster node nothing resolves)', 'allow add', 'refused', () => ['allow', 'add', '203.0.113.0/24', '--root', makeRoot({ unknownNode: true }), '--yes', ...bk()]);
  assert.match(String(ar.outcome.reason), /--allow-cluster-lockout/);

  // user nologin / add / sftp
  await both('user nologin applied', 'user nologin', 'applied', () => ['user', 'nologin', 'bob', '--root', makeRoot(), '--yes', ...bk()]);
  const twice = makeRoot();
  assert.equal((await sshield(['user', 'nologin', 'bob', '--root', twice, '--yes', ...bk()])).code, 0);
  await both('user nologin nothing', 'user nologin', 'nothing-to-do', () => ['user', 'nologin', 'bob', '--root', twice, '--yes', ...bk()]);
  await both('user nologin dry run', 'user nologin', 'dry-run', () => ['user', 'nologin', 'bob', '--root', makeRoot(), '--dry-run']);
  await both('user nologin refused (root)', 'user nologin', 'refused', () => ['user', 'nologin', 'root', '--root', makeRoot(), '--yes', ...bk()]);
  await both('user nologin no tty', 'user nologin', 'no-tty', () => ['user', 'nologin', 'bob', '--root', makeRoot(), ...bk()]);
  await both('user add applied', 'user add', 'applied', () => ['user', 'add', 'sshield-t-oc', '--nologin', '--root', makeRoot(), '--yes', ...bk()]);
  await both('user add refused (exists)', 'user add', 'refused', () => ['user', 'add', 'bob', '--nologin', '--root', makeRoot(), '--yes', ...bk()]);
  await both('user add dry run', 'user add', 'dry-run', () => ['user', 'add', 'sshield-t-oc', '--nologin', '--root', makeRoot(), '--dry-run']);
  await both('user add no tty', 'user add', 'no-tty', () => ['user', 'add', 'sshield-t-oc', '--nologin', '--root', makeRoot(), ...bk()]);
  await both('user add bad input', 'user add', 'error', () => ['user', 'add', 'bad name!', '--nologin', '--root', makeRoot(), '--yes', ...bk()]);
  const sftp = (R: string) => ['user', 'sftp', 'bob', '--chroot', '/srv/bob', '--create', '--root', R];
  await both('user sftp applied', 'user sftp', 'applied', () => [...sftp(makeRoot()), '--yes', ...bk()]);
  const once = makeRoot();
  assert.equal((await sshield([...sftp(once), '--yes', ...bk()])).code, 0);
  await both('user sftp nothing', 'user sftp', 'nothing-to-do', () => [...sftp(once), '--yes', ...bk()]);
  await both('user sftp dry run', 'user sftp', 'dry-run', () => [...sftp(makeRoot()), '--dry-run']);
  await both('user sftp refused (chroot not root-owned)', 'user sftp', 'refused', () => {
    const R = makeRoot();
    mkdirSync(join(R, 'srv/bob'), { mode: 0o777 });
    chmodSync(join(R, 'srv/bob'), 0o777);
    return ['user', 'sftp', 'bob', '--chroot', '/srv/bob', '--root', R, '--yes', ...bk()];
  });
  await both('user sftp no tty', 'user sftp', 'no-tty', () => [...sftp(makeRoot()), ...bk()]);

  // keys restrict / unrestrict
  const keys = (mode: string, R: string) => ['keys', mode, '--user', 'al', '--all', ...(mode === 'restrict' ? ['--options', 'no-pty'] : ['--options', 'no-pty']), '--root', R];
  const restricted = () => {
    const R = makeRoot();
    writeFileSync(join(R, 'home/al/.ssh/authorized_keys'), `no-pty ${ED1}\n`);
    return R;
  };
  for (const mode of ['restrict', 'unrestrict'] as const) {
    const cmd = `keys ${mode}`;
    const open = mode === 'restrict' ? makeRoot : restricted;
    const done = mode === 'restrict' ? restricted : makeRoot;
    const k = await both(`${cmd} applied`, cmd, 'applied', () => [...keys(mode, open()), '--yes', ...bk()]);
    const b = k.backup as { files: { copy: string | null }[] };
    assert.equal(b.files.length, 1);
    await both(`${cmd} nothing`, cmd, 'nothing-to-do', () => [...keys(mode, done()), '--yes', ...bk()]);
    await both(`${cmd} dry run`, cmd, 'dry-run', () => [...keys(mode, open()), '--dry-run']);
    await both(`${cmd} no tty`, cmd, 'no-tty', () => [...keys(mode, open()), ...bk()]);
    await both(`${cmd} bad input`, cmd, 'error', () => ['keys', mode, '--user', 'al', '--all', '--options', 'no-shell', '--root', open(), '--yes', ...bk()]);
  }
  const kr = await both('keys restrict refused (a link to a file of another account)', 'keys restrict', 'refused', () => {
    const R = makeRoot();
    writeFileSync(join(R, 'etc/other_keys'), `${ED1}\n`);
    chownSync(join(R, 'etc/other_keys'), 4242, 4242);
    rmSync(join(R, 'home/al/.ssh/authorized_keys'));
    symlinkSync('/etc/other_keys', join(R, 'home/al/.ssh/authorized_keys'));
    return [...keys('restrict', R), '--yes', ...bk()];
  });
  assert.match(String(kr.outcome.reason), /owned by uid 4242.*not following it/);

  // restore: the allow change of a root, put back; again: the files already match
  const R = makeRoot();
  const rbk = join(dir, `bk-${++n}`);
  assert.equal((await sshield(['allow', 'add', '203.0.113.0/24', '--root', R, '--yes', '--backup-dir', rbk])).code, 0);
  const restoreCase = async (label: string, outcome: OutcomeKind, extra: string[]) => check(label, await sshield(['restore', '--backup-dir', rbk, ...extra, '--json']), 'restore', outcome, await sshield(['restore', '--backup-dir', rbk, ...extra]));
  await restoreCase('restore dry run', 'dry-run', ['--dry-run']);
  await restoreCase('restore no tty', 'no-tty', []);
  const rs = check('restore applied', await sshield(['restore', '--backup-dir', rbk, '--yes', '--json']), 'restore', 'applied');
  assert.ok(rs.backup, 'the restore is itself backed up');
  assert.doesNotMatch(readFileSync(join(R, 'etc/ssh/sshd_config'), 'latin1'), /DenyUsers/);
  const ids = readdirSync(rbk).filter((x) => /^\d{8}T/.test(x)).sort();
  check('restore nothing', await sshield(['restore', ids[0]!, '--backup-dir', rbk, '--yes', '--json']), 'restore', 'nothing-to-do', await sshield(['restore', ids[0]!, '--backup-dir', rbk, '--yes']));
  await restoreCase('restore bad input (no such backup)', 'error', ['nope', '--yes']);

  // confirm with nothing pending
  check('confirm nothing', await sshield(['confirm', '--backup-dir', join(dir, 'empty-bk'), '--json']), 'confirm', 'nothing-to-do', await sshield(['confirm', '--backup-dir', join(dir, 'empty-bk')]));
});

test('declined at a real terminal: every changing command asks, "n" changes nothing (exit 3)', { skip, timeout: 300_000 }, async () => {
  const cases: [string, string[], string][] = [
    ['harden', ['harden', '--root', example('debian12-cloud'), '--profile', 'baseline'], 'etc/ssh/sshd_config.d'],
    ['allow add', ['allow', 'add', '203.0.113.0/24', '--root', makeRoot()], 'etc/ssh/sshd_config'],
    ['user nologin', ['user', 'nologin', 'bob', '--root', makeRoot()], 'etc/passwd'],
    ['user sftp', ['user', 'sftp', 'bob', '--chroot', '/srv/bob', '--create', '--root', makeRoot()], 'etc/ssh/sshd_config'],
    ['keys restrict', ['keys', 'restrict', '--user', 'al', '--all', '--options', 'no-pty', '--root', makeRoot()], 'home/al/.ssh/authorized_keys'],
  ];
  for (const [command, args, watch] of cases) {
    const root = args[args.indexOf('--root') + 1]!;
    const path = join(root, watch);
    const snap = () => (existsSync(path) && !path.endsWith('.d') ? readFileSync(path, 'latin1') : existsSync(path) ? readdirSync(path).join() : '');
    const before = snap();
    const r = await atTerminal([...args, '--backup-dir', join(dir, `bk-${++n}`), '--json'], 'n');
    assert.match(r.stderr, /Apply this change\? \[y\/N\]/, `${command}: asked at the terminal`);
    check(`${command} declined`, r, command, 'declined');
    assert.equal(snap(), before, `${command}: nothing changed`);
  }
  // and "y" at the terminal applies
  const y = await atTerminal(['allow', 'add', '203.0.113.0/24', '--root', makeRoot(), '--backup-dir', join(dir, `bk-${++n}`), '--json'], 'y');
  check('allow add yes at the terminal', y, 'allow add', 'applied');
});

test('stale: a file changed between planning and writing is not written (exit 3), for every command that writes', { skip, timeout: 300_000 }, async () => {
  const bk = () => ['--backup-dir', join(dir, `bk-${++n}`)];
  const cases: [string, (R: string) => string[], string][] = [
    ['harden', (R) => ['harden', '--root', R, '--profile', 'baseline', '--yes', '--allow-no-key-admin', '--allow-admin-lockout'], 'etc/ssh/sshd_config'],
    ['allow add', (R) => ['allow', 'add', '203.0.113.0/24', '--root', R, '--yes'], 'etc/ssh/sshd_config'],
    ['allow remove', (R) => ['allow', 'remove', '203.0.113.0/24', '--root', R, '--yes'], 'etc/ssh/sshd_config'],
    ['user nologin', (R) => ['user', 'nologin', 'bob', '--root', R, '--yes'], 'etc/passwd'],
    ['user sftp', (R) => ['user', 'sftp', 'bob', '--chroot', '/srv/bob', '--create', '--root', R, '--yes'], 'etc/ssh/sshd_config'],
    ['keys restrict', (R) => ['keys', 'restrict', '--user', 'al', '--all', '--options', 'no-pty', '--root', R, '--yes'], 'home/al/.ssh/authorized_keys'],
  ];
  for (const [command, args, file] of cases) {
    const R = command === 'harden' ? example('debian12-cloud') : makeRoot();
    if (command === 'allow remove') writeFileSync(join(R, 'etc/ssh/sshd_config'), `${readFileSync(join(R, 'etc/ssh/sshd_config'), 'latin1')}DenyUsers *@!203.0.113.0/24,!198.51.100.0/24,!192.168.50.11,*\n`);
    const r = await changedMeanwhile([...args(R), ...bk(), '--json'], join(R, file));
    const doc = check(`${command} stale`, r, command, 'stale');
    assert.match(String(doc.outcome.reason), /changed since the plan was made/);
    assert.match(readFileSync(join(R, file), 'latin1'), /# changed by someone else\n$/, `${command}: the other change is kept, nothing written over it`);
  }
  // restore: the allow change of a root, with its file changed while the restore waits
  const R = makeRoot();
  const rbk = join(dir, `bk-${++n}`);
  assert.equal((await sshield(['allow', 'add', '203.0.113.0/24', '--root', R, '--yes', '--backup-dir', rbk])).code, 0);
  check('restore stale', await changedMeanwhile(['restore', '--backup-dir', rbk, '--yes', '--json'], join(R, 'etc/ssh/sshd_config')), 'restore', 'stale');
});

test('failed and rolled back: sshd -t rejects the candidate of a -f config, the file is untouched (exit 2)', { skip, timeout: 300_000 }, async () => {
  const conf = join(dir, `broken-${++n}`);
  mkdirSync(conf);
  const cfg = join(conf, 'sshd_config');
  // Every line is valid for sshd's parser, but there is no host key: `sshd -t` refuses to start.
  const text = `Port 2\nListenAddress 127.0.0.1\nHostKey ${conf}/no_such_host_key\nPidFile ${conf}/sshd.pid\nUsePAM yes\nPasswordAuthentication yes\nSubsystem sftp /usr/lib/openssh/sftp-server\n`;
  const cases: [string, string[]][] = [
    ['harden', ['harden', '-f', cfg, '--profile', 'baseline', '--yes', '--allow-no-key-admin', '--allow-admin-lockout', '--allow-session-lockout', '--allow-user-lockout', '--allow-cluster-break', '--allow-hostkey-mismatch', '--allow-bad-chroot']],
    ['allow add', ['allow', 'add', '127.0.0.1', '-f', cfg, '--yes']],
    ['user add', ['user', 'add', `sshield-t-f${process.pid % 10000}`, '--nologin', '-f', cfg, '--yes']],
  ];
  for (const [command, args] of cases) {
    writeFileSync(cfg, text, { mode: 0o600 });
    const r = await sshield([...args, '--backup-dir', join(dir, `bk-${++n}`), '--json']);
    const doc = check(`${command} failed`, r, command, 'failed');
    assert.equal(doc.outcome.step, 'validate', JSON.stringify(doc.outcome));
    assert.equal(doc.outcome.rolledBack, true);
    assert.equal((doc.verify as { status: string }).status, 'not-run');
    assert.equal(readFileSync(cfg, 'latin1'), text, `${command}: the config is untouched`);
    writeFileSync(cfg, text, { mode: 0o600 });
    const t = await sshield([...args, '--backup-dir', join(dir, `bk-${++n}`)]);
    assert.equal(t.code, EXIT_OF.failed, t.stdout + t.stderr);
    assert.match(t.stdout, /^Failed at validate: .*The previous configuration was restored\.$/m, t.stdout.slice(-400));
  }
  assert.equal((await run('getent', ['passwd', `sshield-t-f${process.pid % 10000}`])).code, 2, 'no account was made');
});

test('pending confirm: while a harden --confirm-timeout change awaits confirmation, every changing command stops (exit 3); confirm keeps it', { skip, timeout: 300_000 }, async (t) => {
  const sshd: SshdInstance = await startSshd({ config: 'PasswordAuthentication yes\nX11Forwarding yes\nUsePAM yes\n' });
  const bk = join(dir, `bk-pending-${++n}`);
  t.after(async () => {
    await sshield(['confirm', '--backup-dir', bk]); // stops the watcher if a case failed half way
    await sshd.stop();
  });
  const overrides = ['--allow-no-key-admin', '--allow-admin-lockout', '--allow-session-lockout', '--allow-user-lockout', '--allow-cluster-break', '--allow-hostkey-mismatch', '--allow-bad-chroot'];
  const h = check('harden applied awaiting confirmation', await sshield(['harden', '-f', sshd.configPath, '--profile', 'baseline', '--yes', '--confirm-timeout', '120', '--backup-dir', bk, ...overrides, '--json']), 'harden', 'applied');
  assert.equal(typeof h.outcome.confirmDeadline, 'number');
  assert.equal((h.verify as { status: string }).status, 'verified');
  const text = await sshield(['allow', 'add', '127.0.0.1', '-f', sshd.configPath, '--yes', '--backup-dir', bk]);
  assert.match(text.stderr, new RegExp(`sshield confirm --backup-dir ${bk.replace(/[.]/g, '\\.')}`), 'the hint names the backup directory');
  const R = makeRoot();
  const cases: [string, string[]][] = [
    ['harden', ['harden', '-f', sshd.configPath, '--profile', 'baseline', '--yes', ...overrides]],
    ['allow add', ['allow', 'add', '127.0.0.1', '-f', sshd.configPath, '--yes']],
    ['allow remove', ['allow', 'remove', '127.0.0.1', '-f', sshd.configPath, '--yes']],
    ['user nologin', ['user', 'nologin', 'bob', '--root', R, '--yes']],
    ['user add', ['user', 'add', 'sshield-t-pc', '--nologin', '--root', R, '--yes']],
    ['user sftp', ['user', 'sftp', 'bob', '--chroot', '/srv/bob', '--create', '--root', R, '--yes']],
    ['keys restrict', ['keys', 'restrict', '--user', 'al', '--all', '--options', 'no-pty', '--root', R, '--yes']],
    ['keys unrestrict', ['keys', 'unrestrict', '--user', 'al', '--all', '--root', R, '--yes']],
    ['restore', ['restore', '--yes']],
  ];
  const config = readFileSync(sshd.configPath, 'latin1');
  for (const [command, args] of cases) {
    const j = await sshield([...args, '--backup-dir', bk, '--json']);
    const tx = await sshield([...args, '--backup-dir', bk]);
    const doc = check(`${command} pending`, j, command, 'pending-confirm', tx);
    assert.equal(doc.outcome.backupId, h.outcome.backupId);
  }
  assert.equal(readFileSync(sshd.configPath, 'latin1'), config, 'nothing changed while the change awaited confirmation');
  const c = check('confirm applied', await sshield(['confirm', '--backup-dir', bk, '--json']), 'confirm', 'applied');
  assert.equal(c.outcome.backupId, h.outcome.backupId);
  check('confirm nothing (already confirmed)', await sshield(['confirm', '--backup-dir', bk, '--json']), 'confirm', 'nothing-to-do');
  check('harden nothing after confirming', await sshield(['harden', '-f', sshd.configPath, '--profile', 'baseline', '--yes', '--backup-dir', bk, ...overrides, '--json']), 'harden', 'nothing-to-do');
});
