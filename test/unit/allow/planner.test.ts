import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSshdConfig } from '../../../src/sshd/parser.js';
import { findKeyword } from '../../../src/sshd/keywords/index.js';
import type { ByteString } from '../../../src/text/bytes.js';
import { parseAllowAddress, type AllowAddress } from '../../../src/allow/address.js';
import { planAllow, currentAllowlist, type AllowContext, type EvaluateFn } from '../../../src/allow/planner.js';

// A stand-in for the evaluator: global lists only (enough for these configs without Match).
const fakeEval: EvaluateFn = async (text: ByteString) => {
  const f = parseSshdConfig(text, '/etc/ssh/sshd_config');
  const m = new Map<string, string[]>();
  for (const l of f.lines) {
    if (l.kind !== 'directive') continue;
    const k = findKeyword(l.keyword.value)?.name.toLowerCase();
    if (!k || !['denyusers', 'allowusers', 'denygroups', 'allowgroups'].includes(k)) continue;
    m.set(k, [...(m.get(k) ?? []), ...l.args.map((a) => a.value)]);
  }
  return { ok: true, get: (k: string) => (m.has(k) ? { values: m.get(k)! } : undefined) };
};

const A = (s: string): AllowAddress => {
  const r = parseAllowAddress(s);
  assert.ok(r.ok);
  return r.value;
};

const ctx = (text: string, extra: Partial<AllowContext> = {}): AllowContext => ({
  main: parseSshdConfig(text, '/etc/ssh/sshd_config'),
  evaluate: fakeEval,
  groupsOf: (u) => (u === 'root' ? ['root'] : u === 'alice' ? ['alice', 'sudo'] : undefined),
  admin: 'alice',
  clusterAddresses: [],
  overrides: new Set(),
  ...extra,
});

const DEBIAN = 'Include /etc/ssh/sshd_config.d/*.conf\n\nKbdInteractiveAuthentication no\nUsePAM yes\nX11Forwarding yes\n\n# override default of no subsystems\nSubsystem\tsftp\t/usr/lib/openssh/sftp-server\n';

test('add to a file without Match: marker + one DenyUsers line at the end, rest byte-identical', async () => {
  const r = await planAllow(ctx(DEBIAN), { op: 'add', addresses: [A('127.0.0.1'), A('2001:db8::/32')] });
  assert.equal(r.after, `${DEBIAN}# sshield allow: logins only from the "!" addresses below; DenyUsers refuses all others (sshield allow list)\nDenyUsers *@!127.0.0.1,!2001:db8::/32,*\n`);
  assert.ok(r.proven, JSON.stringify(r.proof.filter((p) => !p.ok)));
  // the outside samples are refused for admin, root and an unknown user
  const refused = r.proof.filter((p) => p.expect === 'refused');
  assert.ok(refused.length >= 6);
  assert.ok(refused.every((p) => !p.after.allowed));
  assert.ok(r.proof.some((p) => p.user === 'alice' && p.addr === '127.0.0.1' && p.after.allowed));
});

test('a user already named in AllowUsers is restricted too (no open hole)', async () => {
  const text = 'AllowUsers alice root\nPasswordAuthentication no\n';
  const r = await planAllow(ctx(text), { op: 'add', addresses: [A('10.0.0.0/8')] });
  assert.ok(r.proven);
  const alice = r.proof.find((p) => p.user === 'alice' && p.addr === '203.0.113.77')!;
  assert.equal(alice.before.allowed, true);
  assert.equal(alice.after.allowed, false);
  assert.ok(r.proof.find((p) => p.user === 'alice' && p.addr === '10.0.0.0')!.after.allowed);
  // the unknown user stays refused everywhere (AllowUsers), as before
  assert.ok(r.proof.filter((p) => p.user === 'sshield-no-such-user').every((p) => !p.after.allowed));
});

test('inserted before the first Match block, after the last global directive', async () => {
  const text = 'Port 22\nPermitRootLogin no\n\n# sftp people\nMatch User bob\n\tForceCommand internal-sftp\n';
  const r = await planAllow(ctx(text), { op: 'add', addresses: [A('192.0.2.0/24')] });
  assert.equal(r.after, 'Port 22\nPermitRootLogin no\n# sshield allow: logins only from the "!" addresses below; DenyUsers refuses all others (sshield allow list)\nDenyUsers *@!192.0.2.0/24,*\n\n# sftp people\nMatch User bob\n\tForceCommand internal-sftp\n');
});

test('CRLF files and a missing final newline keep their bytes', async () => {
  const text = 'Port 22\r\nUsePAM yes';
  const r = await planAllow(ctx(text), { op: 'add', addresses: [A('10.1.2.3')] });
  assert.ok(r.after.startsWith('Port 22\r\nUsePAM yes\r\n# sshield allow:'));
  assert.ok(r.after.endsWith('DenyUsers *@!10.1.2.3,*\r\n'));
});

