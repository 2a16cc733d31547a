// The scanner against real Debian sshd instances on loopback, with `sshd -T` as the oracle: the
// algorithm lists the scan reports must be exactly what each instance offers, and the Terrapin
// and password findings must match the configs. Also the built CLI end to end (exit codes, JSON).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startSshd, sshdT, sshdAvailable, run, type SshdInstance } from '../../helpers/sshd.js';
import { scanTarget } from '../../../src/scan/scan.js';
import { BUILTIN_PROFILES } from '../../../src/scan/profiles.js';
import { assessBanner } from '../../../src/scan/vulns-adapter.js';
import type { ScanTargetResult } from '../../../src/scan/types.js';

const skip = !sshdAvailable() && 'needs root and /usr/sbin/sshd';

interface Case {
  name: string;
  keys: ('ed25519' | 'rsa' | 'ecdsa')[];
  config: string;
  terrapin: boolean;
}

const CASES: Case[] = [
  { name: 'default', keys: ['ed25519', 'rsa', 'ecdsa'], config: '', terrapin: false },
  {
    name: 'hardened',
    keys: ['ed25519'],
    config: 'KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256\nCiphers aes256-gcm@openssh.com,aes128-gcm@openssh.com\nMACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n',
    terrapin: false,
  },
  {
    name: 'chacha20+etm and CBC on 9.2 with strict KEX (Terrapin-safe), kbd-interactive only',
    keys: ['rsa'],
    config: 'Ciphers chacha20-poly1305@openssh.com,aes128-cbc,aes256-ctr\nMACs hmac-sha2-256-etm@openssh.com,hmac-sha1\nHostKeyAlgorithms ssh-rsa,rsa-sha2-256\nPasswordAuthentication no\nKbdInteractiveAuthentication yes\n',
    terrapin: false,
  },
];

const started: { c: Case; inst: SshdInstance; t: Map<string, string> }[] = [];

before(async () => {
  if (skip) return;
  for (const c of CASES) {
    const inst = await startSshd({ hostKeyTypes: c.keys, config: c.config });
    const t = await sshdT(inst.configPath);
    assert.equal(t.code, 0, t.stderr);
    const map = new Map(t.stdout.split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)] as [string, string]));
    started.push({ c, inst, t: map });
  }
});
after(async () => {
  await Promise.all(started.map((s) => s.inst.stop()));
});

