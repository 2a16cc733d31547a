// A symlinked sshd_config and a symlinked drop-in (issue #12 "links kept as links"): the change
// lands in the link's target and the link stays a link; `restore` brings the old bytes back into
// the targets and the layout (links, targets, owners, modes) is exactly as before. The safe-path
// rules hold: a link not owned by root, or leading to a file not owned by root, refuses the
// change with nothing written; a drop-in link that leaves the root is taken inside the root, and
// the file outside it keeps every byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, lchownSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, sshdAvailable } from '../../helpers/sshd.js';

const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];
const skip = !sshdAvailable() && 'needs root and sshd';

/** Every entry under dir/etc/ssh: a link as "-> target", a file as owner, mode and bytes. */
function layout(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      const st = lstatSync(p);
      const key = p.slice(dir.length);
      if (st.isSymbolicLink()) out[key] = `${st.uid}:${st.gid} -> ${readlinkSync(p)}`;
      else if (st.isDirectory()) (out[key] = `${st.uid}:${st.gid}:${(st.mode & 0o7777).toString(8)}:dir`), walk(p);
      else out[key] = `${st.uid}:${st.gid}:${(st.mode & 0o7777).toString(8)}:${readFileSync(p, 'latin1')}`;
    }
  };
  walk(join(dir, 'etc/ssh'));
  return out;
}

/** examples/debian12-cloud with etc/ssh/sshd_config -> real/sshd_config and the cloud-init drop-in -> /etc/ssh/shared/cloud.conf (absolute, inside the root). */
function linkedImage(base: string, name: string): string {
  const r = join(base, name);
  cpSync('examples/debian12-cloud', r, { recursive: true });
  const ssh = join(r, 'etc/ssh');
  mkdirSync(join(ssh, 'real'));
  mkdirSync(join(ssh, 'shared'));
  renameSync(join(ssh, 'sshd_config'), join(ssh, 'real/sshd_config'));
  symlinkSync('real/sshd_config', join(ssh, 'sshd_config'));
  renameSync(join(ssh, 'sshd_config.d/50-cloud-init.conf'), join(ssh, 'shared/cloud.conf'));
  symlinkSync('/etc/ssh/shared/cloud.conf', join(ssh, 'sshd_config.d/50-cloud-init.conf'));
  return r;
}

const harden = (root: string, bk: string) => run(process.execPath, [...CLI, 'harden', '--root', root, '--profile', 'baseline', '--yes', '--backup-dir', bk, '--allow-no-key-admin']);

test('harden --root on a symlinked sshd_config and drop-in: targets written, links kept; restore brings the layout back', { skip, timeout: 240_000 }, async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'sshield-cfglinks-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const r = linkedImage(base, 'img');
  const bk = join(base, 'bk');
  const before = layout(r);
  const h = await harden(r, bk);
  assert.equal(h.code, 0, h.stdout + h.stderr);
  const after = layout(r);
  assert.equal(after['/etc/ssh/sshd_config'], '0:0 -> real/sshd_config', 'the main config is still the same link');
  assert.equal(after['/etc/ssh/sshd_config.d/50-cloud-init.conf'], '0:0 -> /etc/ssh/shared/cloud.conf', 'the drop-in is still the same link');
  assert.notEqual(after['/etc/ssh/real/sshd_config'], before['/etc/ssh/real/sshd_config'], 'the main config\'s target got the change');
  assert.match(readFileSync(join(r, 'etc/ssh/shared/cloud.conf'), 'latin1'), /^# \[sshield\] PasswordAuthentication yes/m, 'the drop-in\'s target got the change');
  assert.match(readFileSync(join(r, 'etc/ssh/sshd_config.d/00-sshield.conf'), 'latin1'), /PasswordAuthentication no/);
  // The manifest records where the change landed: the canonical targets (inside the root).
  const [id] = readdirSync(bk).filter((n) => /^\d{8}T/.test(n));
  const m = JSON.parse(readFileSync(join(bk, id!, 'manifest.json'), 'utf8')) as { files: { path: string; hostPath: string }[] };
  assert.deepEqual(m.files.map((f) => f.hostPath.slice(r.length)).sort(), ['/etc/ssh/real/sshd_config', '/etc/ssh/shared/cloud.conf', '/etc/ssh/sshd_config.d/00-sshield.conf']);

  const rs = await run(process.execPath, [...CLI, 'restore', id!, '--backup-dir', bk, '--yes']);
  assert.equal(rs.code, 0, rs.stdout + rs.stderr);
  const restored = layout(r);
  delete (restored as Record<string, string>)['/etc/ssh/sshd_config.d'];
  delete (before as Record<string, string>)['/etc/ssh/sshd_config.d'];
  assert.deepEqual(restored, before, 'links, targets, owners, modes and bytes as before');
  const again = await harden(r, join(base, 'bk2'));
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.equal(layout(r)['/etc/ssh/sshd_config'], '0:0 -> real/sshd_config');
});

test('a symlinked config the safe-path rules refuse: nothing is written; a drop-in link out of the root stays inside it', { skip, timeout: 240_000 }, async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'sshield-cfglinks-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  // (a) the link itself belongs to a user.
  const a = linkedImage(base, 'a');
  lchownSync(join(a, 'etc/ssh/sshd_config'), 1000, 1000);
  const la = layout(a);
  const ra = await harden(a, join(base, 'bk'));
  assert.notEqual(ra.code, 0, ra.stdout + ra.stderr);
  assert.match(ra.stderr, /refused: .*sshd_config is a symbolic link owned by uid 1000, not root: not followed; nothing was changed/);
  assert.deepEqual(layout(a), la, 'a user-owned link: nothing written');
  // (b) the link is root's, its target a user's file.
  const b = linkedImage(base, 'b');
  chownSync(join(b, 'etc/ssh/real/sshd_config'), 1000, 1000);
  const lb = layout(b);
  const rb = await harden(b, join(base, 'bk'));
  assert.notEqual(rb.code, 0, rb.stdout + rb.stderr);
  assert.match(rb.stderr, /refused: .*a root-owned link leads to .*real\/sshd_config, owned by uid 1000, not root: not followed/);
  assert.deepEqual(layout(b), lb, 'a link to a user\'s file: nothing written');
  // (c) the drop-in link names a file outside the root (absolute, and climbing): it is read and
  // written inside the root only; the file outside keeps every byte.
  const outside = join(base, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'evil.conf'), 'PasswordAuthentication yes\n');
  for (const [i, target] of [join(outside, 'evil.conf'), `../../../../../../../../..${outside}/evil.conf`].entries()) {
    const c = linkedImage(base, `c${i}`);
    rmSync(join(c, 'etc/ssh/sshd_config.d/50-cloud-init.conf'));
    symlinkSync(target, join(c, 'etc/ssh/sshd_config.d/50-cloud-init.conf'));
    const rc = await harden(c, join(base, 'bk'));
    assert.equal(readFileSync(join(outside, 'evil.conf'), 'latin1'), 'PasswordAuthentication yes\n', `${target}: the file outside the root is untouched (exit ${rc.code}: ${rc.stdout}${rc.stderr})`);
    assert.equal(lstatSync(join(c, 'etc/ssh/sshd_config.d/50-cloud-init.conf')).isSymbolicLink(), true);
  }
});
