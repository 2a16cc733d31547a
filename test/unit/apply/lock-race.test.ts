// Two runs must never both hold the lock (lock.ts), whatever the timing on a loaded machine:
// - a lock being created is never seen empty: it used to be open(O_EXCL) and then written, and a
//   second run that read it in between took it for a crashed run's lock, removed it and took its
//   own, while the first went on writing into the removed file and also "held" it (seen as two
//   concurrent `ca sign` runs handed the same serial under load);
// - two runs that find one dead run's lock do not both take it over (the interleaving forced).
// On the real file system (local-host.ts), with the first run's write held at will by a WriteSeam.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localApplyHost } from '../../../src/apply/local-host.js';
import { localFs } from '../../../src/host/local-fs.js';
import { acquireLock, LockHeldError } from '../../../src/apply/lock.js';
import { SYSTEM_WRITES, type WriteSeam } from '../../../src/apply/atomic-write.js';
import type { ApplyHost } from '../../../src/apply/host.js';

/** Another live process's identity for the second run (the test runner's parent is alive). */
const OTHER = process.ppid;

function hosts(seam?: WriteSeam): { a: ApplyHost; b: ApplyHost } {
  const a = localApplyHost(localFs(), seam ? { writeSeam: seam } : {});
  const b = { ...localApplyHost(localFs()), pid: OTHER };
  return { a, b };
}

test('a lock being written is not taken for a crashed run\'s: the second run never holds it at the same time', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sshield-lock-'));
  try {
    const path = join(dir, 'run.lock');
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let writing!: () => void;
    const started = new Promise<void>((r) => (writing = r));
    const seam: WriteSeam = {
      write: async (fh, buf, off, len, pos) => {
        writing();
        await held;
        return SYSTEM_WRITES.write(fh, buf, off, len, pos);
      },
      sync: SYSTEM_WRITES.sync,
    };
    const { a, b } = hosts(seam);
    const first = acquireLock(a, path, 0).then((l) => ({ ok: true as const, l }), (e: unknown) => ({ ok: false as const, e }));
    await started; // the first run is between creating and filling its lock
    assert.deepEqual(readdirSync(dir).filter((n) => n === 'run.lock'), [], 'the name does not exist before its content does');
    const second = await acquireLock(b, path, 0);
    release();
    const r = await first;
    assert.equal(r.ok, false, 'the first run must not hold the lock the second one holds');
    assert.ok(!r.ok && r.e instanceof LockHeldError && r.e.ownerPid === OTHER, String(!r.ok && r.e));
    assert.equal(readFileSync(path, 'utf8'), `${OTHER}\n`);
    await second.release();
    assert.deepEqual(readdirSync(dir), [], 'no temporary file is left');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('two runs finding one dead run\'s lock: the one that judged it stale last does not take away the lock the other took meanwhile', async () => {
  // The interleaving that loses the lock, forced: run A reads the dead owner, then run B takes the
  // stale lock over completely, then A goes on to take away "the stale lock" (by removing or
  // moving it, whichever A does first). A must find B's lock there and wait for B.
  const dir = mkdtempSync(join(tmpdir(), 'sshield-lock-'));
  try {
    const path = join(dir, 'run.lock');
    writeFileSync(path, '999999999\n'); // no such process: stale
    const { a: plainA, b } = hosts();
    let bLock: Awaited<ReturnType<typeof acquireLock>> | undefined;
    const letBIn = async (p: string) => {
      if (p === path && !bLock) bLock = await acquireLock(b, path, 0);
    };
    const a: ApplyHost = {
      ...plainA,
      remove: async (p) => (await letBIn(p), plainA.remove(p)),
      rename: async (from, to) => (await letBIn(from), plainA.rename(from, to)),
    };
    const r = await acquireLock(a, path, 0).then((l) => ({ ok: true as const, l }), (e: unknown) => ({ ok: false as const, e }));
    assert.ok(bLock, 'B took the stale lock over while A was about to');
    assert.equal(r.ok, false, 'A must not hold the lock B holds');
    assert.ok(!r.ok && r.e instanceof LockHeldError && r.e.ownerPid === OTHER, String(!r.ok && r.e));
    assert.equal(readFileSync(path, 'utf8'), `${OTHER}\n`, "B's lock is in place");
    await bLock.release();
    assert.deepEqual(readdirSync(dir), [], 'nothing left beside the lock');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
