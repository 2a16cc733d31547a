// Who must keep a way in (issue 13 item 2): sudoers as sudo reads it, sudo -l -U output, the
// session, login history and PVE peers; and judgeKeep, the before/after rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryFs, type MemoryFsSpec } from '../../../src/host/memory-fs.js';
import { offlineExecutor, type HostExecutor } from '../../../src/host/executor.js';
import { loadHost } from '../../../src/host/loaded-host.js';
import { accountsFromTexts } from '../../../src/host/facts/accounts.js';
import { sessionFromEnv } from '../../../src/host/session.js';
import type { ConnectionSpec } from '../../../src/sshd/evaluate/types.js';
import {
  buildModelState, gatherAdminFacts, judgeKeep, loginAddresses, mustKeep, parseSudoers, rootCapable, rootMayLogIn, sudoListGrantsRoot, type AdminFacts,
} from '../../../src/access/index.js';

const PASSWD = ['root:x:0:0:root:/root:/bin/bash', 'alice:x:1000:1000::/home/alice:/bin/bash', 'bob:x:1001:1001::/home/bob:/bin/bash', 'carol:x:1002:1002::/home/carol:/bin/bash', 'dave:x:1003:1003::/home/dave:/bin/bash', 'erin:x:1004:100::/home/erin:/bin/bash'].join('\n') + '\n';
const GROUP = ['root:x:0:', 'sudo:x:27:alice', 'wheel:x:10:bob', 'users:x:100:', 'ops:x:2000:carol', 'alice:x:1000:', 'bob:x:1001:', 'carol:x:1002:', 'dave:x:1003:'].join('\n') + '\n';
const ACC = accountsFromTexts({ passwd: PASSWD, group: GROUP, shadow: '' });

const DEBIAN_SUDOERS = 'Defaults\tenv_reset\nDefaults\tsecure_path="/usr/bin"\n# User privilege specification\nroot\tALL=(ALL:ALL) ALL\n\n# Allow members of group sudo to execute any command\n%sudo\tALL=(ALL:ALL) ALL\n\n@includedir /etc/sudoers.d\n';

test('sudoers: aliases, groups, uids, runas, shells; narrow grants do not count', () => {
  const g = parseSudoers(new Map([
    ['/etc/sudoers', DEBIAN_SUDOERS],
    ['/etc/sudoers.d/ops', 'User_Alias ADMINS = dave, %ops : WEB = www\nCmnd_Alias SHELLS = /bin/bash, /usr/bin/zsh\nADMINS ALL = (root) NOPASSWD: SHELLS\nwww ALL = (root) /usr/bin/systemctl restart nginx\n#1004 ALL=(ALL) \\\n  ALL\nbob ALL=(postgres) ALL\n'],
  ]));
  assert.deepEqual([...g.users].sort(), ['dave', 'root']);
  assert.deepEqual([...g.groups].sort(), ['ops', 'sudo']);
  assert.deepEqual([...g.uids], [1004]);
  assert.equal(g.everyone, false);
  assert.equal(g.origins.get('%ops'), '/etc/sudoers.d/ops:3');
});

test('sudo -l -U output: ALL as root counts, a single command does not', () => {
  assert.equal(sudoListGrantsRoot('Matching Defaults entries for alice on vm:\n    env_reset\n\nUser alice may run the following commands on vm:\n    (ALL : ALL) ALL\n'), true);
  assert.equal(sudoListGrantsRoot('User www may run the following commands on vm:\n    (root) NOPASSWD: /usr/bin/systemctl restart nginx\n'), false);
  assert.equal(sudoListGrantsRoot('User ops may run the following commands on vm:\n    (root) NOPASSWD: /bin/bash\n'), true);
  assert.equal(sudoListGrantsRoot('User nobody is not allowed to run sudo on vm.\n'), false);
});

const admin = (o: Partial<AdminFacts>): AdminFacts => ({ sudoInstalled: true, sudoers: new Map([['/etc/sudoers', DEBIAN_SUDOERS]]), sudoersProblems: [], sudoList: new Map(), live: true, ...o });

test('root-capable: sudo group only where sudo is installed; sudo -l -U wins over parsing', () => {
  assert.deepEqual([...rootCapable(ACC, admin({})).keys()], ['alice']);
  assert.deepEqual([...rootCapable(ACC, admin({ sudoInstalled: false })).keys()], [], 'PVE without sudo: the sudo group grants nothing');
  assert.deepEqual([...rootCapable(ACC, admin({ sudoList: new Map([['alice', 'User alice is not allowed to run sudo on vm.\n'], ['bob', 'User bob may run the following commands on vm:\n    (ALL) ALL\n']]) })).keys()], ['bob']);
  assert.deepEqual([...rootCapable(ACC, admin({ sudoers: new Map() })).keys()], ['alice', 'bob'], 'sudoers unreadable: sudo/wheel/admin members');
});

