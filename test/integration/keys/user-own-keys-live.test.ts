// Issue #19's proof: an ordinary (non-sudo) throwaway account manages its own keys without root,
// run as that account with runuser, against a real sshd on loopback with real logins. It restricts
// one of its two keys with --restrict --from 127.0.0.1: that key gets no PTY and is refused from
// 127.0.0.2 while the other key keeps a shell; `restore` as the user brings the file back byte for
// byte; the same command for another account is refused (exit 2) and nothing changes; its last
// key is kept unless --force; a file sshd would refuse (StrictModes) is refused, then fixed with
// --fix-modes; no raw EACCES is ever printed; nothing is written outside the user's home (the
// backups, journal and lock are in ~/.local/state/sshield, 0700).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { clientKey, createTestUser, installAuthorizedKeys, run, sshClient, sshdAvailable, startSshd, type SshdInstance, type TestUser } from '../../helpers/sshd.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..');
const BIN = join(REPO, 'bin', 'sshield.js');
const skip = (!sshdAvailable() && 'needs root and /usr/sbin/sshd') || (!readdirSync('/usr/sbin').includes('runuser') && !readdirSync('/usr/bin').includes('runuser') && 'needs runuser');
let sshd: SshdInstance;
let me: TestUser;
let other: TestUser;
let dir = '';
let k1 = '';
let k2 = '';
let ak = '';
let otherAk = '';

/** sshield run as the throwaway account itself (runuser: its uid, its HOME), never with a lock or backup directory of the tests. */
function asUser(u: TestUser, args: string[]) {
  return run('runuser', ['-u', u.name, '--', process.execPath, BIN, ...args], { timeoutMs: 90_000, env: { NO_COLOR: '1' } });
}
async function fp(key: string): Promise<string> {
  return (await run('ssh-keygen', ['-lf', `${key}.pub`])).stdout.split(' ')[1]!;
}
const login = (key: string, opts: { bind?: string; tty?: boolean } = {}) => sshClient(sshd, me.name, { key, bind: opts.bind ?? '127.0.0.1', ...(opts.tty ? { args: ['-tt'] } : {}), command: 'tty; echo in', timeoutMs: 30_000 });
/** Files and directories the account owns outside its home (there must be none). */
function ownedOutsideHome(u: TestUser): string {
  const r = spawnSync('find', ['/tmp', '/var/tmp', '/var/backups', '/run', '/dev/shm', '/etc', '-xdev', '-user', u.name], { encoding: 'utf8' });
  // Other test files remove their temporary trees while find walks them: a vanished entry is no finding.
  const trouble = r.stderr.split('\n').filter((l) => l && !/No such file or directory/.test(l));
  assert.deepEqual(trouble, [], 'find could walk every directory');
  return r.stdout.trim();
}

