// test-group: machine-admins (adds sudo members to this machine's /etc; runs alone: scripts/run-tests.mjs)
// Preflight guards against a real daemon on loopback with throwaway accounts: the refusal exits 3
// naming the flag, leaves the config byte-identical, and the person the guard protects still
// logs in afterwards (a real password login over the ssh2 client, from the session's own source
// address). Overriding with the guard's own flag (and only that one) applies the change, and
// the login the guard predicted to fail does fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { sshdAvailable, startSshd, createTestUser, clientKey, installAuthorizedKeys, sshClient, run, type SshdInstance } from '../../helpers/sshd.js';

const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];
const skip = !sshdAvailable() && 'needs root and sshd';

/** A real password login (method "password") with the ssh2 client; resolves the remote `id -un`. */
function passwordLogin(d: SshdInstance, user: string, password: string, localAddress = '127.0.0.1'): Promise<{ ok: true; out: string } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    const c = new ssh2.Client();
    const done = (r: { ok: true; out: string } | { ok: false; error: string }) => {
      c.end();
      resolve(r);
    };
    c.on('ready', () => {
      c.exec('id -un', (err, stream) => {
        if (err) return done({ ok: false, error: err.message });
        let out = '';
        stream.on('data', (b: Buffer) => (out += b.toString())).on('close', () => done({ ok: true, out: out.trim() }));
      });
    });
    c.on('error', (e) => done({ ok: false, error: e.message }));
    c.connect({ host: d.address, port: d.port, username: user, password, localAddress, readyTimeout: 8000, tryKeyboard: false });
  });
}

const CONFIG = 'Include {{DIR}}/sshd_config.d/*.conf\nPort {{PORT}}\nListenAddress 127.0.0.1\nHostKey {{HOSTKEY}}\nPidFile {{DIR}}/sshd.pid\nPasswordAuthentication yes\nKbdInteractiveAuthentication no\nUsePAM yes\nPrintMotd no\n';

async function daemon(extra = ''): Promise<SshdInstance> {
  const d = await startSshd({ rawConfig: CONFIG + extra });
  mkdirSync(join(d.dir, 'sshd_config.d'));
  return d;
}

function files(d: SshdInstance): string {
  return readFileSync(d.configPath, 'latin1');
}

test('(a) no-key-admin on a live daemon: refused, files untouched, the admin still logs in with a password', { skip, timeout: 120_000 }, async (t) => {
  const admin = await createTestUser({ password: 'Adm1n-pw-42' });
  t.after(() => admin.remove());
  assert.equal((await run('usermod', ['-aG', 'sudo', admin.name])).code, 0);
  // Only this admin may log in: sudo members other tests create meanwhile are no way in here.
  const d = await daemon(`AllowUsers ${admin.name}\n`);
  t.after(() => d.stop());
  const bk = mkdtempSync(join(tmpdir(), 'sshield-bk-'));
  t.after(() => rmSync(bk, { recursive: true, force: true }));
  const env = { ...process.env, SUDO_USER: admin.name, SSH_CONNECTION: undefined };
  const before = files(d);

  const r = await run(process.execPath, [...CLI, 'harden', '-f', d.configPath, '--yes', '--backup-dir', bk], { env });
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.match(r.stderr, /no account that can log in and become root has a usable key .*\(override: --allow-no-key-admin\)/);
  assert.equal(files(d), before, 'config byte-identical');
  const login = await passwordLogin(d, admin.name, 'Adm1n-pw-42');
  assert.deepEqual(login, { ok: true, out: admin.name }, d.log());

  // With a key in place the same command goes through, and the key is the way in.
  const cdir = mkdtempSync(join(tmpdir(), 'sshield-client-'));
  t.after(() => rmSync(cdir, { recursive: true, force: true }));
  const key = await clientKey(cdir);
  await installAuthorizedKeys(admin, readFileSync(`${key}.pub`, 'utf8'));
  const ok = await run(process.execPath, [...CLI, 'harden', '-f', d.configPath, '--yes', '--backup-dir', bk], { env });
  assert.equal(ok.code, 0, ok.stdout + ok.stderr + d.log());
  const k = await sshClient(d, admin.name, { key, command: 'id -un' });
  assert.equal(k.code, 0, k.stderr + d.log());
  const pw = await passwordLogin(d, admin.name, 'Adm1n-pw-42');
  assert.equal(pw.ok, false, 'passwords are off now');
});

