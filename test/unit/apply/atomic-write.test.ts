import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atomicReplace, backupCopy, sha256Hex } from '../../../src/apply/atomic-write.js';

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'sshield-aw-'));
}

test('replaces content and keeps mode, owner and group', async () => {
  const dir = scratch();
  try {
    const p = join(dir, 'f');
    writeFileSync(p, 'old\n');
    chmodSync(p, 0o640);
    const root = process.getuid?.() === 0;
    if (root) chownSync(p, 1234, 4321);
    const r = await atomicReplace(p, Buffer.from('new\n'));
    assert.equal(r.ok, true);
    assert.equal(readFileSync(p, 'utf8'), 'new\n');
    const st = statSync(p);
    assert.equal(st.mode & 0o7777, 0o640);
    if (root) {
      assert.equal(st.uid, 1234);
      assert.equal(st.gid, 4321);
    }
    assert.deepEqual(readdirSync(dir), ['f'], 'no temp file left');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('refuses when the file changed since planned, and leaves it untouched', async () => {
  const dir = scratch();
  try {
    const p = join(dir, 'f');
    writeFileSync(p, 'old\n');
    const planned = sha256Hex(Buffer.from('other\n'));
    const r = await atomicReplace(p, Buffer.from('new\n'), { expectSha256: planned });
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.reason, 'changed');
    assert.equal(readFileSync(p, 'utf8'), 'old\n');
    const ok = await atomicReplace(p, Buffer.from('new\n'), { expectSha256: sha256Hex(Buffer.from('old\n')) });
    assert.equal(ok.ok, true);
    assert.equal(ok.ok && ok.sha256Before, sha256Hex(Buffer.from('old\n')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failing validation hook sees the temp file, refuses, and removes it', async () => {
  const dir = scratch();
  try {
    const p = join(dir, 'f');
    writeFileSync(p, 'old\n');
    chmodSync(p, 0o600);
    let seen = '';
    const r = await atomicReplace(p, Buffer.from('bad\n'), {
      validate: async (tmp) => {
        seen = readFileSync(tmp, 'utf8');
        assert.equal(statSync(tmp).mode & 0o7777, 0o600);
        return 'sshd -t said no';
      },
    });
    assert.equal(seen, 'bad\n');
    assert.deepEqual(r, { ok: false, path: p, reason: 'validation', message: 'sshd -t said no' });
    assert.equal(readFileSync(p, 'utf8'), 'old\n');
    assert.deepEqual(readdirSync(dir), ['f']);
    const thrown = await atomicReplace(p, Buffer.from('bad\n'), { validate: async () => { throw new Error('boom'); } });
    assert.equal(!thrown.ok && thrown.reason, 'validation');
    assert.deepEqual(readdirSync(dir), ['f']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an I/O failure (directory not writable) reports, never throws, changes nothing', async () => {
  const dir = scratch();
  try {
    const r = await atomicReplace(join(dir, 'missing-dir', 'f'), Buffer.from('x'));
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.reason, 'io');
    const d = join(dir, 'd');
    const r2 = await atomicReplace(dir, Buffer.from('x'));
    assert.equal(!r2.ok && r2.reason, 'io', `${d} is a directory`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('creates a missing file with the requested mode', async () => {
  const dir = scratch();
  try {
    const p = join(dir, 'new');
    const r = await atomicReplace(p, Buffer.from('x'), { newFile: { mode: 0o644 } });
    assert.equal(r.ok && r.sha256Before, null);
    assert.equal(statSync(p).mode & 0o7777, 0o644);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('backupCopy keeps bytes, mode and owner and reports the sha256', async () => {
  const dir = scratch();
  try {
    const p = join(dir, 'authorized_keys');
    const bytes = Buffer.from([0, 1, 2, 255, 10]);
    writeFileSync(p, bytes);
    chmodSync(p, 0o604);
    const b = await backupCopy(p, dir, new Date('2026-01-02T03:04:05.678Z'));
    assert.equal(b.ok, true);
    if (!b.ok) return;
    assert.match(b.path, /authorized_keys\.sshield-backup-20260102T030405Z-[0-9a-f]{6}$/);
    assert.deepEqual(readFileSync(b.path), bytes);
    assert.equal(b.sha256, sha256Hex(bytes));
    assert.equal(statSync(b.path).mode & 0o7777, 0o604);
    const missing = await backupCopy(join(dir, 'nope'));
    assert.equal(missing.ok, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
