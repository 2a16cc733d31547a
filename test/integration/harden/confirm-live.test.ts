// test-group: machine-admins (adds sudo members to this machine's /etc; runs alone: scripts/run-tests.mjs)
// --confirm-timeout against a real daemon, with the real detached watcher process: a change that
// nobody confirms is rolled back (files byte-identical to before, daemon reloaded and serving the
// old config); a change confirmed from a new login stays after the deadline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sshdAvailable, startSshd, createTestUser, clientKey, installAuthorizedKeys, sshClient, run, sshdT } from '../../helpers/sshd.js';

const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];
const CONFIG = 'Port {{PORT}}\nListenAddress 127.0.0.1\nHostKey {{HOSTKEY}}\nPidFile {{DIR}}/sshd.pid\nPermitRootLogin yes\nPasswordAuthentication yes\nKbdInteractiveAuthentication no\nUsePAM yes\nX11Forwarding yes\nSubsystem sftp /usr/lib/openssh/sftp-server\n';

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return cond();
}

for (const confirmIt of [false, true]) {
  test(`--confirm-timeout with the real watcher: ${confirmIt ? 'confirmed from a new login, the change stays' : 'unconfirmed, the change is rolled back'}`, { skip: !sshdAvailable() && 'needs root and sshd', timeout: 90_000 }, async (t) => {
    const user = await createTestUser();
    t.after(() => user.remove());
    const cdir = mkdtempSync(join(tmpdir(), 'sshield-client-'));
    t.after(() => rmSync(cdir, { recursive: true, force: true }));
    const key = await clientKey(cdir);
    await installAuthorizedKeys(user, readFileSync(`${key}.pub`, 'utf8'));
    assert.equal((await run('usermod', ['-aG', 'sudo', user.name])).code, 0);
    const env = { ...process.env, SUDO_USER: user.name, SSH_CONNECTION: undefined };
    const sshd = await startSshd({ rawConfig: CONFIG });
    t.after(() => sshd.stop());
    const bk = mkdtempSync(join(tmpdir(), 'sshield-bk-'));
    t.after(() => rmSync(bk, { recursive: true, force: true }));
    const original = readFileSync(sshd.configPath, 'latin1');

    const h = await run(process.execPath, [...CLI, 'harden', '-f', sshd.configPath, '--yes', '--backup-dir', bk, '--confirm-timeout', '10'], { env });
    assert.equal(h.code, 0, h.stdout + h.stderr);
    assert.notEqual(readFileSync(sshd.configPath, 'latin1'), original, 'the change is in place while awaiting confirmation');
    assert.match((await sshdT(sshd.configPath)).stdout, /^passwordauthentication no$/m);

    if (confirmIt) {
      // The admin proves access from a new login, then confirms.
      const login = await sshClient(sshd, user.name, { key, command: 'true' });
      assert.equal(login.code, 0, login.stderr);
      const c = await run(process.execPath, [...CLI, 'confirm', '--backup-dir', bk]);
      assert.equal(c.code, 0, c.stdout + c.stderr);
      await new Promise((r) => setTimeout(r, 13_000));
      assert.notEqual(readFileSync(sshd.configPath, 'latin1'), original, 'a confirmed change stays after the deadline');
      const ok = await sshClient(sshd, user.name, { key, command: 'true' });
      assert.equal(ok.code, 0, ok.stderr + sshd.log());
    } else {
      const restored = await waitFor(() => readFileSync(sshd.configPath, 'latin1') === original, 30_000);
      assert.ok(restored, 'the watcher restored the old config byte for byte');
      // Reloaded: the running daemon offers passwords again to a new connection.
      const offered = await waitFor(() => false, 1500).then(() => sshClient(sshd, user.name, { extraOptions: ['PreferredAuthentications=password', 'NumberOfPasswordPrompts=0'], command: 'true' }));
      assert.match(offered.stderr, /Permission denied \([^)]*password/, offered.stderr + sshd.log());
      const late = await run(process.execPath, [...CLI, 'confirm', '--backup-dir', bk]);
      assert.match(late.stdout + late.stderr, /Too late|Nothing awaits/);
    }
  });
}
