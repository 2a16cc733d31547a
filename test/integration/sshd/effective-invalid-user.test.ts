// `sshield effective -C ...,invalid-user` held to the real `sshd -T -C` of every build (Debian 12's
// 9.2p1, Debian 13's 10.0p1, Debian unstable's 10.6p1): from 10.0p1 parse_server_match_testspec
// takes the bare word `invalid-user` (strcmp: exactly that spelling, no value) and `Match
// invalid-user` then matches; 9.2p1 refuses it as an invalid test mode specification. The engine
// must accept and refuse the same specs with sshd's message, and print exactly sshd's bytes; the
// built CLI likewise, on this machine's config (9.2) and on the cached Debian roots (--root).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadEffective, renderSshdT } from '../../../src/sshd/evaluate/index.js';
import { parseSpec } from '../../../src/cli/effective.js';
import { oracles } from '../../helpers/oracles.js';
import { SID, TRIXIE } from '../../helpers/debian-roots.js';
import { run, sshdAvailable } from '../../helpers/sshd.js';

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'sshield.js');
const SPEC = 'user=alice,host=h.example.com,addr=10.1.2.3,laddr=127.0.0.1,lport=22';
/** Accepted from 10.0 (the first three), refused everywhere (the rest: spelling is exact, no value). */
const SPECS = [`${SPEC},invalid-user`, `invalid-user,${SPEC}`, `${SPEC},invalid-user,,user=bob`, `${SPEC},Invalid-User`, `${SPEC},invalid-user=yes`, `${SPEC},invalid-users`];

for (const o of oracles()) {
  test(`-C invalid-user on ${o.build.id}: accepted and refused exactly as sshd -T -C, evaluated to its bytes`, { skip: o.unavailable }, async () => {
    const hk = await o.hostKey();
    const v10 = o.build.version >= 10;
    const text = v10 ? `HostKey ${hk}\nMatch invalid-user\n  PermitRootLogin no\n  X11Forwarding yes\n` : `HostKey ${hk}\nMatch User alice\n  PermitRootLogin no\n`;
    const placed = o.place(text);
    try {
      const loaded = await loadEffective(o.fs, placed.main, { build: o.build, cwd: o.cwd });
      for (const spec of SPECS) {
        const real = await placed.sshdT(spec);
        const ours = parseSpec(spec, o.build.version);
        if (real.code !== 0) {
          assert.equal(typeof ours, 'string', `${o.build.id} ${spec}: sshd refuses (${real.stderr.trim()}), ours accepts`);
          assert.equal(ours, real.stderr.trim().split('\n').pop(), `${o.build.id} ${spec}`);
          continue;
        }
        assert.notEqual(typeof ours, 'string', `${o.build.id} ${spec}: sshd accepts, ours refuses: ${String(ours)}`);
        const eff = loaded.evaluate(ours as Exclude<typeof ours, string>);
        assert.equal(renderSshdT(eff), real.stdout, `${o.build.id} ${spec}`);
      }
      const accepted = await Promise.all(SPECS.slice(0, 3).map(async (s) => (await placed.sshdT(s)).code === 0));
      assert.deepEqual(accepted, [v10, v10, v10], 'the three spellings sshd accepts from 10.0');
      if (v10) {
        // The word is what makes `Match invalid-user` apply: with it root login is off, without it not.
        const withWord = loaded.evaluate(parseSpec(`${SPEC},invalid-user`, o.build.version) as Exclude<ReturnType<typeof parseSpec>, string>);
        const without = loaded.evaluate(parseSpec(SPEC, o.build.version) as Exclude<ReturnType<typeof parseSpec>, string>);
        assert.deepEqual([withWord.value('permitrootlogin'), without.value('permitrootlogin') === 'no'], ['no', false]);
      }
    } finally {
      placed.remove();
    }
  });
}

test('the CLI on this machine\'s 9.2p1 config refuses -C ...,invalid-user with sshd\'s own message', { skip: sshdAvailable() ? undefined : 'needs root and /usr/sbin/sshd' }, async () => {
  const real = await run('/usr/sbin/sshd', ['-T', '-C', `${SPEC},invalid-user`]);
  assert.equal(real.code, 1);
  const ours = await run(process.execPath, [BIN, 'effective', '-C', `${SPEC},invalid-user`], { env: { NO_COLOR: '1' } });
  assert.equal(ours.code, 2);
  assert.equal(ours.stdout, '');
  assert.equal(ours.stderr, real.stderr);
});

for (const root of [TRIXIE, SID]) {
  test(`the CLI on the cached ${root.name} root (--root): -C ...,invalid-user prints exactly what its sshd -T -C prints`, { skip: root.unavailable() }, async () => {
    for (const spec of [`${SPEC},invalid-user`, `user=root,addr=203.0.113.9,invalid-user`]) {
      const real = await run('chroot', [root.root, '/usr/sbin/sshd', '-T', '-C', spec], { encoding: 'latin1' });
      assert.equal(real.code, 0, real.stderr);
      const ours = await run(process.execPath, [BIN, 'effective', '--root', root.root, '-C', spec], { env: { NO_COLOR: '1' }, encoding: 'latin1' });
      assert.equal(ours.code, 0, ours.stderr);
      assert.equal(ours.stdout, real.stdout, spec);
      const json = await run(process.execPath, [BIN, 'effective', '--root', root.root, '-C', spec, '--json'], { env: { NO_COLOR: '1' } });
      assert.equal((JSON.parse(json.stdout) as { spec: { invalidUser?: boolean } }).spec.invalidUser, true);
    }
  });
}
