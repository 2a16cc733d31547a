// `sshield harden --cluster ops@pve1 --yes` (ops: the nodes' sudo admin) against a real 3-node
// PVE-like cluster (test/helpers/pve-cluster.ts: each node's own sshd runs its own config, /etc/pve
// shared) through the built CLI:
// sshield copies itself to each node and changes it there, node by node (pve2, pve3, then pve1, the
// node named), each node proven by the admin's new connection and then by every other node's root
// SSH the PVE way before it is confirmed.
// Proof 0 (same cluster, first): a change that keeps root's login from the peers but takes their
// forwarding (a --profile that is not PVE-aware: baseline with root login left alone, so harden
// sets AllowTcpForwarding no for everyone, the peers included, and no guard objects) is caught by
// the check's forwarding probe (peer-forwarding.ts), rolled back byte-identical at the first node,
// and the run stops with exit 2 naming the pairs and what they lost.
// Proof 1: afterwards root SSH works between EVERY ordered pair, checked from inside each node with
// PVE's own command (its cluster key, HostKeyAlias, the pinned known_hosts), independently of
// sshield; the change is live (root from an address outside the cluster is refused for real); an
// audit through the cluster passes every rule harden fixed; a second run changes nothing.
// Proof 2: pve2 connects from an address the cluster files do not name: pve2's own change passes,
// pve3's (which every guard accepts) would cut pve2's root SSH to pve3, so pve3 is rolled back (its
// sshd_config and drop-ins byte-identical, pve2 logs in to it again), the run stops with exit 2 and
// pve1 is untouched.
// Proof 3: root's authorized_keys is ONE file for the whole cluster (/etc/pve/priv): removing
// pve2's own cluster key through pve2 leaves every way INTO pve2 working (the guards see root
// keep other keys) but cuts pve2's way out to every other node; the check tries every pair, so
// pve2 is rolled back (the shared file byte-identical) before any other node is touched.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { run } from '../../helpers/sshd.js';
import { ensureSea } from '../../helpers/sea.js';
import { startPveCluster, type PveCluster, type PveNodeInfo } from '../../helpers/pve-cluster.js';
import { testHostsAvailable } from '../../helpers/test-hosts.js';
import { assertMatchesSchema } from '../../helpers/json-schema.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..');
const BIN = join(REPO, 'bin', 'sshield.js');
const skip = testHostsAvailable();
/** An address outside 127.0.1.0/24 (where the test hosts live) that no cluster file names. */
const OUTSIDE = `127.0.2.${10 + Math.floor(Math.random() * 200)}`;

before(async () => {
  if (skip) return;
  execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO, stdio: 'ignore' });
  await ensureSea();
});

async function sshield(args: string[]) {
  return run(process.execPath, [BIN, ...args], { env: { NO_COLOR: '1', SSHIELD_TODAY: '2026-12-01' }, timeoutMs: 600_000 });
}

interface ChangeFleetJson {
  hosts: { name: string; status: string; reason?: string; envelope?: { plan?: { remediated?: string[] } } | null }[];
  summary: { exitCode: number; firstFailure: { name: string; status: string } | null };
}

/** PVE's own root SSH from one node to another (pve-cluster SSHInfo.pm), run inside `from` as root. */
function pveSsh(c: PveCluster, from: PveNodeInfo, to: PveNodeInfo, extra: string[] = []) {
  return c.fleet.exec(from.name, [
    '/usr/bin/ssh', '-e', 'none', '-o', 'BatchMode=yes', '-o', `HostKeyAlias=${to.name}`,
    '-o', `UserKnownHostsFile=/etc/pve/nodes/${to.name}/ssh_known_hosts`, '-o', 'GlobalKnownHostsFile=none',
    ...extra, `root@${to.address}`, '/bin/true',
  ], { timeoutMs: 60_000 });
}

/** Every file sshd reads from the node's /etc/ssh config tree, by name, byte for byte. */
function sshdFiles(n: PveNodeInfo): Record<string, string> {
  const out: Record<string, string> = { sshd_config: readFileSync(join(n.dir, 'etc/ssh/sshd_config'), 'latin1') };
  for (const f of readdirSync(join(n.dir, 'etc/ssh/sshd_config.d')).sort()) out[`sshd_config.d/${f}`] = readFileSync(join(n.dir, 'etc/ssh/sshd_config.d', f), 'latin1');
  return out;
}

function logs(c: PveCluster): string {
  return c.nodes.map((n) => `--- ${n.name}\n${c.fleet.log(n.name).slice(-2000)}`).join('\n');
}

