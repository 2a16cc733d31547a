// A round with more requests than one command line can carry: sshd runs the command as ONE argument
// of the login shell (`$SHELL -c LINE`) and Linux refuses an argument over 128 KiB, so such a round
// (thousands of accounts whose keys the config puts under /srv, thousands of backups) is cut into
// batches. Proven with the local sh standing in for the host's login shell: the one long command
// is refused (E2BIG), the batches each fit, keep every request in order, and judgeRemote over a
// pool that runs them answers every read in one round.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatherBatches, gatherCommand, MAX_GATHER_COMMAND, type GatherRequest } from '../../../src/fleet/gather-script.js';
import { judgeRemote } from '../../../src/fleet/remote-host.js';
import type { SshPool, SshResult } from '../../../src/fleet/ssh.js';

const dir = mkdtempSync(join(tmpdir(), 'sshield-gather-batches-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const keys = join(dir, 'srv', 'keys-of-every-account-on-this-rather-large-host');
mkdirSync(keys, { recursive: true });
const N = 3000;
const files = Array.from({ length: N }, (_, i) => join(keys, `account-${String(i).padStart(5, '0')}`));
files.forEach((f, i) => writeFileSync(f, `key ${i}\n`));
const requests: GatherRequest[] = files.map((arg) => ({ op: 'read', arg }));

test('one command line with every request is over what exec takes; the batches each fit and keep every request in order', () => {
  const whole = gatherCommand(requests, 1 << 20);
  assert.ok(whole.length > 128 * 1024, String(whole.length));
  const r = spawnSync('sh', ['-c', whole]);
  assert.equal((r.error as NodeJS.ErrnoException | undefined)?.code, 'E2BIG');
  const batches = gatherBatches(requests, 1 << 20);
  assert.ok(batches.length >= 2, String(batches.length));
  for (const b of batches) assert.ok(gatherCommand(b, 1 << 20).length <= MAX_GATHER_COMMAND);
  assert.deepEqual(batches.flat(), requests);
  assert.deepEqual(gatherBatches([], 1 << 20), [[]], 'a round without requests is still one call');
});

test('judgeRemote sends a long round as several calls and answers every read in that one round', async () => {
  let calls = 0;
  const pool = {
    exec: async (_t: unknown, command: string, o: { maxStdout: number }): Promise<SshResult> => {
      calls++;
      const r = spawnSync('sh', ['-c', command], { maxBuffer: o.maxStdout });
      return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr.toString(), ...(r.error ? { error: r.error.message } : {}) };
    },
  } as unknown as SshPool;
  const target = { name: 'big', address: 'big', groups: ['all'], source: 'test' };
  const out = await judgeRemote(pool, target, async (exec) => {
    const texts = await Promise.all(files.map(async (f) => {
      const r = await exec.fs.readFile(f);
      return r.ok ? Buffer.from(r.bytes).toString() : `missing ${f}`;
    }));
    return texts;
  }, { prefetch: requests });
  assert.ok(out.ok, out.ok ? '' : out.error);
  assert.equal(out.stats.rounds, 1);
  assert.ok(calls >= 2, String(calls));
  assert.deepEqual(out.value, files.map((_, i) => `key ${i}\n`));
});
