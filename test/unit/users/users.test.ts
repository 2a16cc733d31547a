import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FileStat } from '../../../src/host/fs.js';
import { parseSshdConfig } from '../../../src/sshd/parser.js';
import { applyEdits } from '../../../src/text/edit.js';
import { checkChroot, chrootComponents, normaliseChrootPath } from '../../../src/users/chroot.js';
import { findBlock, planBlock, removeBlockEdits } from '../../../src/users/match-block.js';
import { groupsOfEntry as groupsOf, parseGroup, parsePasswd, passwordState } from '../../../src/host/facts/accounts.js';
import { setShellEdit } from '../../../src/users/shell.js';
import { countKeys, expandKeyFile } from '../../../src/users/list.js';

test('passwd: the shell edit touches only the shell field (CRLF, comments, odd lines kept)', () => {
  const text = 'root:x:0:0:root:/root:/bin/bash\n# comment\n+nis\r\nbob:x:1001:1001:Bob,,,:/home/bob:/bin/bash\r\nbroken line\nzed:x:1002:1002::/home/zed:';
  const entries = parsePasswd(text);
  assert.deepEqual(entries.map((e) => e.name), ['root', 'bob', 'zed']);
  const bob = entries.find((e) => e.name === 'bob')!;
  assert.equal(bob.shell, '/bin/bash');
  const out = applyEdits(text, [setShellEdit(bob, '/usr/sbin/nologin')]);
  assert.equal(out, text.replace('/home/bob:/bin/bash\r\n', '/home/bob:/usr/sbin/nologin\r\n'));
  const zed = entries.find((e) => e.name === 'zed')!;
  assert.equal(applyEdits(text, [setShellEdit(zed, '/usr/sbin/nologin')]), `${text}/usr/sbin/nologin`);
});

test('groups: primary plus supplementary; password states', () => {
  const [alice] = parsePasswd('alice:x:1000:1000::/home/alice:/bin/bash\n');
  const groups = parseGroup('alice:x:1000:\nsudo:x:27:bob,alice\nadm:x:4:bob\n');
  assert.deepEqual(groupsOf(alice!, groups), ['alice', 'sudo']);
  assert.equal(passwordState('!$6$abc'), 'locked');
  assert.equal(passwordState('*'), 'none');
  assert.equal(passwordState('!'), 'none');
  assert.equal(passwordState(''), 'empty');
  assert.equal(passwordState('$y$j9T$x'), 'set');
  assert.equal(passwordState(undefined), 'unknown');
});

const dir = (uid: number, mode: number): FileStat => ({ kind: 'directory', size: 0, mode, uid, gid: 0, mtimeMs: 0 });

test('chroot: every component root-owned and not group/other writable (session.c safely_chroot)', async () => {
  assert.deepEqual(chrootComponents('/srv/sftp/alex'), ['/', '/srv', '/srv/sftp', '/srv/sftp/alex']);
  const fs: Record<string, FileStat> = { '/': dir(0, 0o755), '/srv': dir(0, 0o775), '/srv/sftp': dir(1000, 0o755), '/srv/sftp/alex': dir(0, 0o757) };
  const c = await checkChroot('/srv/sftp/alex', async (p) => fs[p]);
  assert.equal(c.ok, false);
  assert.deepEqual(c.components.map((x) => [x.path, x.problems.length]), [['/', 0], ['/srv', 1], ['/srv/sftp', 1], ['/srv/sftp/alex', 1]]);
  // /srv is a system directory (issue 12): never chmodded by the fixer, a fatal problem with advice instead.
  assert.deepEqual(c.fixes.map((f) => f.describe), ['chown root:root /srv/sftp', 'chmod 0755 /srv/sftp/alex']);
  assert.equal(c.fatal.length, 1);
  assert.match(c.fatal[0]!, /^\/srv is a system directory: sshield never changes its owner or mode/);
  const missing = await checkChroot('/srv/new/x', async (p) => (p === '/' || p === '/srv' ? dir(0, 0o755) : undefined));
  assert.deepEqual(missing.fixes.map((f) => f.kind), ['mkdir', 'mkdir']);
  const file = await checkChroot('/srv', async (p) => (p === '/' ? dir(0, 0o755) : { ...dir(0, 0o644), kind: 'file' }));
  assert.deepEqual(file.fatal, ['/srv is not a directory']);
  const good = await checkChroot('/srv', async () => dir(0, 0o755));
  assert.ok(good.ok);
});

