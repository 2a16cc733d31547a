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

const unknownIds = (n: number) => `rules:\n${Array.from({ length: n }, (_, i) => `  sshd/no-such-rule-${i}: on\n`).join('')}`;

test('200,000 unknown rule ids: one error with the count, work linear in the entries (counted, not timed)', () => {
  const small = { pairs: 0 };
  const big = { pairs: 0 };
  const rs = parsePolicy(unknownIds(20_000), 'p.yml', { stats: small });
  const rb = parsePolicy(unknownIds(200_000), 'p.yml', { stats: big });
  assert.equal(rs.ok, false);
  assert.equal(rb.ok, false);
  if (rb.ok || rs.ok) return;
  assert.equal(rb.errors.length, 1, 'reported once');
  assert.match(`${rb.errors[0]!.file}:${rb.errors[0]!.line}:${rb.errors[0]!.column}: ${rb.errors[0]!.message}`, /^p\.yml:2:3: unknown rule "sshd\/no-such-rule-0" and 199999 more unknown rule ids \(200000 in all; first few: sshd\/no-such-rule-1, /);
  // One visit per mapping entry: 10x the entries is 10x the work, not 100x.
  assert.equal(big.pairs, 200_001);
  assert.equal(small.pairs, 20_001);
});

const refused: [string, string, RegExp][] = [
  ['__proto__ key', 'rules:\n  __proto__: { enabled: true }\n', /^site\.yml:2:3: key "__proto__" is not allowed$/],
  ['constructor key', 'constructor: x\n', /^site\.yml:1:1: key "constructor" is not allowed$/],
  ['prototype in options', 'rules:\n  sshd/no-tunnel:\n    options: { prototype: 1 }\n', /^site\.yml:3:16: key "prototype" is not allowed$/],
  ['duplicate rule', 'rules:\n  sshd/no-tunnel: on\n  sshd/no-tunnel: off\n', /^site\.yml:3:3: duplicate key "sshd\/no-tunnel"$/],
  ['deep flow nesting', `rules: ${'['.repeat(100_000)}`, /^site\.yml:1:\d+: nesting deeper than 32 levels$/],
  ['deep block nesting', Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n'), /^site\.yml:\d+:1: nesting deeper than 32 levels$/],
  ['deep sequence nesting', `waivers:\n${'- '.repeat(5000)}x\n`, /^site\.yml:2:1: nesting deeper than 32 levels$/],
  ['too large', `# ${'x'.repeat(9 * 1024 * 1024)}\n`, /^site\.yml:1:1: policy file is \d+ bytes, over the limit of 8388608$/],
  ['cve waiver with a bad id', 'waivers:\n  - { cve: CVE-24-1, reason: x, expires: 2027-01-01 }\n', /^site\.yml:2:12: waivers\.0\.cve: expected a CVE id like CVE-2024-6387$/],
  ['waiver with rule and cve', 'waivers:\n  - { rule: sshd/no-tunnel, cve: CVE-2024-6387, reason: x, expires: 2027-01-01 }\n', /^site\.yml:2:29: waivers\.0: a waiver names a rule or a cve, not both$/],
];
for (const [name, text, re] of refused) {
  test(`policy refused: ${name}`, () => {
    const r = parsePolicy(text, 'site.yml');
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.match(`${r.errors[0]!.file}:${r.errors[0]!.line}:${r.errors[0]!.column}: ${r.errors[0]!.message}`, re);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'enabled'), false, 'no prototype pollution');
  });
}

test('a CVE waiver waives one CVE of host/no-known-vulnerabilities', () => {
  const r = parsePolicy('waivers:\n  - cve: CVE-2026-60001\n    reason: kbd-int off, accepted until the point release\n    expires: 2027-03-31\n', 'p.yml');
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  assert.deepEqual(r.policy.waivers, [{ rule: 'host/no-known-vulnerabilities', cve: 'CVE-2026-60001', reason: 'kbd-int off, accepted until the point release', expires: '2027-03-31' }]);
});