/** PVE's ssh with a direct-tcpip channel to a closed port of the node (a TCP forwarding, as qemu-server's -L), run inside `from` as root. */
function pveForward(c: PveCluster, from: PveNodeInfo, to: PveNodeInfo) {
  return c.fleet.exec(from.name, [
    '/usr/bin/ssh', '-e', 'none', '-o', 'BatchMode=yes', '-o', `HostKeyAlias=${to.name}`,
    '-o', `UserKnownHostsFile=/etc/pve/nodes/${to.name}/ssh_known_hosts`, '-o', 'GlobalKnownHostsFile=none',
    '-W', '127.0.0.1:1', `root@${to.address}`,
  ], { timeoutMs: 60_000 });
}

test('harden --cluster: a change that keeps root login for the peers but takes their forwarding is rolled back and stops the run; then node by node, every pair of nodes keeps root SSH and forwarding the PVE way, the change is live, the audit passes what was fixed, a second run changes nothing', { skip, timeout: 900_000 }, async () => {
  const c = await startPveCluster();
  try {
    const cfg = c.fleet.sshConfig;
    const [pve1, pve2, pve3] = c.nodes as [PveNodeInfo, PveNodeInfo, PveNodeInfo];
    const profile = join(c.pveDir, '..', 'not-pve-aware.yaml');
    writeFileSync(profile, 'extends: baseline\nrules:\n  sshd/no-root-login: off\n');
    const untouched = c.nodes.map(sshdFiles);
    const lost = await sshield(['harden', '--cluster', 'ops@pve1', '--profile', profile, '--yes', '--json', '--ssh-config', cfg]);
    assert.equal(lost.code, 2, `${lost.stdout}\n${lost.stderr}\n${logs(c)}`);
    assertMatchesSchema('change-fleet', lost.stdout);
    const ldoc = JSON.parse(lost.stdout) as ChangeFleetJson;
    assert.deepEqual(ldoc.hosts.map((h) => [h.name, h.status]), [['pve2', 'rolled-back'], ['pve3', 'skipped'], ['pve1', 'skipped']], lost.stdout);
    const why = ldoc.hosts[0]!.reason ?? '';
    for (const from of [pve1, pve3]) assert.match(why, new RegExp(`${from.name} -> pve2: lost TCP forwarding \\(the node's sshd refused a direct-tcpip channel \\(open failed: administratively prohibited`), why);
    assert.doesNotMatch(why, /root SSH between the cluster nodes fails|Unix-socket/, why);
    assert.deepEqual(c.nodes.map(sshdFiles), untouched, 'every node byte-identical after the rollback');
    for (const from of [pve1, pve3]) {
      const x = await pveForward(c, from, pve2);
      assert.match(x.stderr, /open failed: connect failed/, `${from.name} -> pve2 forwarding after the rollback: ${x.stderr}`);
    }

    const r = await sshield(['harden', '--cluster', 'ops@pve1', '--yes', '--json', '--ssh-config', cfg]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}\n${logs(c)}`);
    assertMatchesSchema('change-fleet', r.stdout);
    const doc = JSON.parse(r.stdout) as ChangeFleetJson;
    assert.deepEqual(doc.hosts.map((h) => [h.name, h.status]), [['pve2', 'changed'], ['pve3', 'changed'], ['pve1', 'changed']], r.stdout);

    for (const from of c.nodes) {
      for (const to of c.nodes) {
        if (from === to) continue;
        const x = await pveSsh(c, from, to);
        assert.equal(x.code, 0, `${from.name} -> ${to.name}: ${x.stderr}`);
        // Forwarding kept for the peers: the node's sshd tries the port instead of refusing the channel.
        const fwd = await pveForward(c, from, to);
        assert.match(fwd.stderr, /open failed: connect failed/, `${from.name} -> ${to.name} forwarding: ${fwd.stderr}`);
        // The same from an address outside the cluster: refused by the node's live sshd.
        const out = await pveSsh(c, from, to, ['-o', `BindAddress=${OUTSIDE}`]);
        assert.equal(out.code, 255, `${from.name} -> ${to.name} from ${OUTSIDE}: ${out.stderr}`);
        assert.match(out.stderr, /Permission denied \(publickey\)/);
      }
    }

    const a = await sshield(['audit', '--cluster', 'ops@pve1', '--json', '--ssh-config', cfg]);
    const audit = JSON.parse(a.stdout) as { hosts: { name: string; status: string; report?: { results: { ruleId: string; status: string }[] } }[] };
    for (const h of doc.hosts) {
      const fixed = h.envelope?.plan?.remediated ?? [];
      assert.ok(fixed.includes('sshd/no-root-login') && fixed.includes('sshd/no-password-auth'), `${h.name}: ${fixed.join(', ')}`);
      const got = audit.hosts.find((x) => x.name === h.name);
      assert.equal(got?.status, 'audited', a.stdout.slice(0, 2000));
      for (const rule of fixed) assert.equal(got!.report!.results.find((x) => x.ruleId === rule)?.status, 'pass', `${h.name} ${rule}`);
    }

    const again = await sshield(['harden', '--cluster', 'ops@pve1', '--yes', '--json', '--ssh-config', cfg]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual((JSON.parse(again.stdout) as ChangeFleetJson).hosts.map((h) => [h.name, h.status]), [['pve2', 'unchanged'], ['pve3', 'unchanged'], ['pve1', 'unchanged']]);
  } finally {
    await c.stop();
  }
});

test('harden --cluster: a node whose change would cut a peer that connects from an unnamed address is rolled back, the run stops, the later node is untouched', { skip, timeout: 900_000 }, async () => {
  const c = await startPveCluster({ connectsFrom: { pve2: OUTSIDE } });
  try {
    const [pve1, pve2, pve3] = c.nodes as [PveNodeInfo, PveNodeInfo, PveNodeInfo];
    const before = { pve1: sshdFiles(pve1), pve2: sshdFiles(pve2), pve3: sshdFiles(pve3) };
    const r = await sshield(['harden', '--cluster', 'ops@pve1', '--yes', '--json', '--ssh-config', c.fleet.sshConfig]);
    assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}\n${logs(c)}`);
    assertMatchesSchema('change-fleet', r.stdout);
    const doc = JSON.parse(r.stdout) as ChangeFleetJson;
    assert.deepEqual(doc.hosts.map((h) => [h.name, h.status]), [['pve2', 'changed'], ['pve3', 'rolled-back'], ['pve1', 'skipped']], r.stdout);
    assert.match(doc.hosts[1]!.reason ?? '', new RegExp(`pve2 -> pve3: root@${pve3.address.replace(/\./g, '\\.')}: Permission denied \\(publickey[^)]*\\)\\.`));
    assert.doesNotMatch(doc.hosts[1]!.reason ?? '', /pve1 -> pve3/);
    assert.equal(doc.summary.firstFailure?.name, 'pve3');

    // pve3: byte-identical, and its live sshd lets every peer in again.
    assert.deepEqual(sshdFiles(pve3), before.pve3);
    for (const from of [pve1, pve2]) {
      const x = await pveSsh(c, from, pve3);
      assert.equal(x.code, 0, `${from.name} -> pve3 after the rollback: ${x.stderr}`);
    }
    // pve1 untouched: the same files, no backup, no copy of sshield.
    assert.deepEqual(sshdFiles(pve1), before.pve1);
    for (const d of ['var/backups/sshield', 'var/lib/sshield']) assert.equal(existsSync(join(pve1.dir, d)) && readdirSync(join(pve1.dir, d)).length > 0, false, `pve1 ${d}`);
    // pve2 kept its change (it was proven by its peers before pve3 started).
    assert.notDeepEqual(sshdFiles(pve2), before.pve2);
  } finally {
    await c.stop();
  }
});

