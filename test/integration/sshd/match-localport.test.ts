// Match LocalPort / LocalAddress with no connection known, held to the three real daemons
// (Debian 12's 9.2p1, Debian 13's 10.0p1, Debian unstable's 10.6p1). The daemon and `sshd -t`
// accept `Match LocalPort N`, but `sshd -T` without an lport in -C dies ("'Match LocalPort' in
// configuration but 'lport' not in connection test specification."): evaluate() mirrors that
// faithfully, and evaluateGlobal (the daemon's view, what the audit's configOk and harden use) is
// exactly `sshd -T -C lport=<first port>`. A missing laddr is simply "does not match" (no error).
// Lockout matrix M20 is the end-to-end case (harden exited 2 "sshd would refuse the current
// configuration" on such a config).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateGlobal, loadEffective, renderSshdT } from '../../../src/sshd/evaluate/index.js';
import { oracles, type Oracle } from '../../helpers/oracles.js';

const ORACLES = oracles();

function onEveryBuild(name: string, fn: (o: Oracle) => Promise<void>): void {
  describe(name, () => {
    for (const o of ORACLES) test(o.build.id, { skip: o.unavailable ?? false }, () => fn(o));
  });
}

async function both(o: Oracle, text: string, specs: readonly (string | undefined)[]) {
  const placed = o.place(`HostKey ${await o.hostKey()}\n${text}`);
  try {
    const loaded = await loadEffective(o.fs, placed.main, { build: o.build, cwd: o.cwd });
    const real = await placed.sshdTMany(specs);
    return { loaded, real };
  } finally {
    placed.remove();
  }
}

const LPORT_FATAL = /'Match LocalPort' in configuration but 'lport' not in connection test specification/;

onEveryBuild('Match LocalPort: sshd -T without lport dies (evaluate() too); evaluateGlobal is sshd -T -C lport=<first port>', async (o) => {
  const text = 'Port 2222\nPort 2223\nPasswordAuthentication yes\nMatch LocalPort 2222\n  PasswordAuthentication no\nMatch LocalPort 2223\n  X11Forwarding yes\nMatch LocalAddress 127.0.0.9\n  PubkeyAuthentication no\n';
  const { loaded, real } = await both(o, text, [undefined, 'lport=2222', 'lport=2223,laddr=127.0.0.9']);
  // sshd -T without -C: fatal, and the engine's faithful evaluate() says so
  assert.notEqual(real[0]!.code, 0);
  assert.match(real[0]!.stderr, LPORT_FATAL);
  assert.equal(loaded.evaluate().ok, false);
  assert.match(loaded.evaluate().diagnostics.map((d) => d.message).join('\n'), LPORT_FATAL);
  assert.equal(loaded.compiled.ok, true, 'the start-up pass (sshd -t) accepts it');
  // the daemon's view: a connection to the first port, nothing else known (laddr unknown: LocalAddress does not match)
  assert.equal(real[1]!.code, 0, real[1]!.stderr);
  const g = evaluateGlobal(loaded.compiled);
  assert.equal(g.ok, true);
  assert.equal(renderSshdT(g), real[1]!.stdout);
  assert.equal(g.value('passwordauthentication'), 'no');
  assert.equal(g.value('x11forwarding'), 'no');
  assert.equal(g.value('pubkeyauthentication'), 'yes');
  // and a full spec still goes through evaluate() as sshd -T -C
  assert.equal(real[2]!.code, 0, real[2]!.stderr);
  const both2 = loaded.evaluate({ lport: 2223, laddr: '127.0.0.9' });
  assert.equal(renderSshdT(both2), real[2]!.stdout);
  assert.equal(both2.value('pubkeyauthentication'), 'no');
});

onEveryBuild('Match LocalAddress alone: sshd -T without -C does not match it (no error); evaluateGlobal equals sshd -T', async (o) => {
  const text = 'PasswordAuthentication yes\nMatch LocalAddress 127.0.0.1\n  PasswordAuthentication no\n';
  const { loaded, real } = await both(o, text, [undefined]);
  assert.equal(real[0]!.code, 0, real[0]!.stderr);
  const g = evaluateGlobal(loaded.compiled);
  assert.equal(g.ok, true);
  assert.equal(renderSshdT(g), real[0]!.stdout);
  assert.equal(renderSshdT(loaded.evaluate()), real[0]!.stdout);
  assert.equal(g.value('passwordauthentication'), 'yes');
});

onEveryBuild('Match LocalPort with a config sshd refuses anyway: evaluateGlobal still refuses (no lport hides a real error)', async (o) => {
  const text = 'Port 2222\nMatch LocalPort 2222\n  PasswordAuthentication maybe\n';
  const { loaded, real } = await both(o, text, [undefined, 'lport=2222']);
  assert.notEqual(real[1]!.code, 0);
  assert.equal(evaluateGlobal(loaded.compiled).ok, false);
  assert.notEqual(real[0]!.code, 0);
});