/** Host-key algorithms a loaded key can serve (sshd.c list_hostkey_types, 9.2). */
const KEY_ALGS: Record<string, string[]> = { ed25519: ['ssh-ed25519'], rsa: ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'], ecdsa: ['ecdsa-sha2-nistp256'] };

async function scan(inst: SshdInstance): Promise<ScanTargetResult> {
  return scanTarget({ spec: `127.0.0.1:${inst.port}`, host: '127.0.0.1', port: inst.port }, { profile: BUILTIN_PROFILES.default!, timeoutMs: 5000, concurrency: 1, toolVersion: 't', user: 'root', hostKeys: true, assess: assessBanner });
}

test('algorithm lists equal what sshd -T says each instance offers', { skip }, async () => {
  for (const { c, inst, t } of started) {
    const r = await scan(inst);
    assert.equal(r.status, 'ok', `${c.name}: ${r.error?.message}`);
    const a = r.algorithms!;
    // sshd adds the strict-KEX marker to its configured list (sshd.c do_ssh2_kex, Debian 9.2p1-2+deb12u2).
    assert.deepEqual(a.kex, [...t.get('kexalgorithms')!.split(','), 'kex-strict-s-v00@openssh.com'], c.name);
    assert.deepEqual(a.ciphersClientToServer, t.get('ciphers')!.split(','), c.name);
    assert.deepEqual(a.ciphersServerToClient, t.get('ciphers')!.split(','), c.name);
    assert.deepEqual(a.macsClientToServer, t.get('macs')!.split(','), c.name);
    assert.deepEqual(a.macsServerToClient, t.get('macs')!.split(','), c.name);
    const loadable = new Set(c.keys.flatMap((k) => KEY_ALGS[k]!));
    const expectedHostKey = t.get('hostkeyalgorithms')!.split(',').filter((h) => loadable.has(h));
    assert.deepEqual([...a.hostKey].sort(), expectedHostKey.sort(), c.name);
    assert.equal(a.strictKex, true);
    assert.equal(r.banner?.raw.startsWith('SSH-2.0-OpenSSH_9.2p1'), true);
  }
});

test('Terrapin, password and keyboard-interactive findings match the configs', { skip }, async () => {
  for (const { c, inst, t } of started) {
    const r = await scan(inst);
    assert.equal(r.findings.some((f) => f.ruleId === 'scan/no-terrapin'), c.terrapin, c.name);
    assert.equal(r.auth?.error, undefined, c.name);
    assert.equal(r.auth!.passwordOffered, t.get('passwordauthentication') === 'yes', c.name);
    assert.equal(r.auth!.keyboardInteractiveOffered, t.get('kbdinteractiveauthentication') === 'yes', c.name);
    const offered = t.get('passwordauthentication') === 'yes' || t.get('kbdinteractiveauthentication') === 'yes';
    assert.equal(r.findings.some((f) => f.ruleId === 'scan/no-password-auth'), offered, c.name);
  }
});

test('host keys match ssh-keygen -l of the loaded keys; ssh-rsa and CBC are graded', { skip }, async () => {
  for (const { c, inst } of started) {
    const r = await scan(inst);
    for (const k of c.keys) {
      const fp = await run('ssh-keygen', ['-l', '-f', `${process.cwd()}/.cache/test-hostkeys/ssh_host_${k}_key.pub`]);
      const [bits, sha] = fp.stdout.split(' ');
      const got = r.hostKeys!.find((h) => h.sha256 === sha);
      assert.ok(got, `${c.name}: ${k} key ${sha} not found in ${JSON.stringify(r.hostKeys)}`);
      assert.equal(String(got.bits), bits);
    }
    if (c.name.startsWith('chacha20')) {
      const ids = r.findings.map((f) => `${f.level} ${f.algorithm}`);
      assert.ok(ids.includes('fail ssh-rsa'), ids.join());
      assert.ok(ids.includes('warn aes128-cbc'), ids.join());
    }
  }
});

test('built CLI: exit codes, JSON shape, input order', { skip: skip || (!existsSync('dist/sshield.cjs') && 'run npm run build first') }, async () => {
  const [def, hard] = [started[0]!.inst, started[1]!.inst];
  const clean = await run(process.execPath, ['bin/sshield.js', 'scan', '--json', '--profile', 'compat', `127.0.0.1:${hard.port}`]);
  const j = JSON.parse(clean.stdout);
  assert.equal(j.schemaVersion, 1);
  assert.equal(j.targets[0].status, 'ok');
  // compat: only broken algorithms fail; low/medium CVEs of the banner are warnings.
  assert.equal(clean.code, j.summary.fail > 0 ? 1 : 0, clean.stderr);
  const bad = await run(process.execPath, ['bin/sshield.js', 'scan', '--format', 'json', '--user', 'root', `127.0.0.1:${hard.port}`, `127.0.0.1:${def.port}`]);
  assert.equal(bad.code, 1, bad.stderr);
  const jb = JSON.parse(bad.stdout);
  assert.deepEqual(jb.targets.map((x: { port: number }) => x.port), [hard.port, def.port]);
  assert.ok(jb.targets[1].findings.some((f: { ruleId: string }) => f.ruleId === 'scan/no-password-auth'));
  assert.ok(!jb.targets[0].findings.some((f: { ruleId: string }) => f.ruleId === 'scan/no-password-auth'));
  const usage = await run(process.execPath, ['bin/sshield.js', 'scan', '127.0.0.1:notaport']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /bad port in "127\.0\.0\.1:notaport"/);
  assert.equal(usage.stdout, '');
});
