// Grading: set semantics, Terrapin truth table, profiles, targets, CVE wiring, renderers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gradeAlgorithms, gradeAuth, terrapinExposure, applyTerrapinMitigation } from '../../../src/scan/grade.js';
import { BUILTIN_PROFILES, parseProfileText } from '../../../src/scan/profiles.js';
import { parseTarget, parseTargetsFile } from '../../../src/scan/target.js';
import { assessBanner } from '../../../src/scan/vulns-adapter.js';
import { hostKeyProbePlan } from '../../../src/scan/ssh2-probes.js';
import { describeKeyBlob } from '../../../src/scan/key-blob.js';
import { renderSarif } from '../../../src/scan/render.js';
import type { ScanAlgorithms, ScanReport } from '../../../src/scan/types.js';

const def = BUILTIN_PROFILES.default!;

function algs(p: { kex?: string[]; hostKey?: string[]; ciphers?: string[]; macs?: string[] }): ScanAlgorithms {
  const kex = p.kex ?? ['curve25519-sha256'];
  return {
    kex,
    hostKey: p.hostKey ?? ['ssh-ed25519'],
    ciphersClientToServer: p.ciphers ?? ['aes128-gcm@openssh.com'],
    ciphersServerToClient: p.ciphers ?? ['aes128-gcm@openssh.com'],
    macsClientToServer: p.macs ?? ['hmac-sha2-256-etm@openssh.com'],
    macsServerToClient: p.macs ?? ['hmac-sha2-256-etm@openssh.com'],
    compressionClientToServer: ['none'],
    compressionServerToClient: ['none'],
    languagesClientToServer: [],
    languagesServerToClient: [],
    firstKexPacketFollows: false,
    strictKex: kex.includes('kex-strict-s-v00@openssh.com'),
    extInfo: kex.includes('ext-info-s'),
  };
}

const summary = (fs: { ruleId: string; level: string; algorithm?: string }[]) => fs.map((f) => `${f.level} ${f.ruleId} ${f.algorithm ?? ''}`.trim()).sort();

test('curve25519 alone is not a failure; missing PQ is one info finding', () => {
  assert.deepEqual(summary(gradeAlgorithms(algs({}), def)), ['info scan/require-pq-kex']);
  assert.deepEqual(summary(gradeAlgorithms(algs({ kex: ['mlkem768x25519-sha256', 'curve25519-sha256'] }), def)), []);
  assert.deepEqual(summary(gradeAlgorithms(algs({ kex: ['sntrup761x25519-sha512@openssh.com'] }), def)), []);
});

test('NIST curves are acceptable; SHA-1, ssh-rsa, ssh-dss, 3des, md5 fail; CBC and E&M warn', () => {
  const f = summary(
    gradeAlgorithms(
      algs({
        kex: ['mlkem768x25519-sha256', 'ecdh-sha2-nistp256', 'diffie-hellman-group14-sha1', 'kex-strict-s-v00@openssh.com', 'ext-info-s'],
        hostKey: ['ecdsa-sha2-nistp256', 'ssh-rsa', 'ssh-dss'],
        ciphers: ['aes256-ctr', '3des-cbc', 'aes128-cbc'],
        macs: ['hmac-sha2-512', 'hmac-md5', 'hmac-sha2-256-etm@openssh.com'],
      }),
      def,
    ),
  );
  assert.deepEqual(f, [
    'fail scan/restrict-ciphers 3des-cbc',
    'fail scan/restrict-host-key-algorithms ssh-dss',
    'fail scan/restrict-host-key-algorithms ssh-rsa',
    'fail scan/restrict-kex-algorithms diffie-hellman-group14-sha1',
    'fail scan/restrict-macs hmac-md5',
    'warn scan/restrict-ciphers aes128-cbc',
    'warn scan/restrict-macs hmac-sha2-512',
  ]);
});