test('login history: last -i -w and auth.log Accepted lines', () => {
  const m = loginAddresses('alice    pts/0        10.0.0.5         Fri Dec  4 21:40   still logged in\nreboot   system boot  0.0.0.0          Fri Dec  4 20:00\n\nwtmp begins Fri Dec  4 20:00:00 2026\n',
    'Dec  4 21:40:01 vm sshd[123]: Accepted publickey for bob from 192.168.1.9 port 50000 ssh2: ED25519 SHA256:x\nDec  4 21:41:01 vm sshd-session[9]: Accepted password for alice from 10.0.0.6 port 50001 ssh2\n');
  assert.deepEqual(Object.fromEntries(m), { alice: ['10.0.0.5', '10.0.0.6'], bob: ['192.168.1.9'] });
});

test('mustKeep: sudoers admins, root, the invoking account from its SSH address, PVE peers', () => {
  const session = sessionFromEnv({ SUDO_USER: 'carol', SSH_CONNECTION: '10.1.1.1 50000 10.1.1.2 22' });
  const cluster = { source: '/etc/pve/corosync.conf', nodes: [{ node: 'pve1', ips: ['10.2.0.1'], unresolved: [] }, { node: 'pve2', ips: ['10.2.0.2'], unresolved: [] }], addresses: ['10.2.0.1', '10.2.0.2'], unknownNodes: [], notes: [] };
  const keep = mustKeep({ accounts: ACC, admin: admin({ authLog: 'sshd[1]: Accepted publickey for alice from 192.0.2.44 port 1 ssh2\n' }), session, cluster, rootMayLogIn: true });
  assert.deepEqual(keep, [
    { account: 'alice', addresses: ['192.0.2.44'], why: ['can become root: member of %sudo, granted ALL in sudoers (/etc/sudoers:7)'] },
    { account: 'root', addresses: ['10.2.0.1', '10.2.0.2'], why: ['root may log in now', 'PVE cluster peers log in as root (/etc/pve/corosync.conf)'] },
    { account: 'carol', addresses: ['10.1.1.1'], why: ['runs this command over SSH from 10.1.1.1'] },
  ]);
  const offline = mustKeep({ accounts: ACC, admin: admin({ live: false }), session, rootMayLogIn: false });
  assert.deepEqual(offline, [{ account: 'alice', addresses: 'any-admitted', why: ['can become root: member of %sudo, granted ALL in sudoers (/etc/sudoers:7)'] }], 'an offline root: the session is another machine\'s');
});

test('gatherAdminFacts reads sudoers includes as sudo does (includedir skips names with a dot or ~)', async () => {
  const fs = memoryFs({ '/usr/bin/sudo': { content: '', mode: 0o4755 }, '/etc/sudoers': DEBIAN_SUDOERS, '/etc/sudoers.d/ops': 'dave ALL=(ALL) ALL\n', '/etc/sudoers.d/old.bak': 'erin ALL=(ALL) ALL\n', '/etc/sudoers.d/tmp~': 'erin ALL=(ALL) ALL\n', '/etc/passwd': PASSWD });
  const a = await gatherAdminFacts({ exec: offlineExecutor(fs), accounts: ACC });
  assert.deepEqual([...a.sudoers.keys()], ['/etc/sudoers', '/etc/sudoers.d/ops']);
  assert.deepEqual([...rootCapable(ACC, a).keys()], ['alice', 'dave']);
  assert.equal(a.sudoList.size, 0, 'offline: sudo -l is not run');
});

const ED1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHcwrZKA9zBuQuKEkAOkUGlgbdTlnQuN5mopbYMG57Es admin@ed';

async function state(config: string, files: MemoryFsSpec = {}) {
  const fs = memoryFs({
    '/etc/ssh/sshd_config': config, '/etc/passwd': PASSWD, '/etc/group': GROUP, '/etc/shadow': 'alice:$y$j9T$x$y:19000::::::\nroot:*:19000::::::\n',
    '/bin/bash': { content: '', mode: 0o755 }, '/home/alice': { kind: 'dir', mode: 0o755, uid: 1000 }, '/home/alice/.ssh': { kind: 'dir', mode: 0o700, uid: 1000 },
    '/home/alice/.ssh/authorized_keys': { content: `${ED1}\n`, mode: 0o600, uid: 1000 },
    '/etc/pam.d/sshd': '@include common-auth\naccount required pam_nologin.so\n@include common-account\n', '/etc/pam.d/common-auth': 'auth [success=1 default=ignore] pam_unix.so nullok\nauth requisite pam_deny.so\nauth required pam_permit.so\n',
    '/etc/pam.d/common-account': 'account [success=1 new_authtok_reqd=done default=ignore] pam_unix.so\naccount requisite pam_deny.so\naccount required pam_permit.so\n', ...files,
  });
  const exec: HostExecutor = offlineExecutor(fs);
  const host = await loadHost(exec, { facts: 'config' });
  const base = { laddr: '127.0.0.1', lport: 22 };
  const configFor = (s: ConnectionSpec) => host.evaluate(s);
  const st = await buildModelState({ exec: host.exec, accounts: host.accounts!, files: [...host.tree.files.values()], configFor, users: ['alice', 'root'], base, now: Date.UTC(2026, 11, 4) });
  return { ...st, base };
}

