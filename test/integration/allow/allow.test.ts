// The allowlist against the real Debian sshd on loopback with the real client: logins from the
// listed address work, from another loopback address (ssh -b 127.0.0.2) they are refused, also
// for a user named in AllowUsers; removing the entry restores access. The CLI runs as a
// separate process (-f the test daemon's config; reload through its PidFile).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientKey, createTestUser, installAuthorizedKeys, run, sshClient, sshdAvailable, startSshd, type SshdInstance, type TestUser } from '../../helpers/sshd.js';

const skip = !sshdAvailable() && 'needs root and /usr/sbin/sshd';
const CLI = [ '--import', 'tsx', join(process.cwd(), 'src/cli/main.ts') ];

let sshd: SshdInstance;
let named: TestUser;
let other: TestUser;
let key: string;
let work: string;

function cli(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, [...CLI, ...args, ...(args[1] === 'list' ? [] : ['--backup-dir', join(work, 'backups')])], { env: { HOME: '/root', USER: 'root', ...env }, timeoutMs: 60_000 });
}

async function login(user: TestUser, bind: string) {
  return sshClient(sshd, user.name, { key, bind, command: 'echo in-$(id -un)' });
}

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'sshield-allow-'));
  key = await clientKey(work);
  named = await createTestUser();
  other = await createTestUser();
  const pub = readFileSync(`${key}.pub`, 'utf8');
  await installAuthorizedKeys(named, pub);
  await installAuthorizedKeys(other, pub);
  // `named` is listed by name; `other` only through a pattern.
  sshd = await startSshd({ config: `PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM yes\nAllowUsers ${named.name} sshield-t-*\n` });
});

after(async () => {
  if (skip) return;
  await sshd?.stop();
  await named?.remove();
  await other?.remove();
  rmSync(work, { recursive: true, force: true });
});

test('allowlist of 127.0.0.1: 127.0.0.1 logs in, 127.0.0.2 is refused (also a user named in AllowUsers); remove restores', { skip, timeout: 120_000 }, async () => {
  for (const u of [named, other]) {
    const r = await login(u, '127.0.0.2');
    assert.equal(r.code, 0, `baseline login from 127.0.0.2 for ${u.name}: ${r.stderr}`);
  }
  const before = readFileSync(sshd.configPath, 'latin1');
  const add = await cli(['allow', 'add', '127.0.0.1', '-f', sshd.configPath, '--yes']);
  assert.equal(add.code, 0, add.stdout + add.stderr);
  assert.match(add.stdout, /\+DenyUsers \*@!127\.0\.0\.1,\*/);
  assert.match(add.stdout, /Applied \(backup /);
  const text = readFileSync(sshd.configPath, 'latin1');
  assert.ok(text.startsWith(before), 'existing bytes untouched');

  for (const u of [named, other]) {
    const ok = await login(u, '127.0.0.1');
    assert.equal(ok.code, 0, `login from 127.0.0.1 for ${u.name}: ${ok.stderr}`);
    assert.equal(ok.stdout.trim(), `in-${u.name}`);
    const no = await login(u, '127.0.0.2');
    assert.notEqual(no.code, 0, `login from 127.0.0.2 must be refused for ${u.name}`);
    assert.doesNotMatch(no.stdout, /in-/);
  }
  assert.match(sshd.log(), /not allowed because listed in DenyUsers/);

  const list = await cli(['allow', 'list', '-f', sshd.configPath, '--json']);
  assert.equal(list.code, 0);
  assert.deepEqual(JSON.parse(list.stdout).lists.map((l: { user: string; addresses: string[] }) => [l.user, l.addresses]), [['*', ['127.0.0.1']]]);

  const rm = await cli(['allow', 'remove', '127.0.0.1', '-f', sshd.configPath, '--yes']);
  assert.equal(rm.code, 0, rm.stdout + rm.stderr);
  assert.equal(readFileSync(sshd.configPath, 'latin1'), before, 'remove restores the original bytes');
  for (const u of [named, other]) {
    const r = await login(u, '127.0.0.2');
    assert.equal(r.code, 0, `login from 127.0.0.2 after remove for ${u.name}: ${r.stderr}`);
  }
});

test('guard: an allowlist that excludes the current session address is refused; nothing changes', { skip, timeout: 60_000 }, async () => {
  const before = readFileSync(sshd.configPath, 'latin1');
  const r = await cli(['allow', 'add', '127.0.0.1', '-f', sshd.configPath, '--yes'], { SSH_CONNECTION: '127.0.0.2 50000 127.0.0.1 22', USER: named.name });
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.match(r.stderr, /lock out your own session.*127\.0\.0\.2/);
  assert.match(r.stderr, /--allow-session-lockout/);
  assert.equal(readFileSync(sshd.configPath, 'latin1'), before);
  const ok = await login(named, '127.0.0.2');
  assert.equal(ok.code, 0, 'still reachable from the session address');
  // with the session address in the list it goes through (dry run)
  const fine = await cli(['allow', 'add', '127.0.0.1', '127.0.0.2', '-f', sshd.configPath, '--dry-run'], { SSH_CONNECTION: '127.0.0.2 50000 127.0.0.1 22', USER: named.name });
  assert.equal(fine.code, 0, fine.stderr);
  assert.match(fine.stdout, /guard ok: your session/);
});

test('invalid addresses: clear error, exit 2, nothing changed', { skip, timeout: 60_000 }, async () => {
  const before = readFileSync(sshd.configPath, 'latin1');
  const r = await cli(['allow', 'add', '127.0.0.1', '10.0.0', '192.168.1.5/24', '-f', sshd.configPath, '--yes']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /"10\.0\.0": not a full IPv4 address/);
  assert.match(r.stderr, /"192\.168\.1\.5\/24": host bits set.*192\.168\.1\.0\/24/);
  assert.match(r.stderr, /nothing changed/);
  assert.equal(r.stdout, '');
  assert.equal(readFileSync(sshd.configPath, 'latin1'), before);
});

test('IPv6: a daemon on 127.0.0.1 and ::1 with an allowlist of ::1 admits ::1 and refuses 127.0.0.1', { skip, timeout: 120_000 }, async () => {
  const six = await startSshd({ rawConfig: 'Port {{PORT}}\nListenAddress 127.0.0.1\nListenAddress ::1\nHostKey {{HOSTKEY}}\nPidFile {{DIR}}/sshd.pid\nPasswordAuthentication no\nUsePAM yes\n' });
  try {
    const v6 = { port: six.port, address: '::1' };
    const v4 = { port: six.port, address: '127.0.0.1' };
    const r = await cli(['allow', 'add', '::1', '-f', six.configPath, '--yes']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(readFileSync(six.configPath, 'latin1'), /\nDenyUsers \*@!::1,\*\n/);
    const ok = await sshClient(v6, named.name, { key, command: 'echo in-$(id -un)' });
    assert.equal(ok.stdout.trim(), `in-${named.name}`, ok.stderr);
    const no = await sshClient(v4, named.name, { key, command: 'echo in-$(id -un)' });
    assert.notEqual(no.code, 0);
    assert.doesNotMatch(no.stdout, /in-/);
  } finally {
    await six.stop();
  }
});
