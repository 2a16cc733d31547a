// `user list` tells the truth about who can log in, judged by the one credential model
// (src/access waysIn, the guards' and the audit's): root under PermitRootLogin no cannot; root
// with keys only and no key cannot; an account with no usable key and no usable password cannot
// (whatever its shell), and one with a password can only where password logins are on; what the
// files cannot decide (an unreadable shadow file, AuthorizedKeysCommand) is 'unknown', never a
// guessed 'shell'. Real configs evaluated by the engine over an in-memory host with Debian's PAM
// stack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { memoryFs } from '../../../src/host/memory-fs.js';
import { offlineExecutor } from '../../../src/host/executor.js';
import { loadHost } from '../../../src/host/loaded-host.js';
import { listAccounts, type AccountReport } from '../../../src/users/list.js';

const PASSWD = 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\nbob:x:1001:1001::/home/bob:/bin/bash\ncarol:x:1002:1002::/home/carol:/bin/bash\ndave:x:1003:1003::/home/dave:/usr/sbin/nologin\n';
const GROUP = 'root:x:0:\nalice:x:1000:\nbob:x:1001:\ncarol:x:1002:\ndave:x:1003:\n';
const SHADOW = 'root:$y$j9T$abc:19000::::::\nalice:!:19000::::::\nbob:$y$j9T$def:19000::::::\ncarol:*:19000::::::\ndave:$y$j9T$ghi:19000::::::\n';
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl a@b\n';
const PAM_DIR = join(import.meta.dirname, '..', '..', '..', 'examples', 'debian12-cloud', 'etc', 'pam.d');
const PAM = Object.fromEntries(['sshd', 'common-auth', 'common-account', 'common-password', 'common-session'].map((f) => [`/etc/pam.d/${f}`, readFileSync(join(PAM_DIR, f), 'latin1')]));
const BASE = 'PubkeyAuthentication yes\nPasswordAuthentication yes\nKbdInteractiveAuthentication no\nUsePAM yes\n';
/** The case's lines first (sshd keeps the first value), Match blocks last. */
const configText = (c: string) => {
  const base = BASE + (/^Subsystem/m.test(c) ? '' : 'Subsystem sftp internal-sftp\n');
  return c.startsWith('Match') ? base + c : c + base;
};

const key = (home: string, uid: number) => ({
  [`${home}/.ssh`]: { kind: 'dir' as const, mode: 0o700, uid, gid: uid },
  [`${home}/.ssh/authorized_keys`]: { content: KEY, mode: 0o600, uid, gid: uid },
});

async function list(config: string, files: Record<string, unknown> = {}, shadow: string | null = SHADOW): Promise<Record<string, AccountReport>> {
  const homes = Object.fromEntries(['/root', '/home/alice', '/home/bob', '/home/carol', '/home/dave'].map((h, i) => [h, { kind: 'dir' as const, mode: 0o755, uid: i === 0 ? 0 : 999 + i, gid: i === 0 ? 0 : 999 + i }]));
  const fs = memoryFs({
    '/etc/ssh/sshd_config': configText(config),
    '/etc/passwd': PASSWD,
    '/etc/group': GROUP,
    ...(shadow === null ? {} : { '/etc/shadow': { content: shadow, mode: 0o640 } }),
    '/bin/bash': { content: '', mode: 0o755 },
    '/usr/sbin/nologin': { content: '', mode: 0o755 },
    ...PAM,
    ...homes,
    ...(files as Record<string, never>),
  });
  const host = await loadHost(offlineExecutor(fs, 'memory'), { facts: 'config', openssh: '1:9.2p1-2+deb12u10' });
  const accounts = await listAccounts({ host, addresses: ['203.0.113.7'], all: false });
  assert.ok(typeof accounts !== 'string', String(accounts));
  return Object.fromEntries(accounts.map((a) => [a.name, a]));
}