test('keys remove --cluster: a change to the cluster-wide authorized_keys that cuts the changed node\'s own way out is rolled back before the next node', { skip, timeout: 900_000 }, async () => {
  const c = await startPveCluster();
  try {
    const shared = join(c.pveDir, 'priv', 'authorized_keys');
    const before = readFileSync(shared, 'latin1');
    const r = await sshield(['keys', 'remove', '--user', 'root', '--comment', 'root@pve2', '--cluster', 'ops@pve1', '--yes', '--json', '--ssh-config', c.fleet.sshConfig]);
    assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}\n${logs(c)}`);
    assertMatchesSchema('change-fleet', r.stdout);
    const doc = JSON.parse(r.stdout) as ChangeFleetJson;
    assert.deepEqual(doc.hosts.map((h) => [h.name, h.status]), [['pve2', 'rolled-back'], ['pve3', 'skipped'], ['pve1', 'skipped']], r.stdout);
    const [pve1, pve2, pve3] = c.nodes as [PveNodeInfo, PveNodeInfo, PveNodeInfo];
    for (const to of [pve1, pve3]) assert.match(doc.hosts[0]!.reason ?? '', new RegExp(`pve2 -> ${to.name}: root@${to.address.replace(/\./g, '\\.')}: Permission denied`));
    assert.doesNotMatch(doc.hosts[0]!.reason ?? '', /-> pve2:/);
    assert.equal(readFileSync(shared, 'latin1'), before);
    for (const to of [pve1, pve3]) {
      const x = await pveSsh(c, pve2, to);
      assert.equal(x.code, 0, `pve2 -> ${to.name} after the rollback: ${x.stderr}`);
    }
  } finally {
    await c.stop();
  }
});
