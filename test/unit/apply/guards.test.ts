// Each preflight guard refuses, with its own override flag, on a minimal before/after pair of
// configurations and hand-written facts; and passes when the risk is absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSshdConfig } from '../../../src/sshd/parser.js';
import { evaluateEffective } from '../../../src/sshd/evaluate/evaluate.js';
import { itemsOfFile } from '../../../src/sshd/evaluate/input.js';
import { BUILDS } from '../../../src/sshd/builds/index.js';
import type { ConnectionSpec } from '../../../src/sshd/evaluate/types.js';
import { GUARDS, runGuards } from '../../../src/apply/guards/index.js';
import type { GuardContext, GuardFacts } from '../../../src/apply/guards/types.js';
import type { KeyFileFact, PathStat } from '../../../src/apply/guards/types.js';
import { parseSshConnection } from '../../../src/host/session.js';

const build = BUILDS['9.2p1-debian'];
const groups: Record<string, string[]> = { root: ['root'], alice: ['alice', 'sudo'], bob: ['bob'], sftp1: ['sftp1', 'sftponly'] };
const acc = { groupsOf: (u: string) => groups[u] };
const evaluator = (text: string) => (s?: ConnectionSpec) => evaluateEffective(itemsOfFile(parseSshdConfig(text, '/etc/ssh/sshd_config')), { build, accounts: acc, ...(s ? { spec: s } : {}) });
const dir = (path: string, uid = 0, mode = 0o755): PathStat => ({ path, kind: 'directory', uid, gid: uid, mode });
const keyFile = (user: string, home: string, uid: number, over: Partial<KeyFileFact> = {}): KeyFileFact => ({
  user,
  path: `${home}/.ssh/authorized_keys`,
  realPath: `${home}/.ssh/authorized_keys`,
  stat: { path: `${home}/.ssh/authorized_keys`, kind: 'file', uid, gid: uid, mode: 0o600 },
  parents: [dir(`${home}/.ssh`, uid, 0o700), dir(home, uid, 0o750), dir('/home'), dir('/')],
  keyTypes: ['ssh-ed25519'],
  ...over,
});

function facts(over: Partial<GuardFacts> = {}): GuardFacts {
  return {
    users: [
      { name: 'root', uid: 0, gid: 0, home: '/root', loginShell: true, groups: groups.root! },
      { name: 'alice', uid: 1000, gid: 1000, home: '/home/alice', loginShell: true, groups: groups.alice! },
      { name: 'bob', uid: 1001, gid: 1001, home: '/home/bob', loginShell: true, groups: groups.bob! },
      { name: 'sftp1', uid: 1002, gid: 1002, home: '/home/sftp1', loginShell: false, groups: groups.sftp1! },
    ],
    groupMembers: () => [],
    keyFiles: [keyFile('alice', '/home/alice', 1000)],
    hostKeys: [{ path: '/etc/ssh/ssh_host_ed25519_key', type: 'ssh-ed25519' }],
    chrootStats: new Map(),
    sudoInstalled: true,
    live: true,
    ...over,
  };
}

const BEFORE = 'PasswordAuthentication yes\nPermitRootLogin yes\nHostKey /etc/ssh/ssh_host_ed25519_key\n';
const AFTER = 'PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin no\nHostKey /etc/ssh/ssh_host_ed25519_key\n';

function ctx(f: GuardFacts, before = BEFORE, after = AFTER): GuardContext {
  return { facts: f, build, before: evaluator(before), after: evaluator(after), laddr: '127.0.0.1', lport: 22 };
}

function verdict(c: GuardContext, id: string, overrides: string[] = []) {
  return runGuards(c, new Set(overrides)).find((v) => v.id === id)!;
}

test('every guard has its own flag named --allow-<risk>', () => {
  assert.deepEqual(GUARDS.map((g) => g.flag), ['--allow-no-key-admin', '--allow-session-lockout', '--allow-user-lockout', '--allow-admin-lockout', '--allow-cluster-break', '--allow-bad-chroot', '--allow-hostkey-mismatch']);
});