test('root: PermitRootLogin no is no login; prohibit-password needs a key', async () => {
  const no = await list('PermitRootLogin no\n', key('/root', 0));
  assert.equal(no.root!.canLogin, 'no');
  assert.match(no.root!.why, /PermitRootLogin no/);
  const keyless = await list('PermitRootLogin prohibit-password\n');
  assert.equal(keyless.root!.canLogin, 'no');
  assert.match(keyless.root!.why, /PermitRootLogin (prohibit|without)-password/);
  const withKey = await list('PermitRootLogin prohibit-password\n', key('/root', 0));
  assert.equal(withKey.root!.canLogin, 'shell');
  assert.match(withKey.root!.why, /publickey \(\/root\/\.ssh\/authorized_keys:1\): shell \/bin\/bash/);
  const yes = await list('PermitRootLogin yes\n');
  assert.equal(yes.root!.canLogin, 'shell', 'a password and PermitRootLogin yes');
  assert.match(yes.root!.why, /^password/);
});

test('no usable key and no usable password: not a shell login', async () => {
  const r = await list('', key('/home/alice', 1000));
  assert.equal(r.alice!.canLogin, 'shell', 'alice has a key (a locked password does not refuse keys under UsePAM yes)');
  assert.equal(r.carol!.canLogin, 'no');
  assert.match(r.carol!.why, /publickey/);
  assert.equal(r.bob!.canLogin, 'shell', 'bob has a password and password logins are on');
  const off = await list('PasswordAuthentication no\n');
  assert.equal(off.bob!.canLogin, 'no');
  const pam = await list('PasswordAuthentication no\nKbdInteractiveAuthentication yes\n');
  assert.equal(pam.bob!.canLogin, 'shell', 'keyboard-interactive through PAM asks for the password');
  assert.match(pam.bob!.why, /^keyboard-interactive/);
  const nopub = await list('PubkeyAuthentication no\nPasswordAuthentication no\n', key('/home/alice', 1000));
  assert.equal(nopub.alice!.canLogin, 'no', 'a key is no use with PubkeyAuthentication no');
});

test('what the files cannot decide is unknown, not a guessed shell (shadow unreadable, AuthorizedKeysCommand)', async () => {
  // before the model, an unreadable shadow made carol 'shell' ("nothing concluded"): no proof of any way in
  const unreadable = await list('PasswordAuthentication no\nKbdInteractiveAuthentication yes\n', {}, null);
  assert.equal(unreadable.carol!.canLogin, 'unknown');
  assert.match(unreadable.carol!.why, /cannot be proven/);
  const akc = await list('PasswordAuthentication no\nAuthorizedKeysCommand /usr/bin/true %u\nAuthorizedKeysCommandUser nobody\n');
  assert.equal(akc.carol!.canLogin, 'unknown');
  assert.match(akc.carol!.why, /AuthorizedKeysCommand/);
});

test('UsePAM no: a locked password (useradd\'s "!") refuses the account\'s keys too, as sshd does', async () => {
  const r = await list('UsePAM no\n', key('/home/alice', 1000));
  // the old list counted alice's key and said 'shell'; sshd (auth.c platform_locked_account) refuses her
  assert.equal(r.alice!.canLogin, 'no');
  assert.match(r.alice!.why, /lock/i);
});

test('the session: a nologin shell is sftp-only with internal-sftp, no login without it; ForceCommand internal-sftp is sftp-only', async () => {
  const r = await list('');
  assert.equal(r.dave!.canLogin, 'sftp-only');
  const noSftp = await list('Subsystem sftp /usr/lib/openssh/sftp-server\n');
  assert.equal(noSftp.dave!.canLogin, 'no');
  assert.match(noSftp.dave!.why, /authenticates, but shell \/usr\/sbin\/nologin/);
  const forced = await list('Match User bob\n\tForceCommand internal-sftp\n');
  assert.equal(forced.bob!.canLogin, 'sftp-only');
  assert.deepEqual(forced.bob!.restrictions, ['sftp-only (ForceCommand internal-sftp)']);
});
