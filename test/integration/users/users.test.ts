// nologin and SFTP-only accounts against the real Debian sshd on loopback with the real ssh and
// sftp clients (key logins, `sftp -b` batches). The CLI runs as its own process on the test
// daemon's config (-f; reloaded through its PidFile), test users are created and removed here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { clientKey, createTestUser, installAuthorizedKeys, run, sshClient, sshdAvailable, startSshd, type SshdInstance, type TestUser } from '../../helpers/sshd.js';

const skip = !sshdAvailable() && 'needs root and /usr/sbin/sshd';
const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];

let sshd: SshdInstance;
let key: string;
let work: string;
let srv: string;
const users: TestUser[] = [];
const added: string[] = [];

function cli(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, [...CLI, ...args, '--backup-dir', join(work, 'backups')], { env: { HOME: '/root', USER: 'root', ...env }, timeoutMs: 60_000 });
}

function sftp(user: string, batch: string) {
  const b = join(work, `batch-${randomBytes(3).toString('hex')}`);
  writeFileSync(b, batch);
  return run('sftp', ['-F', '/dev/null', '-b', b, '-P', String(sshd.port), '-i', key, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'IdentitiesOnly=yes', '-o', 'LogLevel=ERROR', `${user}@127.0.0.1`], { timeoutMs: 20_000 });
}

async function newUser(): Promise<TestUser> {
  const u = await createTestUser();
  users.push(u);
  await installAuthorizedKeys(u, readFileSync(`${key}.pub`, 'utf8'));
  return u;
}

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'sshield-users-'));
  key = await clientKey(work);
  // A root-owned parent without group/other write (not /tmp, which is 1777).
  srv = `/srv/sshield-test-${randomBytes(4).toString('hex')}`;
  mkdirSync(srv, { mode: 0o755 });
  writeFileSync(join(work, 'payload.txt'), 'sshield payload\n');
  sshd = await startSshd({ config: 'PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM yes\nSubsystem sftp /usr/lib/openssh/sftp-server\n' });
});

after(async () => {
  if (skip) return;
  await sshd?.stop();
  for (const u of users) await u.remove();
  for (const n of added) await run('userdel', ['-r', '-f', n]);
  rmSync(work, { recursive: true, force: true });
  if (srv) rmSync(srv, { recursive: true, force: true });
});

test('nologin: interactive ssh is refused, sftp works', { skip, timeout: 120_000 }, async () => {
  const u = await newUser();
  const pre = await sshClient(sshd, u.name, { key, command: 'echo shell-$(id -un)' });
  assert.equal(pre.stdout.trim(), `shell-${u.name}`, pre.stderr);
  const before = readFileSync(sshd.configPath, 'latin1');
  const r = await cli(['user', 'nologin', u.name, '-f', sshd.configPath, '--yes']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /usermod -s \/usr\/sbin\/nologin/);
  assert.match(r.stdout, /\+Match User sshield-t-/);
  const text = readFileSync(sshd.configPath, 'latin1');
  assert.ok(text.startsWith(before));
  assert.match(readFileSync('/etc/passwd', 'utf8'), new RegExp(`^${u.name}:.*:/usr/sbin/nologin$`, 'm'));

  const cmd = await sshClient(sshd, u.name, { key, command: 'echo shell-$(id -un)' });
  assert.doesNotMatch(cmd.stdout, /shell-/);
  const tty = await sshClient(sshd, u.name, { key, args: ['-tt'], command: 'echo shell-$(id -un)' });
  assert.doesNotMatch(tty.stdout, /shell-/);
  assert.match(tty.stderr, /PTY allocation request failed/);

  const s = await sftp(u.name, `put ${join(work, 'payload.txt')} got.txt\nls\n`);
  assert.equal(s.code, 0, s.stderr);
  assert.match(s.stdout, /got\.txt/);
  assert.equal(readFileSync(join(u.home, 'got.txt'), 'utf8'), 'sshield payload\n');

  const again = await cli(['user', 'nologin', u.name, '-f', sshd.configPath, '--yes']);
  assert.equal(again.code, 0);
  assert.match(again.stdout, /Nothing to change\./);
});

test('sftp-only chroot: upload into the writable subdirectory works, ls / shows only the chroot, shell and forwarding refused', { skip, timeout: 120_000 }, async () => {
  const u = await newUser();
  const dir = `${srv}/${u.name}`;
  const r = await cli(['user', 'sftp', u.name, '--chroot', dir, '--create', '-f', sshd.configPath, '--yes']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /ChrootDirectory \/srv\/sshield-test-/);
  const st = statSync(dir);
  assert.equal(st.uid, 0);
  assert.equal(st.mode & 0o022, 0);
  assert.equal(statSync(`${dir}/upload`).uid, u.uid);

  const s = await sftp(u.name, `put ${join(work, 'payload.txt')} /upload/in.txt\nls /\npwd\n`);
  assert.equal(s.code, 0, s.stderr);
  assert.equal(readFileSync(`${dir}/upload/in.txt`, 'utf8'), 'sshield payload\n');
  const listing = s.stdout.split('\n').filter((l) => l.trim() && !l.startsWith('sftp>') && !/Remote working directory/.test(l)).map((l) => l.trim());
  assert.deepEqual(listing, ['/upload'], s.stdout);
  // Outside the chroot there is nothing: / is the chroot.
  const esc = await sftp(u.name, 'ls /etc\n');
  assert.notEqual(esc.code, 0);

  const shell = await sshClient(sshd, u.name, { key, command: 'echo shell-$(id -un)' });
  assert.doesNotMatch(shell.stdout, /shell-/);
  const fwd = await sshClient(sshd, u.name, { key, args: ['-W', `127.0.0.1:${sshd.port}`] });
  assert.notEqual(fwd.code, 0);
  assert.match(fwd.stderr, /administratively prohibited|open failed|stdio forwarding failed/);
  // Control: the same forwarding works for an unrestricted account, so the refusal is the block's.
  const plain = await newUser();
  const ok = await sshClient(sshd, plain.name, { key, args: ['-W', `127.0.0.1:${sshd.port}`], timeoutMs: 5000 });
  assert.match(ok.stdout, /^SSH-2\.0-OpenSSH/);
  const rfwd = await sshClient(sshd, u.name, { key, args: ['-N', '-R', '0:127.0.0.1:9'], extraOptions: ['ExitOnForwardFailure=yes'] });
  assert.notEqual(rfwd.code, 0);
  assert.match(rfwd.stderr, /remote port forwarding failed/i);
});

