// The evaluator through its entry point (loadEffective over an in-memory fs): first value wins,
// Match overrides, accumulating keywords, + - ^ algorithm lists, Include inside Match (sInclude
// activep save/restore, NEVERMATCH), origins, rejection with file:line, and the regressions the
// differential tests found. Each expectation was checked with the real `sshd -T [-C]` of Debian
// 12 (9.2p1) or 13 (10.0p1); the differential tests keep checking the same semantics at random.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryFs } from '../../../src/host/memory-fs.js';
import { loadEffective, type ConnectionSpec } from '../../../src/sshd/evaluate/index.js';
import { accountsFromTexts } from '../../../src/host/facts/accounts.js';
import { evalAccountsOf } from '../../../src/host/loaded-host.js';
import { BUILDS, type BuildProfile } from '../../../src/sshd/builds/index.js';

const ALICE: ConnectionSpec = { user: 'alice', addr: '10.1.2.3', host: 'a.example.com', laddr: '127.0.0.1', lport: 22 };
const ROOT: ConnectionSpec = { user: 'root', addr: '192.168.1.5', host: 'b.example.org', laddr: '127.0.0.2', lport: 2222 };

async function evalText(main: string, spec?: ConnectionSpec, files: Record<string, string> = {}, build: BuildProfile = BUILDS['9.2p1-debian']) {
  const fs = memoryFs({ '/etc/ssh/sshd_config': main, ...files });
  return loadEffective(fs, '/etc/ssh/sshd_config', { build, ...(spec ? { spec } : {}), accounts: evalAccountsOf(accountsFromTexts({ passwd: 'alice:x:1000:1000::/home/alice:/bin/sh\nroot:x:0:0::/root:/bin/sh\n', group: 'alice:x:1000:\nadm:x:4:alice\nroot:x:0:\n' }))! });
}

type Row = { name: string; config: string; spec?: ConnectionSpec; files?: Record<string, string>; build?: BuildProfile; want: Record<string, string | string[] | null> };