test('judgeKeep: password off for the 2FA group locks alice out from anywhere; the same change with a key left keeps her', async () => {
  const base = 'UsePAM yes\nKbdInteractiveAuthentication no\nAuthorizedKeysFile .ssh/none\n';
  const before = await state(base);
  const after = await state(base + 'PasswordAuthentication no\n');
  const keep = [{ account: 'alice', addresses: 'any-admitted' as const, why: ['test'] }];
  const losses = judgeKeep(keep, before, after, before.base);
  assert.equal(losses.length, 1);
  assert.match(losses[0]!.message, /^alice \(address unknown\): before works \(password\) from 203\.0\.113\.77; after, from no address the configuration admits with a shell \(from 203\.0\.113\.77: refused: publickey: no authorized key\)$/);
  const withKey = await state('UsePAM yes\nKbdInteractiveAuthentication no\n');
  const keyed = await state('UsePAM yes\nKbdInteractiveAuthentication no\nPasswordAuthentication no\n');
  assert.deepEqual(judgeKeep(keep, withKey, keyed, before.base), [], 'her key works before and after');
});

const ED2 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFdhxnJJ3LBm2v3wkAWLV5FSioJC8dKLqJZdq6s+GvTC admin2@ed';

test('judgeKeep: a way through a key the admin does not use today (a restored old key) is no way in for her', async () => {
  const cfg = 'UsePAM yes\nKbdInteractiveAuthentication no\nPasswordAuthentication no\n';
  const before = await state(cfg);
  const restored = await state(cfg, { '/home/alice/.ssh/authorized_keys': { content: `${ED2}\n`, mode: 0o600, uid: 1000 } });
  const keep = [{ account: 'alice', addresses: ['10.0.0.5'], why: [] }];
  assert.deepEqual(judgeKeep(keep, before, restored, before.base).map((l) => l.message), [
    'alice from 10.0.0.5: before works (publickey); after works only with credentials it does not use today (publickey SHA256:GDWsN2UatAFQHO4WasRAHa12ZQ6r9CpLeBSCh3ECbfw)',
  ]);
  const both = await state(cfg, { '/home/alice/.ssh/authorized_keys': { content: `${ED2}\n${ED1}\n`, mode: 0o600, uid: 1000 } });
  assert.deepEqual(judgeKeep(keep, before, both, before.base), [], 'her own key is still there');
});

test('judgeKeep: an allowlist without the admin\'s known address is a loss from that address only', async () => {
  const before = await state('UsePAM yes\n');
  const after = await state('UsePAM yes\nAllowUsers alice@192.0.2.0/24\n');
  assert.deepEqual(judgeKeep([{ account: 'alice', addresses: ['192.0.2.9'], why: [] }], before, after, before.base), []);
  const l = judgeKeep([{ account: 'alice', addresses: ['10.0.0.5'], why: [] }], before, after, before.base);
  assert.deepEqual(l.map((x) => x.message), ['alice from 10.0.0.5: before works (publickey | password | keyboard-interactive); after refused: not listed in AllowUsers (from 10.0.0.5)']);
  // Address unknown: the allowlist still admits alice from 192.0.2.0/24, so she keeps a way in.
  assert.deepEqual(judgeKeep([{ account: 'alice', addresses: 'any-admitted', why: [] }], before, after, before.base), []);
  assert.equal(rootMayLogIn(before.facts, before.configFor, before.candidates, before.base), false, 'root: prohibit-password and no key');
});

test('judgeKeep: an AuthorizedKeysCommand-only admin (unprovable before) is not "lost" by an unrelated change, but is by turning keys off', async () => {
  const akc = 'UsePAM yes\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nAuthorizedKeysFile none\nAuthorizedKeysCommand /usr/local/bin/keys %u\nAuthorizedKeysCommandUser nobody\n';
  const before = await state(akc);
  const keep = [{ account: 'alice', addresses: 'any-admitted' as const, why: [] }];
  assert.deepEqual(judgeKeep(keep, before, await state(akc + 'X11Forwarding no\n'), before.base), []);
  const off = judgeKeep(keep, before, await state(akc + 'PubkeyAuthentication no\n'), before.base);
  assert.equal(off.length, 1);
  assert.match(off[0]!.message, /^alice \(address unknown\): before cannot be proven: AuthorizedKeysCommand \/usr\/local\/bin\/keys %u: what it prints cannot be proven \(cannot prove\) from 203\.0\.113\.77; after, from no address the configuration admits \(from 203\.0\.113\.77: refused: every authentication method is disabled\)$/);
});
