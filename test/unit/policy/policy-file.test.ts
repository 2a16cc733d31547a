// Policy files: extend a profile, switch rules, set options, waivers with expiry; every error
// names file:line:col; expired waivers stop applying and are reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicy, waiverActive } from '../../../src/policy/policy-file.js';
import { PROFILES } from '../../../src/policy/profiles.js';
import { runAudit } from '../../../src/audit/run.js';
import { gatherAudit } from '../../../src/audit/gather.js';
import { offlineExecutor } from '../../../src/host/executor.js';
import { memoryFs } from '../../../src/host/memory-fs.js';

test('extends, switches, options and waivers', () => {
  const r = parsePolicy(
    ['extends: strict', 'rules:', '  sshd/require-allowlist: off', '  sshd/require-client-alive: on', '  sshd/limit-max-auth-tries:', '    options: { max: 4 }', 'waivers:', '  - rule: sshd/no-x11-forwarding', '    reason: GUI tools', '    expires: 2027-01-31', ''].join('\n'),
    'site.yml',
  );
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  const p = r.policy.profile;
  assert.equal(p.rules['sshd/require-allowlist']?.enabled, false);
  assert.equal(p.rules['sshd/limit-max-auth-tries']?.options?.max, 4);
  assert.equal(p.rules['sshd/limit-max-auth-tries']?.options?.min, 3, 'strict options kept');
  assert.equal(p.pveAware, PROFILES.strict.pveAware);
  assert.deepEqual(r.policy.waivers, [{ rule: 'sshd/no-x11-forwarding', reason: 'GUI tools', expires: '2027-01-31' }]);
});

const bad: [string, string, RegExp][] = [
  ['unknown rule', 'rules:\n  sshd/no-such-rule: on\n', /^site\.yml:2:3: unknown rule "sshd\/no-such-rule"$/],
  ['bad option type', 'rules:\n  sshd/limit-max-auth-tries:\n    options:\n      max: many\n', /^site\.yml:4:12: option max must be an integer$/],
  ['unknown option', 'rules:\n  sshd/no-tunnel:\n    options: { foo: 1 }\n', /^site\.yml:3:\d+: rule sshd\/no-tunnel has no option "foo"$/],
  ['unknown profile', 'extends: paranoid\n', /^site\.yml:1:10: unknown profile "paranoid"/],
  ['waiver without reason', 'waivers:\n  - rule: sshd/no-tunnel\n    reason: ""\n    expires: 2027-01-01\n', /^site\.yml:3:13: waivers\.0\.reason: a waiver needs a reason$/],
  ['bad date', 'waivers:\n  - rule: sshd/no-tunnel\n    reason: x\n    expires: soon\n', /^site\.yml:4:14: waivers\.0\.expires: expires must be a date/],
  ['YAML syntax', 'rules: [\n', /^site\.yml:\d+:\d+: /],
  ["unknown top-level key", "rule:\n  x: on\n", /^site\.yml:1:1: unknown key "rule"$/],
];
for (const [name, text, re] of bad) {
  test(`policy error: ${name}`, () => {
    const r = parsePolicy(text, 'site.yml');
    assert.equal(r.ok, false);
    if (r.ok) return;
    const msg = `${r.errors[0]!.file}:${r.errors[0]!.line}:${r.errors[0]!.column}: ${r.errors[0]!.message}`;
    assert.match(msg, re);
  });
}

test('waiver expiry: active through the expiry day, then expired and reported', async () => {
  assert.equal(waiverActive({ rule: 'x', reason: 'r', expires: '2026-11-24' }, '2026-11-24'), true);
  assert.equal(waiverActive({ rule: 'x', reason: 'r', expires: '2026-11-24' }, '2026-11-25'), false);
  const fs = memoryFs({ '/etc/ssh/sshd_config': 'X11Forwarding yes\n', '/etc/passwd': 'root:x:0:0::/root:/bin/bash\n' });
  const a = await gatherAudit(offlineExecutor(fs, 'memory'));
  const p = parsePolicy('waivers:\n  - { rule: sshd/no-x11-forwarding, reason: GUI, expires: 2026-12-01 }\n', 'p.yml');
  assert.ok(p.ok);
  const before = runAudit(a, p.policy, { version: 't', today: '2026-11-30' });
  const x = before.results.find((r) => r.ruleId === 'sshd/no-x11-forwarding')!;
  assert.equal(x.status, 'fail');
  assert.deepEqual(x.waived, { reason: 'GUI', expires: '2026-12-01' });
  assert.equal(before.summary.waived, 1);
  const after = runAudit(a, p.policy, { version: 't', today: '2026-12-02' });
  assert.equal(after.results.find((r) => r.ruleId === 'sshd/no-x11-forwarding')!.waived, undefined);
  assert.equal(after.waivers[0]!.state, 'expired');
});