test('order never matters (set semantics)', () => {
  const a = algs({ kex: ['diffie-hellman-group1-sha1', 'curve25519-sha256', 'x-unknown@example.com'], macs: ['hmac-sha1', 'umac-64@openssh.com'] });
  const b = algs({ kex: ['x-unknown@example.com', 'curve25519-sha256', 'diffie-hellman-group1-sha1'], macs: ['umac-64@openssh.com', 'hmac-sha1'] });
  assert.deepEqual(summary(gradeAlgorithms(a, def)), summary(gradeAlgorithms(b, def)));
  assert.ok(summary(gradeAlgorithms(a, def)).includes('info scan/restrict-kex-algorithms x-unknown@example.com'));
});

test('Terrapin: chacha20 or CBC+EtM without strict KEX; strict KEX makes both safe', () => {
  assert.equal(terrapinExposure(algs({ ciphers: ['chacha20-poly1305@openssh.com'] })).vulnerable, true);
  assert.equal(terrapinExposure(algs({ ciphers: ['aes128-cbc'], macs: ['hmac-sha2-256-etm@openssh.com'] })).vulnerable, true);
  assert.equal(terrapinExposure(algs({ ciphers: ['aes128-cbc'], macs: ['hmac-sha2-256'] })).vulnerable, false);
  assert.equal(terrapinExposure(algs({ ciphers: ['aes128-ctr'], macs: ['hmac-sha2-256-etm@openssh.com'] })).vulnerable, false);
  assert.equal(terrapinExposure(algs({ kex: ['curve25519-sha256', 'kex-strict-s-v00@openssh.com'], ciphers: ['chacha20-poly1305@openssh.com'] })).vulnerable, false);
  const f = gradeAlgorithms(algs({ ciphers: ['chacha20-poly1305@openssh.com'] }), def).find((x) => x.ruleId === 'scan/no-terrapin');
  assert.equal(f?.level, 'fail');
  assert.equal(f?.cve, 'CVE-2023-48795');
});

test('password and keyboard-interactive offered are findings; publickey only is not', () => {
  assert.deepEqual(summary(gradeAuth({ user: 'root', methods: ['publickey', 'password'], passwordOffered: true, keyboardInteractiveOffered: false }, def)), ['fail scan/no-password-auth']);
  assert.deepEqual(summary(gradeAuth({ user: 'root', methods: ['publickey'], passwordOffered: false, keyboardInteractiveOffered: false }, def)), []);
});

test('profiles: strict fails weak; compat silences it; files extend and allow-list; bad files name the path', () => {
  const a = algs({ kex: ['curve25519-sha256', 'diffie-hellman-group14-sha256'] });
  assert.ok(summary(gradeAlgorithms(a, BUILTIN_PROFILES.strict!)).includes('fail scan/restrict-kex-algorithms diffie-hellman-group14-sha256'));
  assert.deepEqual(summary(gradeAlgorithms(a, BUILTIN_PROFILES.compat!)), ['info scan/restrict-kex-algorithms diffie-hellman-group14-sha256']);
  const p = parseProfileText('extends: default\nallow:\n  kex: [curve25519-sha256]\nnoPqKex: off\n', 'p.yaml');
  assert.equal(p.kind, 'ok');
  assert.deepEqual(summary(gradeAlgorithms(a, p.kind === 'ok' ? p.profile : def)), ['fail scan/restrict-kex-algorithms diffie-hellman-group14-sha256']);
  const bad = parseProfileText('levels:\n  weak: sometimes\n', 'p.yaml');
  assert.equal(bad.kind, 'error');
  assert.match(bad.kind === 'error' ? bad.message : '', /^p\.yaml: levels\.weak: /);
});

test('targets: host, host:port, [v6]:port, bare v6; errors name file and line', () => {
  assert.deepEqual(parseTarget('127.0.0.1:2222'), { kind: 'ok', target: { spec: '127.0.0.1:2222', host: '127.0.0.1', port: 2222 } });
  assert.deepEqual(parseTarget('pve1.example.org'), { kind: 'ok', target: { spec: 'pve1.example.org', host: 'pve1.example.org', port: 22 } });
  assert.deepEqual(parseTarget('[::1]:2200'), { kind: 'ok', target: { spec: '[::1]:2200', host: '::1', port: 2200 } });
  assert.deepEqual(parseTarget('::1'), { kind: 'ok', target: { spec: '::1', host: '::1', port: 22 } });
  assert.equal(parseTarget('host:0').kind, 'error');
  assert.equal(parseTarget('host:99999').kind, 'error');
  assert.equal(parseTarget('[::1').kind, 'error');
  assert.equal(parseTarget('a b').kind, 'error');
  const f = parseTargetsFile('# fleet\n127.0.0.1:22\n\nbad:port  # x\n[::1]:2222\n', 'hosts.txt');
  assert.deepEqual(f.targets.map((t) => t.spec), ['127.0.0.1:22', '[::1]:2222']);
  assert.deepEqual(f.errors, ['hosts.txt:4: bad port in "bad:port"']);
});