before(async () => {
  if (skip) return;
  execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO, stdio: 'ignore' });
  dir = mkdtempSync(join(tmpdir(), 'sshield-user-keys-'));
  chmodSync(dir, 0o755); // the public keys are read by the throwaway account (private keys stay 0600, root's)
  me = await createTestUser();
  other = await createTestUser();
  k1 = await clientKey(dir, 'ed25519', 'k1');
  k2 = await clientKey(dir, 'ed25519', 'k2');
  ak = await installAuthorizedKeys(me, `# mine\n${readFileSync(`${k1}.pub`, 'utf8')}${readFileSync(`${k2}.pub`, 'utf8')}`);
  otherAk = await installAuthorizedKeys(other, readFileSync(`${k1}.pub`, 'utf8'));
  sshd = await startSshd({ config: 'LogLevel VERBOSE\n' });
});
after(async () => {
  await sshd?.stop();
  await me?.remove();
  await other?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('as the user: restrict one of two keys (--restrict --from 127.0.0.1), real logins; restore byte for byte; nothing outside the home', { skip, timeout: 300_000 }, async () => {
  const original = readFileSync(ak, 'latin1');
  const st0 = statSync(ak);
  assert.equal((await login(k1, { tty: true })).code, 0);

  const list = await asUser(me, ['keys', 'list']);
  assert.equal(list.code, 0, list.stderr);
  assert.equal(list.stdout.split('\n').filter((l) => l.startsWith(me.name)).length, 2, list.stdout);

  const r = await asUser(me, ['keys', 'restrict', '--fingerprint', await fp(k1), '--restrict', '--from', '127.0.0.1', '--yes']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(readFileSync(ak, 'latin1'), /^restrict,from="127\.0\.0\.1" ssh-ed25519 /m);
  const st1 = statSync(ak);
  assert.deepEqual([st1.uid, st1.gid, st1.mode & 0o7777], [st0.uid, st0.gid, st0.mode & 0o7777], 'owner and mode kept');

  const noPty = await login(k1, { tty: true });
  assert.doesNotMatch(noPty.stdout, /\/dev\/pts\//);
  assert.match(noPty.stderr, /PTY allocation request failed/);
  const noTerminal = await login(k1);
  assert.equal(noTerminal.code, 0, noTerminal.stderr);
  assert.match(noTerminal.stdout, /^not a tty\nin$/m, 'the key still logs in from 127.0.0.1, without a terminal');
  const outside = await login(k1, { bind: '127.0.0.2' });
  assert.notEqual(outside.code, 0);
  assert.match(outside.stderr, /Permission denied/);
  const shell = await login(k2, { tty: true });
  assert.equal(shell.code, 0, shell.stderr);
  assert.match(shell.stdout, /\/dev\/pts\//);

  // Backups, journal and lock are the user's own, 0700, in ~/.local/state/sshield.
  const state = join(me.home, '.local', 'state', 'sshield');
  const sst = statSync(state);
  assert.deepEqual([sst.uid, sst.mode & 0o7777], [me.uid, 0o700]);
  const backups = await asUser(me, ['backups']);
  assert.equal(backups.code, 0, backups.stderr);
  assert.match(backups.stdout, /keys\s+committed\s+.*authorized_keys/);

  const restore = await asUser(me, ['restore', '--yes']);
  assert.equal(restore.code, 0, restore.stdout + restore.stderr);
  assert.equal(readFileSync(ak, 'latin1'), original, 'restored byte for byte');
  const st2 = statSync(ak);
  assert.deepEqual([st2.uid, st2.gid, st2.mode & 0o7777], [st0.uid, st0.gid, st0.mode & 0o7777]);
  assert.equal((await login(k1, { bind: '127.0.0.2', tty: true })).code, 0);
  assert.equal(ownedOutsideHome(me), '', 'nothing of the user outside its home');
});

test('as the user: another account is refused (exit 2) and nothing changes; never a raw EACCES', { skip, timeout: 300_000 }, async () => {
  const before = readFileSync(otherAk, 'latin1');
  const state = join(me.home, '.local', 'state', 'sshield');
  const backupsBefore = readdirSync(state).sort();
  for (const args of [
    ['keys', 'restrict', '--user', other.name, '--all', '--restrict', '--from', '127.0.0.1', '--yes'],
    ['keys', 'add', '--user', other.name, '--file', `${k2}.pub`, '--yes'],
    ['keys', 'remove', '--user', other.name, '--all', '--yes'],
    ['keys', 'list', '--user', 'root'],
  ]) {
    const r = await asUser(me, args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, new RegExp(`you are ${me.name}, not root: without root sshield changes only your own keys`));
    assert.doesNotMatch(r.stdout + r.stderr, /EACCES|permission denied/i);
  }
  const json = await asUser(me, ['keys', 'restrict', '--user', other.name, '--all', '--restrict', '--yes', '--json']);
  assert.equal(JSON.parse(json.stdout).outcome.exitCode, 2);
  assert.equal(readFileSync(otherAk, 'latin1'), before);
  assert.deepEqual(readdirSync(state).sort(), backupsBefore, 'no backup was made');
  assert.equal(ownedOutsideHome(me), '');
});

test('as the user: the last key that gives a shell is kept unless --force; StrictModes refused, then fixed with --fix-modes', { skip, timeout: 300_000 }, async () => {
  const text = readFileSync(ak, 'latin1');
  const all = await asUser(me, ['keys', 'remove', '--all', '--yes']);
  assert.equal(all.code, 3, all.stdout + all.stderr);
  assert.match(all.stderr, /no key that logs in with a shell/);
  assert.equal(readFileSync(ak, 'latin1'), text);
  const cmd = await asUser(me, ['keys', 'restrict', '--all', '--command', '/bin/true', '--yes']);
  assert.equal(cmd.code, 3, cmd.stdout + cmd.stderr);
  assert.equal(readFileSync(ak, 'latin1'), text);

  // ~/.ssh world-writable: sshd refuses every key in it (StrictModes), and so does sshield.
  const ssh = join(me.home, '.ssh');
  chmodSync(ssh, 0o777);
  assert.notEqual((await login(k2)).code, 0, 'sshd refuses the keys (StrictModes)');
  const k3 = await clientKey(dir, 'ed25519', 'k3');
  chmodSync(`${k3}.pub`, 0o644);
  const refused = await asUser(me, ['keys', 'add', '--file', `${k3}.pub`, '--yes']);
  assert.equal(refused.code, 3, refused.stdout + refused.stderr);
  assert.match(refused.stderr, /StrictModes.*--fix-modes to chmod go-w .*\.ssh \(0777 -> 0755\)/);
  const fixed = await asUser(me, ['keys', 'add', '--file', `${k3}.pub`, '--fix-modes', '--yes']);
  assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
  assert.equal(statSync(ssh).mode & 0o7777, 0o755);
  assert.equal((await login(k3)).code, 0);
  assert.equal((await login(k2)).code, 0);
  assert.equal(ownedOutsideHome(me), '');
});

test('as the user: a run killed half way (SIGKILL at install) is undone by the next run, in the user\'s own state directory', { skip, timeout: 300_000 }, async () => {
  const text = readFileSync(ak, 'latin1');
  const k2line = readFileSync(`${k2}.pub`, 'latin1').trim().split(' ').slice(0, 2).join(' ');
  assert.ok(text.includes(k2line));
  // The account's own uid and gid, its HOME: as runuser would run it, but a process this test can SIGKILL itself.
  const child = spawn(process.execPath, [BIN, 'keys', 'remove', '--fingerprint', await fp(k2), '--yes'], { uid: me.uid, gid: statSync(me.home).gid, env: { PATH: process.env.PATH, HOME: me.home, USER: me.name, LOGNAME: me.name, NO_COLOR: '1', SSHIELD_TEST_PAUSE_AT: 'install' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  await new Promise<void>((done, fail) => {
    const t = setTimeout(() => fail(new Error(`never paused: ${err}`)), 120_000);
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('paused at install')) {
        clearTimeout(t);
        done();
      }
    });
  });
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  assert.equal(readFileSync(ak, 'latin1'), text, 'killed before the rename: the file is as it was');
  assert.ok(readdirSync(join(me.home, '.ssh')).some((n) => n.endsWith('.sshield-new')), 'the candidate the killed run left');

  const again = await asUser(me, ['keys', 'remove', '--fingerprint', await fp(k2), '--yes']);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.doesNotMatch(readFileSync(ak, 'latin1'), new RegExp(k2line.split(' ')[1]!.replace(/[+/]/g, '\\$&')));
  assert.deepEqual(readdirSync(join(me.home, '.ssh')).filter((n) => n.endsWith('.sshield-new')), []);
  const list = await asUser(me, ['backups', '--json']);
  const phases = (JSON.parse(list.stdout) as { backups: { state: string }[] }).backups.map((b) => b.state);
  assert.ok(phases.includes('rolled-back'), phases.join(' '));
  assert.equal(phases.at(-1), 'committed');
  assert.equal(ownedOutsideHome(me), '');
});