const ROWS: Row[] = [
  { name: 'first value wins', config: 'PasswordAuthentication no\nPasswordAuthentication yes\n', want: { passwordauthentication: 'no' } },
  { name: 'keywords are case-insensitive, values normalised', config: 'PASSWORDAUTHENTICATION = NO\n', want: { passwordauthentication: 'no' } },
  { name: 'alias shares the slot: first of the two wins', config: 'ChallengeResponseAuthentication no\nKbdInteractiveAuthentication yes\n', want: { kbdinteractiveauthentication: 'no' } },
  { name: 'Match overrides the global value for a matching spec', config: 'PermitRootLogin no\nMatch Address 10.0.0.0/8\n  PermitRootLogin prohibit-password\n', spec: ALICE, want: { permitrootlogin: 'without-password' } },
  { name: 'Match does not apply to a non-matching spec', config: 'PermitRootLogin no\nMatch Address 10.0.0.0/8\n  PermitRootLogin yes\n', spec: ROOT, want: { permitrootlogin: 'no' } },
  { name: 'Match block values apply only with -C (no spec: only Match all)', config: 'Match User alice\n  X11Forwarding yes\n', want: { x11forwarding: 'no' } },
  { name: 'Match all applies in both passes', config: 'Match all\n  X11Forwarding yes\n', want: { x11forwarding: 'yes' } },
  { name: 'first matching Match block wins', config: 'Match User alice\n  MaxAuthTries 2\nMatch Address 10.1.2.3\n  MaxAuthTries 4\n', spec: ALICE, want: { maxauthtries: '2' } },
  { name: 'Match Group through /etc/group', config: 'Match Group adm\n  AllowTcpForwarding no\n', spec: ALICE, want: { allowtcpforwarding: 'no' } },
  { name: 'negated user pattern', config: 'Match User !root,*\n  AllowAgentForwarding no\n', spec: ROOT, want: { allowagentforwarding: 'yes' } },
  { name: 'accumulating keywords append across lines', config: 'AcceptEnv LANG\nAcceptEnv LC_* XMODIFIERS\nAllowUsers alice\nAllowUsers bob\n', want: { acceptenv: ['LANG', 'LC_*', 'XMODIFIERS'], allowusers: ['alice', 'bob'] } },
  { name: 'Port accumulates and ListenAddress follows ports', config: 'Port 22\nPort 2222\nAddressFamily inet\n', want: { port: ['22', '2222'], listenaddress: ['0.0.0.0:22', '0.0.0.0:2222'] } },
  { name: 'MaxStartups: last wins', config: 'MaxStartups 5:30:10\nMaxStartups 20:50:60\n', want: { maxstartups: '20:50:60' } },
  { name: 'Ciphers +name appends to the defaults', config: 'Ciphers +aes128-cbc\n', want: { ciphers: 'chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com,aes128-cbc' } },
  { name: 'Ciphers -pattern removes from the defaults', config: 'Ciphers -aes*-ctr\n', want: { ciphers: 'chacha20-poly1305@openssh.com,aes128-gcm@openssh.com,aes256-gcm@openssh.com' } },
  { name: 'Ciphers ^name moves to the front', config: 'Ciphers ^aes256-ctr\n', want: { ciphers: 'aes256-ctr,chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com' } },
  { name: 'MACs wildcard removal', config: 'MACs -hmac-sha1*\n', want: { macs: 'umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,umac-64@openssh.com,umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512' } },
  { name: 'time values print in seconds', config: 'LoginGraceTime 1m30s\nClientAliveInterval 5m\n', want: { logingracetime: '90', clientaliveinterval: '300' } },
  { name: 'Include inside a matching Match applies to that connection', config: 'Match User alice\n  Include /etc/ssh/inc.conf\n', files: { '/etc/ssh/inc.conf': 'PasswordAuthentication no\n' }, spec: ALICE, want: { passwordauthentication: 'no' } },
  { name: 'Include inside a non-matching Match does not apply', config: 'Match User bob\n  Include /etc/ssh/inc.conf\n', files: { '/etc/ssh/inc.conf': 'PasswordAuthentication no\n' }, spec: ALICE, want: { passwordauthentication: 'yes' } },
  { name: 'Match inside a file included from an inactive Match never activates (NEVERMATCH)', config: 'Match User bob\n  Include /etc/ssh/inc.conf\n', files: { '/etc/ssh/inc.conf': 'Match User alice\n  PasswordAuthentication no\n' }, spec: ALICE, want: { passwordauthentication: 'yes' } },
  { name: 'activep is restored after an include: its Match does not leak into the includer', config: 'Include /etc/ssh/inc.conf\nX11Forwarding yes\n', files: { '/etc/ssh/inc.conf': 'Match User bob\n  PasswordAuthentication no\n' }, spec: ALICE, want: { x11forwarding: 'yes', passwordauthentication: 'yes' } },
  { name: 'relative Include resolves against /etc/ssh, glob sorted, dotfiles skipped', config: 'Include sshd_config.d/*.conf\n', files: { '/etc/ssh/sshd_config.d/20-b.conf': 'MaxSessions 3\n', '/etc/ssh/sshd_config.d/10-a.conf': 'MaxSessions 2\n', '/etc/ssh/sshd_config.d/.00.conf': 'MaxSessions 1\n' }, want: { maxsessions: '2' } },
  { name: 'an Include glob matching nothing is ignored', config: 'Include /etc/ssh/none/*.conf\nMaxSessions 4\n', want: { maxsessions: '4' } },
  // regressions found by the differential tests
  { name: 'regression: LogLevel DEBUG prints DEBUG', config: 'LogLevel DEBUG\n', want: { loglevel: 'DEBUG' } },
  { name: 'regression: LogLevel debug1 prints DEBUG', config: 'LogLevel debug1\n', want: { loglevel: 'DEBUG' } },
  { name: 'regression: ChannelTimeout none globally prints nothing on 9.2', config: 'ChannelTimeout none\n', want: { channeltimeout: null } },
  { name: 'regression: ChannelTimeout none under Match all prints none with -C on 9.2 (copied after the global clear)', config: 'Match all\n  ChannelTimeout none\n', spec: ALICE, want: { channeltimeout: 'none' } },
  { name: 'regression: ChannelTimeout none from a matching Match block prints none on 9.2', config: 'Match User alice\n  ChannelTimeout none\n', spec: ALICE, want: { channeltimeout: 'none' } },
  { name: 'regression: single-value PerSourceNetBlockSize prints N:0', config: 'PerSourceNetBlockSize 24\n', want: { persourcenetblocksize: '24:0' } },
  { name: 'UnusedConnectionTimeout none overrides an earlier value', config: 'UnusedConnectionTimeout 5m\nUnusedConnectionTimeout none\n', want: { unusedconnectiontimeout: 'none' } },
  { name: 'regression: a global-only keyword under Match all is not copied by the Match pass', config: 'PrintMotd yes\nCiphers aes128-ctr\nMatch all\n  PrintMotd no\n  Ciphers aes256-ctr\n', spec: ALICE, want: { printmotd: 'yes', ciphers: 'aes128-ctr' } },
  { name: 'regression: a list keyword under Match all is replaced by the Match pass', config: 'AcceptEnv A\nMatch all\n  AcceptEnv B\n', spec: ALICE, want: { acceptenv: ['B'] } },
  { name: '10.0: Subsystem arguments are re-quoted (argv_assemble)', config: 'Subsystem sftp "/opt/my sftp" -l "a b"\n', build: BUILDS['10.0p1-debian'], want: { subsystem: 'sftp "/opt/my sftp" -l "a b"' } },
  { name: '9.2: Subsystem arguments are joined unquoted', config: 'Subsystem sftp "/opt/my sftp" -l "a b"\n', want: { subsystem: 'sftp /opt/my sftp -l a b' } },
  { name: '10.0: IPQoS lowdelay means none', config: 'IPQoS lowdelay\n', build: BUILDS['10.0p1-debian'], want: { ipqos: 'none none' } },
  { name: '10.0: PerSourceMaxStartups first value wins', config: 'PerSourceMaxStartups 5\nPerSourceMaxStartups 7\n', build: BUILDS['10.0p1-debian'], want: { persourcemaxstartups: '5' } },
  { name: '9.2: PerSourceMaxStartups last value wins', config: 'PerSourceMaxStartups 5\nPerSourceMaxStartups 7\n', want: { persourcemaxstartups: '7' } },
];

