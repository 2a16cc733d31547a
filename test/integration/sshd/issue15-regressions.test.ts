// The eight differences outside configs found against the real `sshd -T` (issue 15), each a
// named regression test held to all three real daemons (Debian 12's 9.2p1, Debian 13's 10.0p1,
// Debian unstable's 10.6p1): the engine must accept/reject as the daemon does and print exactly
// its bytes, with and without -C. The CLI cases (bytes on stdout, every bad option and the
// warnings on stderr, the default engine) run the built binary.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadEffective, renderSshdT } from '../../../src/sshd/evaluate/index.js';
import { parseSpec } from '../../../src/cli/effective.js';
import type { ConnectionSpec, EffectiveConfig } from '../../../src/sshd/evaluate/types.js';
import { oracles, type Oracle } from '../../helpers/oracles.js';
import { run } from '../../helpers/sshd.js';

const ORACLES = oracles();
const SPEC = 'user=alice,host=h.example.com,addr=10.1.2.3,laddr=127.0.0.1,lport=22';
const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'sshield.js');

interface Outcome { readonly real: { ok: boolean; stdout: string; stderr: string }; readonly ours: EffectiveConfig }

/** Evaluates `text` (a byte string) with the engine and the oracle; asserts they agree; returns both. */
async function agree(o: Oracle, text: string, spec?: string): Promise<Outcome> {
  const hk = await o.hostKey();
  const placed = o.place(`HostKey ${hk}\n${text}`);
  try {
    const loaded = await loadEffective(o.fs, placed.main, { build: o.build, cwd: o.cwd });
    const r = await placed.sshdT(spec);
    const ours = loaded.evaluate(spec ? (parseSpec(spec) as ConnectionSpec) : undefined);
    const real = { ok: r.code === 0, stdout: r.stdout, stderr: r.stderr };
    const why = ours.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message).join('; ');
    assert.equal(ours.ok, real.ok, `${o.build.id}: real ${real.ok ? 'accepts' : `rejects (${real.stderr.trim()})`}, ours ${ours.ok ? 'accepts' : `rejects (${why})`}\n${text}`);
    if (real.ok) assert.equal(renderSshdT(ours), real.stdout, `${o.build.id} ${spec ?? '(no -C)'}\n${text}`);
    return { real, ours };
  } finally {
    placed.remove();
  }
}

/** One named case on every available daemon. */
function onEveryBuild(name: string, fn: (o: Oracle) => Promise<void>): void {
  describe(name, () => {
    for (const o of ORACLES) test(o.build.id, { skip: o.unavailable ?? false }, () => fn(o));
  });
}

const line = (out: EffectiveConfig, key: string) => out.get(key)?.values.join(' | ');

onEveryBuild('issue 15 #1: AuthorizedKeysCommand/AuthorizedPrincipalsCommand without their user are refused (sshd.c post-parse checks)', async (o) => {
  for (const text of ['AuthorizedKeysCommand /usr/bin/true %u\n', 'AuthorizedPrincipalsCommand /usr/bin/true %u\n', 'AuthorizedPrincipalsCommand /usr/bin/true\nAuthorizedKeysCommandUser nobody\n']) {
    const r = await agree(o, text);
    assert.equal(r.real.ok, false, text);
    assert.match(r.ours.diagnostics.map((d) => d.message).join('\n'), /Command set without Authorized(Keys|Principals)CommandUser/);
  }
  // 9.2p1's parse_command only sets the principals command while no keys command is set: then
  // the principals command stays unset and nothing is refused; 10.0p1 refuses it
  const quirk = await agree(o, 'AuthorizedKeysCommand /usr/bin/true\nAuthorizedPrincipalsCommand /usr/bin/true\nAuthorizedKeysCommandUser nobody\n');
  assert.equal(quirk.real.ok, o.build.version < 10);
  // and there every principals command line overwrites the last: "none" then a path is refused
  assert.equal((await agree(o, 'AuthorizedPrincipalsCommand none\nAuthorizedPrincipalsCommand /bin/x\n')).real.ok, o.build.version >= 10);
  for (const text of ['AuthorizedKeysCommand /usr/bin/true %u\nAuthorizedKeysCommandUser nobody\n', 'AuthorizedKeysCommand none\n', 'Match User alice\n  AuthorizedKeysCommand /usr/bin/true\n']) {
    assert.equal((await agree(o, text)).real.ok, true, text);
    await agree(o, text, SPEC);
  }
});

onEveryBuild('issue 15 #2: an algorithm list emptied with -* prints the default list', async (o) => {
  for (const kw of ['MACs', 'Ciphers', 'KexAlgorithms', 'HostKeyAlgorithms', 'PubkeyAcceptedAlgorithms', 'CASignatureAlgorithms', 'HostbasedAcceptedAlgorithms']) {
    const r = await agree(o, `${kw} -*\n`);
    assert.ok(r.real.ok);
    assert.notEqual(r.ours.get(kw.toLowerCase())?.values[0], '', kw);
  }
  // set under an active Match it is assembled once only, and prints empty
  const m = await agree(o, 'Match User alice\n  PubkeyAcceptedAlgorithms -*\n', SPEC);
  assert.equal(m.ours.get('pubkeyacceptedalgorithms')?.values[0], '');
});