test('chroot paths: absolute, canonical, no tokens or blanks', () => {
  assert.deepEqual(normaliseChrootPath('/srv//sftp/./x/'), { ok: true, path: '/srv/sftp/x' });
  for (const bad of ['srv/x', '/srv/%u', '/srv/a b', '/srv/../etc', '/']) assert.equal(normaliseChrootPath(bad).ok, false, bad);
});

test('Match block: appended after everything, replaced in place, idempotent, CRLF kept', () => {
  const text = 'Port 22\r\nMatch Address 10.0.0.0/8\r\n\tPermitRootLogin yes';
  const f = parseSshdConfig(text, '/etc/ssh/sshd_config');
  const p = planBlock(f, { user: 'alex', chroot: '/srv/sftp/alex' });
  assert.ok(p.after.startsWith(text + '\r\n\r\n# sshield user alex: SFTP only'));
  assert.ok(p.after.includes('\r\nMatch User alex\r\n\tForceCommand internal-sftp\r\n\tChrootDirectory /srv/sftp/alex\r\n'));
  assert.ok(p.after.endsWith('\tPermitTTY no\r\n'));
  const f2 = parseSshdConfig(p.after, '/etc/ssh/sshd_config');
  assert.ok(findBlock(f2, 'alex'));
  assert.equal(planBlock(f2, { user: 'alex', chroot: '/srv/sftp/alex' }).edits.length, 0);
  const moved = planBlock(f2, { user: 'alex', chroot: '/srv/other' });
  assert.equal(moved.replaced, true);
  assert.ok(moved.after.startsWith(text));
  assert.ok(moved.after.includes('ChrootDirectory /srv/other\r\n'));
  assert.ok(!moved.after.includes('/srv/sftp/alex'));
});

test('authorized keys: tokens and counting', () => {
  const [u] = parsePasswd('bob:x:1001:1001::/home/bob:/bin/sh\n');
  assert.equal(expandKeyFile('.ssh/authorized_keys', u!), '/home/bob/.ssh/authorized_keys');
  assert.equal(expandKeyFile('/etc/ssh/keys/%u', u!), '/etc/ssh/keys/bob');
  assert.equal(expandKeyFile('%h/k', u!), '/home/bob/k');
  assert.equal(countKeys('# c\n\nssh-ed25519 AAA x\n  ssh-rsa BBB y\n'), 2);
});

test('an earlier Match that wins for the user is detected and refused with its origin', async () => {
  const { memoryFs } = await import('../../../src/host/memory-fs.js');
  const { loadConfig, memoEvaluateFiles } = await import('../../../src/allow/engine.js');
  const { parseSshdConfig: parse } = await import('../../../src/sshd/parser.js');
  const { planUser } = await import('../../../src/users/plan.js');
  const fs = memoryFs({
    '/etc/passwd': 'root:x:0:0::/root:/bin/bash\nalex:x:1000:1000::/home/alex:/bin/bash\n',
    '/etc/group': 'root:x:0:\nalex:x:1000:\n',
    '/etc/ssh/sshd_config': 'Include /etc/ssh/sshd_config.d/*.conf\nUsePAM yes\n',
    '/etc/ssh/sshd_config.d/10-cluster.conf': 'Match Address 192.168.7.0/24\n\tAllowTcpForwarding yes\n',
  });
  const l = await loadConfig(fs, '/etc/ssh/sshd_config');
  assert.ok(l.ok);
  const base = { op: 'nologin' as const, user: 'alex', main: l.value.main, account: l.value.accounts.users[1], create: false, fixPermissions: false, stat: async () => undefined, evaluate: memoEvaluateFiles(l.value), protectedUsers: ['root'], otherUser: 'root' };
  const plain = await planUser(base);
  assert.deepEqual(plain.refusals, [], 'the default samples do not hit the Match');
  const p = await planUser({ ...base, extraSamples: ['192.168.7.0'] });
  assert.equal(p.refusals.length, 1);
  assert.match(p.refusals[0]!, /alex from 192\.168\.7\.0: allowtcpforwarding would be yes \(set at \/etc\/ssh\/sshd_config\.d\/10-cluster\.conf:2 \(Match at .*10-cluster\.conf:1\)\), not no/);
  // With the first-read drop-in available, the block goes there and wins.
  const dropPath = '/etc/ssh/sshd_config.d/00-sshield-users.conf';
  const d = await planUser({ ...base, extraSamples: ['192.168.7.0'], dropIn: { path: dropPath, file: parse('', dropPath), exists: false } });
  assert.deepEqual(d.refusals, []);
  assert.deepEqual(d.configChanges.map((c) => c.path), [dropPath]);
  assert.ok(d.configChanges[0]!.after.startsWith('# sshield user alex: no shell (nologin), SFTP only; no forwarding, no TTY\nMatch User alex\n'));
  assert.ok(d.notes.some((n) => /earlier Match block wins/.test(n)));
});

