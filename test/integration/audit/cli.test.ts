// `sshield audit` end to end as a process: exit codes, stdout/stderr separately, JSON shape,
// SARIF 2.1.0 structure, usage errors, policy errors with file:line:col, no colour off a TTY.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Log } from 'sarif';
import { assertValidSarif } from '../../helpers/sarif-schema.js';

function sshield(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'audit', ...args], { encoding: 'utf8', env: { ...process.env, SSHIELD_TODAY: '2026-11-24' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('JSON: schemaVersion 1, one result per rule, exit 1 on findings', () => {
  const r = sshield('--root', 'examples/pve9-default', '--json');
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr, '');
  const j = JSON.parse(r.stdout) as { schemaVersion: number; target: { kind: string }; profile: { name: string }; results: { ruleId: string; status: string; severity: string; message: string; locations: { file: string; line: number }[] }[] };
  assert.equal(j.schemaVersion, 1);
  assert.equal(j.target.kind, 'root');
  assert.equal(j.profile.name, 'proxmox', 'PVE hosts default to the proxmox profile');
  assert.equal(new Set(j.results.map((x) => x.ruleId)).size, j.results.length);
  const root = j.results.find((x) => x.ruleId === 'sshd/no-root-login')!;
  assert.equal(root.status, 'fail');
  assert.deepEqual(root.locations, [{ file: '/etc/ssh/sshd_config', line: 34, column: 1 }]);
});

test('--fail-on decides the exit code', () => {
  // examples/hardened (Debian 13, deb13u4) fails no rule; its exposed CVEs have no fix yet and are
  // low: the default (medium) passes, --fail-on low counts them (issue 14: no-fix-yet at severity).
  assert.equal(sshield('--root', 'examples/hardened', '--json', '--fail-on', 'critical').code, 0);
  assert.equal(sshield('--root', 'examples/hardened', '--json').code, 0);
  const low = sshield('--root', 'examples/hardened', '--json', '--fail-on', 'low');
  assert.equal(low.code, 1);
  const cve = (JSON.parse(low.stdout) as { results: { ruleId: string; status: string; failOnSeverity?: string }[] }).results.find((r) => r.ruleId === 'host/no-known-vulnerabilities')!;
  assert.deepEqual([cve.status, cve.failOnSeverity], ['warn', 'low']);
  assert.equal(sshield('--root', 'examples/debian12-cloud', '--json', '--fail-on', 'high').code, 1, 'deb12u2: regreSSHion (CVSS 8.1) has a fix available');
});

test('SARIF 2.1.0 structure', () => {
  const r = sshield('--root', 'examples/debian12-cloud', '--format', 'sarif');
  assert.equal(r.code, 1);
  const log = JSON.parse(r.stdout) as Log;
  assertValidSarif(log, 'audit --format sarif');
  for (const rule of log.runs[0]!.tool.driver.rules!) {
    assert.ok(rule.helpUri?.startsWith('file:///') && existsSync(fileURLToPath(rule.helpUri)), `${rule.id}: helpUri ${rule.helpUri} is a rule page that ships`);
    assert.ok(rule.help?.text, `${rule.id}: the rule's docs are inline`);
  }
  assert.equal(log.version, '2.1.0');
  assert.match(log.$schema ?? '', /sarif-2\.1\.0/);
  const run = log.runs[0]!;
  assert.equal(run.tool.driver.name, 'sshield');
  const rules = run.tool.driver.rules!;
  assert.ok(rules.length > 20);
  for (const res of run.results!) {
    assert.equal(rules[res.ruleIndex!]!.id, res.ruleId);
    assert.ok(res.message.text && ['none', 'note', 'warning', 'error'].includes(res.level!));
    for (const l of res.locations ?? []) {
      assert.ok(l.physicalLocation?.artifactLocation?.uri);
      if (l.physicalLocation?.region) assert.ok(l.physicalLocation.region.startLine! >= 1);
    }
  }
  const pw = run.results!.find((x) => x.ruleId === 'sshd/no-password-auth')!;
  assert.equal(pw.locations![0]!.physicalLocation!.artifactLocation!.uri, 'etc/ssh/sshd_config.d/50-cloud-init.conf');
});

test('text: grouped, where and how to fix, no colour without a TTY', () => {
  const r = sshield('--root', 'examples/debian12-cloud');
  assert.equal(r.code, 1);
  assert.doesNotMatch(r.stdout, /\x1b\[/);
  assert.match(r.stdout, /^Failed \(\d+\)$/m);
  assert.match(r.stdout, /where: \/etc\/ssh\/sshd_config\.d\/50-cloud-init\.conf:1/);
  assert.match(r.stdout, /fix: set PasswordAuthentication no/);
});

test('usage and runtime errors exit 2 with a message on stderr', () => {
  const a = sshield('--fail-on', 'severe');
  assert.equal(a.code, 2);
  assert.match(a.stderr, /--fail-on must be one of/);
  assert.equal(sshield('--root', 'examples/hardened', '-f', '/etc/ssh/sshd_config').code, 2);
  assert.equal(sshield('--root', '/nonexistent/dir').code, 2);
  assert.equal(sshield('--profile', 'no-such-profile').code, 2);
  const dir = mkdtempSync(join(tmpdir(), 'sshield-policy-'));
  try {
    const p = join(dir, 'p.yml');
    writeFileSync(p, 'extends: baseline\nrules:\n  sshd/limit-max-auth-tries: { options: { max: "x" } }\n');
    const b = sshield('--root', 'examples/hardened', '--profile', p);
    assert.equal(b.code, 2);
    assert.match(b.stderr, new RegExp(`${p}:3:\\d+: option max must be an integer`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--openssh overrides detection (LoginGraceTime 0 is right only on a vulnerable build)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sshield-f-'));
  try {
    const f = join(dir, 'sshd_config');
    writeFileSync(f, 'LoginGraceTime 0\n');
    const res = (v: string) => (JSON.parse(sshield('-f', f, '--json', '--openssh', v).stdout) as { results: { ruleId: string; status: string }[] }).results.find((x) => x.ruleId === 'sshd/limit-login-grace-time')!.status;
    assert.equal(res('1:9.2p1-2+deb12u2'), 'pass');
    assert.equal(res('1:9.2p1-2+deb12u3'), 'fail');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
