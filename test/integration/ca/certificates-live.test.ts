// SSH certificates end to end (issue 16), with the real CLI, the real ssh-keygen, a real sshd on
// loopback and the real OpenSSH client: `ca init` in a temp dir, `ca sign`, `ca trust` through the
// one change flow against a daemon started with -f (reloaded through its PidFile), then logins:
// a valid certificate logs in with no authorized_keys entry as the account whose principals file
// lists its principal and is refused for another account; an expired, a not-yet-valid, a wrong
// principal and another CA's certificate are refused; force-command runs only that command;
// source-address admits 127.0.0.1 and refuses 127.0.0.2; after `ca revoke --serial N` and
// `ca trust --revoked` that certificate is refused while another still works. Throwaway accounts
// (sshield-t-*) are removed in `after` whatever happens.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientKey, createTestUser, run, sshClient, sshdAvailable, startSshd, type SshdInstance, type TestUser } from '../../helpers/sshd.js';
import { assertMatchesSchema } from '../../helpers/json-schema.js';

const skip = !sshdAvailable() && 'needs root and /usr/sbin/sshd';
let sshd: SshdInstance;
let alice: TestUser;
let bob: TestUser;
let dir = '';
let runDir = '';
let ca = '';
let principalsDir = '';

function sshield(...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { timeoutMs: 120_000, env: { HOME: '/root', USER: 'root', NO_COLOR: '1', SSHIELD_LOCK_DIR: join(dir, 'locks') } });
}
function change(...args: string[]) {
  return sshield(...args, '-f', sshd.configPath, '--backup-dir', join(dir, 'backups'));
}
async function sign(key: string, principals: string, validity: string, ...more: string[]) {
  const r = await sshield('ca', 'sign', '--dir', ca, '--key', `${key}.pub`, '--principals', principals, '--validity', validity, '--json', ...more);
  assert.equal(r.code, 0, r.stderr);
  assertMatchesSchema('ca-sign', r.stdout);
  return JSON.parse(r.stdout) as { issued: { serial: number; certificate: string } };
}
/** A login with only the certificate (no authorized_keys anywhere for these accounts). */
function login(user: TestUser, key: string, opts: { command?: string; bind?: string; cert?: string } = {}) {
  return sshClient(sshd, user.name, { key, command: opts.command ?? 'id -un', ...(opts.bind ? { bind: opts.bind } : {}), extraOptions: [`CertificateFile=${opts.cert ?? `${key}-cert.pub`}`, 'PreferredAuthentications=publickey'], timeoutMs: 30_000 });
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'sshield-ca-live-'));
  ca = join(dir, 'ca');
  // sshd reads principals files as the user (auth2-pubkey.c match_principals_file, StrictModes):
  // every directory on the way must be root-owned and not writable by others, so not under /tmp.
  runDir = mkdtempSync('/run/sshield-t-ca-');
  chmodSync(runDir, 0o755);
  principalsDir = join(runDir, 'principals');
  alice = await createTestUser();
  bob = await createTestUser();
  sshd = await startSshd({ config: 'LogLevel VERBOSE\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n' });
});
after(async () => {
  await sshd?.stop();
  await alice?.remove();
  await bob?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (runDir) rmSync(runDir, { recursive: true, force: true });
});

test('ca init: a 0700 directory with 0600 CA keys made by ssh-keygen and an empty ledger; an existing CA, a readable dir and a symlink are refused', { skip, timeout: 120_000 }, async () => {
  const r = await sshield('ca', 'init', '--dir', ca, '--json');
  assert.equal(r.code, 0, r.stderr);
  assertMatchesSchema('ca-init', r.stdout);
  assert.equal(statSync(ca).mode & 0o777, 0o700);
  for (const k of ['user_ca', 'host_ca']) {
    assert.equal(statSync(join(ca, k)).mode & 0o777, 0o600, k);
    assert.match((await run('ssh-keygen', ['-l', '-f', join(ca, `${k}.pub`)])).stdout, /\(ED25519\)/);
  }
  assert.deepEqual(JSON.parse(readFileSync(join(ca, 'ledger.json'), 'utf8')), { version: 1, nextSerial: 1, certificates: [], revokedKeys: [] });
  const again = await sshield('ca', 'init', '--dir', ca);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already holds a CA/);

  const open = join(dir, 'open');
  const o = await sshield('ca', 'init', '--dir', open);
  assert.equal(o.code, 0, o.stderr);
  chmodSync(open, 0o750);
  const s = await sshield('ca', 'list', '--dir', open);
  assert.equal(s.code, 2);
  assert.match(s.stderr, /mode 0750: others could read or change/);
  const link = join(dir, 'link');
  await run('ln', ['-s', ca, link]);
  const l = await sshield('ca', 'list', '--dir', link);
  assert.equal(l.code, 2);
  assert.match(l.stderr, /is a symbolic link/);
});