test('(b) session-lockout on a live daemon: the SSH_CONNECTION address keeps its way in', { skip, timeout: 120_000 }, async (t) => {
  // The session user logs in from 127.0.0.2 where keys are off (Match Address), i.e. only by
  // password; another admin has a key, so only the session is at risk.
  const sess = await createTestUser({ password: 'Sess-pw-4242' });
  t.after(() => sess.remove());
  const admin = await createTestUser();
  t.after(() => admin.remove());
  assert.equal((await run('usermod', ['-aG', 'sudo', admin.name])).code, 0);
  const cdir = mkdtempSync(join(tmpdir(), 'sshield-client-'));
  t.after(() => rmSync(cdir, { recursive: true, force: true }));
  const key = await clientKey(cdir);
  await installAuthorizedKeys(admin, readFileSync(`${key}.pub`, 'utf8'));
  await installAuthorizedKeys(sess, readFileSync(`${key}.pub`, 'utf8'));
  const d = await daemon('Match Address 127.0.0.2\n\tPubkeyAuthentication no\n');
  t.after(() => d.stop());
  const bk = mkdtempSync(join(tmpdir(), 'sshield-bk-'));
  t.after(() => rmSync(bk, { recursive: true, force: true }));
  const env = { ...process.env, SUDO_USER: sess.name, SSH_CONNECTION: `127.0.0.2 50022 127.0.0.1 ${d.port}` };
  const before = files(d);
  assert.deepEqual(await passwordLogin(d, sess.name, 'Sess-pw-4242', '127.0.0.2'), { ok: true, out: sess.name }, d.log());

  const r = await run(process.execPath, [...CLI, 'harden', '-f', d.configPath, '--yes', '--backup-dir', bk], { env });
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.match(r.stderr, new RegExp(`your session \\(${sess.name} from 127\\.0\\.0\\.2\\) could not log in again.*\\(override: --allow-session-lockout\\)`));
  assert.doesNotMatch(r.stderr, /--allow-user-lockout|--allow-no-key-admin/, 'from elsewhere the user keeps a key; the admin has one');
  assert.equal(files(d), before);
  assert.deepEqual(await passwordLogin(d, sess.name, 'Sess-pw-4242', '127.0.0.2'), { ok: true, out: sess.name }, 'the session still gets in');

  // Another guard's flag does not override it.
  const other = await run(process.execPath, [...CLI, 'harden', '-f', d.configPath, '--yes', '--backup-dir', bk, '--allow-user-lockout'], { env });
  assert.equal(other.code, 3);
  assert.equal(files(d), before);

  // Its own flag does, and the prediction was right: from 127.0.0.2 the user cannot log in now.
  const forced = await run(process.execPath, [...CLI, 'harden', '-f', d.configPath, '--yes', '--backup-dir', bk, '--allow-session-lockout'], { env });
  assert.equal(forced.code, 0, forced.stdout + forced.stderr + d.log());
  assert.equal((await passwordLogin(d, sess.name, 'Sess-pw-4242', '127.0.0.2')).ok, false);
  const viaKey = await sshClient(d, sess.name, { key, bind: '127.0.0.2', command: 'true' });
  assert.notEqual(viaKey.code, 0, 'keys are off from 127.0.0.2');
  const elsewhere = await sshClient(d, sess.name, { key, command: 'id -un' });
  assert.equal(elsewhere.code, 0, elsewhere.stderr);
});

test('(f) hostkey-mismatch on a live daemon with only an ECDSA host key: strict is refused, the admin still gets in; forced, the verify step proves the guard right and rolls back', { skip, timeout: 120_000 }, async (t) => {
  const admin = await createTestUser();
  t.after(() => admin.remove());
  assert.equal((await run('usermod', ['-aG', 'sudo', admin.name])).code, 0);
  const cdir = mkdtempSync(join(tmpdir(), 'sshield-client-'));
  t.after(() => rmSync(cdir, { recursive: true, force: true }));
  const key = await clientKey(cdir);
  await installAuthorizedKeys(admin, readFileSync(`${key}.pub`, 'utf8'));
  const d = await startSshd({ hostKeyTypes: ['ecdsa'], config: 'PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM yes\n' });
  t.after(() => d.stop());
  const bk = mkdtempSync(join(tmpdir(), 'sshield-bk-'));
  t.after(() => rmSync(bk, { recursive: true, force: true }));
  const env = { ...process.env, SUDO_USER: admin.name, SSH_CONNECTION: undefined };
  const before = files(d);

  const r = await run(process.execPath, [...CLI, 'harden', '-f', d.configPath, '--profile', 'strict', '--yes', '--backup-dir', bk], { env });
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.match(r.stderr, /HostKeyAlgorithms .* matches none of the host keys \(ecdsa-sha2-nistp256 .*\(override: --allow-hostkey-mismatch\)/);
  assert.equal(files(d), before);
  const ok = await sshClient(d, admin.name, { key, command: 'id -un' });
  assert.equal(ok.code, 0, ok.stderr + d.log());

  const forced = await run(process.execPath, [...CLI, 'harden', '-f', d.configPath, '--profile', 'strict', '--yes', '--backup-dir', bk, '--allow-hostkey-mismatch'], { env });
  assert.equal(forced.code, 2, forced.stdout + forced.stderr);
  assert.match(forced.stdout, /Failed at verify: .*The previous configuration was restored/);
  assert.equal(files(d), before);
  const still = await sshClient(d, admin.name, { key, command: 'id -un' });
  assert.equal(still.code, 0, still.stderr + d.log());
});
