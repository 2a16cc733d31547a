import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { localFs } from '../../../src/host/local-fs.js';
import { memoryFs } from '../../../src/host/memory-fs.js';
import { rootFs } from '../../../src/host/root-fs.js';

describe('memoryFs', () => {
  const fs = memoryFs({
    '/etc/ssh/sshd_config': { content: 'Port 22\n', mode: 0o600, uid: 0, gid: 0 },
    '/etc/ssh/secret': { content: 'x', unreadable: true },
    '/etc/ssh/rel': { kind: 'symlink', target: 'sshd_config' },
    '/etc/ssh/abs': { kind: 'symlink', target: '/etc/ssh/rel' },
    '/loop': { kind: 'symlink', target: '/loop' },
    '/empty': { kind: 'dir', mode: 0o700 },
  });
  it('reads files through relative and absolute symlinks, maps failures to reasons', async () => {
    const r = await fs.readFile('/etc/ssh/abs');
    assert.ok(r.ok && Buffer.from(r.bytes).toString() === 'Port 22\n');
    assert.deepEqual([(await fs.readFile('/nope')).ok, (await fs.readFile('/etc/ssh/secret')).ok], [false, false]);
    const s = await fs.readFile('/etc/ssh/secret');
    assert.equal(!s.ok && s.reason, 'unreadable');
    const d = await fs.readFile('/etc');
    assert.equal(!d.ok && d.reason, 'not-a-file');
    const big = await fs.readFile('/etc/ssh/sshd_config', 3);
    assert.equal(!big.ok && big.reason, 'too-large');
    assert.equal((await fs.readFile('/loop')).ok, false);
  });
  it('stat, lstat, readDir, readLink, realPath', async () => {
    assert.equal((await fs.lstat('/etc/ssh/abs'))?.kind, 'symlink');
    assert.deepEqual(await fs.stat('/etc/ssh/abs'), { kind: 'file', size: 8, mode: 0o600, uid: 0, gid: 0, mtimeMs: 0 });
    assert.deepEqual((await fs.readDir('/etc/ssh'))?.sort(), ['abs', 'rel', 'secret', 'sshd_config']);
    assert.deepEqual(await fs.readDir('/empty'), []);
    assert.equal(await fs.readLink('/etc/ssh/rel'), 'sshd_config');
    assert.equal(await fs.realPath('/etc/ssh/abs'), '/etc/ssh/sshd_config');
    assert.equal(await fs.realPath('/nope'), undefined);
  });
});

describe('localFs and rootFs', () => {
  it('cap, errors, and symlinks confined to the root', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sshield-fs-'));
    try {
      mkdirSync(join(dir, 'etc/ssh'), { recursive: true });
      writeFileSync(join(dir, 'etc/ssh/sshd_config'), 'Port 22\n');
      writeFileSync(join(dir, 'outside-target'), 'nope');
      symlinkSync('/etc/ssh/sshd_config', join(dir, 'etc/ssh/abs'));
      symlinkSync('../../../../../../outside-target', join(dir, 'etc/ssh/up'));
      symlinkSync('/etc/hostname', join(dir, 'etc/ssh/host'));
      const local = localFs();
      const ok = await local.readFile(join(dir, 'etc/ssh/sshd_config'));
      assert.ok(ok.ok);
      const capped = await local.readFile(join(dir, 'etc/ssh/sshd_config'), 4);
      assert.equal(!capped.ok && capped.reason, 'too-large');
      const miss = await local.readFile(join(dir, 'nope'));
      assert.equal(!miss.ok && miss.reason, 'missing');
      const isdir = await local.readFile(dir);
      assert.equal(!isdir.ok && isdir.reason, 'not-a-file');
      const root = rootFs(dir);
      const viaAbs = await root.readFile('/etc/ssh/abs');
      assert.ok(viaAbs.ok && Buffer.from(viaAbs.bytes).toString() === 'Port 22\n');
      const up = await root.readFile('/etc/ssh/up'); // ".." stops at the root: /outside-target inside it
      assert.ok(up.ok && Buffer.from(up.bytes).toString() === 'nope');
      const host = await root.readFile('/etc/ssh/host'); // /etc/hostname of the root, not of this machine
      assert.equal(!host.ok && host.reason, 'missing');
      assert.equal(await root.realPath('/etc/ssh/abs'), '/etc/ssh/sshd_config');
      assert.deepEqual((await root.readDir('/etc/ssh'))?.sort(), ['abs', 'host', 'sshd_config', 'up']);
      assert.equal((await root.lstat('/etc/ssh/abs'))?.kind, 'symlink');
      assert.equal((await root.stat('/etc/ssh/abs'))?.kind, 'file');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
