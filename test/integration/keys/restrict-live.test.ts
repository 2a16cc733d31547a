// Real sshd on loopback, real client, the real CLI: restricting one key takes away its TTY and
// port forwarding while the user's other key keeps both; from= lets 127.0.0.1 in and keeps
// 127.0.0.2 out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientKey, createTestUser, installAuthorizedKeys, run, sshClient, sshdAvailable, startSshd, type SshdInstance, type TestUser } from '../../helpers/sshd.js';

const skip = !sshdAvailable() && 'needs root and /usr/sbin/sshd';
let sshd: SshdInstance;
let user: TestUser;
let dir = '';
let k1 = '';
let k2 = '';
let akPath = '';

function cli(...args: string[]) {
  // Backups and the pipeline's lock in this file's own directory, never the host's default.
  const bk = args[0] === 'list' ? [] : ['--backup-dir', join(dir, 'backups')];
  return run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'keys', ...args, ...bk], { timeoutMs: 60_000, env: { HOME: '/root', USER: 'root' } });
}
async function fp(key: string): Promise<string> {
  return (await run('ssh-keygen', ['-lf', `${key}.pub`])).stdout.split(' ')[1]!;
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'sshield-keys-live-'));
  user = await createTestUser();
  k1 = await clientKey(dir, 'ed25519', 'k1');
  k2 = await clientKey(dir, 'ed25519', 'k2');
  akPath = await installAuthorizedKeys(user, `# two keys\n${readFileSync(`${k1}.pub`, 'utf8')}${readFileSync(`${k2}.pub`, 'utf8')}`);
  sshd = await startSshd({ config: 'LogLevel VERBOSE\n' });
});
after(async () => {
  await sshd?.stop();
  await user?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('keys restrict --options no-pty,no-port-forwarding: that key loses TTY and forwarding, the other keeps both', { skip, timeout: 120_000 }, async () => {
  const ok1 = await sshClient(sshd, user.name, { key: k1, args: ['-tt'], command: 'tty' });
  assert.equal(ok1.code, 0, ok1.stderr);
  assert.match(ok1.stdout, /\/dev\/pts\//);
  const st = statSync(akPath);
  const before = readFileSync(akPath, 'latin1');
  const r = await cli('restrict', '--user', user.name, '--fingerprint', await fp(k1), '--options', 'no-pty,no-port-forwarding', '--yes');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^\+no-pty,no-port-forwarding ssh-ed25519 /m);
  const afterText = readFileSync(akPath, 'latin1');
  const [b1, b2, b3] = before.split('\n');
  const [a1, a2, a3] = afterText.split('\n');
  assert.equal(a1, b1);
  assert.equal(a2, `no-pty,no-port-forwarding ${b2}`);
  assert.equal(a3, b3);
  const st2 = statSync(akPath);
  assert.deepEqual([st2.uid, st2.gid, st2.mode & 0o7777], [st.uid, st.gid, st.mode & 0o7777]);

  const again = await cli('restrict', '--user', user.name, '--fingerprint', await fp(k1), '--options', 'no-pty,no-port-forwarding', '--yes');
  assert.equal(again.code, 0);
  assert.match(again.stdout, /Nothing to change/);
  assert.equal(readFileSync(akPath, 'latin1'), afterText);

  const noTty = await sshClient(sshd, user.name, { key: k1, args: ['-tt'], command: 'tty' });
  assert.doesNotMatch(noTty.stdout, /\/dev\/pts\//);
  assert.match(noTty.stderr, /PTY allocation request failed/);
  const withTty = await sshClient(sshd, user.name, { key: k2, args: ['-tt'], command: 'tty' });
  assert.match(withTty.stdout, /\/dev\/pts\//);

  // Stdio forwarding (-W) opens a direct-tcpip channel, exactly what -L does per connection.
  const fwdDenied = await sshClient(sshd, user.name, { key: k1, args: ['-W', `127.0.0.1:${sshd.port}`], timeoutMs: 10_000 });
  assert.notEqual(fwdDenied.code, 0);
  assert.match(fwdDenied.stderr, /stdio forwarding failed|open failed|administratively prohibited/);
  const fwdOk = await sshClient(sshd, user.name, { key: k2, args: ['-W', `127.0.0.1:${sshd.port}`], timeoutMs: 5_000 });
  assert.match(fwdOk.stdout, /^SSH-2\.0-OpenSSH/);
});

test('keys restrict --from 127.0.0.1: 127.0.0.1 gets in, 127.0.0.2 is kept out', { skip, timeout: 120_000 }, async () => {
  const r = await cli('restrict', '--user', user.name, '--fingerprint', await fp(k2), '--from', '127.0.0.1', '--yes');
  assert.equal(r.code, 0, r.stderr);
  const inside = await sshClient(sshd, user.name, { key: k2, bind: '127.0.0.1', command: 'echo in' });
  assert.equal(inside.code, 0, inside.stderr);
  assert.equal(inside.stdout.trim(), 'in');
  const outside = await sshClient(sshd, user.name, { key: k2, bind: '127.0.0.2', command: 'echo in' });
  assert.notEqual(outside.code, 0);
  assert.match(outside.stderr, /Permission denied/);
  const bad = await cli('restrict', '--user', user.name, '--fingerprint', await fp(k2), '--from', '127.0.0.1/8', '--yes');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /host bits set/);
  // unrestrict (no flags) removes restrict and the no-* flags; from= only with --remove-from.
  const u = await cli('unrestrict', '--user', user.name, '--all', '--yes');
  assert.equal(u.code, 0, u.stderr);
  const stillOut = await sshClient(sshd, user.name, { key: k2, bind: '127.0.0.2', command: 'echo in' });
  assert.notEqual(stillOut.code, 0);
  const u2 = await cli('unrestrict', '--user', user.name, '--all', '--remove-from', '--yes');
  assert.equal(u2.code, 0, u2.stderr);
  const back = await sshClient(sshd, user.name, { key: k1, args: ['-tt'], command: 'tty' });
  assert.match(back.stdout, /\/dev\/pts\//);
  const outsideAgain = await sshClient(sshd, user.name, { key: k2, bind: '127.0.0.2', command: 'echo in' });
  assert.equal(outsideAgain.code, 0, outsideAgain.stderr);
});