for (const row of ROWS) {
  test(`evaluates: ${row.name}`, async () => {
    const { effective } = await evalText(row.config, row.spec, row.files, row.build);
    assert.equal(effective.ok, true, effective.diagnostics.map((d) => d.message).join('; '));
    for (const [key, want] of Object.entries(row.want)) {
      const got = effective.get(key)?.values;
      if (want === null) assert.equal(got, undefined, key);
      else assert.deepEqual(got, Array.isArray(want) ? want : [want], key);
    }
  });
}

const REJECT: { name: string; config: string; files?: Record<string, string>; spec?: ConnectionSpec; at: string; code: string }[] = [
  { name: 'unknown keyword', config: 'PermitRootLogin no\nBogus yes\n', at: '/etc/ssh/sshd_config:2', code: 'UNKNOWN_KEYWORD' },
  { name: 'client-only keyword', config: 'ObscureKeystrokeTiming yes\n', at: '/etc/ssh/sshd_config:1', code: 'CLIENT_ONLY_KEYWORD' },
  { name: 'keyword not allowed in Match', config: 'Match User alice\n  Port 2222\n', at: '/etc/ssh/sshd_config:2', code: 'NOT_ALLOWED_IN_MATCH' },
  { name: 'bad value in an included file', config: 'Include /etc/ssh/inc.conf\n', files: { '/etc/ssh/inc.conf': '\nPasswordAuthentication maybe\n' }, at: '/etc/ssh/inc.conf:2', code: 'BAD_VALUE' },
  { name: 'bad Match criterion', config: 'Match Colour blue\n', at: '/etc/ssh/sshd_config:1', code: 'BAD_MATCH' },
  { name: 'Match LocalPort without lport in the spec', config: 'Match LocalPort 22\n  X11Forwarding yes\n', spec: { user: 'alice' }, at: '/etc/ssh/sshd_config:1', code: 'BAD_MATCH' },
  { name: 'unknown cipher', config: 'Ciphers aes128-ctr,bogus\n', at: '/etc/ssh/sshd_config:1', code: 'BAD_VALUE' },
  { name: 'duplicate Subsystem (9.2)', config: 'Subsystem sftp /a\nSubsystem sftp /b\n', at: '/etc/ssh/sshd_config:2', code: 'DUPLICATE_VALUE' },
  { name: 'AuthenticationMethods naming only disabled methods', config: 'PasswordAuthentication no\nAuthenticationMethods password\n', at: '/etc/ssh/sshd_config:2', code: 'BAD_VALUE' },
  { name: 'unreadable include', config: 'Include /etc/ssh/secret.conf\n', files: { '/etc/ssh/secret.conf': { content: 'X11Forwarding yes\n', unreadable: true } as never }, at: '/etc/ssh/sshd_config:1', code: 'UNREADABLE_FILE' },
];

