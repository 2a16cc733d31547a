// A second run of every changing command changes nothing, also next to the other sshield-managed
// blocks in the same file: on an offline root (the real CLI, real useradd --prefix), allow add,
// user sftp (twice: two chroot accounts around a nologin block), user nologin, user add --nologin,
// keys restrict and harden run once each, then every one of them again: each says there is
// nothing to change and the whole root (every file's bytes, every owner and mode) is identical.
// It used to fail: a re-run of `user sftp A` swallowed the blank line before a following
// `user nologin B` block.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, copyFileSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { run, sshdAvailable } from '../../helpers/sshd.js';

const skip = !sshdAvailable() && 'needs root and /usr/sbin/sshd';
const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];

/** Every entry under dir except the backups: type, owner, mode and (files) sha256. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      const rel = relative(dir, p);
      if (rel === 'bk') continue;
      const st = lstatSync(p);
      const what = st.isDirectory() ? 'dir' : st.isFile() ? createHash('sha256').update(readFileSync(p)).digest('hex') : 'other';
      out.push(`${rel} ${st.uid}:${st.gid} ${(st.mode & 0o7777).toString(8)} ${what}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

test('a second run of every changing command changes nothing, next to the other managed blocks', { skip, timeout: 300_000 }, async (t) => {
  const R = mkdtempSync(join(tmpdir(), 'sshield-idem-'));
  t.after(() => rmSync(R, { recursive: true, force: true }));
  chmodSync(R, 0o755);
  for (const d of ['etc/ssh/sshd_config.d', 'usr/sbin', 'home/bob/.ssh', 'root/.ssh', 'srv']) mkdirSync(join(R, d), { recursive: true, mode: 0o755 });
  writeFileSync(join(R, 'etc/ssh/sshd_config'), 'Include /etc/ssh/sshd_config.d/*.conf\n\nPermitRootLogin prohibit-password\nUsePAM yes\nX11Forwarding yes\nSubsystem sftp /usr/lib/openssh/sftp-server\n');
  writeFileSync(join(R, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\nbob:x:1001:1001::/home/bob:/bin/bash\nzed:x:1002:1002::/home/zed:/bin/bash\n');
  writeFileSync(join(R, 'etc/group'), 'root:x:0:\nbob:x:1001:\nzed:x:1002:\nusers:x:100:\n');
  writeFileSync(join(R, 'etc/shadow'), 'root:*:19000:0:99999:7:::\nbob:!:19000:0:99999:7:::\nzed:!:19000:0:99999:7:::\n', { mode: 0o640 });
  writeFileSync(join(R, 'etc/gshadow'), 'root:*::\nbob:!::\nzed:!::\nusers:*::\n', { mode: 0o640 });
  copyFileSync('/usr/sbin/nologin', join(R, 'usr/sbin/nologin'));
  const key = join(R, 'k');
  assert.equal((await run('ssh-keygen', ['-q', '-N', '', '-t', 'ed25519', '-f', key])).code, 0);
  const pub = readFileSync(`${key}.pub`, 'utf8');
  rmSync(key);
  rmSync(`${key}.pub`);
  writeFileSync(join(R, 'root/.ssh/authorized_keys'), pub, { mode: 0o600 });
  writeFileSync(join(R, 'home/bob/.ssh/authorized_keys'), pub, { mode: 0o600 });
  for (const p of ['home/bob', 'home/bob/.ssh', 'home/bob/.ssh/authorized_keys']) chownSync(join(R, p), 1001, 1001);

  const commands = [
    ['allow', 'add', '203.0.113.0/24'],
    ['user', 'sftp', 'sshield-t-ia', '--chroot', '/srv/sftp/ia', '--create'],
    ['user', 'nologin', 'zed'],
    ['user', 'sftp', 'sshield-t-ib', '--chroot', '/srv/sftp/ib', '--create'],
    ['user', 'add', 'sshield-t-ic', '--nologin'],
    ['keys', 'restrict', '--user', 'bob', '--all', '--options', 'no-pty'],
    // No admin with a key can become root once root login is off: this root is about idempotence, not that guard.
    ['harden', '--profile', 'baseline', '--allow-no-key-admin', '--allow-admin-lockout'],
  ];
  const cli = (args: string[]) => run(process.execPath, [...CLI, ...args, '--root', R, '--yes', '--backup-dir', join(R, 'bk')], { env: { HOME: '/root', USER: 'root' }, timeoutMs: 120_000 });
  for (const c of commands) {
    const r = await cli(c);
    assert.equal(r.code, 0, `${c.join(' ')}: ${r.stdout}${r.stderr}`);
  }
  const cfg = readFileSync(join(R, 'etc/ssh/sshd_config'), 'latin1');
  assert.match(cfg, /PermitTTY no\n\n# sshield user zed:.*\nMatch User zed\n[^]*PermitTTY no\n\n# sshield user sshield-t-ib:/, 'one blank line between the blocks');
  assert.match(cfg, /\nDenyUsers \*@!203\.0\.113\.0\/24,\*\n/);
  const done = snapshot(R);
  // The add of a new account is not repeatable (it exists now); a second `user add` is refused
  // with "already exists" and changes nothing, every other command finds nothing to do.
  for (const c of [...commands, commands[1]!]) {
    const r = await cli(c);
    if (c[1] === 'add' && c[0] === 'user') {
      assert.equal(r.code, 3, r.stdout + r.stderr);
      assert.match(r.stderr, /already exists/);
    } else {
      assert.equal(r.code, 0, `${c.join(' ')} again: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout + r.stderr, /nothing to change|Nothing to change/i, `${c.join(' ')} again`);
    }
    assert.deepEqual(snapshot(R), done, `${c.join(' ')} again changed the root`);
  }
  // And no account or directory of the throwaways leaked onto this machine.
  assert.doesNotMatch(readFileSync('/etc/passwd', 'utf8'), /^sshield-t-i[abc]:/m);
});
