// The chroot fixer never loosens or re-owns a system directory: `user sftp NAME --chroot
// /tmp/x/NAME --fix-permissions` planned `chmod 1755 /tmp` (and said the proof held). /, /tmp,
// /var/tmp, /home, /srv, /var, /usr, /etc and any sticky directory are refused with advice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkChroot } from '../../../src/users/chroot.js';
import type { FileStat } from '../../../src/host/fs.js';

const dir = (mode: number, uid = 0): FileStat => ({ kind: 'directory', size: 0, mode, uid, gid: 0, mtimeMs: 0 });

test('a chroot below /tmp: no fix touches /tmp, the check is fatal with advice', async () => {
  const st: Record<string, FileStat> = { '/': dir(0o755), '/tmp': dir(0o1777), '/tmp/x': dir(0o755), '/tmp/x/alice': dir(0o755) };
  const c = await checkChroot('/tmp/x/alice', async (p) => st[p]);
  assert.equal(c.ok, false);
  assert.deepEqual(c.fixes.filter((f) => f.path === '/tmp'), []);
  assert.equal(c.fatal.length, 1);
  assert.match(c.fatal[0]!, /^\/tmp is a system directory: sshield never changes its owner or mode/);
  assert.match(c.fatal[0]!, /choose a chroot path whose parents are root-owned/);
});

test('sticky or system directories anywhere on the path are never fixed; ordinary ones are', async () => {
  for (const sys of ['/', '/var/tmp', '/home', '/srv', '/var', '/usr', '/etc']) {
    const st: Record<string, FileStat> = {};
    const parts = `${sys === '/' ? '' : sys}/jail/bob`.split('/').filter(Boolean);
    st['/'] = dir(sys === '/' ? 0o775 : 0o755);
    let p = '';
    for (const part of parts) {
      p += `/${part}`;
      st[p] = dir(p === sys ? 0o775 : 0o755);
    }
    const c = await checkChroot(`${sys === '/' ? '' : sys}/jail/bob`, async (q) => st[q]);
    assert.deepEqual(c.fixes.filter((f) => f.path === sys), [], sys);
    assert.ok(c.fatal.some((f) => f.startsWith(`${sys} is a system directory`)), sys);
  }
  const shared: Record<string, FileStat> = { '/': dir(0o755), '/data': dir(0o1777), '/data/bob': dir(0o755) };
  const s = await checkChroot('/data/bob', async (q) => shared[q]);
  assert.ok(s.fatal.some((f) => f.startsWith('/data has the sticky bit')));
  assert.deepEqual(s.fixes, []);
  const plain: Record<string, FileStat> = { '/': dir(0o755), '/data': dir(0o775, 1000), '/data/bob': dir(0o755) };
  const ok = await checkChroot('/data/bob', async (q) => plain[q]);
  assert.deepEqual(ok.fatal, []);
  assert.deepEqual(ok.fixes.map((f) => f.describe), ['chown root:root /data', 'chmod 0755 /data']);
});