for (const row of REJECT) {
  test(`rejects with file:line: ${row.name}`, async () => {
    const { effective } = await evalText(row.config, row.spec, row.files);
    assert.equal(effective.ok, false);
    assert.deepEqual(effective.entries, []);
    const e = effective.diagnostics.find((d) => d.severity === 'error');
    assert.ok(e, 'an error diagnostic');
    assert.equal(`${e.file}:${e.line}`, row.at);
    assert.equal(e.code, row.code);
  });
}

test('origins: directive file:line, Match line, defaults; setBy lists shadowed lines', async () => {
  const { effective, evaluate } = await evalText('PermitRootLogin no\nPermitRootLogin yes\nInclude /etc/ssh/inc.conf\n', ALICE, { '/etc/ssh/inc.conf': 'Match User alice\n  X11Forwarding yes\n' });
  const prl = effective.get('PermitRootLogin')!;
  assert.deepEqual(prl.origin, { kind: 'directive', file: '/etc/ssh/sshd_config', line: 1, column: 1 });
  assert.equal(prl.setBy.length, 2);
  assert.deepEqual(effective.get('x11forwarding')!.origin, { kind: 'directive', file: '/etc/ssh/inc.conf', line: 2, column: 3, match: { file: '/etc/ssh/inc.conf', line: 1 } });
  assert.deepEqual(effective.get('maxsessions')!.origin, { kind: 'default' });
  // evaluate(spec) reuses the tree: another spec, other answer
  assert.equal(evaluate(ROOT).value('x11forwarding'), 'no');
  assert.equal(evaluate().value('x11forwarding'), 'no');
});

test('loadEffective reads each file once; evaluate(spec) never touches the fs again', async () => {
  const inner = memoryFs({ '/etc/ssh/sshd_config': 'Include /etc/ssh/d/*.conf\nMatch User alice\n  Include /etc/ssh/d/*.conf\n', '/etc/ssh/d/a.conf': 'MaxSessions 4\n' });
  let reads = 0;
  const fs = { ...inner, label: 'counting', readFile: (p: string, max?: number) => { reads++; return inner.readFile(p, max); } };
  const l = await loadEffective(fs, '/etc/ssh/sshd_config', { build: BUILDS['9.2p1-debian'] });
  assert.equal(reads, 2);
  for (let i = 0; i < 100; i++) l.evaluate({ ...ALICE, user: `u${i}` });
  assert.equal(reads, 2);
  assert.equal(l.evaluate(ALICE).value('maxsessions'), '4');
});

test('AuthenticationMethods "any" after an earlier line: fatal on 9.2p1, accepted on 10.0p1 (regression, 10.0 differential seed 536190560)', async () => {
  const config = 'AuthenticationMethods publickey\nAuthenticationMethods any\n';
  const old = await evalText(config, undefined, {}, BUILDS['9.2p1-debian']);
  assert.equal(old.effective.ok, false);
  assert.match(old.effective.diagnostics.find((d) => d.severity === 'error')!.message, /"any" must appear alone/);
  const now = await evalText(config, undefined, {}, BUILDS['10.0p1-debian']);
  assert.equal(now.effective.ok, true, JSON.stringify(now.effective.diagnostics));
  assert.equal(now.effective.value('authenticationmethods'), 'publickey');
});
