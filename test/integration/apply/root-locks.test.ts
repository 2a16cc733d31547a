// Two real `sshield harden --root` runs on different roots at once, with the same backup directory
// and the same lock directory (issue #12: one lock per root): the first is paused in its validate
// step (SSHIELD_TEST_PAUSE_AT + SSHIELD_TEST_RESUME_FILE, src/cli/test-hooks.ts) holding its
// locks; the second, on another root, neither waits for it nor recovers (undoes) its unfinished
// run, and applies; the first then resumes and applies too. A third run on the first root while
// it is paused waits for that root's lock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sshdAvailable, run } from '../../helpers/sshd.js';
import { etcSshSnapshot as tree } from '../../helpers/tree.js';

const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];
const EXAMPLE = 'examples/debian12-cloud';

test('harden --root on two roots at once: neither blocks nor recovers the other; the same root waits', { skip: !sshdAvailable() && 'needs root and sshd', timeout: 300_000 }, async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'sshield-rootlocks-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const [a, b, bk, locks] = ['a', 'b', 'bk', 'locks'].map((n) => join(base, n)) as [string, string, string, string];
  cpSync(EXAMPLE, a, { recursive: true });
  cpSync(EXAMPLE, b, { recursive: true });
  const old = tree(a);
  const resume = join(base, 'resume');
  const env = { ...process.env, SSHIELD_LOCK_DIR: locks };
  const args = (root: string) => [...CLI, 'harden', '--root', root, '--profile', 'baseline', '--yes', '--backup-dir', bk];

  const first = spawn(process.execPath, args(a), { env: { ...env, SSHIELD_TEST_PAUSE_AT: 'validate', SSHIELD_TEST_RESUME_FILE: resume }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err1 = '';
  let out1 = '';
  first.stdout.setEncoding('utf8').on('data', (d: string) => (out1 += d));
  const exited = new Promise<number | null>((res) => first.on('exit', (code) => res(code)));
  await new Promise<void>((res, rej) => {
    const limit = setTimeout(() => rej(new Error(`the first run never paused: ${err1}`)), 120_000);
    first.stderr.setEncoding('utf8').on('data', (d: string) => {
      err1 += d;
      if (err1.includes('sshield: paused at validate#1')) (clearTimeout(limit), res());
    });
  });
  try {
    // The first run holds its root's locks and has an unfinished backup (phase backed-up).
    const held = readdirSync(locks);
    assert.equal(held.length, 1, held.join(' '));
    assert.match(held[0]!, /^root-[0-9a-f]{16}\.lock$/);

    const second = await run(process.execPath, args(b), { env, timeoutMs: 120_000 });
    assert.equal(second.code, 0, `the run on another root applies while the first is paused: ${second.stdout}${second.stderr}`);
    assert.doesNotMatch(second.stderr, /recover|another sshield run/i, second.stderr);
    assert.notDeepEqual(tree(b), old, 'the second root was hardened');
    const phases = readdirSync(bk).filter((n) => /^\d{8}T/.test(n)).map((id) => (JSON.parse(readFileSync(join(bk, id, 'journal.json'), 'utf8')) as { phase: string }).phase).sort();
    assert.deepEqual(phases, ['backed-up', 'committed'], 'the paused run\'s backup was not touched by the other root\'s run');

    // The same root: it waits for the paused run's lock.
    const same = spawn(process.execPath, args(a), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let sameDone = false;
    const sameExit = new Promise<number | null>((res) => same.on('exit', (code) => ((sameDone = true), res(code))));
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(sameDone, false, 'a run on the same root waits for its lock');
    writeFileSync(resume, '');
    assert.equal(await exited, 0, `the first run resumes and applies: ${out1}${err1}`);
    assert.equal(await sameExit, 0, 'the waiting run then finds nothing to change');
    assert.deepEqual(tree(a), tree(b), 'both roots hardened the same way');
    assert.deepEqual(readdirSync(locks), [], 'every lock released');
  } finally {
    writeFileSync(resume, '');
    first.kill('SIGKILL');
  }
});
