// sshd/require-admin-access, table-driven through the real parser, evaluator and credential model
// (memory fs): an admin (sudo member, sudo installed) with a way in passes; with none (no key and
// passwords off, an expired key, a 2FA chain whose second factor is off, a nologin shell) it is
// critical; a way in the model cannot prove (AuthorizedKeysCommand) warns; no sudo: nobody to judge.
import { test } from 'node:test';
import { checkCase, type Case } from '../../helpers/rule-tester.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDXbtgCL49zgg/iSqGqIt4fb86MvZUIC51fM+bLxNbuW alice@test';
const HOST = {
  '/usr/bin/sudo': { content: '', mode: 0o104755 },
  '/etc/sudoers': { content: 'root ALL=(ALL:ALL) ALL\n%sudo ALL=(ALL:ALL) ALL\n', mode: 0o100440 },
  '/etc/shadow': { content: 'root:*:19000:0:99999:7:::\nalice:$y$j9T$salt$hash:19000:0:99999:7:::\n', mode: 0o100640 },
  '/etc/pam.d/sshd': 'auth required pam_unix.so\naccount required pam_unix.so\n',
  '/bin/bash': { content: '', mode: 0o100755 },
  '/usr/sbin/nologin': { content: '', mode: 0o100755 },
  '/home/alice': { kind: 'dir' as const, mode: 0o40750, uid: 1000, gid: 1000 },
  '/home/alice/.ssh': { kind: 'dir' as const, mode: 0o40700, uid: 1000, gid: 1000 },
};
const withKey = (line: string) => ({ ...HOST, '/home/alice/.ssh/authorized_keys': { content: `${line}\n`, mode: 0o100600, uid: 1000, gid: 1000 } });
const OFF = 'PasswordAuthentication no\nKbdInteractiveAuthentication no\n';

const CASES: Case[] = [
  { name: 'admin with a key: passes', config: OFF, files: withKey(KEY), status: 'pass' },
  { name: 'admin with a password only: passes', config: 'KbdInteractiveAuthentication no\nPasswordAuthentication yes\n', files: HOST, status: 'pass' },
  { name: 'admin with no key and passwords off: critical, naming the account', config: OFF, files: HOST, status: 'fail', message: /alice \(can become root: .*\) has no working way in \(address unknown, tried every address the configuration admits\)/ },
  { name: 'admin whose only key has expired', config: OFF, files: withKey(`expiry-time="20200101" ${KEY}`), status: 'fail', message: /alice .*has no working way in.*expiry-time/ },
  { name: '2FA chain whose second factor is off', config: `${OFF}Match Group sudo\n  AuthenticationMethods publickey,keyboard-interactive\n`, files: withKey(KEY), status: 'fail', message: 'keyboard-interactive' },
  { name: 'a key only from an address range: some admitted address keeps it', config: OFF, files: withKey(`from="10.0.0.0/8" ${KEY}`), status: 'pass' },
  { name: 'AuthorizedKeysCommand only: cannot be proven, warns', config: `${OFF}AuthorizedKeysFile none\nAuthorizedKeysCommand /usr/local/bin/keys %u\nAuthorizedKeysCommandUser nobody\n`, files: HOST, status: 'warn', message: 'cannot be proven' },
  { name: 'no sudo installed: no admin to judge', config: OFF, files: { '/etc/shadow': HOST['/etc/shadow'] }, status: 'pass', message: 'no account must keep a way in' },
];

for (const c of CASES) test(`sshd/require-admin-access: ${c.name}`, () => checkCase('sshd/require-admin-access', c));