let ka = '';
let kExpired = '';
let kFuture = '';
let kOther = '';
let serialA = 0;

test('ca sign: serials from the ledger, principals and validity as asked; over the policy maximum refused (exit 3) unless --allow-long-validity', { skip, timeout: 120_000 }, async () => {
  ka = await clientKey(dir, 'ed25519', 'alice');
  const s = await sign(ka, 'X', '+5m');
  serialA = s.issued.serial;
  assert.equal(serialA, 1);
  const shown = (await run('ssh-keygen', ['-L', '-f', `${ka}-cert.pub`])).stdout;
  assert.match(shown, /Serial: 1\n/);
  assert.match(shown, /Principals: \n\s+X\n/);
  kExpired = await clientKey(dir, 'ed25519', 'expired');
  assert.equal((await sign(kExpired, 'X', '-20m:-10m')).issued.serial, 2);
  kFuture = await clientKey(dir, 'ed25519', 'future');
  assert.equal((await sign(kFuture, 'X', '+1h:+2h')).issued.serial, 3);
  const long = await sshield('ca', 'sign', '--dir', ca, '--key', `${ka}.pub`, '--principals', 'X', '--validity', '+30d', '--out', join(dir, 'long-cert.pub'));
  assert.equal(long.code, 3, long.stderr);
  assert.match(long.stderr, /longer than this CA's maximum of 1d.*--allow-long-validity/);
  const ok = await sshield('ca', 'sign', '--dir', ca, '--key', `${ka}.pub`, '--principals', 'X', '--validity', '+30d', '--out', join(dir, 'long-cert.pub'), '--allow-long-validity');
  assert.equal(ok.code, 0, ok.stderr);
  const list = await sshield('ca', 'list', '--dir', ca, '--json');
  assertMatchesSchema('ca-list', list.stdout);
  const ledger = JSON.parse(list.stdout) as { nextSerial: number; certificates: { serial: number; principals: string[] }[] };
  assert.deepEqual(ledger.certificates.map((c) => c.serial), [1, 2, 3, 4]);
  assert.equal(ledger.nextSerial, 5);
  // A second, separate CA: its certificates must not be accepted.
  const other = join(dir, 'other-ca');
  assert.equal((await sshield('ca', 'init', '--dir', other)).code, 0);
  kOther = await clientKey(dir, 'ed25519', 'other');
  const r = await sshield('ca', 'sign', '--dir', other, '--key', `${kOther}.pub`, '--principals', 'X', '--validity', '+5m');
  assert.equal(r.code, 0, r.stderr);
});

test('ca trust on a live sshd: TrustedUserCAKeys, AuthorizedPrincipalsFile and root-owned 0644 principals files through the change flow; a second run changes nothing', { skip, timeout: 180_000 }, async () => {
  const before = readFileSync(sshd.configPath, 'utf8');
  const dry = await change('ca', 'trust', '--user-ca', join(ca, 'user_ca.pub'), '--principals', `${alice.name}:X`, '--principals', `${bob.name}:Y`, '--principals-dir', principalsDir, '--dry-run');
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /\+TrustedUserCAKeys /);
  assert.equal(readFileSync(sshd.configPath, 'utf8'), before);
  const noTty = await change('ca', 'trust', '--user-ca', join(ca, 'user_ca.pub'), '--principals', `${alice.name}:X`, '--principals-dir', principalsDir);
  assert.equal(noTty.code, 3, noTty.stderr);
  assert.equal(readFileSync(sshd.configPath, 'utf8'), before);
  // Before trust, the certificate does not log in.
  assert.notEqual((await login(alice, ka)).code, 0);

  const r = await change('ca', 'trust', '--user-ca', join(ca, 'user_ca.pub'), '--principals', `${alice.name}:X`, '--principals', `${bob.name}:Y`, '--principals-dir', principalsDir, '--yes', '--json');
  assert.equal(r.code, 0, r.stderr);
  assertMatchesSchema('ca-trust', r.stdout);
  const env = JSON.parse(r.stdout) as { outcome: { kind: string }; plan: { kind: string } };
  assert.equal(env.outcome.kind, 'applied');
  assert.equal(env.plan.kind, 'ca');
  const t = (await run('/usr/sbin/sshd', ['-T', '-f', sshd.configPath])).stdout;
  assert.match(t, new RegExp(`^authorizedprincipalsfile ${principalsDir}/%u$`, 'm'));
  assert.match(t, /^trustedusercakeys \S+sshield_user_ca_keys$/m);
  for (const [u, p] of [[alice, 'X'], [bob, 'Y']] as const) {
    const f = join(principalsDir, u.name);
    assert.equal(readFileSync(f, 'utf8'), `${p}\n`);
    const st = statSync(f);
    assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [0, 0, 0o644]);
  }
  assert.equal(statSync(principalsDir).mode & 0o777, 0o755);
  const again = await change('ca', 'trust', '--user-ca', join(ca, 'user_ca.pub'), '--principals', `${alice.name}:X`, '--principals-dir', principalsDir, '--yes');
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /[Nn]othing to (change|do)/);
  // root only when asked.
  const root = await change('ca', 'trust', '--user-ca', join(ca, 'user_ca.pub'), '--principals', 'root:X', '--principals-dir', principalsDir, '--yes');
  assert.equal(root.code, 2);
  assert.match(root.stderr, /--allow-root-principals/);
});

