// A throwaway user plants a link before the admin runs `user sftp NAME --fix-permissions`:
// ~NAME's chroot/upload -> a root-owned directory made by the test (standing for /etc). The fixer's
// chown/chmod go through descriptors and never follow the user's link: the directory it points at
// keeps its owner and mode, and the run fails or fixes only the intended paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, lchownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestUser, run, sshdAvailable, startSshd } from '../../helpers/sshd.js';

const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];
const snap = (p: string) => {
  const st = statSync(p);
  return `${st.uid}:${st.gid}:${(st.mode & 0o7777).toString(8)}`;
};

test('user sftp --fix-permissions with upload -> a root-owned directory planted by the user: the target is untouched', { skip: !sshdAvailable() && 'needs root and sshd', timeout: 180_000 }, async (t) => {
  const sshd = await startSshd({ config: 'UsePAM yes\nSubsystem sftp internal-sftp\n' });
  t.after(() => sshd.stop());
  const u = await createTestUser();
  t.after(() => u.remove());
  const base = mkdtempSync(join(tmpdir(), 'sshield-planted-links-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  chmodSync(base, 0o755);
  const victim = join(base, 'etc-like');
  mkdirSync(victim, { mode: 0o755 });
  writeFileSync(join(victim, 'passwd'), 'root:x:0:0::/root:/bin/bash\n', { mode: 0o644 });
  const chroot = join(base, u.name);
  mkdirSync(chroot, { mode: 0o755 });
  chownSync(chroot, u.uid, u.uid);
  symlinkSync(victim, join(chroot, 'upload'));
  lchownSync(join(chroot, 'upload'), u.uid, u.uid);
  const before = { dir: snap(victim), file: snap(join(victim, 'passwd')), bytes: readFileSync(join(victim, 'passwd')) };

  const r = await run(process.execPath, [...CLI, 'user', 'sftp', u.name, '--chroot', chroot, '--fix-permissions', '-f', sshd.configPath, '--yes', '--backup-dir', join(base, 'bk')], { timeoutMs: 120_000, env: { HOME: '/root', USER: 'root' } });
  assert.equal(snap(victim), before.dir, `the linked directory keeps owner and mode (exit ${r.code}: ${r.stdout}${r.stderr})`);
  assert.equal(snap(join(victim, 'passwd')), before.file);
  assert.ok(readFileSync(join(victim, 'passwd')).equals(before.bytes));
  assert.notEqual(r.code, 0, `a planted link is not silently accepted: ${r.stdout}${r.stderr}`);
});
