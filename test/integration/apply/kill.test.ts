// test-group: machine-admins (adds sudo members to this machine's /etc; runs alone: scripts/run-tests.mjs)
// The real CLI killed with SIGKILL mid-run: `sshield harden --root <copy of examples/debian12-cloud>`
// is paused at a named pipeline step (SSHIELD_TEST_PAUSE_AT, a test-only hook in src/cli/test-hooks.ts)
// or at a random moment and killed. Every config file is then byte-for-byte the old or the new
// version (never partial; a candidate beside it is allowed), and the next plain run recovers: it
// undoes the interrupted run from its journal, takes over the dead run's lock, and ends with
// exactly the new files, no candidates left, every earlier journal terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sshdAvailable, run } from '../../helpers/sshd.js';
import { etcSshSnapshot } from '../../helpers/tree.js';

const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];
const EXAMPLE = 'examples/debian12-cloud';
const CANDIDATE = '.sshield-new';

const tree = etcSshSnapshot;

function fresh(t: { after(fn: () => void): void }): { dir: string; bk: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sshield-kill-'));
  const bk = mkdtempSync(join(tmpdir(), 'sshield-kill-bk-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  t.after(() => rmSync(bk, { recursive: true, force: true }));
  cpSync(EXAMPLE, dir, { recursive: true });
  return { dir, bk };
}

const args = (dir: string, bk: string) => [...CLI, 'harden', '--root', dir, '--profile', 'baseline', '--yes', '--backup-dir', bk];

/** Starts the CLI; kills it with SIGKILL when it reports the pause (or after `delayMs`). */
function runAndKill(dir: string, bk: string, how: { pauseAt: string } | { delayMs: number }): Promise<{ paused: boolean; exited: boolean; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, ...('pauseAt' in how ? { SSHIELD_TEST_PAUSE_AT: how.pauseAt } : {}) };
    const child = spawn(process.execPath, args(dir, bk), { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let paused = false;
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if ('pauseAt' in how && !paused && stderr.includes(`sshield: paused at ${how.pauseAt.includes('#') ? how.pauseAt : `${how.pauseAt}#1`}`)) {
        paused = true;
        child.kill('SIGKILL');
      }
    });
    let timer: NodeJS.Timeout | undefined;
    if ('delayMs' in how) timer = setTimeout(() => child.kill('SIGKILL'), how.delayMs);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ paused, exited: signal !== 'SIGKILL' && code !== null, stderr });
    });
  });
}

function assertOldOrNew(now: Map<string, string>, old: Map<string, string>, neu: Map<string, string>, where: string): void {
  for (const [p, bytes] of now) {
    if (p.endsWith(CANDIDATE)) continue; // a candidate beside the original is not a live file
    const ok = bytes === old.get(p) || bytes === neu.get(p);
    assert.ok(ok, `${where}: ${p} is neither the old nor the new version (${bytes.length} bytes)`);
  }
  for (const p of old.keys()) if (!neu.has(p)) assert.ok(true);
  for (const p of new Set([...old.keys(), ...neu.keys()])) {
    if (old.has(p) && neu.has(p)) assert.ok(now.has(p), `${where}: ${p} vanished`);
  }
}

async function recoverAndCheck(dir: string, bk: string, neu: Map<string, string>, where: string): Promise<void> {
  const r = await run(process.execPath, args(dir, bk));
  assert.equal(r.code, 0, `${where}: ${r.stdout}${r.stderr}`);
  assert.deepEqual(tree(dir), neu, `${where}: the next run ends with exactly the new files`);
  for (const id of readdirSync(bk).filter((n) => /^\d{8}T/.test(n))) {
    const j = JSON.parse(readFileSync(join(bk, id, 'journal.json'), 'utf8')) as { phase: string };
    assert.ok(['committed', 'rolled-back'].includes(j.phase), `${where}: journal ${id} left at ${j.phase}`);
  }
  const again = await run(process.execPath, args(dir, bk));
  assert.match(again.stdout, /Nothing to change/, `${where}: idempotent after recovery`);
}

test('SIGKILL of the real CLI at each pipeline step: old or new files, the next run recovers', { skip: !sshdAvailable() && 'needs root and sshd', timeout: 600_000 }, async (t) => {
  const ref = fresh(t);
  const old = tree(ref.dir);
  const done = await run(process.execPath, args(ref.dir, ref.bk));
  assert.equal(done.code, 0, done.stdout + done.stderr);
  const neu = tree(ref.dir);
  const installs = [...neu.keys()].filter((p) => old.get(p) !== neu.get(p)).length;
  assert.ok(installs >= 2, 'the change touches several files (main, drop-in, cloud-init)');

  const points = ['recheck', 'backup', 'validate', 'candidates', ...Array.from({ length: installs }, (_, i) => `install#${i + 1}`), 'reload', 'commit'];
  for (const at of points) {
    const { dir, bk } = fresh(t);
    const k = await runAndKill(dir, bk, { pauseAt: at });
    assert.ok(k.paused, `${at}: the run reached the pause (${k.stderr})`);
    const now = tree(dir);
    assertOldOrNew(now, old, neu, at);
    if (at.startsWith('install#')) {
      const n = Number(at.split('#')[1]);
      const changed = [...now].filter(([p, b]) => !p.endsWith(CANDIDATE) && b !== old.get(p)).length;
      assert.equal(changed, n - 1, `${at}: exactly the files renamed before the kill are new`);
    }
    await recoverAndCheck(dir, bk, neu, at);
  }
});

