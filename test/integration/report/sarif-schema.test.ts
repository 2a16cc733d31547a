// SARIF from the CLI validated against the OASIS SARIF 2.1.0 JSON schema (vendored, see
// test/fixtures/sarif/SOURCE.md): the audit of every example root and a scan of a loopback sshd
// (with a target that refuses connections); every result has a location; helpUri is a rule page
// that ships with sshield. The validator itself rejects what the schema forbids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Log } from 'sarif';
import { assertValidSarif } from '../../helpers/sarif-schema.js';
import { freePort, sshdAvailable, startSshd } from '../../helpers/sshd.js';

function sshield(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, SSHIELD_TODAY: '2026-11-24' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function assertHelpShips(log: Log, label: string): void {
  for (const rule of log.runs[0]!.tool.driver.rules!) {
    assert.ok(rule.helpUri && existsSync(fileURLToPath(rule.helpUri)), `${label}: ${rule.id} helpUri ${rule.helpUri} exists`);
  }
}

test('the schema validator rejects invalid SARIF', () => {
  const ok = { version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ ruleId: 'a', message: { text: 'm' }, locations: [{ logicalLocations: [{ name: 'h' }] }] }] }] };
  assertValidSarif(ok);
  assert.throws(() => assertValidSarif({ ...ok, version: '2.0.0' }), /not valid SARIF 2\.1\.0/);
  assert.throws(() => assertValidSarif({ ...ok, runs: [{ ...ok.runs[0], results: [{ ...ok.runs[0]!.results[0], level: 'severe' }] }] }), /not valid SARIF/);
  assert.throws(() => assertValidSarif({ ...ok, runs: [{ tool: { driver: { name: 'x', rules: [{ id: 'a', helpUri: 'not a uri' }] } } }] }), /format/);
  assert.throws(() => assertValidSarif({ ...ok, runs: [{ ...ok.runs[0], results: [{ ...ok.runs[0]!.results[0], locations: [] }] }] }), /has no location/);
});

test('audit --format sarif of every example root is valid SARIF 2.1.0', () => {
  for (const name of readdirSync('examples').filter((n) => existsSync(`examples/${n}/etc/ssh/sshd_config`))) {
    const r = sshield('audit', '--root', `examples/${name}`, '--format', 'sarif');
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    const log = JSON.parse(r.stdout) as Log;
    assertValidSarif(log, name);
    assertHelpShips(log, name);
    assert.ok(log.runs[0]!.results!.length > 0, `${name}: results`);
  }
});

test('scan --format sarif of a loopback sshd and a refusing port is valid SARIF 2.1.0', { skip: !sshdAvailable() && 'needs root and /usr/sbin/sshd' }, async () => {
  const inst = await startSshd({ config: 'Ciphers aes128-cbc,aes256-gcm@openssh.com\nPasswordAuthentication yes\n' });
  try {
    const closed = await freePort();
    const r = sshield('scan', `127.0.0.1:${inst.port}`, `127.0.0.1:${closed}`, '--user', 'root', '--format', 'sarif');
    assert.equal(r.code, 2, 'a target could not be scanned');
    const log = JSON.parse(r.stdout) as Log;
    assertValidSarif(log, 'scan');
    assertHelpShips(log, 'scan');
    assert.ok(log.runs[0]!.results!.some((x) => x.ruleId === 'scan/restrict-ciphers'));
    assert.equal(log.runs[0]!.invocations![0]!.executionSuccessful, false);
  } finally {
    await inst.stop();
  }
});
