// Verified writes: write(2) may write fewer bytes than asked (a nearly full file system, a
// signal) or fail with ENOSPC/EDQUOT/EIO at any offset, and a file system may even claim a write
// it lost. Through the WriteSeam, every writer path is driven through short counts and errors at
// many offsets: the atomic replace, and the whole apply pipeline on a real directory (backup
// copies, journal, manifest, candidates). The live file is always either the complete intended
// content or byte-identical to the original, and nothing partial is left beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atomicReplace, SYSTEM_WRITES, type WriteSeam } from '../../../src/apply/atomic-write.js';
import { localApplyHost } from '../../../src/apply/local-host.js';
import { localFs } from '../../../src/host/local-fs.js';
import { applyPlan } from '../../../src/apply/pipeline.js';
import { CANDIDATE_SUFFIX } from '../../../src/apply/backup.js';
import { testPlan, change } from './fixtures.js';

/** A seam that writes at most `chunk` bytes per call and, from byte `failAt` of the run on, fails. */
function faultySeam(o: { chunk: number; failAt?: number; code?: string; persistent?: boolean; lie?: boolean }): WriteSeam & { written: number } {
  const s = {
    written: 0,
    failed: false,
    async write(fh: Parameters<WriteSeam['write']>[0], buf: Uint8Array, offset: number, length: number, position: number): Promise<number> {
      let n = Math.min(length, o.chunk);
      if (o.failAt !== undefined && (s.failed ? o.persistent !== false : s.written + n > o.failAt)) {
        const room = o.failAt - s.written;
        if (!s.failed && room > 0) {
          // The bytes that still fit are written (a short count), the next call fails.
          n = Math.min(n, room);
        } else {
          s.failed = true;
          if (o.lie) return length; // claims success, writes nothing: only the read-back can tell
          throw Object.assign(new Error(`${o.code ?? 'ENOSPC'}: injected at byte ${s.written}`), { code: o.code ?? 'ENOSPC' });
        }
      }
      const r = await SYSTEM_WRITES.write(fh, buf, offset, n, position);
      s.written += r;
      return r;
    },
    sync: SYSTEM_WRITES.sync,
  };
  return s;
}

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'sshield-vw-'));
}

const BIG = Buffer.from(Array.from({ length: 3000 }, (_, i) => `DenyUsers u${i}\n`).join('')); // ~45 KB
const OLD = Buffer.from('Port 22\nMatch User x\n  ChrootDirectory /srv/x\n');