test('certificate logins: principal X logs in as the account listing X and not as another; expired, not yet valid, another CA and a wrong principal are refused', { skip, timeout: 180_000 }, async () => {
  const ok = await login(alice, ka);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout.trim(), alice.name);
  const other = await login(bob, ka);
  assert.notEqual(other.code, 0, 'X is not in bob\'s principals file');
  assert.match(other.stderr, /Permission denied/);
  for (const k of [kExpired, kFuture, kOther]) {
    const r = await login(alice, k);
    assert.notEqual(r.code, 0, k);
    assert.match(r.stderr, /Permission denied/);
  }
  const kWrong = await clientKey(dir, 'ed25519', 'wrong');
  await sign(kWrong, 'Z', '+5m');
  assert.notEqual((await login(alice, kWrong)).code, 0);
  const log = sshd.log();
  assert.match(log, /expired|not yet valid|Certificate invalid/i);
});

test('certificate options: force-command runs only that command; source-address admits 127.0.0.1 and refuses 127.0.0.2', { skip, timeout: 180_000 }, async () => {
  const kf = await clientKey(dir, 'ed25519', 'forced');
  await sign(kf, 'X', '+5m', '--force-command', 'echo forced-only', '--no-pty');
  const f = await login(alice, kf, { command: 'id -un' });
  assert.equal(f.code, 0, f.stderr);
  assert.equal(f.stdout.trim(), 'forced-only');
  const ks = await clientKey(dir, 'ed25519', 'sourced');
  await sign(ks, 'X', '+5m', '--source-address', '127.0.0.1/32');
  const from1 = await login(alice, ks, { bind: '127.0.0.1' });
  assert.equal(from1.code, 0, from1.stderr);
  const from2 = await login(alice, ks, { bind: '127.0.0.2' });
  assert.notEqual(from2.code, 0);
});

