// Offline roots (--root DIR): plan and files only, no reload. /etc/passwd is edited byte-exact,
// accounts are added with useradd --prefix, chroot directories are made inside DIR, the
// allowlist keeps PVE cluster node addresses from DIR/etc/pve/corosync.conf, and the candidate
// tree is still validated by the real sshd (throwaway host key) through the apply pipeline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, sshdAvailable } from '../../helpers/sshd.js';

const skip = !sshdAvailable() && 'needs root and /usr/sbin/sshd';
const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];
let R: string;
const PASSWD = 'root:x:0:0:root:/root:/bin/bash\r\n# a comment line\nbob:x:1001:1001:Bob,,,:/home/bob:/bin/bash\nzed:x:1002:1002::/home/zed:/bin/sh\n';
const CONFIG = 'Include /etc/ssh/sshd_config.d/*.conf\n\nPermitRootLogin prohibit-password\nUsePAM yes\nSubsystem sftp /usr/lib/openssh/sftp-server\n';

function cli(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, [...CLI, ...args, '--root', R, ...(args[1] === 'list' ? [] : ['--backup-dir', join(R, 'bk')])], { env: { HOME: '/root', USER: 'root', ...env }, timeoutMs: 60_000 });
}

before(() => {
  if (skip) return;
  R = mkdtempSync(join(tmpdir(), 'sshield-root-'));
  chmodSync(R, 0o755);
  for (const d of ['etc/ssh/sshd_config.d', 'usr/sbin', 'home', 'srv', 'etc/pve']) mkdirSync(join(R, d), { recursive: true, mode: 0o755 });
  writeFileSync(join(R, 'etc/ssh/sshd_config'), CONFIG);
  writeFileSync(join(R, 'etc/passwd'), PASSWD);
  writeFileSync(join(R, 'etc/group'), 'root:x:0:\nbob:x:1001:\nzed:x:1002:\nusers:x:100:\n');
  writeFileSync(join(R, 'etc/shadow'), 'root:*:19000:0:99999:7:::\nbob:!:19000:0:99999:7:::\nzed:!:19000:0:99999:7:::\n', { mode: 0o640 });
  writeFileSync(join(R, 'etc/gshadow'), 'root:*::\nbob:!::\nzed:!::\nusers:*::\n', { mode: 0o640 });
  copyFileSync('/usr/sbin/nologin', join(R, 'usr/sbin/nologin'));
  // Debian's PAM stack for sshd (UsePAM yes): without it, what PAM's "other" stack would answer
  // is unknown, and user list rightly says so instead of "no".
  cpSync('examples/debian12-cloud/etc/pam.d', join(R, 'etc/pam.d'), { recursive: true });
  writeFileSync(join(R, 'etc/pve/corosync.conf'), 'totem {\n  cluster_name: lab\n}\nnodelist {\n  node {\n    name: pve1\n    nodeid: 1\n    ring0_addr: 192.168.50.11\n  }\n  node {\n    name: pve2\n    nodeid: 2\n    ring0_addr: fd00:50::12\n  }\n}\n');
});

after(() => {
  if (R) rmSync(R, { recursive: true, force: true });
});

test('user nologin --root edits only the shell field of DIR/etc/passwd', { skip, timeout: 60_000 }, async () => {
  const r = await cli(['user', 'nologin', 'bob', '--yes']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /files only/);
  assert.equal(readFileSync(join(R, 'etc/passwd'), 'latin1'), PASSWD.replace('/home/bob:/bin/bash', '/home/bob:/usr/sbin/nologin'));
  assert.match(readFileSync(join(R, 'etc/ssh/sshd_config'), 'latin1'), /\nMatch User bob\n\tForceCommand internal-sftp\n/);
  assert.ok(readFileSync(join(R, 'etc/ssh/sshd_config'), 'latin1').startsWith(CONFIG));
});

test('user add --nologin --root and user sftp --create --root make the account and the chroot inside DIR', { skip, timeout: 60_000 }, async () => {
  const add = await cli(['user', 'add', 'sshield-t-off', '--nologin', '--yes']);
  assert.equal(add.code, 0, add.stdout + add.stderr);
  assert.match(readFileSync(join(R, 'etc/passwd'), 'latin1'), /^sshield-t-off:x:\d+:\d+::\/home\/sshield-t-off:\/usr\/sbin\/nologin$/m);
  assert.doesNotMatch(readFileSync('/etc/passwd', 'latin1'), /^sshield-t-off:/m, 'the host accounts are untouched');
  const s = await cli(['user', 'sftp', 'sshield-t-off', '--chroot', '/srv/sftp/off', '--create', '--yes']);
  assert.equal(s.code, 0, s.stdout + s.stderr);
  for (const d of ['srv/sftp', 'srv/sftp/off']) {
    const st = statSync(join(R, d));
    assert.equal(st.uid, 0);
    assert.equal(st.mode & 0o022, 0);
  }
  assert.notEqual(statSync(join(R, 'srv/sftp/off/upload')).uid, 0);
  const cfg = readFileSync(join(R, 'etc/ssh/sshd_config'), 'latin1');
  assert.equal(cfg.match(/Match User sshield-t-off/g)?.length, 1, 'the block was replaced, not duplicated');
  assert.match(cfg, /ChrootDirectory \/srv\/sftp\/off\n/);
  const list = await cli(['user', 'list', '--json']);
  assert.equal(list.code, 0, list.stderr);
  const acc = JSON.parse(list.stdout).accounts.find((a: { name: string }) => a.name === 'sshield-t-off');
  // The block makes it SFTP-only; with no key and no password yet, it cannot log in at all.
  assert.ok(acc.restrictions.includes('sftp-only (ForceCommand internal-sftp)') && acc.restrictions.includes('ChrootDirectory /srv/sftp/off'), JSON.stringify(acc.restrictions));
  assert.equal(acc.canLogin, 'no');
  assert.match(acc.why, /^publickey: no authorized key; password: password not set .*; keyboard-interactive: password not set/);
});

test('allow --root keeps the PVE cluster node addresses (IPv4 and IPv6) and refuses to remove them', { skip, timeout: 60_000 }, async () => {
  const r = await cli(['allow', 'add', '203.0.113.0/24', '--yes', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.outcome.kind, 'applied');
  assert.equal(j.plan.details.proven, true);
  assert.match(readFileSync(join(R, 'etc/ssh/sshd_config'), 'latin1'), /\nDenyUsers \*@!203\.0\.113\.0\/24,!192\.168\.50\.11,!fd00:50::12,\*\n/);
  const rm = await cli(['allow', 'remove', '192.168.50.11', '--yes']);
  assert.equal(rm.code, 0);
  assert.match(rm.stdout, /not removing 192\.168\.50\.11: it is a PVE cluster node address/);
  assert.match(rm.stdout, /Nothing to change\./);
  const off = await cli(['allow', 'remove', '203.0.113.0/24', '--yes']);
  assert.equal(off.code, 0, off.stderr);
  assert.doesNotMatch(readFileSync(join(R, 'etc/ssh/sshd_config'), 'latin1'), /DenyUsers|sshield allow/);
});

test('no TTY and no --yes: nothing is written, exit 3', { skip, timeout: 60_000 }, async () => {
  const before = readFileSync(join(R, 'etc/ssh/sshd_config'), 'latin1');
  const r = await cli(['allow', 'add', '10.0.0.0/8']);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /no terminal to ask on/);
  assert.equal(readFileSync(join(R, 'etc/ssh/sshd_config'), 'latin1'), before);
});
