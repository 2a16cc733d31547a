// Two runs must never both hold the lock (lock.ts), whatever the timing on a loaded machine:
// - a lock being created is never seen empty: it used to be open(O_EXCL) and then written, and a
//   second run that read it in between took it for a crashed run's lock, removed it and took its
//   own, while the first went on writing into the removed file and also "held" it (seen as two
//   concurrent `ca sign` runs handed the same serial under load);
// - two runs that find one dead run's lock do not both take it over.
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

test('two runs finding one dead run\'s lock: exactly one takes it over, the other waits for it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sshield-lock-'));
  try {
    const path = join(dir, 'run.lock');
    for (let round = 0; round < 20; round++) {
      writeFileSync(path, '999999999\n'); // no such process: stale
      const { a, b } = hosts();
      const rs = await Promise.allSettled([acquireLock(a, path, 0), acquireLock(b, path, 0)]);
      const won = rs.filter((x) => x.status === 'fulfilled');
      assert.equal(won.length, 1, `round ${round}: ${rs.map((x) => (x.status === 'fulfilled' ? 'held' : String(x.reason))).join(' / ')}`);
      const lost = rs.find((x) => x.status === 'rejected');
      assert.ok(lost && lost.reason instanceof LockHeldError, String(lost && lost.reason));
      await won[0]!.value.release();
      assert.deepEqual(readdirSync(dir), [], `round ${round}: nothing left beside the lock`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