test('ca revoke --serial N, then ca trust --revoked: that certificate is refused, another still logs in; a list ssh-keygen cannot read is refused before anything changes', { skip, timeout: 180_000 }, async () => {
  const k2 = await clientKey(dir, 'ed25519', 'second');
  await sign(k2, 'X', '+5m');
  const rv = await sshield('ca', 'revoke', '--dir', ca, '--serial', String(serialA), '--json');
  assert.equal(rv.code, 0, rv.stderr);
  assertMatchesSchema('ca-revoke', rv.stdout);
  const krl = join(ca, 'revoked_keys.krl');
  assert.equal((await run('ssh-keygen', ['-Q', '-f', krl, `${ka}-cert.pub`])).code, 1);

  const garbage = join(dir, 'garbage.krl');
  writeFileSync(garbage, 'not a KRL\n');
  const before = readFileSync(sshd.configPath, 'utf8');
  const bad = await change('ca', 'trust', '--user-ca', join(ca, 'user_ca.pub'), '--principals-dir', principalsDir, '--revoked', garbage, '--yes');
  assert.equal(bad.code, 3, bad.stderr);
  assert.match(bad.stderr, /sshd refuses every public key when RevokedKeys cannot be read/);
  assert.equal(readFileSync(sshd.configPath, 'utf8'), before);

  const r = await change('ca', 'trust', '--user-ca', join(ca, 'user_ca.pub'), '--principals-dir', principalsDir, '--revoked', krl, '--yes');
  assert.equal(r.code, 0, r.stderr);
  assert.match((await run('/usr/sbin/sshd', ['-T', '-f', sshd.configPath])).stdout, /^revokedkeys \S+sshield_revoked_keys$/m);
  const revoked = await login(alice, ka);
  assert.notEqual(revoked.code, 0, 'the revoked serial must be refused');
  const fine = await login(alice, k2);
  assert.equal(fine.code, 0, fine.stderr);
});

test('ca revoke --key: the key is listed in the KRL and its certificates are refused once the server installs it', { skip, timeout: 180_000 }, async () => {
  const k = await clientKey(dir, 'ed25519', 'lost-laptop');
  await sign(k, 'X', '+5m');
  assert.equal((await login(alice, k)).code, 0);
  const rv = await sshield('ca', 'revoke', '--dir', ca, '--key', `${k}.pub`, '--json');
  assert.equal(rv.code, 0, rv.stderr);
  assertMatchesSchema('ca-revoke', rv.stdout);
  const fp = (await run('ssh-keygen', ['-lf', `${k}.pub`])).stdout.split(' ')[1];
  assert.deepEqual((JSON.parse(rv.stdout) as { revoked: unknown }).revoked, { keyFingerprint: fp });
  const again = await sshield('ca', 'revoke', '--dir', ca, '--key', `${k}.pub`, '--json');
  assert.equal((JSON.parse(again.stdout) as { changed: boolean }).changed, false, 'revoking twice changes nothing');
  const r = await change('ca', 'trust', '--user-ca', join(ca, 'user_ca.pub'), '--principals-dir', principalsDir, '--revoked', join(ca, 'revoked_keys.krl'), '--yes');
  assert.equal(r.code, 0, r.stderr);
  assert.notEqual((await login(alice, k)).code, 0, 'a certificate of the revoked key is refused');
  const unknown = await sshield('ca', 'revoke', '--dir', ca, '--serial', '9999');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /serial 9999 was not issued by this CA/);
});

test('ca sign from concurrent runs: every serial is handed out once, in order', { skip, timeout: 180_000 }, async () => {
  const keys = await Promise.all([0, 1, 2, 3].map((i) => clientKey(dir, 'ed25519', `conc${i}`)));
  const rs = await Promise.all(keys.map((k) => sshield('ca', 'sign', '--dir', ca, '--key', `${k}.pub`, '--principals', 'X', '--validity', '+5m', '--json')));
  for (const r of rs) assert.equal(r.code, 0, r.stderr);
  const serials = rs.map((r) => (JSON.parse(r.stdout) as { issued: { serial: number } }).issued.serial).sort((a, b) => a - b);
  const ledger = JSON.parse(readFileSync(join(ca, 'ledger.json'), 'utf8')) as { nextSerial: number; certificates: { serial: number }[] };
  const all = ledger.certificates.map((c) => c.serial);
  assert.equal(new Set(all).size, all.length, `duplicate serials: ${all.join(',')}`);
  assert.deepEqual(all, [...all].sort((a, b) => a - b));
  assert.deepEqual(serials, all.slice(-4));
  assert.equal(ledger.nextSerial, all[all.length - 1]! + 1);
});
