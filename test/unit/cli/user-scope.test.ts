// Who runs sshield (src/cli/user-scope.ts): root keeps /var/backups/sshield and names --user; an
// ordinary user gets their own state directory ($XDG_STATE_HOME/sshield, else ~/.local/state/sshield),
// their own account as the default --user, another account refused in a sentence, and system
// errors said in words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultBackupDir, defaultLockDir, keysUser, plainErrno, userStateDir } from '../../../src/cli/user-scope.js';

const root = { root: true, uid: 0, name: 'root', home: '/root' };
const alice = { root: false, uid: 1000, name: 'alice', home: '/home/alice' };

test('state directory: XDG_STATE_HOME when absolute, else the passwd home; root keeps the system paths', () => {
  assert.equal(userStateDir({}, alice), '/home/alice/.local/state/sshield');
  assert.equal(userStateDir({ XDG_STATE_HOME: '/srv/state' }, alice), '/srv/state/sshield');
  assert.equal(userStateDir({ XDG_STATE_HOME: 'relative' }, alice), '/home/alice/.local/state/sshield');
  assert.equal(defaultBackupDir({}, alice), '/home/alice/.local/state/sshield');
  assert.equal(defaultLockDir({}, alice), '/home/alice/.local/state/sshield/lock');
  assert.equal(defaultBackupDir({ XDG_STATE_HOME: '/srv/state' }, root), '/var/backups/sshield');
  assert.equal(defaultLockDir({}, root), undefined);
});

test('keysUser: root names the account; a user acts on their own (the default) and is refused another', () => {
  assert.deepEqual(keysUser('bob', root), { ok: true, user: 'bob' });
  assert.match((keysUser(undefined, root) as { message: string }).message, /name the account with --user/);
  assert.deepEqual(keysUser(undefined, alice), { ok: true, user: 'alice' });
  assert.deepEqual(keysUser('alice', alice), { ok: true, user: 'alice' });
  assert.match((keysUser('root', alice) as { message: string }).message, /^you are alice, not root: without root sshield changes only your own keys, so --user root is refused/);
  assert.match((keysUser(undefined, { root: false, uid: 4242 }) as { message: string }).message, /uid 4242 has no account name/);
});

test('plainErrno: EACCES/EPERM in words, naming who ran it', () => {
  assert.equal(plainErrno("EACCES: permission denied, open '/var/backups/sshield/.lock'", alice), 'alice (not root) has no permission to open /var/backups/sshield/.lock: without root sshield changes only what you own; run it as root (e.g. sudo) for the rest');
  assert.match(plainErrno('cannot replace /x: EPERM: operation not permitted, fchown', alice), /^cannot replace \/x: alice \(not root\) is not allowed to fchown:/);
  assert.doesNotMatch(plainErrno("EACCES: permission denied, open '/x'", root), /EACCES/);
});
