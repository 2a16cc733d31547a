// `sshield ca trust --user-ca CA.pub --revoked KRL --host H`: the CA key and the revocation list
// are files of THIS machine, read and checked here and sent to the host (--user-ca-key,
// --revoked-base64), which plans, writes and checks them as from its own files. Proof by the host's
// real sshd (ownDaemon: its own sshd_config): a certificate of that CA whose serial the list revokes
// is refused, one it does not revoke logs in; then a text list of public keys in its place.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../helpers/sshd.js';
import { ensureSea } from '../../helpers/sea.js';
import { testHostsAvailable, type TestFleet } from '../../helpers/test-hosts.js';
import { runSshield, startFleetLab, stopFleetLab } from '../../helpers/fleet-lab.js';

const skip = testHostsAvailable() ?? (process.arch !== 'x64' ? 'the single executable is built for x64 only' : undefined);

let fleet: TestFleet | undefined;
let work = '';
let sea = '';

before(async () => {
  if (skip) return;
  // The lab builds dist/ (this tree's CLI) first: the executable sent to the host carries that bundle.
  ({ fleet, work } = await startFleetLab([{ name: 'web1', example: 'debian12-cloud', ownDaemon: true, sudoAdmin: 'debian' }], 'sshield-ca-trust-remote-'));
  sea = await ensureSea();
});
after(async () => {
  await stopFleetLab(fleet, work);
});

const keygen = (args: string[]) => execFileSync('ssh-keygen', ['-q', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });

test('ca trust --user-ca --revoked over --host: the host trusts the CA and installs the list; its sshd refuses the revoked certificate and admits the other', { skip, timeout: 300_000 }, async () => {
  const f = fleet!;
  const h = f.hosts.find((x) => x.name === 'web1')!;
  const ca = join(work, 'user_ca');
  keygen(['-t', 'ed25519', '-N', '', '-C', 'user-ca', '-f', ca]);
  for (const [name, serial] of [['good', 1], ['bad', 2]] as const) {
    keygen(['-t', 'ed25519', '-N', '', '-f', join(work, name)]);
    keygen(['-s', ca, '-I', `${name}-cert`, '-n', 'debian', '-z', String(serial), '-V', '-5m:+1h', `${join(work, name)}.pub`]);
  }
  writeFileSync(join(work, 'spec'), 'serial: 2\n');
  keygen(['-k', '-f', join(work, 'revoked.krl'), '-s', `${ca}.pub`, join(work, 'spec')]);
  const krl = readFileSync(join(work, 'revoked.krl'));

  const login = (name: string) =>
    run('ssh', ['-F', '/dev/null', '-p', String(h.port), '-i', join(work, name), '-o', `CertificateFile=${join(work, name)}-cert.pub`, '-o', 'IdentitiesOnly=yes', '-o', 'IdentityAgent=none', '-o', 'BatchMode=yes', '-o', 'PasswordAuthentication=no', '-o', 'KbdInteractiveAuthentication=no', '-o', `UserKnownHostsFile=${join(f.dir, 'known_hosts')}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'ConnectTimeout=20', `debian@${h.address}`, 'echo in-as-$(id -un)'], { timeoutMs: 60_000 });
  // Not trusted yet: neither certificate logs in (their keys are in no authorized_keys).
  assert.notEqual((await login('good')).code, 0);

  const r = await runSshield(['ca', 'trust', '--user-ca', `${ca}.pub`, '--revoked', join(work, 'revoked.krl'), '--principals', 'debian:debian', '--host', 'debian@web1', '--ssh-config', f.sshConfig, '--remote-binary', sea, '--yes', '--json']);
  assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}`);
  const doc = JSON.parse(r.stdout) as { hosts: { name: string; status: string }[] };
  assert.equal(doc.hosts[0]?.status, 'changed', r.stdout);

  // The host's files: the list byte for byte, named by RevokedKeys in the config sshd runs.
  assert.deepEqual(readFileSync(join(h.dir, 'etc/ssh/sshield_revoked_keys')), krl);
  const good = await login('good');
  assert.equal(good.code, 0, `${good.stderr}\n${f.log('web1')}`);
  assert.match(good.stdout, /in-as-debian/);
  const bad = await login('bad');
  assert.notEqual(bad.code, 0, 'the revoked certificate is refused');
  assert.match(bad.stderr, /Permission denied/);
  assert.match(f.log('web1'), /revoked/i, 'sshd refused it as revoked');

  // A second run changes nothing.
  const again = await runSshield(['ca', 'trust', '--user-ca', `${ca}.pub`, '--revoked', join(work, 'revoked.krl'), '--principals', 'debian:debian', '--host', 'debian@web1', '--ssh-config', f.sshConfig, '--remote-binary', sea, '--yes', '--json']);
  assert.equal(again.code, 0, `${again.stderr}\n${again.stdout}`);
  assert.equal((JSON.parse(again.stdout) as { hosts: { status: string }[] }).hosts[0]?.status, 'unchanged', again.stdout);

  // A text list of public keys replaces the KRL (sshd reads one; ssh-keygen -Q does not): the key
  // of the good certificate listed there is refused, the other certificate no longer revoked.
  writeFileSync(join(work, 'revoked.txt'), `# lost laptop\n${readFileSync(join(work, 'good.pub'), 'utf8')}`);
  const text = await runSshield(['ca', 'trust', '--user-ca', `${ca}.pub`, '--revoked', join(work, 'revoked.txt'), '--host', 'debian@web1', '--ssh-config', f.sshConfig, '--remote-binary', sea, '--yes', '--json']);
  assert.equal(text.code, 0, `${text.stderr}\n${text.stdout}`);
  assert.deepEqual(readFileSync(join(h.dir, 'etc/ssh/sshield_revoked_keys')), readFileSync(join(work, 'revoked.txt')));
  assert.notEqual((await login('good')).code, 0, 'the listed key is refused, certificate or not');
  const now = await login('bad');
  assert.equal(now.code, 0, `${now.stderr}\n${f.log('web1')}`);
});
