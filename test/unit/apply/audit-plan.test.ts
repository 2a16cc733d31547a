// harden's plan from the audit, over the example roots (read-only views, nothing written): the
// failing rules' remediations become the plan, the audit of the prediction passes every fixed
// rule, and a rule the change would break (PVE peer access once forwarding goes off globally)
// adds its own remediations in another round. remediationsOf maps a report exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rootFs } from '../../../src/host/root-fs.js';
import { offlineExecutor } from '../../../src/host/executor.js';
import { BUILDS } from '../../../src/sshd/builds/index.js';
import { PROFILES } from '../../../src/policy/profiles.js';
import { planFromAudit } from '../../../src/apply/audit-plan.js';
import { remediationsOf } from '../../../src/apply/remediations.js';
import type { Report } from '../../../src/report/types.js';

const input = (ex: string, profile: 'baseline' | 'proxmox', build = BUILDS['9.2p1-debian']) => {
  const fs = rootFs(`examples/${ex}`);
  return {
    fs,
    exec: offlineExecutor(fs),
    gather: { mainConfig: '/etc/ssh/sshd_config' },
    policy: { profile: PROFILES[profile], source: 'builtin', waivers: [] },
    today: '2026-11-24',
    version: 'test',
    configPath: '/etc/ssh/sshd_config',
    build,
    specs: [],
    reload: { kind: 'none', why: 'test' } as const,
  };
};

test('a rule broken by the change contributes its remediation in another round (no pinned exception)', async () => {
  const r = await planFromAudit(input('pve-cluster-node', 'proxmox'));
  assert.ok(r.ok, r.ok ? '' : r.reason);
  const drop = r.plan.files.find((f) => f.path.endsWith('/00-sshield.conf'))!.after;
  assert.match(drop, /^AllowTcpForwarding no$/m, 'forwarding off for everyone');
  assert.match(drop, /\nMatch Address [^\n]*10\.10\.10\.12[^\n]*\n(\t.*\n)*\tAllowTcpForwarding yes\n/, 'and on again for the cluster nodes, from sshd/require-pve-peer-access');
  assert.equal(r.before?.results.find((x) => x.ruleId === 'sshd/require-pve-peer-access')?.status, 'pass');
  assert.equal(r.after?.results.find((x) => x.ruleId === 'sshd/require-pve-peer-access')?.status, 'pass');
  for (const id of r.plan.remediated) assert.equal(r.after?.results.find((x) => x.ruleId === id)?.status, 'pass', id);
  assert.match(r.plan.notes.join('\n'), /audit of the predicted configuration \(proxmox\)/);
});

test('with the cluster addresses a PVE-aware profile pins the whole exception; baseline does not', async () => {
  const nodes = ['10.10.10.11', 'fd00:10::11', '10.10.10.12', 'fd00:10::12', '10.10.10.13', 'fd00:10::13'];
  const r = await planFromAudit({ ...input('pve-cluster-node', 'proxmox'), clusterAddresses: nodes });
  assert.ok(r.ok, r.ok ? '' : r.reason);
  const drop = r.plan.files.find((f) => f.path.endsWith('/00-sshield.conf'))!.after;
  assert.match(drop, /\tAllowStreamLocalForwarding yes\n\tPermitTTY yes\n\tAcceptEnv LANG LC_\*\n$/);
  const b = await planFromAudit({ ...input('pve-cluster-node', 'baseline'), clusterAddresses: nodes });
  assert.doesNotMatch(b.plan!.files.find((f) => f.path.endsWith('/00-sshield.conf'))!.after, /PermitTTY/);
});

test('an already hardened root plans nothing', async () => {
  const r = await planFromAudit(input('hardened', 'baseline', BUILDS['10.0p1-debian']));
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.deepEqual(r.plan.files, []);
});

test('remediationsOf: failing rules only, not waived, not warnings; manual ones become notes', () => {
  const res = (ruleId: string, status: string, remediation: unknown[], waived = false) => ({ ruleId, title: '', status, severity: 'high', message: `${ruleId} msg`, locations: [], remediation, details: [], tags: [], references: [], ...(waived ? { waived: { reason: 'r', expires: '2099-01-01' } } : {}) });
  const report = {
    results: [
      res('a/set', 'fail', [{ kind: 'set', keyword: 'X11Forwarding', value: 'no', scope: 'global', description: '' }]),
      res('b/dup', 'fail', [{ kind: 'set', keyword: 'x11forwarding', value: 'yes', scope: 'global', description: '' }, { kind: 'set', keyword: 'PermitTTY', value: 'yes', scope: { match: 'Address 10.0.0.1' }, description: '' }]),
      res('c/comment', 'fail', [{ kind: 'comment-out', directives: [{ file: '/etc/ssh/sshd_config', line: 7 }], description: 'drop it' }]),
      res('d/manual', 'fail', [{ kind: 'manual', description: 'upgrade', command: 'apt-get install x' }]),
      res('e/warn', 'warn', [{ kind: 'set', keyword: 'LogLevel', value: 'VERBOSE', scope: 'global', description: '' }]),
      res('f/waived', 'fail', [{ kind: 'set', keyword: 'MaxSessions', value: '4', scope: 'global', description: '' }], true),
      res('g/none', 'fail', []),
    ],
  } as unknown as Report;
  const r = remediationsOf(report);
  assert.deepEqual(r.desired, [
    { keyword: 'X11Forwarding', value: 'no', rule: 'a/set', scope: 'global' },
    { keyword: 'PermitTTY', value: 'yes', rule: 'b/dup', scope: { match: 'Address 10.0.0.1' } },
  ]);
  assert.deepEqual(r.commentOut, [{ file: '/etc/ssh/sshd_config', line: 7, why: 'c/comment: drop it', rule: 'c/comment' }]);
  assert.deepEqual(r.notes, ['d/manual: upgrade (apt-get install x)', 'g/none: g/none msg (no automatic fix)']);
  assert.deepEqual(r.rules, ['a/set', 'b/dup', 'c/comment']);
});