onEveryBuild('issue 15 #3: PerSourcePenalties values are honoured (10.x), refused as unknown by 9.2', async (o) => {
  for (const text of ['PerSourcePenalties no\n', 'PerSourcePenalties authfail:300s min:350s max:900s\n', 'PerSourcePenalties crash:1m overflow:deny-all\nPerSourcePenalties no\n', 'PerSourcePenalties no\nPerSourcePenalties noauth:7\n', 'PerSourcePenalties max-sources4:9 max-sources6:x\n']) {
    const r = await agree(o, text);
    if (o.build.version < 10) assert.equal(r.real.ok, false, text);
  }
  if (o.build.version >= 10) {
    assert.equal(line((await agree(o, 'PerSourcePenalties no\n')).ours, 'persourcepenalties'), 'no');
    assert.match(line((await agree(o, 'PerSourcePenalties authfail:300s min:350s max:900s\n')).ours, 'persourcepenalties')!, /authfail:300(\.0+)? .*max:900(\.0+)? min:350/);
  }
});

onEveryBuild('issue 15 #4: Match version, invalid-user and attr=value are accepted from 10.0 (refused by 9.2)', async (o) => {
  for (const text of ['Match version OpenSSH_1*\n  PermitRootLogin no\n', 'Match Version *Debian*\n  PermitRootLogin no\n', 'Match invalid-user\n  PermitRootLogin no\n', 'Match invalid-user User alice\n  PermitRootLogin no\n']) {
    const r = await agree(o, text);
    assert.equal(r.real.ok, o.build.version >= 10, text);
    if (r.real.ok) await agree(o, text, SPEC);
  }
  // `User=alice` is accepted everywhere: 9.2's strdelim splits at the first '=' too
  for (const text of ['Match User=alice\n  PermitRootLogin no\n', 'Match Address=10.0.0.0/8 User=alice\n  PermitRootLogin no\n']) {
    assert.equal((await agree(o, text)).real.ok, true, text);
    assert.equal((await agree(o, text, SPEC)).ours.value('permitrootlogin'), 'no', text);
  }
  if (o.build.version >= 10) {
    // -C ...,invalid-user (10.0p1 parse_server_match_testspec) makes `Match invalid-user` match
    const hk = await o.hostKey();
    const placed = o.place(`HostKey ${hk}\nMatch invalid-user\n  PermitRootLogin no\n`);
    try {
      const real = await placed.sshdT(`${SPEC},invalid-user`);
      assert.equal(real.code, 0, real.stderr);
      const loaded = await loadEffective(o.fs, placed.main, { build: o.build, cwd: o.cwd });
      const ours = loaded.evaluate({ ...(parseSpec(SPEC) as ConnectionSpec), invalidUser: true });
      assert.equal(renderSshdT(ours), real.stdout);
      assert.equal(ours.value('permitrootlogin'), 'no');
    } finally {
      placed.remove();
    }
    assert.equal((await agree(o, 'Match Version *Debian*\n  PermitRootLogin no\n', SPEC)).ours.value('permitrootlogin'), 'no');
    assert.notEqual((await agree(o, 'Match invalid-user\n  PermitRootLogin no\n', SPEC)).ours.value('permitrootlogin'), 'no');
  }
});

onEveryBuild('issue 15 #5: LogLevel QUIET prints SILENT, also inside Match', async (o) => {
  assert.equal(line((await agree(o, 'LogLevel QUIET\n')).ours, 'loglevel'), 'SILENT');
  assert.equal(line((await agree(o, 'LogLevel silent\n')).ours, 'loglevel'), 'SILENT');
  assert.equal(line((await agree(o, 'Match User alice\n  LogLevel quiet\n', SPEC)).ours, 'loglevel'), 'SILENT');
});

onEveryBuild('issue 15 #6: non-ASCII arguments come out byte for byte (UTF-8 and Latin-1)', async (o) => {
  const utf8 = Buffer.from('ñandú', 'utf8').toString('latin1');
  const r = await agree(o, `AllowUsers ${utf8} ma\xefa\nForceCommand /bin/echo ${utf8} \xe9t\xe9\n`);
  assert.equal(line(r.ours, 'allowusers'), `${utf8} | ma\xefa`);
  await agree(o, `Match User alice\n  Banner /etc/${utf8}\n`, SPEC);
});

onEveryBuild('issue 15 #7: every bad option is reported, as sshd reports them, then refused', async (o) => {
  const r = await agree(o, 'Bogus 1\nPermitRootLogin no\nOther 2\nMaxAuthTries 3 4\nUsePrivilegeSeparation yes\n');
  assert.equal(r.real.ok, false);
  const lines = r.ours.diagnostics.filter((d) => d.severity === 'error').map((d) => d.line - 1); // minus the HostKey line
  assert.deepEqual(lines, [1, 3, 4]);
  for (const n of [1, 3, 4]) assert.match(r.real.stderr, new RegExp(`line ${n + 1}: `));
  assert.ok(r.ours.diagnostics.some((d) => d.code === 'DEPRECATED_KEYWORD'));
});