test('a wrong chroot owner is refused before any change or reload, and fixed with --fix-permissions', { skip, timeout: 120_000 }, async () => {
  const u = await newUser();
  const dir = `${srv}/${u.name}`;
  mkdirSync(dir, { mode: 0o755 });
  chownSync(dir, u.uid, u.uid);
  const before = readFileSync(sshd.configPath, 'latin1');
  const logBefore = sshd.log().length;
  const r = await cli(['user', 'sftp', u.name, '--chroot', dir, '-f', sshd.configPath, '--yes']);
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.match(r.stderr, new RegExp(`${dir} owned by uid ${u.uid}, not root`));
  assert.match(r.stderr, new RegExp(`chown root:root ${dir}`));
  assert.equal(readFileSync(sshd.configPath, 'latin1'), before, 'config unchanged');
  assert.equal(statSync(dir).uid, u.uid, 'nothing fixed without the flag');
  assert.doesNotMatch(sshd.log().slice(logBefore), /Received SIGHUP/, 'no reload');

  const fix = await cli(['user', 'sftp', u.name, '--chroot', dir, '--fix-permissions', '-f', sshd.configPath, '--yes']);
  assert.equal(fix.code, 0, fix.stdout + fix.stderr);
  assert.equal(statSync(dir).uid, 0);
  const s = await sftp(u.name, `put ${join(work, 'payload.txt')} /upload/x.txt\n`);
  assert.equal(s.code, 0, s.stderr);
  assert.ok(existsSync(`${dir}/upload/x.txt`));
});

test('guards: root and the user running the command are refused', { skip, timeout: 60_000 }, async () => {
  const u = await newUser();
  const before = readFileSync(sshd.configPath, 'latin1');
  const root = await cli(['user', 'nologin', 'root', '-f', sshd.configPath, '--yes']);
  assert.equal(root.code, 3);
  assert.match(root.stderr, /refusing to restrict root/);
  const self = await cli(['user', 'nologin', u.name, '-f', sshd.configPath, '--yes'], { USER: u.name, LOGNAME: u.name });
  assert.equal(self.code, 3);
  assert.match(self.stderr, /account running this command/);
  assert.equal(readFileSync(sshd.configPath, 'latin1'), before);
  assert.match(readFileSync('/etc/passwd', 'utf8'), new RegExp(`^${u.name}:.*:/bin/bash$`, 'm'));
});

test('user list: shells, sftp-only restriction, keys', { skip, timeout: 60_000 }, async () => {
  // list takes no --backup-dir: called without the helper's extra flag
  const l = await run(process.execPath, [...CLI, 'user', 'list', '-f', sshd.configPath, '--json'], { env: { HOME: '/root', USER: 'root' } });
  assert.equal(l.code, 0, l.stderr);
  const acc = JSON.parse(l.stdout).accounts as { name: string; canLogin: string; keys: number; restrictions: string[]; shellState: string }[];
  const root = acc.find((a) => a.name === 'root')!;
  assert.ok(root);
  const sftpUser = acc.find((a) => a.restrictions.some((x) => x.startsWith('ChrootDirectory')));
  assert.ok(sftpUser, 'the sftp user is listed with its chroot');
  assert.equal(sftpUser.canLogin, 'sftp-only');
  assert.equal(sftpUser.keys, 1);
  assert.equal(sftpUser.shellState, 'nologin');
});

test('user add NAME --nologin on the live host: account with nologin, sftp works, ssh refused', { skip, timeout: 120_000 }, async () => {
  const name = `sshield-t-${randomBytes(3).toString('hex')}`;
  added.push(name);
  const r = await cli(['user', 'add', name, '--nologin', '-f', sshd.configPath, '--yes']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  assert.ok(line?.endsWith(':/usr/sbin/nologin'), line);
  const home = line!.split(':')[5]!;
  const uid = Number(line!.split(':')[2]);
  mkdirSync(join(home, '.ssh'), { mode: 0o700 });
  writeFileSync(join(home, '.ssh/authorized_keys'), readFileSync(`${key}.pub`, 'utf8'), { mode: 0o600 });
  chownSync(join(home, '.ssh'), uid, uid);
  chownSync(join(home, '.ssh/authorized_keys'), uid, uid);
  const s = await sftp(name, 'pwd\n');
  assert.equal(s.code, 0, s.stderr);
  const sh = await sshClient(sshd, name, { key, command: 'echo shell-$(id -un)' });
  assert.doesNotMatch(sh.stdout, /shell-/);
  const dup = await cli(['user', 'add', name, '--nologin', '-f', sshd.configPath, '--yes']);
  assert.equal(dup.code, 3);
  assert.match(dup.stderr, /already exists/);
});
