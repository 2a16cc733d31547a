// The test hosts themselves (test/helpers/test-hosts.ts), in the modes the remote-change, cluster
// and Ansible tests build on: an ownDaemon host serves its own /etc/ssh/sshd_config (a change there
// plus SIGHUP to its own /run/sshd.pid takes effect), /run, /var/lib and /var/backups are per
// host, a bind shares one directory between hosts, exec runs inside a host, and stop() leaves no
// process of a host behind (a detached one like the confirm watcher included).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../helpers/sshd.js';
import { startTestFleet, testHostsAvailable, TEST_HOST_DROPIN, type TestFleet } from '../../helpers/test-hosts.js';

const skip = testHostsAvailable();
let fleet: TestFleet;
let shared: string;

before(async () => {
  if (skip) return;
  shared = mkdtempSync(join(tmpdir(), 'sshield-shared-'));
  writeFileSync(join(shared, 'marker'), 'shared\n');
  fleet = await startTestFleet([
    { name: 'own', example: 'pve9-default', ownDaemon: true, binds: { '/etc/pve': shared } },
    { name: 'own2', example: 'debian12-cloud', ownDaemon: true, binds: { '/etc/pve': shared } },
    { name: 'plain', example: 'pve9-default' },
  ]);
});
after(async () => {
  await fleet?.stop();
  if (shared) rmSync(shared, { recursive: true, force: true });
});

/** Alive and not a zombie (a container's pid 1 may never reap what it inherits). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const ssh = (host: string, cmd: string) => run('ssh', ['-F', fleet.sshConfig, host, cmd], { timeoutMs: 30_000 });

test('an ownDaemon host serves its own config: sshd -T there names its loopback address; a change plus SIGHUP to its PidFile takes effect', { skip }, async () => {
  const h = fleet.hosts.find((x) => x.name === 'own')!;
  const t = await fleet.exec('own', ['/usr/sbin/sshd', '-T']);
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, new RegExp(`^listenaddress ${h.address.replace(/\./g, '\\.')}:${h.port}$`, 'm'));
  assert.match(t.stdout, /^pidfile \/run\/sshd\.pid$/m);
  assert.match(readFileSync(join(h.dir, TEST_HOST_DROPIN), 'utf8'), /ListenAddress/);
  const before = await ssh('own', 'echo in; cat /run/sshd.pid');
  assert.equal(before.code, 0, before.stderr + fleet.log('own'));
  const pid = before.stdout.split('\n')[1]!.trim();
  assert.equal(pid, String(h.child!.pid), 'the PidFile names the daemon itself');
  // Its own config: a Banner added there and a SIGHUP show up in the next login's banner.
  writeFileSync(join(h.dir, 'etc/ssh/banner'), 'own-daemon-banner\n');
  writeFileSync(join(h.dir, 'etc/ssh/sshd_config.d/50-banner.conf'), 'Banner /etc/ssh/banner\n');
  process.kill(Number(pid), 'SIGHUP');
  let seen = '';
  for (let i = 0; i < 50 && !seen.includes('own-daemon-banner'); i++) {
    await new Promise((r) => setTimeout(r, 100));
    seen = (await run('ssh', ['-F', fleet.sshConfig, '-o', 'LogLevel=INFO', 'own', 'true'], { timeoutMs: 30_000 })).stderr;
  }
  assert.match(seen, /own-daemon-banner/);
});

test('/run, /var/lib and /var/backups are per host; a bind is shared; exec runs inside the host', { skip }, async () => {
  await fleet.exec('own', ['sh', '-c', 'mkdir -p /var/lib/sshield /var/backups/sshield && echo own > /var/lib/sshield/x && echo own > /run/x']);
  const other = await fleet.exec('own2', ['sh', '-c', 'ls /var/lib/sshield /run/x 2>&1; cat /etc/pve/marker']);
  assert.match(other.stdout, /No such file/);
  assert.match(other.stdout, /^shared$/m);
  assert.equal(readFileSync(join(fleet.hosts.find((x) => x.name === 'own')!.dir, 'var/lib/sshield/x'), 'utf8'), 'own\n');
  // The controller's key reached root on both ownDaemon hosts (PVE's through /etc/pve/priv, here the bind).
  for (const n of ['own2', 'plain']) assert.equal((await ssh(n, 'id -u')).stdout.trim(), '0', n);
  assert.match(readFileSync(join(shared, 'priv/authorized_keys'), 'utf8'), /sshield-fleet-test/);
});

test('stop() kills what a host left running (a detached process) with the daemons', { skip }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sshield-leftover-'));
  try {
    const f = await startTestFleet([{ name: 'x', example: 'pve9-default', ownDaemon: true }]);
    const r = await run('ssh', ['-F', f.sshConfig, 'x', 'setsid sleep 1000 </dev/null >/dev/null 2>&1 & echo $!'], { timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    const pid = Number(r.stdout.trim());
    assert.ok(running(pid));
    await f.stop();
    await new Promise((r2) => setTimeout(r2, 200));
    assert.ok(!running(pid), `pid ${pid} outlived stop()`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
