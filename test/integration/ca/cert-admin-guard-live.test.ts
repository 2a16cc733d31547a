// The credential model counts certificates (issue 16, item 6 and Proof): a sudo admin who logs in
// with a password and a certificate (TrustedUserCAKeys + a principals file, set up by `ca trust`),
// whose session sshd describes in SSH_USER_AUTH (ExposeAuthInfo yes), runs `harden`, which turns
// passwords off. With the certificate known and good, the no-key-admin guard is not in the way:
// the change applies and the admin still logs in with the certificate (real ssh) while the
// password is refused. When the admin's only certificate is revoked (ca revoke + ca trust
// --revoked), the same harden is refused (exit 3) and nothing changes; without SSH_USER_AUTH the
// certificate cannot be proven and harden is refused as well. Real sshd, real ssh/sshpass, real
// accounts (sshield-t-*, in the lockout harness's private /etc, removed in finally). Also `ca trust
// --revoked` under the one guard stage: a new KRL that spares the admin's key applies; one that
// revokes it is refused by admin-lockout (the model reads the planned KRL's own bytes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, sshdAvailable } from '../../helpers/sshd.js';
import { CLI, Scenario, type Account } from '../../helpers/lockout.js';

const skip = !sshdAvailable() && 'needs root and /usr/sbin/sshd';
const PW = `Pw-${Math.random().toString(36).slice(2, 10)}-9`;