test('short counts of every size: the whole file is written', async () => {
  for (const chunk of [1, 7, 4095, 4096, 65536]) {
    const dir = scratch();
    try {
      const p = join(dir, 'sshd_config');
      writeFileSync(p, OLD);
      const r = await atomicReplace(p, BIG, { seam: faultySeam({ chunk }) });
      assert.equal(r.ok, true, `chunk ${chunk}`);
      assert.ok(readFileSync(p).equals(BIG), `chunk ${chunk}: complete content`);
      assert.deepEqual(readdirSync(dir), ['sshd_config']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('ENOSPC, EDQUOT or EIO at many offsets: the original stays byte-identical, the reason is given, no temp file', async () => {
  for (const code of ['ENOSPC', 'EDQUOT', 'EIO']) {
    for (let failAt = 0; failAt < BIG.length; failAt += 1531) {
      const dir = scratch();
      try {
        const p = join(dir, 'sshd_config');
        writeFileSync(p, OLD);
        chmodSync(p, 0o600);
        const r = await atomicReplace(p, BIG, { seam: faultySeam({ chunk: 4096, failAt, code }) });
        assert.equal(r.ok, false, `${code} at ${failAt}`);
        if (!r.ok) assert.match(r.message, new RegExp(code), `${code} at ${failAt}: reason named`);
        assert.ok(readFileSync(p).equals(OLD), `${code} at ${failAt}: original byte-identical`);
        assert.equal(statSync(p).mode & 0o7777, 0o600);
        assert.deepEqual(readdirSync(dir), ['sshd_config'], `${code} at ${failAt}: no temp file left`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
});

test('a write that claims success but stores nothing is caught by the read-back before the rename', async () => {
  for (const failAt of [0, 100, 4096, 30_000]) {
    const dir = scratch();
    try {
      const p = join(dir, 'sshd_config');
      writeFileSync(p, OLD);
      const r = await atomicReplace(p, BIG, { seam: faultySeam({ chunk: 4096, failAt, lie: true }) });
      assert.equal(r.ok, false, `lie at ${failAt}`);
      if (!r.ok) assert.match(r.message, /read back|holds \d+ bytes/);
      assert.ok(readFileSync(p).equals(OLD));
      assert.deepEqual(readdirSync(dir), ['sshd_config']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

/** The whole pipeline on a real directory: backup copies, manifest, journal and candidates all go through the seam. */
async function pipelineRun(seam: WriteSeam) {
  const dir = scratch();
  const home = join(dir, 'home', 'al', '.ssh');
  mkdirSync(home, { recursive: true });
  const ak = join(home, 'authorized_keys');
  writeFileSync(ak, OLD);
  chmodSync(ak, 0o600);
  chownSync(ak, 1000, 1001);
  const host = localApplyHost(localFs(), { live: false, writeSeam: seam });
  const plan = testPlan({
    kind: 'keys',
    files: [{ ...change(ak, OLD.toString('latin1'), BIG.toString('latin1'), 0o600), path: ak, hostPath: ak }],
    tree: [],
    predicted: [],
    remediated: [],
    reload: { kind: 'none', why: 'test' },
    verify: undefined,
  });
  let outcome: string;
  try {
    const o = await applyPlan(host, plan, { backupRoot: join(dir, 'backups') });
    outcome = o.status === 'failed' ? `failed:${o.step}:${o.rolledBack}:${o.reason}` : o.status;
  } catch (e) {
    outcome = `threw:${(e as Error).message}`;
  }
  const after = readFileSync(ak);
  const st = statSync(ak);
  const litter = readdirSync(home).filter((n) => n !== 'authorized_keys');
  rmSync(dir, { recursive: true, force: true });
  return { outcome, after, st, litter };
}

test('the pipeline under a full disk at many offsets: complete new file or the original, never partial, no candidate left', async () => {
  const clean = faultySeam({ chunk: 1 << 20 });
  const ok = await pipelineRun(clean);
  assert.equal(ok.outcome, 'applied');
  assert.ok(ok.after.equals(BIG));
  const total = clean.written;
  let failures = 0;
  for (let failAt = 0; failAt < total; failAt += Math.ceil(total / 60)) {
    for (const persistent of [true, false]) {
      const r = await pipelineRun(faultySeam({ chunk: 3000, failAt, persistent }));
      const label = `failAt ${failAt} of ${total}, ${persistent ? 'persistent' : 'one-shot'}: ${r.outcome}`;
      assert.ok(r.after.equals(OLD) || r.after.equals(BIG), `${label}: never a partial file`);
      if (r.outcome !== 'applied') {
        failures++;
        assert.match(r.outcome, /ENOSPC/, `${label}: the reason is given`);
        if (r.after.equals(BIG)) assert.match(r.outcome, /^failed:[a-z-]+:false:/, `${label}: a new file left in place is reported as not rolled back`);
      } else assert.ok(r.after.equals(BIG), label);
      assert.equal(r.st.mode & 0o7777, 0o600, label);
      assert.equal(r.st.uid, 1000, label);
      assert.deepEqual(r.litter, [], `${label}: no candidate or temp file left (${r.litter.join(', ')})`);
    }
  }
  assert.ok(failures > 60, `faults were hit (${failures})`);
  void CANDIDATE_SUFFIX;
});
