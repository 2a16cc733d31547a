// The PVE peer check against a real 3-node test cluster (test/helpers/pve-cluster.ts): --cluster's
// member list read through pve1 (with pve1 as the seed node), every ordered pair's root SSH the
// way PVE connects (each node's own cluster key, HostKeyAlias, the pinned known_hosts) run on the
// peer over the controller's connection, and a broken pin (a node's ssh_known_hosts holding
// another node's key) named pair by pair, refusing the run before any change; without the pin, the
// legacy merged known_hosts decides, as for PVE's own ssh. Then what the guards
// cannot see: pve2 connects from an address the cluster files do not name (127.0.2.x, its
// "routing"), so a PVE-aware harden of pve3, which every guard accepts (root stays allowed from
// every address corosync names), cuts pve2's root SSH to pve3, and the peer check says so.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startPveCluster, type PveCluster } from '../../helpers/pve-cluster.js';
import { testHostsAvailable } from '../../helpers/test-hosts.js';
import { SshPool } from '../../../src/fleet/ssh.js';
import { parseHostSpec } from '../../../src/fleet/target.js';
import { clusterView } from '../../../src/fleet/cluster.js';
import { prepareClusterChange } from '../../../src/fleet/cluster-rollout.js';
import { checkMesh, describeFailures, peerCheck } from '../../../src/fleet/peer-check.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..');
const skip = testHostsAvailable();
const SOURCE = `127.0.2.${10 + Math.floor(Math.random() * 200)}`;
let cluster: PveCluster;
let pool: SshPool;

before(async () => {
  if (skip) return;
  execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO, stdio: 'ignore' });
  cluster = await startPveCluster({ connectsFrom: { pve2: SOURCE } });
  pool = new SshPool({ configFile: cluster.fleet.sshConfig });
});
after(async () => {
  await pool?.close();
  await cluster?.stop();
});

const seed = () => {
  const s = parseHostSpec('pve1', '--cluster');
  assert.ok(s.ok);
  return s.value;
};

