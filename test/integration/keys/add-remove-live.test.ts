// test-group: machine-admins (adds sudo members to this machine's /etc; runs alone: scripts/run-tests.mjs)
// Real sshd on loopback, real client, the real CLI: `keys add` gives a throwaway account with no
// ~/.ssh a key it then logs in with (directory 0700 and file 0600, both the account's); the same
// command again changes nothing; `keys remove` takes a key away and that login is refused while
// the other key still works; an admin's (sudo member's) last key is refused unless overridden.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientKey, createTestUser, run, sshClient, sshdAvailable, startSshd, type SshdInstance, type TestUser } from '../../helpers/sshd.js';

const skip = !sshdAvailable() && 'needs root and /usr/sbin/sshd';
let sshd: SshdInstance;
let user: TestUser;
let admin: TestUser;
let dir = '';
let k1 = '';
let k2 = '';

function cli(args: string[], input?: string) {
  // Backups and the pipeline's lock in this file's own directory, never the host's default.
  return run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'keys', ...args, '--backup-dir', join(dir, 'backups')], { timeoutMs: 60_000, env: { HOME: '/root', USER: 'root', NO_COLOR: '1', SSHIELD_LOCK_DIR: join(dir, 'lock') }, ...(input !== undefined ? { input } : {}) });
}
async function fp(key: string): Promise<string> {
  return (await run('ssh-keygen', ['-lf', `${key}.pub`])).stdout.split(' ')[1]!;
}
const login = (u: string, key: string, bind = '127.0.0.1') => sshClient(sshd, u, { key, bind, command: 'echo in', timeoutMs: 30_000 });

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'sshield-keys-add-'));
  user = await createTestUser();
  admin = await createTestUser();
  k1 = await clientKey(dir, 'ed25519', 'k1');
  k2 = await clientKey(dir, 'ed25519', 'k2');
  sshd = await startSshd({ config: 'LogLevel VERBOSE\n' });
});
after(async () => {
  await sshd?.stop();
  await user?.remove();
  await admin?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('keys add: a new ~/.ssh and authorized_keys owned by the account; the key logs in; again changes nothing; remove refuses that login', { skip, timeout: 180_000 }, async () => {
  const ssh = join(user.home, '.ssh');
  const ak = join(ssh, 'authorized_keys');
  assert.throws(() => statSync(ssh), /ENOENT/);
  const refusedFirst = await login(user.name, k1);
  assert.notEqual(refusedFirst.code, 0);

  const add = await cli(['add', '--user', user.name, '--file', `${k1}.pub`, '--yes']);
  assert.equal(add.code, 0, add.stderr);
  assert.match(add.stdout, /mkdir -m 0700 .*\.ssh, owned by sshield-t-/);
  const d = statSync(ssh);
  const f = statSync(ak);
  assert.deepEqual([d.uid, d.mode & 0o7777], [user.uid, 0o700]);
  assert.deepEqual([f.uid, f.mode & 0o7777], [user.uid, 0o600]);
  assert.equal(readFileSync(ak, 'latin1'), readFileSync(`${k1}.pub`, 'latin1'));
  const in1 = await login(user.name, k1);
  assert.equal(in1.code, 0, in1.stderr);
  assert.equal(in1.stdout.trim(), 'in');

  const bytes = readFileSync(ak, 'latin1');
  const again = await cli(['add', '--user', user.name, '--file', `${k1}.pub`, '--yes']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Nothing to add/);
  assert.equal(readFileSync(ak, 'latin1'), bytes);

  // A second key from stdin, restricted to 127.0.0.1.
  const add2 = await cli(['add', '--user', user.name, '-', '--restrict', '--from', '127.0.0.1', '--yes'], readFileSync(`${k2}.pub`, 'utf8'));
  assert.equal(add2.code, 0, add2.stderr);
  assert.equal(readFileSync(ak, 'latin1'), `${bytes}restrict,from="127.0.0.1" ${readFileSync(`${k2}.pub`, 'latin1')}`);
  assert.equal((await login(user.name, k2)).code, 0);
  assert.notEqual((await login(user.name, k2, '127.0.0.2')).code, 0);

  const rm = await cli(['remove', '--user', user.name, '--fingerprint', await fp(k1), '--yes']);
  assert.equal(rm.code, 0, rm.stderr);
  const out = await login(user.name, k1);
  assert.notEqual(out.code, 0);
  assert.match(out.stderr, /Permission denied/);
  const still = await login(user.name, k2);
  assert.equal(still.code, 0, still.stderr);
  const st = statSync(ak);
  assert.deepEqual([st.uid, st.mode & 0o7777], [user.uid, 0o600]);
});

test("keys remove: a sudo member's last key is refused (exit 3, nothing changed, login still works) unless --allow-no-key-admin", { skip, timeout: 180_000 }, async () => {
  assert.equal((await run('usermod', ['-aG', 'sudo', admin.name])).code, 0);
  const add = await cli(['add', '--user', admin.name, '--key', readFileSync(`${k1}.pub`, 'utf8').trim(), '--yes']);
  assert.equal(add.code, 0, add.stderr);
  const ak = join(admin.home, '.ssh', 'authorized_keys');
  const bytes = readFileSync(ak, 'latin1');
  const refused = await cli(['remove', '--user', admin.name, '--all', '--yes']);
  assert.equal(refused.code, 3, refused.stdout + refused.stderr);
  assert.match(refused.stderr, /would have no key sshd accepts left/);
  assert.equal(readFileSync(ak, 'latin1'), bytes);
  assert.equal((await login(admin.name, k1)).code, 0);
  const forced = await cli(['remove', '--user', admin.name, '--all', '--allow-no-key-admin', '--yes']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.notEqual((await login(admin.name, k1)).code, 0);
});
