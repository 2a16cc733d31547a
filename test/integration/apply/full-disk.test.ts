// A nearly full file system, for real: a small tmpfs holding the daemon's config (and, for keys,
// an account's ~/.ssh) filled to within a few KB. harden -f, allow add, user nologin, keys
// restrict and restore each either install the complete intended file or leave the original byte-identical
// and exit non-zero with the reason; the live daemon keeps its configuration. (The bug: an 84 KB
// sshd_config was installed as exactly 40,960 bytes, its trailing DenyUsers and Match/Chroot
// block gone, and `keys restrict` cut a 151-key authorized_keys to 84 keys.)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SSHD, clientKey, createTestUser, ensurePrivsepDir, freePort, hostKeys, run, sshdAvailable, sshdT, waitForPort } from '../../helpers/sshd.js';

const skip = !sshdAvailable() && 'needs root and /usr/sbin/sshd';
const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];
const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

function sshield(args: string[]) {
  return run(process.execPath, [...CLI, ...args], { timeoutMs: 90_000, env: { ...process.env, NO_COLOR: '1', SSH_CONNECTION: undefined, SUDO_USER: undefined } });
}

async function mountTmpfs(dir: string, size: string, extra = ''): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const r = await run('mount', ['-t', 'tmpfs', '-o', `size=${size}${extra ? `,${extra}` : ''}`, 'tmpfs', dir]);
  if (r.code !== 0) throw new Error(`mount tmpfs: ${r.stderr}`);
  cleanups.push(async () => {
    await run('umount', ['-l', dir]);
  });
}

/** Fills the file system of `dir` until at most `keep` bytes are free; returns the filler's path. */
function fill(dir: string, keep: number): string {
  const p = join(dir, '.filler');
  const st = statfsSync(dir);
  const free = Number(st.bavail) * Number(st.bsize);
  writeFileSync(p, Buffer.alloc(Math.max(0, free - keep)));
  const left = Number(statfsSync(dir).bavail) * Number(statfsSync(dir).bsize);
  assert.ok(left <= keep, `filled to ${left} bytes free`);
  return p;
}

/** An 84 KB sshd_config like the one in the report: many DenyUsers lines, then a Match block with a chroot. */
function bigConfig(dir: string, port: number, hk: string): string {
  const deny = Array.from({ length: 2600 }, (_, i) => `DenyUsers blocked-user-${String(i).padStart(5, '0')}@192.0.2.${i % 250}`).join('\n');
  return `Port ${port}\nListenAddress 127.0.0.1\nHostKey ${hk}\nPidFile ${dir}/sshd.pid\nPasswordAuthentication yes\nPermitRootLogin yes\nX11Forwarding yes\nUsePAM yes\n${deny}\nDenyUsers last-denied-user\nMatch User sftponly\n  ChrootDirectory /srv/sftponly\n  ForceCommand internal-sftp\n`;
}

function litter(dir: string): string[] {
  return readdirSync(dir).filter((n) => /sshield|\.tmp$/.test(n));
}

