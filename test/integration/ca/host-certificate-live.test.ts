// Host certificates end to end (issue 16): `ca sign-host` on a real sshd started with -f and its
// own host key signs the key with the host CA, installs KEY-cert.pub and a HostCertificate line
// through the one change flow (reload through the PidFile), and prints the @cert-authority line.
// A real ssh client whose known_hosts holds only that line, with StrictHostKeyChecking yes,
// then connects without trust on first use; the same client without the line refuses the host.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientKey, createTestUser, installAuthorizedKeys, run, sshdAvailable, startSshd, type SshdInstance, type TestUser } from '../../helpers/sshd.js';
import { assertMatchesSchema } from '../../helpers/json-schema.js';

const skip = !sshdAvailable() && 'needs root and /usr/sbin/sshd';
let sshd: SshdInstance;
let user: TestUser;
let dir = '';
let ca = '';
let hostKey = '';
let key = '';

function sshield(...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { timeoutMs: 120_000, env: { HOME: '/root', USER: 'root', NO_COLOR: '1', SSHIELD_LOCK_DIR: join(dir, 'locks') } });
}
/** The real client with StrictHostKeyChecking yes and exactly this known_hosts content. */
async function strictLogin(knownHosts: string) {
  const kh = join(dir, `known_hosts-${Math.random().toString(16).slice(2)}`);
  writeFileSync(kh, knownHosts);
  return run('ssh', ['-F', '/dev/null', '-p', String(sshd.port), '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${kh}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'IdentitiesOnly=yes', '-o', 'ConnectTimeout=10', '-i', key, `${user.name}@127.0.0.1`, 'echo in'], { timeoutMs: 30_000 });
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'sshield-ca-host-'));
  ca = join(dir, 'ca');
  mkdirSync(join(dir, 'hostkeys'), { mode: 0o700 });
  hostKey = join(dir, 'hostkeys', 'ssh_host_ed25519_key');
  assert.equal((await run('ssh-keygen', ['-q', '-N', '', '-t', 'ed25519', '-f', hostKey])).code, 0);
  user = await createTestUser();
  key = await clientKey(dir);
  await installAuthorizedKeys(user, readFileSync(`${key}.pub`, 'utf8'));
  sshd = await startSshd({ rawConfig: `Port {{PORT}}\nListenAddress 127.0.0.1\nHostKey ${hostKey}\nPidFile {{DIR}}/sshd.pid\nLogLevel VERBOSE\n` });
  const r = await sshield('ca', 'init', '--dir', ca);
  assert.equal(r.code, 0, r.stderr);
});
after(async () => {
  await sshd?.stop();
  await user?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('ca sign-host: --dry-run signs and writes nothing; applied, a client with only the @cert-authority line and StrictHostKeyChecking yes connects, one without it refuses', { skip, timeout: 180_000 }, async () => {
  const args = ['ca', 'sign-host', '--dir', ca, '--hostnames', '127.0.0.1,localhost', '--pattern', '[127.0.0.1]:*', '-f', sshd.configPath, '--backup-dir', join(dir, 'backups')];
  const hostCa = readFileSync(join(ca, 'host_ca.pub'), 'utf8').trim();
  const line = `@cert-authority [127.0.0.1]:* ${hostCa}\n`;
  const before = readFileSync(sshd.configPath, 'utf8');
  // Before: the line alone does not make the host trusted (it has no certificate), nor does an empty file.
  const pre = await strictLogin(line);
  assert.notEqual(pre.code, 0);
  assert.match(pre.stderr, /Host key verification failed|No .* host key is known/);

  const dry = await sshield(...args, '--dry-run');
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /\+HostCertificate .*ssh_host_ed25519_key-cert\.pub/);
  assert.match(dry.stdout, /^@cert-authority \[127\.0\.0\.1\]:\* ssh-ed25519 /m);
  assert.equal(readFileSync(sshd.configPath, 'utf8'), before);
  assert.equal(JSON.parse(readFileSync(join(ca, 'ledger.json'), 'utf8')).nextSerial, 1, '--dry-run issues no serial');

  const r = await sshield(...args, '--yes', '--json');
  assert.equal(r.code, 0, r.stderr);
  assertMatchesSchema('ca-sign-host', r.stdout);
  const env = JSON.parse(r.stdout) as { outcome: { kind: string }; plan: { details: { knownHostsLine: string; issued: { serial: number; kind: string }[] } } };
  assert.equal(env.outcome.kind, 'applied');
  assert.equal(env.plan.details.knownHostsLine, line.trim());
  assert.deepEqual(env.plan.details.issued.map((i) => [i.serial, i.kind]), [[1, 'host']]);
  const cert = `${hostKey}-cert.pub`;
  assert.match((await run('ssh-keygen', ['-L', '-f', cert])).stdout, /host certificate[\s\S]*Principals: \n\s+127\.0\.0\.1\n\s+localhost\n/);
  assert.equal(statSync(cert).mode & 0o777, 0o644);
  assert.equal(readFileSync(sshd.configPath, 'utf8'), before.replace(`HostKey ${hostKey}\n`, `HostKey ${hostKey}\nHostCertificate ${cert}\n`));

  const ok = await strictLogin(line);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout.trim(), 'in');
  const none = await strictLogin('');
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /Host key verification failed|No .* host key is known/);
  // A line for another CA does not vouch for this host.
  const otherCa = join(dir, 'other');
  assert.equal((await sshield('ca', 'init', '--dir', otherCa)).code, 0);
  const wrong = await strictLogin(`@cert-authority [127.0.0.1]:* ${readFileSync(join(otherCa, 'host_ca.pub'), 'utf8').trim()}\n`);
  assert.notEqual(wrong.code, 0);

  // Again: a renewal (new serial, new certificate), never a second HostCertificate line.
  const again = await sshield(...args, '--yes');
  assert.equal(again.code, 0, again.stderr);
  assert.equal(readFileSync(sshd.configPath, 'utf8').split('HostCertificate').length, 2);
  assert.match((await run('ssh-keygen', ['-L', '-f', cert])).stdout, /Serial: 2\n/);
  assert.equal((await strictLogin(line)).code, 0);
});