test('add is idempotent; remove edits in place and the last remove restores the original bytes', async () => {
  const r1 = await planAllow(ctx(DEBIAN), { op: 'add', addresses: [A('127.0.0.1'), A('10.0.0.0/8')] });
  const again = await planAllow(ctx(r1.after), { op: 'add', addresses: [A('127.0.0.1')] });
  assert.equal(again.edits.length, 0);
  const r2 = await planAllow(ctx(r1.after), { op: 'remove', addresses: [A('10.0.0.0/8')] });
  assert.ok(r2.after.includes('DenyUsers *@!127.0.0.1,*\n'));
  assert.ok(r2.proven);
  const r3 = await planAllow(ctx(r2.after), { op: 'remove', addresses: [A('127.0.0.1')] });
  assert.equal(r3.after, DEBIAN);
  assert.ok(r3.proven, JSON.stringify(r3.proof.filter((p) => !p.ok)));
  assert.ok(r3.proof.find((p) => p.user === 'alice' && p.addr === '203.0.113.77')!.after.allowed);
});

test('per-user lists intersect with the global one', async () => {
  const r1 = await planAllow(ctx(DEBIAN), { op: 'add', addresses: [A('10.0.0.0/8')] });
  const r2 = await planAllow(ctx(r1.after), { op: 'add', addresses: [A('10.1.1.1')], user: 'root' });
  assert.ok(r2.after.endsWith('DenyUsers *@!10.0.0.0/8,*\nDenyUsers root@!10.1.1.1,*\n'));
  assert.ok(r2.proven);
  assert.deepEqual(currentAllowlist(parseSshdConfig(r2.after, 'x')).map((e) => [e.user, e.addresses]), [
    ['*', ['10.0.0.0/8']],
    ['root', ['10.1.1.1']],
  ]);
  const root = (a: string) => r2.proof.find((p) => p.user === 'root' && p.addr === a)!.after.allowed;
  assert.equal(root('10.1.1.1'), true);
  assert.equal(root('10.0.0.0'), false);
  assert.equal(r2.proof.find((p) => p.user === 'alice' && p.addr === '10.0.0.0')!.after.allowed, true);
});

test('guard: the session address must stay allowed; the override is named after the risk', async () => {
  const session = { addr: '198.51.100.9', user: 'alice' };
  const r = await planAllow(ctx(DEBIAN, { session }), { op: 'add', addresses: [A('10.0.0.0/8')] });
  const g = r.guards.find((x) => x.id === 'session-address')!;
  assert.equal(g.ok, false);
  assert.match(g.message, /lock out your own session.*198\.51\.100\.9/);
  assert.equal(g.overrideFlag, '--allow-session-lockout');
  const ok = await planAllow(ctx(DEBIAN, { session }), { op: 'add', addresses: [A('10.0.0.0/8'), A('198.51.100.0/24')] });
  assert.equal(ok.guards.find((x) => x.id === 'session-address')!.ok, true);
  const over = await planAllow(ctx(DEBIAN, { session, overrides: new Set(['--allow-session-lockout']) }), { op: 'add', addresses: [A('10.0.0.0/8')] });
  assert.equal(over.guards[0]!.overridden, true);
});

test('PVE cluster node addresses are always kept and cannot be removed', async () => {
  const cluster = [A('192.168.10.11'), A('192.168.10.12')];
  const r = await planAllow(ctx(DEBIAN, { clusterAddresses: cluster }), { op: 'add', addresses: [A('10.0.0.0/8')] });
  assert.ok(r.after.includes('DenyUsers *@!10.0.0.0/8,!192.168.10.11,!192.168.10.12,*\n'));
  assert.ok(r.notes.some((n) => /kept PVE cluster node address 192\.168\.10\.11/.test(n)));
  assert.ok(r.guards.find((g) => g.id === 'cluster-nodes')!.ok);
  const rm = await planAllow(ctx(r.after, { clusterAddresses: cluster }), { op: 'remove', addresses: [A('192.168.10.11')] });
  assert.equal(rm.edits.length, 0);
  assert.ok(rm.notes.some((n) => /not removing 192\.168\.10\.11/.test(n)));
  const all = await planAllow(ctx(r.after, { clusterAddresses: cluster }), { op: 'remove', addresses: [A('10.0.0.0/8')] });
  assert.equal(all.after, DEBIAN);
});

test('a cluster node whose address nothing resolves blocks an allowlist (it may connect from anywhere)', async () => {
  const cluster = [A('192.168.10.11')];
  const r = await planAllow(ctx(DEBIAN, { clusterAddresses: cluster, clusterUnknownNodes: ['pve3'] }), { op: 'add', addresses: [A('10.0.0.0/8')] });
  const g = r.guards.find((x) => x.id === 'cluster-nodes')!;
  assert.equal(g.ok, false);
  assert.match(g.message, /pve3 have no address sshield can resolve.*\/etc\/hosts/);
  assert.equal(g.overrideFlag, '--allow-cluster-lockout');
  // Removing the whole list takes nothing away from anyone: no objection.
  const all = await planAllow(ctx(r.after, { clusterAddresses: cluster, clusterUnknownNodes: ['pve3'] }), { op: 'remove', addresses: [A('10.0.0.0/8')] });
  assert.equal(all.guards.find((x) => x.id === 'cluster-nodes')!.ok, true);
});
