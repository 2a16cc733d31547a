// Cluster node addresses: ring IPs, /etc/pve/.members, ring names through /etc/hosts, and names
// nothing resolves reported (never guessed). Table-driven over the pure resolver; the reader over
// an in-memory root; garbage in either file never throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseEtcHosts, parsePveMembers, readClusterAddresses, resolveClusterAddresses } from '../../../src/host/facts/cluster-addresses.js';
import { parseCorosyncConf } from '../../../src/host/facts/corosync.js';
import { memoryFs } from '../../../src/host/memory-fs.js';

const corosync = (nodes: { name: string; rings: string[] }[]) =>
  `nodelist {\n${nodes.map((n, i) => `  node {\n    name: ${n.name}\n    nodeid: ${i + 1}\n${n.rings.map((r, k) => `    ring${k}_addr: ${r}\n`).join('')}  }\n`).join('')}}\n`;

test('/etc/hosts: names and aliases, comments, invalid IPs skipped, case folded', () => {
  const h = parseEtcHosts('127.0.0.1 localhost\n10.0.0.2  PVE2.lan pve2 # peer\n# 10.0.0.9 ghost\nnot-an-ip pve4\nfe80::1%vmbr0 pve5\n10.0.0.22 pve2\n');
  assert.deepEqual(h.get('pve2'), ['10.0.0.2', '10.0.0.22']);
  assert.deepEqual(h.get('pve2.lan'), ['10.0.0.2']);
  assert.equal(h.get('ghost'), undefined);
  assert.equal(h.get('pve4'), undefined);
  assert.deepEqual(h.get('pve5'), ['fe80::1%vmbr0']);
});

test('.members: node -> ip; malformed JSON or entries give nothing', () => {
  assert.deepEqual([...parsePveMembers('{"nodelist":{"pve1":{"ip":"10.0.0.1"},"pve2":{"ip":"nope"},"pve3":null}}')], [['pve1', '10.0.0.1']]);
  assert.equal(parsePveMembers('{').size, 0);
  assert.equal(parsePveMembers('null').size, 0);
  assert.equal(parsePveMembers('{"nodelist":[1,2]}').size, 0);
});

const cases: { name: string; nodes: { name: string; rings: string[] }[]; hosts?: string; members?: string; ips: string[][]; unknown: string[]; notes: number }[] = [
  { name: 'IP rings', nodes: [{ name: 'a', rings: ['10.0.0.1', 'fd00::1'] }, { name: 'b', rings: ['10.0.0.2'] }], ips: [['10.0.0.1', 'fd00::1'], ['10.0.0.2']], unknown: [], notes: 0 },
  { name: 'names via /etc/hosts', nodes: [{ name: 'a', rings: ['a.lan'] }, { name: 'b', rings: ['B'] }], hosts: '10.0.0.1 a.lan a\n10.0.0.2 b\n', ips: [['10.0.0.1'], ['10.0.0.2']], unknown: [], notes: 0 },
  { name: 'node name via .members', nodes: [{ name: 'a', rings: ['a'] }], members: '{"nodelist":{"a":{"ip":"10.0.0.1"}}}', ips: [['10.0.0.1']], unknown: [], notes: 0 },
  { name: '.members adds the IP PVE connects to', nodes: [{ name: 'a', rings: ['192.168.5.1'] }], members: '{"nodelist":{"a":{"ip":"10.0.0.1"}}}', ips: [['192.168.5.1', '10.0.0.1']], unknown: [], notes: 0 },
  { name: 'a name nothing resolves: unknown node, one note', nodes: [{ name: 'a', rings: ['10.0.0.1'] }, { name: 'b', rings: ['b.lan'] }], hosts: '10.0.0.1 a\n', ips: [['10.0.0.1'], []], unknown: ['b'], notes: 1 },
  { name: 'a second ring unresolved: a note, but the node has an IP', nodes: [{ name: 'a', rings: ['10.0.0.1', 'a-ring1'] }], ips: [['10.0.0.1']], unknown: [], notes: 1 },
];

for (const c of cases) {
  test(`cluster addresses: ${c.name}`, () => {
    const v = resolveClusterAddresses(parseCorosyncConf(corosync(c.nodes)), '/etc/pve/corosync.conf', parseEtcHosts(c.hosts ?? ''), parsePveMembers(c.members ?? '{}'));
    assert.deepEqual(v.nodes.map((n) => n.ips), c.ips);
    assert.deepEqual(v.unknownNodes, c.unknown);
    assert.equal(v.notes.length, c.notes);
    assert.deepEqual(v.addresses, [...new Set(c.ips.flat())]);
  });
}

test('reader: pmxcfs corosync.conf first, then /etc/corosync; none: not a cluster', async () => {
  const fs = memoryFs({
    '/etc/pve/corosync.conf': corosync([{ name: 'a', rings: ['a'] }]),
    '/etc/corosync/corosync.conf': corosync([{ name: 'z', rings: ['10.9.9.9'] }]),
    '/etc/hosts': '10.0.0.1 a\n',
  });
  const v = await readClusterAddresses(fs);
  assert.equal(v?.source, '/etc/pve/corosync.conf');
  assert.deepEqual(v?.addresses, ['10.0.0.1']);
  assert.equal(await readClusterAddresses(memoryFs({ '/etc/hosts': '10.0.0.1 a\n' })), undefined);
});

test('garbage /etc/hosts and .members never throw', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), (h, m) => {
      parseEtcHosts(h);
      parsePveMembers(m);
    }),
  );
});