test('SIGKILL of the real CLI at random moments: old or new files, the next run recovers', { skip: !sshdAvailable() && 'needs root and sshd', timeout: 600_000 }, async (t) => {
  const ref = fresh(t);
  const old = tree(ref.dir);
  assert.equal((await run(process.execPath, args(ref.dir, ref.bk))).code, 0);
  const neu = tree(ref.dir);
  const seed = Number(process.env.SSHIELD_KILL_SEED ?? Date.now() % 100_000);
  let x = seed;
  const rnd = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 6; i++) {
    const delay = Math.floor(300 + rnd() * 1500);
    const { dir, bk } = fresh(t);
    const k = await runAndKill(dir, bk, { delayMs: delay });
    const where = `seed ${seed}, kill after ${delay} ms${k.exited ? ' (finished first)' : ''}`;
    assertOldOrNew(tree(dir), old, neu, where);
    await recoverAndCheck(dir, bk, neu, where);
  }
});

test('SIGKILL of the real CLI around the reload of a live loopback daemon: it keeps serving, the next run recovers', { skip: !sshdAvailable() && 'needs root and sshd', timeout: 480_000 }, async (t) => {
  const { startSshd, createTestUser, clientKey, installAuthorizedKeys } = await import('../../helpers/sshd.js');
  const { probeDaemon } = await import('../../../src/apply/local-host.js');
  const admin = await createTestUser();
  t.after(() => admin.remove());
  assert.equal((await run('usermod', ['-aG', 'sudo', admin.name])).code, 0);
  const cdir = mkdtempSync(join(tmpdir(), 'sshield-client-'));
  t.after(() => rmSync(cdir, { recursive: true, force: true }));
  await installAuthorizedKeys(admin, readFileSync(`${await clientKey(cdir)}.pub`, 'utf8'));
  const env = { ...process.env, SUDO_USER: admin.name, SSH_CONNECTION: undefined };
  for (const at of ['reload', 'verify', 'commit']) {
    const d = await startSshd({ config: 'PasswordAuthentication yes\nKbdInteractiveAuthentication no\nUsePAM yes\nX11Forwarding yes' });
    const bk = mkdtempSync(join(tmpdir(), 'sshield-kill-bk-'));
    try {
      const old = readFileSync(d.configPath, 'latin1');
      const a = [...CLI, 'harden', '-f', d.configPath, '--profile', 'baseline', '--yes', '--backup-dir', bk];
      const k = await new Promise<boolean>((resolve) => {
        const child = spawn(process.execPath, a, { env: { ...env, SSHIELD_TEST_PAUSE_AT: at }, stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        let paused = false;
        child.stderr.setEncoding('utf8').on('data', (s: string) => {
          err += s;
          if (!paused && err.includes(`sshield: paused at ${at}#1`)) {
            paused = true;
            child.kill('SIGKILL');
          }
        });
        child.on('exit', () => resolve(paused));
      });
      assert.ok(k, `${at}: paused`);
      const now = readFileSync(d.configPath, 'latin1');
      assert.ok(now === old || now.startsWith('# sshield harden:'), `${at}: the config is the old or the new version`);
      const p = await probeDaemon('127.0.0.1', d.port, 'sshield-probe', 5000);
      assert.ok(p.ok, `${at}: the daemon keeps serving: ${JSON.stringify(p)} ${d.log()}`);
      const r = await run(process.execPath, a, { env });
      assert.equal(r.code, 0, `${at}: ${r.stdout}${r.stderr}${d.log()}`);
      assert.match(r.stdout, /Applied \(backup|Nothing to change/);
      let q = await probeDaemon('127.0.0.1', d.port, 'sshield-probe', 5000);
      for (let i = 0; i < 20 && q.ok && q.methods.includes('password'); i++) {
        await new Promise((res) => setTimeout(res, 100));
        q = await probeDaemon('127.0.0.1', d.port, 'sshield-probe', 5000);
      }
      assert.deepEqual(q.ok && q.methods, ['publickey'], `${at}: after recovery the daemon serves the hardened config`);
      for (const id of readdirSync(bk).filter((n) => /^\d{8}T/.test(n))) {
        const j = JSON.parse(readFileSync(join(bk, id, 'journal.json'), 'utf8')) as { phase: string };
        assert.ok(['committed', 'rolled-back'].includes(j.phase), `${at}: journal ${id} left at ${j.phase}`);
      }
    } finally {
      await d.stop();
      rmSync(bk, { recursive: true, force: true });
    }
  }
});