describe('issue 15 CLI: sshield effective', { skip: ORACLES[0]!.unavailable ?? false }, () => {
  const o = ORACLES[0]!;
  const sshield = (args: string[]) => run(process.execPath, [BIN, 'effective', ...args], { env: { NO_COLOR: '1' }, encoding: 'latin1' });

  test('#6: stdout carries the config bytes exactly as sshd -T does', async () => {
    const hk = await o.hostKey();
    const p = o.place(`HostKey ${hk}\nAllowUsers ${Buffer.from('ñandú', 'utf8').toString('latin1')} \xf1and\xfa\n`);
    try {
      const real = await p.sshdT();
      const mine = await sshield(['--openssh', '9.2p1-debian', '-f', p.main]);
      assert.equal(mine.code, 0, mine.stderr);
      assert.equal(mine.stdout, real.stdout);
    } finally {
      p.remove();
    }
  });

  test('#7: every bad option on stderr with file:line, and sshd\'s Deprecated warning', async () => {
    const hk = await o.hostKey();
    const p = o.place(`HostKey ${hk}\nBogus 1\nOther 2\nUsePrivilegeSeparation yes\n`);
    try {
      const mine = await sshield(['--openssh', '9.2p1-debian', '-f', p.main]);
      assert.equal(mine.code, 1);
      assert.equal(mine.stdout, '');
      assert.match(mine.stderr, /sshd_config:2:1: error: Bad configuration option: Bogus/);
      assert.match(mine.stderr, /sshd_config:3:1: error: Bad configuration option: Other/);
      assert.match(mine.stderr, /sshd_config line 4: Deprecated option UsePrivilegeSeparation/);
      const ok = await sshield(['--openssh', '9.2p1-debian', '-f', p.main.replace(/sshd_config$/, 'ok')]);
      assert.notEqual(ok.code, 0); // a missing file is an error, never a silent default
    } finally {
      p.remove();
    }
  });

  test('#8: the built-in engine is the default (--help says so) and --json keeps file:line origins', async () => {
    const help = await sshield(['--help']);
    assert.match(help.stdout.replace(/\s+/g, ' '), /--engine <ENGINE>.*default: "builtin"/);
    const hk = await o.hostKey();
    const p = o.place(`HostKey ${hk}\nPermitRootLogin no\n`);
    try {
      const mine = await sshield(['--openssh', '9.2p1-debian', '-f', p.main, '--json']);
      assert.equal(mine.code, 0, mine.stderr);
      const doc = JSON.parse(mine.stdout) as { build: string; values: Record<string, { value: string; origin: { kind: string; file?: string; line?: number } }[]> };
      assert.equal(doc.build, '9.2p1-debian');
      assert.deepEqual(doc.values.permitrootlogin?.[0]?.origin, { kind: 'directive', file: p.main, line: 2, column: 1 });
      assert.equal(doc.values.maxauthtries?.[0]?.origin.kind, 'default');
    } finally {
      p.remove();
    }
  });
});

onEveryBuild('issue 15 profiles: the empty config prints exactly what the daemon prints (10.4+: keys in the table\'s case)', async (o) => {
  const r = await agree(o, '');
  const out = renderSshdT(r.ours);
  if (o.build.version >= 10.4) {
    assert.match(out, /^PermitRootLogin prohibit-password$/m);
    assert.match(out, /^Macs /m);
    assert.match(out, /^WarnWeakCrypto true$/m);
  } else assert.match(out, /^permitrootlogin without-password$/m);
  await agree(o, '', SPEC);
});

onEveryBuild('10.6p1 keeps the first MaxStartups, PerSourceNetBlockSize, IPQoS and StreamLocalBindMask (earlier builds the last)', async (o) => {
  for (const text of ['StreamLocalBindMask 0999\nStreamLocalBindMask 022\n', 'IPQoS ef\nIPQoS cs1\n', 'MaxStartups 5\nMaxStartups 7:20:9\n', 'PerSourceNetBlockSize 24\nPerSourceNetBlockSize 16:64\n', 'FingerprintHash md5\nFingerprintHash sha1\n']) {
    await agree(o, text);
    await agree(o, `${text}Match User alice\n  IPQoS af21\n  StreamLocalBindMask 0077\n`, SPEC);
  }
});

onEveryBuild('a Subsystem set only in a Match block: 10.0p1 crashes (refused), 10.6p1 prints the Match block\'s', async (o) => {
  for (const text of ['Match User alice\n  Subsystem sftp /bin/x\n', 'Subsystem a /a\nMatch User alice\n  Subsystem sftp /bin/x\n  Subsystem b "/b c" d\n']) {
    if (o.build.version < 9.5) continue; // Subsystem is global-only before 9.5
    await agree(o, text, SPEC);
  }
});