test('the baseline change passes every guard when an admin has a usable key', () => {
  const vs = runGuards(ctx(facts()), new Set());
  assert.deepEqual(vs.filter((v) => !v.ok), []);
  assert.match(verdict(ctx(facts()), 'no-key-admin').message, /alice can still log in with a key \(ssh-ed25519/);
});

test('(a) no-key-admin: a sudo-group member counts only where sudo is installed (PVE ships without it)', () => {
  const noSudo = facts({ sudoInstalled: false });
  const v = verdict(ctx(noSudo), 'no-key-admin');
  assert.equal(v.ok, false);
  assert.match(v.message, /alice: in an admin group, but sudo is not installed/);
  // root with a key and root login kept (keys only) is a way in without sudo.
  const rootKey = facts({ sudoInstalled: false, keyFiles: [keyFile('root', '/root', 0)] });
  assert.equal(verdict(ctx(rootKey, BEFORE, AFTER.replace('PermitRootLogin no', 'PermitRootLogin prohibit-password')), 'no-key-admin').ok, true);
});

test('(a) no-key-admin: refuses when no admin has a usable key, with the reason per account', () => {
  const cases: [string, Partial<KeyFileFact> | null, RegExp][] = [
    ['no file', null, /alice: \/home\/alice\/.ssh\/authorized_keys missing/],
    ['only a DSA key (not accepted)', { keyTypes: ['ssh-dss'] }, /no key of an accepted type \(ssh-dss\)/],
    ['group-writable authorized_keys', { stat: { path: '/home/alice/.ssh/authorized_keys', kind: 'file', uid: 1000, gid: 1000, mode: 0o664 } }, /bad ownership or modes for file/],
    ['home writable by others', { parents: [dir('/home/alice/.ssh', 1000, 0o700), dir('/home/alice', 1000, 0o777), dir('/home'), dir('/')] }, /bad ownership or modes for directory \/home\/alice/],
    ['owned by another user', { stat: { path: '/home/alice/.ssh/authorized_keys', kind: 'file', uid: 1001, gid: 1001, mode: 0o600 } }, /bad ownership/],
  ];
  for (const [name, over, why] of cases) {
    const f = facts({ keyFiles: over === null ? [] : [keyFile('alice', '/home/alice', 1000, over)] });
    const v = verdict(ctx(f), 'no-key-admin');
    assert.equal(v.ok, false, name);
    assert.equal(v.overrideFlag, '--allow-no-key-admin');
    assert.match(v.message, why, name);
    assert.equal(verdict(ctx(f), 'no-key-admin', ['--allow-no-key-admin']).overridden, true);
    assert.equal(verdict(ctx(f), 'no-key-admin', ['--allow-session-lockout']).overridden, false, 'another flag does not override it');
  }
  // StrictModes no: the group-writable file is accepted.
  const f = facts({ keyFiles: [keyFile('alice', '/home/alice', 1000, { stat: { path: '/home/alice/.ssh/authorized_keys', kind: 'file', uid: 1000, gid: 1000, mode: 0o664 } })] });
  assert.equal(verdict(ctx(f, BEFORE, `${AFTER}StrictModes no\n`), 'no-key-admin').ok, true);
  // root counts while root login stays possible (prohibit-password).
  const rootOnly = facts({ keyFiles: [keyFile('root', '/root', 0, { parents: [dir('/root/.ssh', 0, 0o700), dir('/root', 0, 0o700), dir('/')] })] });
  assert.equal(verdict(ctx(rootOnly), 'no-key-admin').ok, false, 'PermitRootLogin no: root is no way in');
  assert.equal(verdict(ctx(rootOnly, BEFORE, AFTER.replace('PermitRootLogin no', 'PermitRootLogin prohibit-password')), 'no-key-admin').ok, true);
  // An admin the access lists shut out is no way in either.
  const shut = verdict(ctx(facts(), BEFORE, `${AFTER}AllowUsers bob\n`), 'no-key-admin');
  assert.equal(shut.ok, false);
  assert.match(shut.message, /alice: not listed in AllowUsers/);
  // Passwords already off before: not this change's doing.
  assert.equal(verdict(ctx(facts({ keyFiles: [] }), AFTER, AFTER), 'no-key-admin').ok, true);
});

test('(b) session-lockout: the SSH_CONNECTION address loses access for the session user', () => {
  const s = parseSshConnection('192.0.2.50 51234 127.0.0.1 22')!;
  assert.deepEqual(s, { addr: '192.0.2.50', port: 51234, laddr: '127.0.0.1', lport: 22 });
  const f = facts({ session: { user: 'alice', ...s }, invokingUser: 'alice' });
  const after = `${AFTER}Match Address 192.0.2.0/24\n\tPubkeyAuthentication no\n`;
  const v = verdict(ctx(f, BEFORE, after), 'session-lockout');
  assert.equal(v.ok, false);
  assert.equal(v.overrideFlag, '--allow-session-lockout');
  assert.match(v.message, /alice from 192\.0\.2\.50.*PubkeyAuthentication no/);
  assert.equal(verdict(ctx(f, BEFORE, after), 'user-lockout').ok, true, 'from elsewhere alice keeps her key: only the session is at risk');
  // From another address the same user keeps access: only the session guard matters then.
  const other = facts({ session: { user: 'alice', addr: '198.51.100.1', laddr: '127.0.0.1', lport: 22 }, invokingUser: 'alice' });
  assert.equal(verdict(ctx(other, BEFORE, after), 'session-lockout').ok, true);
  // AllowUsers that leaves the session user out.
  const v2 = verdict(ctx(f, BEFORE, `${AFTER}AllowUsers bob\n`), 'session-lockout');
  assert.equal(v2.ok, false);
  assert.match(v2.message, /AllowUsers/);
  // Not live (--root): not judged.
  assert.equal(verdict(ctx({ ...f, live: false }, BEFORE, after), 'session-lockout').ok, true);
});

test('(c) user-lockout: the invoking user (SUDO_USER) loses access', () => {
  const f = facts({ invokingUser: 'bob' }); // bob logs in with a password and has no key
  const v = verdict(ctx(f), 'user-lockout');
  assert.equal(v.ok, false);
  assert.equal(v.overrideFlag, '--allow-user-lockout');
  assert.match(v.message, /bob \(the user running sshield\) could not log in any more: bob from 203\.0\.113\.77 \(its address is unknown; tried 203\.0\.113\.77\) logs in today with password, and would have no way in after this change: no usable key/);
  assert.equal(verdict(ctx(f), 'user-lockout', ['--allow-user-lockout']).overridden, true);
  // root at the console is not judged; root over SSH is (PermitRootLogin no).
  assert.equal(verdict(ctx(facts({ invokingUser: 'root' })), 'user-lockout').ok, true);
  const overSsh = facts({ invokingUser: 'root', session: { user: 'root', addr: '192.0.2.9', laddr: '127.0.0.1', lport: 22 } });
  assert.match(verdict(ctx(overSsh), 'user-lockout').message, /PermitRootLogin no/);
  assert.equal(verdict(ctx(overSsh), 'session-lockout').ok, false);
});

test('(d) cluster-break: PermitRootLogin no for root from a cluster node address', () => {
  // A PVE node's root logs in to its peers with the cluster key.
  const f = facts({ clusterAddresses: ['10.10.10.11', '10.10.10.12'], keyFiles: [keyFile('alice', '/home/alice', 1000), keyFile('root', '/root', 0)] });
  const v = verdict(ctx(f), 'cluster-break');
  assert.equal(v.ok, false);
  assert.equal(v.overrideFlag, '--allow-cluster-break');
  assert.match(v.message, /10\.10\.10\.11, 10\.10\.10\.12/);
  const withException = `${AFTER}Match Address 10.10.10.11,10.10.10.12\n\tPermitRootLogin prohibit-password\n`;
  assert.equal(verdict(ctx(f, BEFORE, withException), 'cluster-break').ok, true);
  const partial = `${AFTER}Match Address 10.10.10.11\n\tPermitRootLogin prohibit-password\n`;
  assert.match(verdict(ctx(f, BEFORE, partial), 'cluster-break').message, /addresses 10\.10\.10\.12 would/);
});

test('(d) cluster-break: a node nothing resolves blocks refusing root from unlisted addresses', () => {
  const f = facts({ clusterAddresses: ['10.10.10.11'], clusterUnknownNodes: ['pve-node3'], keyFiles: [keyFile('root', '/root', 0)] });
  const withException = `${AFTER}Match Address 10.10.10.11\n\tPermitRootLogin prohibit-password\n`;
  const v = verdict(ctx(f, BEFORE, withException), 'cluster-break');
  assert.equal(v.ok, false);
  assert.match(v.message, /pve-node3 have no address sshield can resolve/);
  // Root was already refused from elsewhere before: the change takes nothing new away.
  const before = 'PermitRootLogin no\nHostKey /etc/ssh/ssh_host_ed25519_key\n';
  assert.equal(verdict(ctx(f, `${before}Match Address 10.10.10.11\n\tPermitRootLogin prohibit-password\n`, withException), 'cluster-break').ok, true);
  // prohibit-password everywhere keeps every node's key login.
  assert.equal(verdict(ctx(f, BEFORE, AFTER.replace('PermitRootLogin no', 'PermitRootLogin prohibit-password')), 'cluster-break').ok, true);
});

test('(e) bad-chroot: a new ChrootDirectory whose components sshd refuses', () => {
  const after = `${AFTER}Match Group sftponly\n\tChrootDirectory /srv/sftp/%u\n\tForceCommand internal-sftp\n`;
  const stats = (over: Record<string, PathStat | undefined>) => new Map<string, PathStat | undefined>(Object.entries({ '/': dir('/'), '/srv': dir('/srv'), '/srv/sftp': dir('/srv/sftp'), '/srv/sftp/sftp1': dir('/srv/sftp/sftp1'), ...over }));
  assert.equal(verdict(ctx(facts({ chrootStats: stats({}) }), BEFORE, after), 'bad-chroot').ok, true);
  const cases: [Record<string, PathStat | undefined>, RegExp][] = [
    [{ '/srv/sftp/sftp1': dir('/srv/sftp/sftp1', 1002, 0o755) }, /sftp1: \/srv\/sftp\/sftp1 is owned by uid 1002, not root/],
    [{ '/srv/sftp': dir('/srv/sftp', 0, 0o775) }, /\/srv\/sftp is group- or other-writable \(mode 775\)/],
    [{ '/srv/sftp/sftp1': undefined }, /\/srv\/sftp\/sftp1 does not exist/],
    [{ '/srv/sftp/sftp1': { path: '/srv/sftp/sftp1', kind: 'file', uid: 0, gid: 0, mode: 0o644 } }, /is not a directory/],
  ];
  for (const [over, why] of cases) {
    const v = verdict(ctx(facts({ chrootStats: stats(over) }), BEFORE, after), 'bad-chroot');
    assert.equal(v.ok, false);
    assert.equal(v.overrideFlag, '--allow-bad-chroot');
    assert.match(v.message, why);
  }
  // The same broken chroot before and after: not this change's doing.
  assert.equal(verdict(ctx(facts({ chrootStats: stats({ '/srv/sftp': dir('/srv/sftp', 0, 0o777) }) }), after, after), 'bad-chroot').ok, true);
});

test('(f) hostkey-mismatch: HostKeyAlgorithms that no loaded host key serves', () => {
  const after = `${AFTER}HostKeyAlgorithms rsa-sha2-512,rsa-sha2-256\n`;
  const v = verdict(ctx(facts()), 'hostkey-mismatch');
  assert.equal(v.ok, true);
  const bad = verdict(ctx(facts(), BEFORE, after), 'hostkey-mismatch');
  assert.equal(bad.ok, false);
  assert.equal(bad.overrideFlag, '--allow-hostkey-mismatch');
  assert.match(bad.message, /matches none of the host keys \(ssh-ed25519 \/etc\/ssh\/ssh_host_ed25519_key\)/);
  // An RSA key serves rsa-sha2-*.
  const rsa = facts({ hostKeys: [{ path: '/etc/ssh/ssh_host_rsa_key', type: 'ssh-rsa' }] });
  assert.equal(verdict(ctx(rsa, BEFORE, after.replace('ed25519_key', 'rsa_key')), 'hostkey-mismatch').ok, true);
});
