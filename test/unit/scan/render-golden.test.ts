// The scan renderers (text, JSON, SARIF) against golden files (test/golden/scan/, UPDATE_GOLDEN=1
// to accept a reviewed change), on a report assembled with the real grading and CVE assessment
// from fixed inputs: a current Debian 12 build, an old unpatched one with Terrapin-exposed
// algorithms and password login, and a target that could not be scanned. Plus: every scan rule
// has its docs/rules page (UPDATE_DOCS=1 regenerates), and SARIF declares every rule with the
// same fields as the audit's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { applyTerrapinMitigation, gradeAlgorithms, gradeAuth, gradeCves, levelCounts } from '../../../src/scan/grade.js';
import { BUILTIN_PROFILES } from '../../../src/scan/profiles.js';
import { assessBanner } from '../../../src/scan/vulns-adapter.js';
import { renderJson, renderSarif, renderText } from '../../../src/scan/render.js';
import { SCAN_RULES, renderScanRuleDoc, scanDocPath } from '../../../src/scan/rules.js';
import { toSarif } from '../../../src/report/sarif.js';
import { DEB_DOCS_BASE } from '../../../src/report/sarif-log.js';
import { assertValidSarif } from '../../helpers/sarif-schema.js';
import type { ScanAlgorithms, ScanReport, ScanTargetResult } from '../../../src/scan/types.js';
import type { ScanRuleId } from '../../../src/scan/types.js';

const GOLDEN = resolve('test/golden/scan');
const profile = BUILTIN_PROFILES.default!;

function golden(name: string, actual: string): void {
  const p = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(p, actual);
  assert.ok(existsSync(p), `${p} missing: run with UPDATE_GOLDEN=1 after checking the output`);
  assert.equal(actual, readFileSync(p, 'utf8'), `${name} differs from the golden file (UPDATE_GOLDEN=1 to accept)`);
}

function algorithms(kex: string[], hostKey: string[], ciphers: string[], macs: string[]): ScanAlgorithms {
  return {
    kex, hostKey,
    ciphersClientToServer: ciphers, ciphersServerToClient: ciphers,
    macsClientToServer: macs, macsServerToClient: macs,
    compressionClientToServer: ['none', 'zlib@openssh.com'], compressionServerToClient: ['none', 'zlib@openssh.com'],
    languagesClientToServer: [], languagesServerToClient: [],
    firstKexPacketFollows: false,
    strictKex: kex.includes('kex-strict-s-v00@openssh.com'),
    extInfo: kex.includes('ext-info-s'),
  };
}

function target(spec: string, raw: string, a: ScanAlgorithms, passwordUser?: string): ScanTargetResult {
  const [host, port] = spec.split(':') as [string, string];
  const ident = raw.slice('SSH-2.0-'.length);
  const sp = ident.indexOf(' ');
  const banner = { raw, protoVersion: '2.0', softwareVersion: sp < 0 ? ident : ident.slice(0, sp), comments: sp < 0 ? null : ident.slice(sp + 1), preamble: [] };
  const assessed = assessBanner(banner);
  const cves = applyTerrapinMitigation(assessed.cves, a);
  const auth = passwordUser ? { user: passwordUser, methods: ['publickey', 'password', 'keyboard-interactive'], passwordOffered: true, keyboardInteractiveOffered: true } : undefined;
  return {
    target: spec, host, port: Number(port), address: host, status: 'ok', banner, software: assessed.software, algorithms: a,
    ...(auth ? { auth } : {}),
    cves,
    findings: [...gradeCves(cves, profile), ...gradeAlgorithms(a, profile), ...(auth ? gradeAuth(auth, profile) : [])],
    timings: { connectMs: 0.4, identMs: 3.1, kexinitMs: 3.2, probeMs: 3.3, totalMs: 3.5 },
  };
}

