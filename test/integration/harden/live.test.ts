// test-group: machine-admins (adds sudo members to this machine's /etc; runs alone: scripts/run-tests.mjs)
// harden against a real daemon on loopback, started with -f FILE and reloaded through its pid:
// password logins stop, key logins keep working, a second run changes nothing; and a candidate
// the daemon rejects is never installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sshdAvailable, startSshd, createTestUser, clientKey, installAuthorizedKeys, sshClient, run, sshdT } from '../../helpers/sshd.js';

const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];

test('harden -f on a live daemon: passwords off, key login works, second run is a no-op', { skip: !sshdAvailable() && 'needs root and sshd', timeout: 120_000 }, async (t) => {
  const user = await createTestUser({ password: 'Secret-pw-123' });
  t.after(() => user.remove());
  const cdir = mkdtempSync(join(tmpdir(), 'sshield-client-'));
  t.after(() => rmSync(cdir, { recursive: true, force: true }));
  const key = await clientKey(cdir);
  await installAuthorizedKeys(user, readFileSync(`${key}.pub`, 'utf8'));
  // The admin: a sudo member with a key, running sshield through sudo (the guards protect them).
  assert.equal((await run('usermod', ['-aG', 'sudo', user.name])).code, 0);
  const env = { ...process.env, SUDO_USER: user.name, SSH_CONNECTION: undefined };
  // The Debian/PVE layout: Include of the drop-in dir first, cloud-init's drop-in re-enabling passwords.
  const sshd = await startSshd({
    rawConfig: 'Include {{DIR}}/sshd_config.d/*.conf\nPort {{PORT}}\nListenAddress 127.0.0.1\nHostKey {{HOSTKEY}}\nPidFile {{DIR}}/sshd.pid\nPermitRootLogin yes\nKbdInteractiveAuthentication no\nUsePAM yes\nX11Forwarding yes\nPrintMotd no\nAcceptEnv LANG LC_*\nSubsystem sftp /usr/lib/openssh/sftp-server\n',
  });
  t.after(() => sshd.stop());
  const dropDir = join(sshd.dir, 'sshd_config.d');
  mkdirSync(dropDir);
  writeFileSync(join(dropDir, '50-cloud-init.conf'), 'PasswordAuthentication yes\n', { mode: 0o600 });
  sshd.reload();
  await new Promise((r) => setTimeout(r, 500));
  const bk = mkdtempSync(join(tmpdir(), 'sshield-bk-'));
  t.after(() => rmSync(bk, { recursive: true, force: true }));

  const before = await run(process.execPath, [...CLI, 'harden', '-f', sshd.configPath, '--yes', '--backup-dir', bk], { env });
  assert.equal(before.code, 0, before.stdout + before.stderr + sshd.log());
  assert.match(before.stdout, /Applied \(backup/);

  const T = await sshdT(sshd.configPath, `user=${user.name},host=h,addr=127.0.0.1,laddr=127.0.0.1,lport=${sshd.port}`);
  assert.match(T.stdout, /^passwordauthentication no$/m);
  assert.match(T.stdout, /^permitrootlogin no$/m);
  assert.match(T.stdout, /^allowtcpforwarding no$/m);
  assert.match(T.stdout, /^allowagentforwarding no$/m);
  assert.match(T.stdout, /^x11forwarding no$/m);
  assert.match(readFileSync(join(dropDir, '50-cloud-init.conf'), 'utf8'), /^# \[sshield\] PasswordAuthentication yes$/m);

  // A new connection: key works, password and keyboard-interactive are not offered.
  const ok = await sshClient(sshd, user.name, { key, command: 'id -un' });
  assert.equal(ok.code, 0, ok.stderr + sshd.log());
  const noPw = await sshClient(sshd, user.name, { extraOptions: ['PreferredAuthentications=password,keyboard-interactive'], command: 'true' });
  assert.notEqual(noPw.code, 0);
  assert.match(noPw.stderr, /Permission denied \(publickey\)/);
  const tcp = await sshClient(sshd, user.name, { key, args: ['-o', 'ExitOnForwardFailure=yes', '-L', '127.0.0.1:0:127.0.0.1:22'], command: 'true' });
  assert.notEqual(tcp.code, 0, 'TCP forwarding refused');

  const again = await run(process.execPath, [...CLI, 'harden', '-f', sshd.configPath, '--yes', '--backup-dir', bk], { env });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Nothing to change/);

  // restore puts the old files back through the same pipeline, and password login is offered again.
  const rs = await run(process.execPath, [...CLI, 'restore', '--yes', '--backup-dir', bk], { env });
  assert.equal(rs.code, 0, rs.stdout + rs.stderr);
  const T2 = await sshdT(sshd.configPath);
  assert.match(T2.stdout, /^passwordauthentication yes$/m);
});
