// host/no-weak-moduli's fix on a real daemon: `harden --profile strict` writes the groups of 3072
// bits and more to moduli.safe beside the moduli file sshd uses, through the writer, and sets
// ModuliFile to it. Proven by `sshd -T` (modulifile) and by a real group-exchange key exchange
// after the old file is gone: sshd logs "could not open ... using fixed modulus" when it cannot
// read its ModuliFile, so a clean exchange with only moduli.safe left means sshd reads it. All
// guards are overridden on purpose: the machine's accounts are not what this test is about.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SSHD, run, sshdAvailable, startSshd } from '../../helpers/sshd.js';
import { GUARDS } from '../../../src/apply/guards/index.js';

const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];
const skip = !sshdAvailable() && 'needs root and /usr/sbin/sshd';

test('harden --profile strict: moduli.safe written through the writer, ModuliFile set, sshd -T and a real group exchange use it', { skip, timeout: 240_000 }, async (t) => {
  const all = readFileSync('/etc/ssh/moduli', 'latin1').split('\n');
  const weak = all.filter((l) => l.split(/\s+/)[4] === '2047').slice(0, 4);
  const strong = all.filter((l) => l.split(/\s+/)[4] === '3071').slice(0, 3);
  assert.ok(weak.length > 0 && strong.length > 0, 'this machine has 2048- and 3072-bit groups in /etc/ssh/moduli');
  const mdir = mkdtempSync(join(tmpdir(), 'sshield-moduli-'));
  t.after(() => rmSync(mdir, { recursive: true, force: true }));
  const moduli = join(mdir, 'moduli');
  writeFileSync(moduli, `# test moduli\n${[...weak, ...strong].join('\n')}\n`, { mode: 0o644 });
  const d = await startSshd({ config: `KexAlgorithms diffie-hellman-group-exchange-sha256,curve25519-sha256\nModuliFile ${moduli}\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n` });
  t.after(() => d.stop());
  const bk = mkdtempSync(join(tmpdir(), 'sshield-bk-'));
  t.after(() => rmSync(bk, { recursive: true, force: true }));
  const env = { ...process.env, NO_COLOR: '1', SSH_CONNECTION: undefined, SUDO_USER: undefined };

  const audit0 = await run(process.execPath, [...CLI, 'audit', '-f', d.configPath, '--profile', 'strict', '--json'], { env });
  const r0 = (JSON.parse(audit0.stdout) as { results: { ruleId: string; status: string }[] }).results.find((r) => r.ruleId === 'host/no-weak-moduli');
  assert.equal(r0?.status, 'fail', 'the 2048-bit groups fail the rule');

  const h = await run(process.execPath, [...CLI, 'harden', '-f', d.configPath, '--profile', 'strict', '--yes', '--backup-dir', bk, ...GUARDS.map((g) => g.flag)], { env, timeoutMs: 180_000 });
  assert.equal(h.code, 0, h.stdout + h.stderr + d.log());
  const safe = join(mdir, 'moduli.safe');
  const written = readFileSync(safe, 'latin1');
  assert.equal(written, `# test moduli\n${strong.join('\n')}\n`, 'only the groups of 3072 bits and more, comments kept');
  assert.equal(readFileSync(moduli, 'latin1').includes(weak[0]!), true, 'the original moduli file is not edited');

  // sshd -T of the installed config names moduli.safe.
  const T = await run(SSHD, ['-T', '-f', d.configPath]);
  assert.equal(T.code, 0, T.stderr);
  assert.match(T.stdout, new RegExp(`^modulifile ${safe.replace(/[.]/g, '\\.')}$`, 'm'));

  // A real group-exchange key exchange with only moduli.safe left.
  rmSync(moduli);
  const kex = await run('ssh', ['-vv', '-p', String(d.port), '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'KexAlgorithms=diffie-hellman-group-exchange-sha256', '-o', 'PreferredAuthentications=none', `sshield-no-such-user@${d.address}`, 'true'], { timeoutMs: 30_000 });
  assert.match(kex.stderr, /kex: algorithm: diffie-hellman-group-exchange-sha256/, kex.stderr);
  assert.match(kex.stderr, /SSH2_MSG_KEX_DH_GEX_GROUP received/, kex.stderr);
  assert.match(kex.stderr, /SSH2_MSG_NEWKEYS received/, kex.stderr);
  assert.doesNotMatch(d.log(), /could not open .*moduli/, d.log());

  // The second run changes nothing.
  writeFileSync(moduli, `# test moduli\n${[...weak, ...strong].join('\n')}\n`, { mode: 0o644 });
  const again = await run(process.execPath, [...CLI, 'harden', '-f', d.configPath, '--profile', 'strict', '--yes', '--backup-dir', bk, ...GUARDS.map((g) => g.flag)], { env, timeoutMs: 180_000 });
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /Nothing to change/);
});