test('harden with a certificate-only way in after the change: applied when the session certificate is good, refused when it is revoked or unknown', { skip, timeout: 600_000 }, async () => {
  const s = await Scenario.create();
  try {
    const a: Account = await s.account({ admin: true, password: PW });
    const key = await s.key();
    const d = await s.start('PasswordAuthentication yes\nKbdInteractiveAuthentication no\nUsePAM yes\nPrintMotd no\nExposeAuthInfo yes\nLogLevel VERBOSE\n');
    const ca = join(s.clientDir, 'ca');
    // The CLI runs inside the scenario's private /etc (its accounts live there), with exactly this environment.
    const env = (extra: Record<string, string> = {}) => Object.entries({ HOME: '/root', USER: 'root', LOGNAME: 'root', NO_COLOR: '1', PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', SSHIELD_LOCK_DIR: join(s.base, 'locks'), ...extra }).map(([k, v]) => `${k}=${v}`);
    const sshield = (args: string[], extra: Record<string, string> = {}) => s.exec('env', ['-i', ...env(extra), process.execPath, ...CLI, ...args]);
    const change = (args: string[], extra: Record<string, string> = {}) => sshield([...args, '-f', d.configPath, '--backup-dir', s.backups], extra);
    const common = ['-F', '/dev/null', '-p', String(d.port), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=10'];
    const certLogin = (command = 'id -un') => run('ssh', [...common, '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'PreferredAuthentications=publickey', '-i', key, '-o', `CertificateFile=${key}-cert.pub`, `${a.name}@127.0.0.1`, command], { timeoutMs: 30_000 });
    const pwLogin = () => run('sshpass', ['-e', 'ssh', ...common, '-o', 'BatchMode=no', '-o', 'NumberOfPasswordPrompts=1', '-o', 'PreferredAuthentications=password', '-o', 'PubkeyAuthentication=no', `${a.name}@127.0.0.1`, 'id -un'], { env: { SSHPASS: PW }, timeoutMs: 30_000 });
    /** What sshd wrote to SSH_USER_AUTH for a certificate login, kept in a file of our own. */
    const sessionAuth = async (name: string) => {
      const r = await certLogin('cat "$SSH_USER_AUTH"');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^publickey ssh-ed25519-cert-v01@openssh\.com /m);
      const f = join(s.base, name);
      writeFileSync(f, r.stdout, { mode: 0o600 });
      return f;
    };
    const harden = (userAuth?: string) =>
      change(['harden', '--profile', 'baseline', '--yes', '--json'], { SUDO_USER: a.name, SSH_CONNECTION: `127.0.0.1 50022 127.0.0.1 ${d.port}`, ...(userAuth ? { SSH_USER_AUTH: userAuth } : {}) });

    assert.equal((await sshield(['ca', 'init', '--dir', ca])).code, 0);
    const t = await change(['ca', 'trust', '--user-ca', join(ca, 'user_ca.pub'), '--principals', `${a.name}:ops-${a.name}`, '--principals-dir', join(s.base, 'principals'), '--yes']);
    assert.equal(t.code, 0, t.stderr + t.stdout);
    const sign = async () => {
      const r = await sshield(['ca', 'sign', '--dir', ca, '--key', `${key}.pub`, '--principals', `ops-${a.name}`, '--validity', '+30m', '--json']);
      assert.equal(r.code, 0, r.stderr);
      return (JSON.parse(r.stdout) as { issued: { serial: number } }).issued.serial;
    };
    const first = await sign();
    assert.equal((await pwLogin()).stdout.trim(), a.name, 'the password works before');
    assert.equal((await certLogin()).stdout.trim(), a.name, 'the certificate works before');
    const auth1 = await sessionAuth('userauth-1');

    // Unknown certificate: the model cannot prove it, the password would be turned off: refused.
    const cfgBefore = readFileSync(d.configPath, 'utf8');
    const unknown = await harden();
    assert.equal(unknown.code, 3, unknown.stderr + unknown.stdout);
    assert.match(unknown.stdout, /no-key-admin|admin-lockout/);
    assert.equal(readFileSync(d.configPath, 'utf8'), cfgBefore);

    // Revoked: the only certificate is in the KRL the server reads: refused, nothing changed.
    assert.equal((await sshield(['ca', 'revoke', '--dir', ca, '--serial', String(first)])).code, 0);
    const rv = await change(['ca', 'trust', '--user-ca', join(ca, 'user_ca.pub'), '--principals-dir', join(s.base, 'principals'), '--revoked', join(ca, 'revoked_keys.krl'), '--yes']);
    assert.equal(rv.code, 0, rv.stderr + rv.stdout);
    assert.notEqual((await certLogin()).code, 0, 'sshd refuses the revoked certificate');
    const cfgRevoked = readFileSync(d.configPath, 'utf8');
    const revoked = await harden(auth1);
    assert.equal(revoked.code, 3, revoked.stderr + revoked.stdout);
    const env1 = JSON.parse(revoked.stdout) as { outcome: { kind: string }; plan: { guards: { id: string; ok: boolean; message: string }[] } };
    assert.equal(env1.outcome.kind, 'refused');
    const nk = env1.plan.guards.find((g) => g.id === 'no-key-admin')!;
    assert.equal(nk.ok, false, nk.message);
    assert.equal(readFileSync(d.configPath, 'utf8'), cfgRevoked);
    assert.equal((await pwLogin()).stdout.trim(), a.name, 'the password still works after the refusal');

    // A fresh certificate (next serial, not revoked): known through the session, harden applies.
    assert.ok((await sign()) > first);
    assert.equal((await certLogin()).stdout.trim(), a.name, 'the new certificate works');
    const auth2 = await sessionAuth('userauth-2');
    const ok = await harden(auth2);
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    const env2 = JSON.parse(ok.stdout) as { outcome: { kind: string }; plan: { guards: { id: string; ok: boolean; message: string }[] } };
    assert.equal(env2.outcome.kind, 'applied');
    const nk2 = env2.plan.guards.find((g) => g.id === 'no-key-admin')!;
    assert.equal(nk2.ok, true);
    assert.match(nk2.message, new RegExp(`^${a.name} from \\S+: key ssh-ed25519-cert-v01@openssh\\.com SHA256:\\S+ \\(SSH_USER_AUTH .*\\) \\(a certificate sshd accepts`));
    assert.match((await run('/usr/sbin/sshd', ['-T', '-f', d.configPath])).stdout, /^passwordauthentication no$/m);
    assert.equal((await certLogin()).stdout.trim(), a.name, 'the admin still logs in, with the certificate');
    assert.notEqual((await pwLogin()).code, 0, 'the password is refused now');
  } finally {
    await s.cleanup();
  }
});

test('ca trust --revoked under the guards: an admin whose key the KRL does not list keeps its way in (applied); revoking the admin\'s own key is refused by admin-lockout', { skip, timeout: 600_000 }, async () => {
  const s = await Scenario.create();
  try {
    const a: Account = await s.account({ admin: true });
    const key = await s.key();
    s.authorizedKeys(a, [s.pub(key)]);
    const d = await s.start('PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM yes\nPrintMotd no\n');
    const ca = join(s.clientDir, 'ca');
    const env = Object.entries({ HOME: '/root', USER: 'root', LOGNAME: 'root', NO_COLOR: '1', PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', SSHIELD_LOCK_DIR: join(s.base, 'locks') }).map(([k, v]) => `${k}=${v}`);
    const sshield = (...args: string[]) => s.exec('env', ['-i', ...env, process.execPath, ...CLI, ...args]);
    const trust = (...more: string[]) => sshield('ca', 'trust', '--user-ca', join(ca, 'user_ca.pub'), '--principals-dir', join(s.base, 'principals'), '--revoked', join(ca, 'revoked_keys.krl'), '-f', d.configPath, '--backup-dir', s.backups, '--yes', ...more);
    const keyLogin = () => run('ssh', ['-F', '/dev/null', '-p', String(d.port), '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'IdentitiesOnly=yes', '-i', key, `${a.name}@127.0.0.1`, 'id -un'], { timeoutMs: 30_000 });
    assert.equal((await keyLogin()).stdout.trim(), a.name);
    assert.equal((await sshield('ca', 'init', '--dir', ca)).code, 0);
    // Another key's revocation, in a KRL the server has never had: the model reads the planned
    // KRL's own bytes, finds the admin's key is not in it, and lets the change through.
    const other = await s.key();
    assert.equal((await sshield('ca', 'revoke', '--dir', ca, '--key', `${other}.pub`)).code, 0);
    const ok = await trust();
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    assert.equal((await keyLogin()).stdout.trim(), a.name, 'the admin still logs in');
    // Now the admin's only key: refused before anything is written, the admin still gets in.
    assert.equal((await sshield('ca', 'revoke', '--dir', ca, '--key', `${key}.pub`)).code, 0);
    const before = readFileSync(d.configPath, 'utf8');
    const krl = join(d.configPath, '..', 'sshield_revoked_keys');
    const krlBefore = readFileSync(krl);
    const no = await trust();
    assert.equal(no.code, 3, no.stderr + no.stdout);
    assert.match(no.stderr, new RegExp(`${a.name}.*--allow-admin-lockout`));
    assert.equal(readFileSync(d.configPath, 'utf8'), before);
    assert.deepEqual(readFileSync(krl), krlBefore);
    assert.equal((await keyLogin()).stdout.trim(), a.name, 'nothing changed: the admin still logs in');
  } finally {
    await s.cleanup();
  }
});