test('Match blocks next to each other: re-planning one keeps the blank line before the next; removing is a round trip', () => {
  const base = 'Port 22\r\nSubsystem sftp internal-sftp\r\n';
  let text = base;
  for (const spec of [{ user: 'a', chroot: '/srv/a' }, { user: 'b' }, { user: 'c', chroot: '/srv/c' }]) text = planBlock(parseSshdConfig(text, '/etc/ssh/sshd_config'), spec).after;
  assert.equal(text.split('\r\n\r\n# sshield user').length, 4, 'one blank line before each block');
  // A second run of each changes nothing (it used to swallow the blank line before the next block).
  for (const spec of [{ user: 'a', chroot: '/srv/a' }, { user: 'b' }, { user: 'c', chroot: '/srv/c' }]) {
    const p = planBlock(parseSshdConfig(text, '/etc/ssh/sshd_config'), spec);
    assert.deepEqual(p.edits, [], spec.user);
    assert.equal(p.after, text);
  }
  // A changed block is rewritten in place: everything around it byte-identical.
  const moved = planBlock(parseSshdConfig(text, '/etc/ssh/sshd_config'), { user: 'a', chroot: '/srv/other' }).after;
  assert.equal(moved, text.replace('ChrootDirectory /srv/a\r\n', 'ChrootDirectory /srv/other\r\n').replace('locked into /srv/a;', 'locked into /srv/other;'));
  // An admin's comment and blank lines after a block stay where they are.
  const noted = text.replace('\tPermitTTY no\r\n\r\n# sshield user b', '\tPermitTTY no\r\n# my note\r\n\r\n\r\n# sshield user b');
  assert.deepEqual(planBlock(parseSshdConfig(noted, '/etc/ssh/sshd_config'), { user: 'a', chroot: '/srv/a' }).edits, []);
  const f = parseSshdConfig(noted, '/etc/ssh/sshd_config');
  const b = findBlock(f, 'a')!;
  assert.ok(noted.slice(b.end).startsWith('# my note\r\n\r\n\r\n# sshield user b'));
  // Removing the middle block leaves the others exactly as they were.
  let only = base;
  for (const spec of [{ user: 'a', chroot: '/srv/a' }, { user: 'c', chroot: '/srv/c' }]) only = planBlock(parseSshdConfig(only, '/etc/ssh/sshd_config'), spec).after;
  assert.equal(applyEdits(text, removeBlockEdits(parseSshdConfig(text, '/etc/ssh/sshd_config'), 'b')), only);
  assert.equal(applyEdits(only, removeBlockEdits(parseSshdConfig(only, '/etc/ssh/sshd_config'), 'c')), planBlock(parseSshdConfig(base, '/etc/ssh/sshd_config'), { user: 'a', chroot: '/srv/a' }).after);
});