function fixtureReport(): ScanReport {
  const targets: ScanTargetResult[] = [
    target(
      '192.0.2.10:22',
      'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10',
      algorithms(['sntrup761x25519-sha512@openssh.com', 'curve25519-sha256', 'ecdh-sha2-nistp256', 'diffie-hellman-group14-sha256', 'ext-info-s', 'kex-strict-s-v00@openssh.com'], ['rsa-sha2-512', 'rsa-sha2-256', 'ecdsa-sha2-nistp256', 'ssh-ed25519'], ['chacha20-poly1305@openssh.com', 'aes128-ctr', 'aes256-gcm@openssh.com'], ['umac-128-etm@openssh.com', 'hmac-sha2-256-etm@openssh.com', 'hmac-sha1']),
    ),
    target(
      '192.0.2.11:2222',
      'SSH-2.0-OpenSSH_7.4',
      algorithms(['curve25519-sha256@libssh.org', 'diffie-hellman-group14-sha1'], ['ssh-rsa', 'ssh-ed25519'], ['aes128-ctr', 'aes128-cbc', 'chacha20-poly1305@openssh.com'], ['hmac-sha2-256-etm@openssh.com', 'hmac-md5']),
      'root',
    ),
    { target: 'pve-old.example:22', host: 'pve-old.example', port: 22, status: 'error', error: { code: 'TIMEOUT', message: 'no complete answer within 5000 ms (while connecting)' }, cves: [], findings: [], timings: { probeMs: 5000, totalMs: 5000 } },
  ];
  const counts = levelCounts(targets.flatMap((t) => t.findings));
  return {
    schemaVersion: 1, tool: { name: 'sshield', version: '0.0.0-test' }, command: 'scan', startedAt: '2026-11-24T00:00:00.000Z',
    profile: { name: profile.name, version: profile.version },
    summary: { targets: 3, ok: 2, errors: 1, ...counts, wallMs: 5001.2 },
    targets,
  };
}

test('scan renderers match the golden text, JSON and SARIF', () => {
  const r = fixtureReport();
  golden('fixture.txt', renderText(r, { verbose: true }));
  golden('fixture.json', renderJson(r));
  golden('fixture.sarif', renderSarif(r, { docsBase: DEB_DOCS_BASE }));
  assertValidSarif(renderSarif(r, { docsBase: DEB_DOCS_BASE }), 'fixture.sarif');
});

test('scan SARIF: every rule declared with help link, severity score and tags, as the audit does', () => {
  const docsBase = pathToFileURL(resolve('docs/rules')).href + '/';
  const log = JSON.parse(renderSarif(fixtureReport(), { docsBase }));
  const rules = log.runs[0].tool.driver.rules as { id: string; helpUri: string; help: { text: string }; properties: Record<string, unknown> }[];
  assert.deepEqual(rules.map((r) => r.id).sort(), Object.keys(SCAN_RULES).sort());
  for (const r of rules) {
    assert.ok(existsSync(fileURLToPath(r.helpUri)), `${r.id}: help page ${r.helpUri} is the shipped rule page`);
    assert.ok(r.help.text.includes(SCAN_RULES[r.id as ScanRuleId].docs.fix), `${r.id}: the fix is in the help text`);
    assert.match(String(r.properties['security-severity']), /^\d+\.\d$/);
  }
  // Same driver block as an audit's SARIF.
  const audit = toSarif({ schemaVersion: 1, tool: { name: 'sshield', version: '0.0.0-test' }, target: { kind: 'memory', label: 'x' }, profile: { name: 'baseline' }, specs: [], results: [], waivers: [], summary: { pass: 0, fail: 0, warn: 0, skip: 0, waived: 0 } }, { docsBase });
  const strip = (d: Record<string, unknown>) => ({ ...d, rules: undefined });
  assert.deepEqual(strip(log.runs[0].tool.driver), strip(audit.runs[0]!.tool.driver as unknown as Record<string, unknown>));
  assert.equal(log.runs[0].invocations[0].executionSuccessful, false, 'a target that could not be scanned makes the run unsuccessful');
  assert.equal(log.runs[0].invocations[0].toolExecutionNotifications[0].descriptor.id, 'TIMEOUT');
});

test('every scan rule is documented in docs/rules/ and the page matches its metadata', () => {
  for (const id of Object.keys(SCAN_RULES) as ScanRuleId[]) {
    const want = renderScanRuleDoc(SCAN_RULES[id]);
    const path = scanDocPath(id);
    if (process.env.UPDATE_DOCS === '1') writeFileSync(path, want);
    assert.ok(existsSync(path), `${path} missing (run with UPDATE_DOCS=1)`);
    assert.equal(readFileSync(path, 'utf8'), want, `${path} is stale (run with UPDATE_DOCS=1)`);
  }
});
