// Reload signals only this config's sshd: the pid in a PidFile must run an sshd executable whose
// command line (or listening socket) ties it to the config being changed; otherwise no signal is
// sent, the change is rolled back and the message says the daemon keeps its configuration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argvOfCmdline, configOfCmdline, identifySshd } from '../../../src/apply/daemon-identity.js';
import { applyPlan } from '../../../src/apply/pipeline.js';
import { fakeHost, testPlan, snapshot, OLD_STATE, OPTS, MAIN } from './fixtures.js';

test('configOfCmdline: the last -f (joined or separate), the default without one', () => {
  assert.equal(configOfCmdline(['/usr/sbin/sshd', '-D']), '/etc/ssh/sshd_config');
  assert.equal(configOfCmdline(['/usr/sbin/sshd', '-D', '-f', '/a']), '/a');
  assert.equal(configOfCmdline(['/usr/sbin/sshd', '-De', '-f/a', '-f', '/b']), '/b');
  assert.equal(configOfCmdline(['/usr/sbin/sshd', '-Df', '/c']), '/c');
  // an option argument that looks like -f is not -f
  assert.equal(configOfCmdline(['/usr/sbin/sshd', '-o', '-f', '-D']), '/etc/ssh/sshd_config');
  assert.equal(configOfCmdline(['/usr/sbin/sshd', '-p22', '-f', '/d']), '/d');
});

test('argvOfCmdline: NUL-separated, or a listener whose title replaced its argv', () => {
  assert.deepEqual(argvOfCmdline('/usr/sbin/sshd\0-D\0-f\0/x y\0'), ['/usr/sbin/sshd', '-D', '-f', '/x y']);
  assert.deepEqual(argvOfCmdline('sshd: /usr/sbin/sshd -D -e -f /tmp/a/cfg [listener] 0 of 10-100 startups'), ['/usr/sbin/sshd', '-D', '-e', '-f', '/tmp/a/cfg']);
});

test('identifySshd: another program, another config, or the socket of the port', async () => {
  const h = fakeHost();
  h.process(900, ['sleep', '300'], '/usr/bin/sleep');
  assert.deepEqual(await identifySshd(h.fs, 900, { configPath: MAIN }), { ok: false, why: 'pid 900 is /usr/bin/sleep, not sshd' });
  h.process(901, ['/usr/sbin/sshd', '-D', '-f', '/etc/other/sshd_config'], '/usr/sbin/sshd');
  h.put('/etc/other/sshd_config', 'Port 2222\n');
  const other = await identifySshd(h.fs, 901, { configPath: MAIN, port: 22 });
  assert.equal(other.ok, false);
  assert.match(!other.ok ? other.why : '', /started with \/etc\/other\/sshd_config, not \/etc\/ssh\/sshd_config, and it does not hold port 22/);
  assert.deepEqual(await identifySshd(h.fs, 902, { configPath: MAIN }), { ok: false, why: 'no process 902 whose executable can be read' });
  // an upgraded binary shows " (deleted)"; still sshd
  h.process(903, ['/usr/sbin/sshd', '-D'], '/usr/sbin/sshd (deleted)');
  assert.equal((await identifySshd(h.fs, 903, { configPath: MAIN })).ok, true);
  // the listening socket decides when the command line does not name the config
  h.process(904, ['/usr/sbin/sshd', '-D', '-f', 'sshd_config'], '/usr/sbin/sshd');
  h.put('/proc/net/tcp', '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0 0 100 0 0 10 0\n');
  h.put('/proc/904/fd/3', '');
  h.links.set('/proc/904/fd/3', 'socket:[4242]');
  assert.deepEqual(await identifySshd(h.fs, 904, { configPath: MAIN, port: 22 }), { ok: true, how: 'sshd listening on port 22' });
  assert.equal((await identifySshd(h.fs, 904, { configPath: MAIN, port: 2222 })).ok, false);
});

test('a stale PidFile naming another program: no signal, the change rolled back, the daemon said to keep its configuration', async () => {
  const h = fakeHost();
  h.process(777, ['sleep', '300'], '/usr/bin/sleep');
  const sent: string[] = [];
  h.onSignal = (pid, sig) => (sent.push(`${sig} ${pid}`), true);
  const out = await applyPlan(h, testPlan(), OPTS);
  assert.equal(out.status, 'failed');
  if (out.status !== 'failed') return;
  assert.equal(out.step, 'reload');
  assert.equal(out.rolledBack, true);
  assert.match(out.reason, /\/run\/sshd\.pid names a process that is not the sshd of \/etc\/ssh\/sshd_config \(pid 777 is \/usr\/bin\/sleep, not sshd\); no signal was sent: the daemon keeps its previous configuration/);
  assert.deepEqual(sent.filter((s) => s.startsWith('SIGHUP')), [], 'no SIGHUP to anyone');
  assert.deepEqual(snapshot(h), OLD_STATE);
});

test('a rollback whose reload fails says what the daemon runs: rolledBack false with the state', async () => {
  const h = fakeHost();
  let hups = 0;
  h.onSignal = (_pid, sig) => (sig === 'SIGHUP' ? ++hups === 1 : true);
  h.onProbe = () => ({ ok: true, ident: 'SSH-2.0-OpenSSH_9.2p1', methods: ['publickey', 'password'] }); // verify fails
  const out = await applyPlan(h, testPlan(), OPTS);
  assert.equal(out.status, 'failed');
  if (out.status !== 'failed') return;
  assert.equal(out.step, 'verify');
  assert.equal(out.rolledBack, false);
  assert.match(out.rollbackError ?? '', /the old files were restored, but reloading the daemon failed \(.*\): it still runs this change's configuration; reload it by hand/);
  assert.deepEqual(snapshot(h), OLD_STATE);
});