test('every ordered pair of a 3-node cluster reaches root the PVE way; a wrong pinned host key is named pair by pair and refuses the run', { skip, timeout: 180_000 }, async () => {
  const v = await clusterView(pool, seed(), { deadlineMs: 60_000 });
  assert.ok(v.ok, v.ok ? '' : v.message);
  assert.deepEqual(v.value.members.map((m) => [m.name, m.address]), cluster.nodes.map((n) => [n.name, n.address]));
  assert.equal(v.value.seedNode, 'pve1');

  const all = await checkMesh(pool, v.value.members, { timeoutSec: 30 });
  assert.equal(all.length, 6);
  assert.deepEqual(describeFailures(all), [], `${describeFailures(all).join('\n')}\n${cluster.nodes.map((n) => cluster.fleet.log(n.name)).join('\n')}`);
  // PVE's default sshd_config forwards for everyone: every pair's live TCP channel reaches the
  // node's port (sshd tried it), and every node's sshd -T allows root Unix-socket forwarding from each peer.
  for (const r of all) {
    assert.deepEqual([r.forwarding?.tcp.state, r.forwarding?.unix.state], ['on', 'on'], `${r.from} -> ${r.to}: ${JSON.stringify(r.forwarding)}`);
    assert.match(r.forwarding!.tcp.why, /open failed: connect failed: Connection refused/);
    assert.equal(r.forwarding!.unix.why, 'sshd -T: allowstreamlocalforwarding yes');
  }

  const pin = join(cluster.pveDir, 'nodes', 'pve2', 'ssh_known_hosts');
  const good = readFileSync(pin, 'utf8');
  writeFileSync(pin, readFileSync(join(cluster.pveDir, 'nodes', 'pve3', 'ssh_known_hosts'), 'utf8').replace(/^pve3 /, 'pve2 '));
  try {
    const r = await peerCheck(pool, v.value.members[1]!, v.value.members, { timeoutSec: 30 });
    assert.equal(r.ok, false);
    assert.deepEqual(r.results.filter((x) => !x.verdict.ok).map((x) => [x.from, x.to, x.verdict]), [
      ['pve1', 'pve2', { ok: false, reason: 'Host key verification failed.' }],
      ['pve3', 'pve2', { ok: false, reason: 'Host key verification failed.' }],
    ]);
    assert.equal(r.results.length, 6);
    const p = await prepareClusterChange(pool, seed(), { deadlineMs: 60_000, peer: { timeoutSec: 30 } });
    assert.equal(p.ok, false);
    assert.match(p.ok ? '' : p.message, /already fails before any change .*pve1 -> pve2: Host key verification failed\.; pve3 -> pve2: Host key verification failed\..*nothing was changed/);
  } finally {
    writeFileSync(pin, good);
  }
  // Without the pinned file (clusters from before pve-cluster 8.0.6), PVE's ssh falls back to the
  // merged /etc/pve/priv/known_hosts behind /etc/ssh/ssh_known_hosts, and so does the check.
  renameSync(pin, `${pin}.away`);
  try {
    const r = await peerCheck(pool, v.value.members[1]!, v.value.members, { timeoutSec: 30 });
    assert.deepEqual(describeFailures(r.results), []);
    writeFileSync(join(cluster.pveDir, 'priv', 'known_hosts.new'), readFileSync(join(cluster.pveDir, 'priv', 'known_hosts'), 'utf8').replace(/^pve2 .*\n/m, ''));
    renameSync(join(cluster.pveDir, 'priv', 'known_hosts'), join(cluster.pveDir, 'priv', 'known_hosts.old'));
    renameSync(join(cluster.pveDir, 'priv', 'known_hosts.new'), join(cluster.pveDir, 'priv', 'known_hosts'));
    const gone = await peerCheck(pool, v.value.members[1]!, v.value.members, { timeoutSec: 30 });
    assert.deepEqual(describeFailures(gone.results), ['pve1 -> pve2: Host key verification failed.', 'pve3 -> pve2: Host key verification failed.']);
  } finally {
    if (existsSync(join(cluster.pveDir, 'priv', 'known_hosts.old'))) renameSync(join(cluster.pveDir, 'priv', 'known_hosts.old'), join(cluster.pveDir, 'priv', 'known_hosts'));
    renameSync(`${pin}.away`, pin);
  }
  const p = await prepareClusterChange(pool, seed(), { deadlineMs: 60_000, peer: { timeoutSec: 30 } });
  assert.ok(p.ok, p.ok ? '' : p.message);
  assert.deepEqual(p.value.targets.map((t) => t.name), ['pve2', 'pve3', 'pve1']);
  assert.equal(p.value.preflight.length, 6);
  // --limit picks the nodes to change; every member stays a peer of the checks.
  const l = await prepareClusterChange(pool, seed(), { deadlineMs: 60_000, limit: 'pve1:pve3', preflight: false });
  assert.ok(l.ok, l.ok ? '' : l.message);
  assert.deepEqual([l.value.targets.map((t) => t.name), l.value.members.map((t) => t.name)], [['pve3', 'pve1'], ['pve1', 'pve2', 'pve3']]);
  // Through pve2: pmxcfs names pve2 itself there, so pve2 goes last.
  const via2 = parseHostSpec('pve2', '--cluster');
  assert.ok(via2.ok);
  const p2 = await prepareClusterChange(pool, via2.value, { deadlineMs: 60_000, preflight: false });
  assert.ok(p2.ok, p2.ok ? '' : p2.message);
  assert.deepEqual([p2.value.seedNode, p2.value.targets.map((t) => t.name)], ['pve2', ['pve1', 'pve3', 'pve2']]);
});

test('a harden every guard accepts but that cuts a peer connecting from an unnamed address: the peer check names that pair and ssh\'s reason', { skip, timeout: 180_000 }, async () => {
  const v = await clusterView(pool, seed(), { deadlineMs: 60_000 });
  assert.ok(v.ok, v.ok ? '' : v.message);
  const pve3 = v.value.members[2]!;
  assert.equal(pve3.name, 'pve3');
  assert.deepEqual((await peerCheck(pool, pve3, v.value.members, { timeoutSec: 30 })).ok, true);
  // sshield on the node itself, as an admin would run it there (the proxmox profile by default).
  const h = await cluster.fleet.exec('pve3', [process.execPath, join(REPO, 'bin', 'sshield.js'), 'harden', '--yes'], { timeoutMs: 120_000 });
  assert.equal(h.code, 0, `${h.stdout}\n${h.stderr}`);
  assert.match(h.stdout, /guard ok: root from the 3 cluster node addresses keeps key login/);
  const r = await peerCheck(pool, pve3, v.value.members, { timeoutSec: 30 });
  assert.deepEqual(describeFailures(r.results), [`pve2 -> pve3: root@${pve3.address}: Permission denied (publickey).`]);
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.reason, /^root SSH between the cluster nodes fails after pve3's change \(tried the way PVE connects\): pve2 -> pve3: root@[\d.]+: Permission denied \(publickey\)\.$/);
});
