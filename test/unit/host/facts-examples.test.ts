// Facts gathered from each example root through rootFs (offline: nothing is executed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { type Fact, type HostFacts, gatherFacts } from '../../../src/host/facts/index.js';
import { offlineExecutor } from '../../../src/host/executor.js';
import { rootFs } from '../../../src/host/root-fs.js';
import { assessVulnerabilities } from '../../../src/vulns/assess.js';

const facts = (name: string): Promise<HostFacts> => gatherFacts(offlineExecutor(rootFs(resolve('examples', name))));
function val<T>(f: Fact<T>): T {
  assert.equal(f.status, 'known', f.status === 'unknown' ? f.reason : '');
  return (f as { value: T }).value;
}

test('pve8-default: PVE 8 on Debian 12, root keys via the pmxcfs symlink', async () => {
  const f = await facts('pve8-default');
  assert.equal(f.target.kind, 'root');
  assert.deepEqual([val(f.os).id, val(f.os).versionId, val(f.os).codename], ['debian', '12', 'bookworm']);
  assert.deepEqual(val(f.openssh), { upstream: '9.2p1', packageVersion: '1:9.2p1-2+deb12u10', revision: '2+deb12u10', distro: { id: 'debian', versionId: '12' }, source: 'dpkg', package: 'openssh-server' });
  const pve = val(f.pve);
  assert.deepEqual([pve.isPve, pve.major, pve.managerVersion, pve.etcPvePresent, pve.cluster], [true, 8, '8.4.14', true, undefined]);
  assert.equal(val(f.dpkg).installed('ifupdown'), undefined, 'deinstalled package');
  const rootKeys = val(f.authorizedKeys).find((k) => k.user === 'root' && k.pattern === '.ssh/authorized_keys')!;
  assert.equal(rootKeys.lstat?.kind, 'symlink');
  assert.equal(rootKeys.symlinkTarget, '/etc/pve/priv/authorized_keys');
  assert.equal(rootKeys.realPath, '/etc/pve/priv/authorized_keys');
  assert.equal(rootKeys.exists, true);
  assert.equal(val(f.authorizedKeys).find((k) => k.pattern === '.ssh/authorized_keys2')?.exists, false);
  const hk = val(f.hostKeys);
  assert.deepEqual(hk.map((k) => [k.public?.family, k.public?.bits, k.privateExists]), [['rsa', 3072, false], ['ecdsa', 256, false], ['ed25519', 256, false]]);
  const svc = val(f.sshd);
  assert.equal(svc.manager, 'systemd');
  assert.deepEqual(svc.units.map((u) => [u.name, u.enabled]), [['ssh.service', true], ['sshd.service', true], ['ssh.socket', false]]);
  assert.equal(svc.running, 'unknown');
  assert.equal(val(f.accounts).users.filter((u) => u.loginShell).map((u) => u.name).join(), 'root');
});

test('pve-cluster-node: cluster name, nodes with IPv4 and IPv6 rings, local node', async () => {
  const f = await facts('pve-cluster-node');
  const pve = val(f.pve);
  assert.equal(pve.major, 9);
  assert.equal(pve.cluster?.clusterName, 'homelab');
  assert.equal(pve.cluster?.path, '/etc/pve/corosync.conf');
  assert.deepEqual(pve.cluster?.nodes.map((n) => [n.name, n.nodeid, n.addresses.join(' ')]), [
    ['pve-node1', 1, '10.10.10.11 fd00:10::11'], ['pve-node2', 2, '10.10.10.12 fd00:10::12'], ['pve-node3', 3, '10.10.10.13 fd00:10::13'],
  ]);
  assert.equal(pve.localNodeName, 'pve-node2');
  assert.deepEqual(val(f.accounts).groupsOf('ops'), ['ops', 'sudo']);
  assert.equal(val(f.authorizedKeys).find((k) => k.user === 'ops' && k.pattern === '.ssh/authorized_keys')?.exists, true);
});

test('debian12-cloud: old revision shows CVE-2024-6387; cloud user groups', async () => {
  const f = await facts('debian12-cloud');
  const b = val(f.openssh);
  assert.equal(b.packageVersion, '1:9.2p1-2+deb12u2');
  assert.equal(val(f.pve).isPve, false);
  const r = assessVulnerabilities({ distro: b.distro!, packageVersion: b.packageVersion! });
  assert.equal(r.find((x) => x.id === 'CVE-2024-6387')?.verdict, 'fix-available');
  assert.deepEqual(val(f.accounts).groupsOf('debian'), ['debian', 'adm', 'dialout', 'cdrom', 'floppy', 'sudo', 'audio', 'dip', 'video', 'plugdev', 'netdev']);
});

test('hardened: effective HostKey list and AuthorizedKeysFile values are honoured; sftp user has no login shell', async () => {
  const exec = offlineExecutor(rootFs(resolve('examples/hardened')));
  const f = await gatherFacts(exec, { hostKeys: ['/etc/ssh/ssh_host_ed25519_key', '/etc/ssh/ssh_host_rsa_key'], authorizedKeysFiles: ['.ssh/authorized_keys', 'none'] });
  assert.deepEqual(val(f.hostKeys).map((k) => [k.public?.type, k.public?.bits]), [['ssh-ed25519', 256], ['ssh-rsa', 4096]]);
  const files = val(f.authorizedKeys);
  assert.deepEqual(files.map((k) => [k.user, k.path, k.exists]), [['root', '/root/.ssh/authorized_keys', false], ['alice', '/home/alice/.ssh/authorized_keys', true]]);
  const acc = val(f.accounts);
  assert.equal(acc.user('files')?.loginShell, false);
  assert.deepEqual(acc.groupsOf('files'), ['files', 'sftponly']);
  assert.deepEqual(acc.groupsOf('alice'), ['alice', 'sudo', 'sshusers']);
  assert.equal(val(f.openssh).distro?.versionId, '13');
});

test('pve9-default gathers in well under a second', async () => {
  const t0 = performance.now();
  const f = await facts('pve9-default');
  const ms = performance.now() - t0;
  assert.equal(val(f.pve).major, 9);
  assert.ok(ms < 1000, `${ms} ms`);
});
