// The PVE peer check against a real 3-node test cluster (test/helpers/pve-cluster.ts): --cluster's
// member list read through pve1 (with pve1 as the seed node), every ordered pair's root SSH the
// way PVE connects (each node's own cluster key, HostKeyAlias, the pinned known_hosts) run on the
// peer over the controller's connection, and a broken pin (a node's ssh_known_hosts holding
// another node's key) named pair by pair, refusing the run before any change.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPveCluster, type PveCluster } from '../../helpers/pve-cluster.js';
import { testHostsAvailable } from '../../helpers/test-hosts.js';
import { SshPool } from '../../../src/fleet/ssh.js';
import { parseHostSpec } from '../../../src/fleet/target.js';
import { clusterView } from '../../../src/fleet/cluster.js';
import { orderedPairs, prepareClusterChange } from '../../../src/fleet/cluster-rollout.js';
import { checkPairs, describeFailures, peerCheck } from '../../../src/fleet/peer-check.js';

const skip = testHostsAvailable();
let cluster: PveCluster;
let pool: SshPool;

before(async () => {
  if (skip) return;
  cluster = await startPveCluster();
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

  const all = await checkPairs(pool, orderedPairs(v.value.members), { timeoutSec: 30 });
  assert.equal(all.length, 6);
  assert.deepEqual(describeFailures(all), [], `${describeFailures(all).join('\n')}\n${cluster.nodes.map((n) => cluster.fleet.log(n.name)).join('\n')}`);

  const pin = join(cluster.pveDir, 'nodes', 'pve2', 'ssh_known_hosts');
  const good = readFileSync(pin, 'utf8');
  writeFileSync(pin, readFileSync(join(cluster.pveDir, 'nodes', 'pve3', 'ssh_known_hosts'), 'utf8').replace(/^pve3 /, 'pve2 '));
  try {
    const r = await peerCheck(pool, v.value.members[1]!, v.value.members, { timeoutSec: 30 });
    assert.equal(r.ok, false);
    assert.deepEqual(r.results.map((x) => [x.from, x.to, x.verdict]), [
      ['pve1', 'pve2', { ok: false, reason: 'Host key verification failed.' }],
      ['pve3', 'pve2', { ok: false, reason: 'Host key verification failed.' }],
    ]);
    const p = await prepareClusterChange(pool, seed(), { deadlineMs: 60_000, peer: { timeoutSec: 30 } });
    assert.equal(p.ok, false);
    assert.match(p.ok ? '' : p.message, /already fails before any change .*pve1 -> pve2: Host key verification failed\.; pve3 -> pve2: Host key verification failed\..*nothing was changed/);
  } finally {
    writeFileSync(pin, good);
  }
  const p = await prepareClusterChange(pool, seed(), { deadlineMs: 60_000, peer: { timeoutSec: 30 } });
  assert.ok(p.ok, p.ok ? '' : p.message);
  assert.deepEqual(p.value.targets.map((t) => t.name), ['pve2', 'pve3', 'pve1']);
  assert.equal(p.value.preflight.length, 6);
});