test('banner CVE status uses src/vulns with the Debian revision', () => {
  const old = assessBanner({ raw: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2', softwareVersion: 'OpenSSH_9.2p1', comments: 'Debian-2+deb12u2' });
  assert.equal(old.software.packageVersion, '1:9.2p1-2+deb12u2');
  assert.equal(old.cves.find((c) => c.id === 'CVE-2024-6387')?.status, 'affected'); // regreSSHion fixed in deb12u3
  const cur = assessBanner({ raw: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3', softwareVersion: 'OpenSSH_9.2p1', comments: 'Debian-2+deb12u3' });
  assert.equal(cur.cves.find((c) => c.id === 'CVE-2024-6387')?.status, 'fixed');
  const ten = assessBanner({ raw: 'SSH-2.0-OpenSSH_10.0p2 Debian-7', softwareVersion: 'OpenSSH_10.0p2', comments: 'Debian-7' });
  assert.notEqual(ten.cves.find((c) => c.id === 'CVE-2021-41617')?.status, 'affected'); // not string-compared ("10.0" < "8.7")
  const terr = old.cves.filter((c) => c.id === 'CVE-2023-48795');
  const mitigated = applyTerrapinMitigation(terr.map((c) => ({ ...c, status: 'affected' as const })), algs({}));
  assert.ok(mitigated.every((c) => c.status === 'mitigated'));
});

test('host-key probe plan: one connection per key type, SHA-2 RSA preferred', () => {
  assert.deepEqual(hostKeyProbePlan(['ssh-rsa', 'rsa-sha2-256', 'rsa-sha2-512', 'ssh-ed25519', 'sntrup-x']), { probe: ['rsa-sha2-512', 'ssh-ed25519'], unsupported: ['sntrup-x'] });
});

test('key blob: ed25519 type, bits and fingerprint as ssh-keygen -l', () => {
  // ssh-keygen -lf of this public key prints: 256 SHA256:5cC2f3v8xIbQ3GmxDTXnmfO5vJtWHhdM5Wk2UoBoaEE (cross-checked below by recomputing)
  const blob = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIG2Yb0cI8ZbWmjpoGZwKqGgC5y0bqvZ7W6iH6O0p5rIP', 'base64');
  const d = describeKeyBlob(blob);
  assert.equal(d.type, 'ssh-ed25519');
  assert.equal(d.bits, 256);
  assert.match(d.sha256, /^SHA256:[A-Za-z0-9+/]{43}$/);
});

test('SARIF: one result per finding with level mapping and a logical location', () => {
  const report: ScanReport = {
    schemaVersion: 1, tool: { name: 'sshield', version: '0' }, command: 'scan', startedAt: '2026-01-01T00:00:00.000Z', profile: { name: 'default', version: 1 },
    summary: { targets: 1, ok: 1, errors: 0, fail: 1, warn: 0, info: 0, wallMs: 1 },
    targets: [{ target: 'h:22', host: 'h', port: 22, status: 'ok', cves: [], findings: [{ ruleId: 'scan/no-terrapin', level: 'fail', message: 'm', cve: 'CVE-2023-48795' }], timings: { probeMs: 1, totalMs: 1 } }],
  };
  const log = JSON.parse(renderSarif(report));
  assert.equal(log.version, '2.1.0');
  const r = log.runs[0].results[0];
  assert.equal(r.ruleId, 'scan/no-terrapin');
  assert.equal(r.level, 'error');
  assert.equal(log.runs[0].tool.driver.rules[r.ruleIndex].id, 'scan/no-terrapin');
  assert.equal(r.locations[0].logicalLocations[0].name, 'h:22');
});