test('full tmpfs: harden -f, allow add, user nologin and restore install all or nothing and say why', { skip, timeout: 300_000 }, async () => {
  ensurePrivsepDir();
  const base = mkdtempSync(join(tmpdir(), 'sshield-fulldisk-'));
  cleanups.push(() => rmSync(base, { recursive: true, force: true }));
  const fs = join(base, 'fs');
  await mountTmpfs(fs, '1m', 'mode=0755');
  const [hk] = (await hostKeys(['ed25519'])) as [string];
  const port = await freePort();
  const config = join(fs, 'sshd_config');
  const text = bigConfig(fs, port, hk);
  writeFileSync(config, text, { mode: 0o600 });
  assert.ok(text.length > 80_000, `config is ${text.length} bytes`);
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d) => (log += d));
  cleanups.push(() => void child.kill('SIGKILL'));
  await waitForPort(port, '127.0.0.1', 5000, () => log, child);
  const T0 = (await sshdT(config)).stdout;
  assert.match(T0, /^passwordauthentication yes$/m);
  const bk = join(base, 'backups'); // off the full file system: the config's own disk is the one that is full

  const filler = fill(fs, 8192);
  const original = readFileSync(config);

  const h = await sshield(['harden', '-f', config, '--yes', '--backup-dir', bk, '--allow-no-key-admin', '--allow-admin-lockout']);
  assert.notEqual(h.code, 0, `harden on a full disk must fail: ${h.stdout}${h.stderr}`);
  assert.match(h.stdout + h.stderr, /ENOSPC|no space/i, 'the reason is given');
  assert.ok(readFileSync(config).equals(original), 'harden: sshd_config byte-identical');
  assert.deepEqual(litter(fs), [], 'no candidate or temp file left');
  assert.equal((await sshdT(config)).stdout, T0, 'the daemon keeps its configuration');

  const a = await sshield(['allow', 'add', '127.0.0.0/8', '-f', config, '--yes', '--backup-dir', bk]);
  assert.notEqual(a.code, 0, `allow add on a full disk must fail: ${a.stdout}${a.stderr}`);
  assert.match(a.stdout + a.stderr, /ENOSPC|no space/i);
  assert.ok(readFileSync(config).equals(original), 'allow: sshd_config byte-identical');
  assert.deepEqual(litter(fs), []);

  // user: a throwaway account made SFTP-only (a Match block in the config, then its shell): the
  // config cannot be written, so neither happens.
  const acct = await createTestUser();
  cleanups.push(() => acct.remove());
  const lineOf = () => readFileSync('/etc/passwd', 'latin1').split('\n').find((l) => l.startsWith(`${acct.name}:`));
  const accountBefore = lineOf();
  const u = await sshield(['user', 'nologin', acct.name, '-f', config, '--yes', '--backup-dir', bk]);
  assert.notEqual(u.code, 0, `user nologin on a full disk must fail: ${u.stdout}${u.stderr}`);
  assert.match(u.stdout + u.stderr, /ENOSPC|no space/i, 'the reason is given');
  assert.ok(readFileSync(config).equals(original), 'user: sshd_config byte-identical');
  assert.equal(lineOf(), accountBefore, 'user: the account keeps its shell');
  assert.deepEqual(litter(fs), []);
  assert.equal((await sshdT(config)).stdout, T0, 'the daemon keeps its configuration');

  // With room, harden installs the complete file (its last lines intact) ...
  unlinkSync(filler);
  const ok = await sshield(['harden', '-f', config, '--yes', '--backup-dir', bk, '--allow-no-key-admin', '--allow-admin-lockout']);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr + log);
  const hardened = readFileSync(config);
  assert.match(hardened.toString(), /DenyUsers last-denied-user\nMatch User sftponly\n {2}ChrootDirectory \/srv\/sftponly\n {2}ForceCommand internal-sftp\n$/);
  assert.match((await sshdT(config)).stdout, /^passwordauthentication no$/m);

  // ... and restore on a full disk leaves the hardened file as it is.
  const filler2 = fill(fs, 8192);
  const rs = await sshield(['restore', '--yes', '--backup-dir', bk]);
  assert.notEqual(rs.code, 0, `restore on a full disk must fail: ${rs.stdout}${rs.stderr}`);
  assert.match(rs.stdout + rs.stderr, /ENOSPC|no space/i);
  assert.ok(readFileSync(config).equals(hardened), 'restore: sshd_config byte-identical');
  assert.deepEqual(litter(fs), []);
  assert.match((await sshdT(config)).stdout, /^passwordauthentication no$/m);
  unlinkSync(filler2);
  // (the newest backup is the failed restore's own, holding the hardened file: name harden's)
  const hardenId = readdirSync(bk)
    .filter((n) => /^\d{8}T/.test(n))
    .find((n) => JSON.parse(readFileSync(join(bk, n, 'manifest.json'), 'utf8')).kind === 'harden' && JSON.parse(readFileSync(join(bk, n, 'journal.json'), 'utf8')).phase === 'committed')!;
  const rs2 = await sshield(['restore', hardenId, '--yes', '--backup-dir', bk]);
  assert.equal(rs2.code, 0, rs2.stdout + rs2.stderr);
  assert.ok(readFileSync(config).equals(original), 'restore with room: the original back, complete');
});

test('full ~/.ssh: keys restrict on a 151-key authorized_keys installs all or nothing', { skip, timeout: 180_000 }, async () => {
  const user = await createTestUser();
  cleanups.push(() => user.remove());
  const base = mkdtempSync(join(tmpdir(), 'sshield-fulldisk-keys-'));
  cleanups.push(() => rmSync(base, { recursive: true, force: true }));
  const sshDir = join(user.home, '.ssh');
  await mountTmpfs(sshDir, '256k', `mode=0700,uid=${user.uid},gid=${statSync(user.home).gid}`);
  const keys: string[] = [];
  for (let i = 0; i < 151; i++) keys.push(readFileSync(`${await clientKey(base, 'ed25519', `k${i}`)}.pub`, 'utf8'));
  const ak = join(sshDir, 'authorized_keys');
  writeFileSync(ak, keys.join(''), { mode: 0o600 });
  await run('chown', [`${user.name}:`, ak]);
  const original = readFileSync(ak);
  const stBefore = statSync(ak);
  const bk = join(base, 'backups');

  const filler = fill(sshDir, 4096);
  const r = await sshield(['keys', 'restrict', '--user', user.name, '--all', '--restrict', '--yes', '--backup-dir', bk]);
  assert.notEqual(r.code, 0, `keys restrict on a full disk must fail: ${r.stdout}${r.stderr}`);
  assert.match(r.stdout + r.stderr, /ENOSPC|no space/i);
  assert.ok(readFileSync(ak).equals(original), 'authorized_keys byte-identical: all 151 keys');
  const stAfter = statSync(ak);
  assert.deepEqual([stAfter.uid, stAfter.gid, stAfter.mode & 0o7777, stAfter.ino], [stBefore.uid, stBefore.gid, stBefore.mode & 0o7777, stBefore.ino]);
  assert.deepEqual(litter(sshDir), []);

  unlinkSync(filler);
  const ok = await sshield(['keys', 'restrict', '--user', user.name, '--all', '--restrict', '--yes', '--backup-dir', bk]);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  const lines = readFileSync(ak, 'utf8').split('\n').filter(Boolean);
  assert.equal(lines.length, 151, 'all 151 keys, complete');
  assert.ok(lines.every((l) => l.startsWith('restrict ssh-ed25519 ')));
});
