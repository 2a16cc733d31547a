// SIGTERM / SIGINT of the real CLI mid-apply (issue #12, "nothing left behind ... on SIGINT and
// SIGTERM"): `sshield harden` is paused at a named pipeline step (SSHIELD_TEST_PAUSE_AT, the test
// hook in src/cli/test-hooks.ts, which a stop request also ends) and sent a real signal there.
// The run must finish as a SIGKILLed run is finished by the next run's recovery: undone from the
// journal (or, once verified, committed), its staging tree and candidates removed, both locks
// released (the host-wide one in SSHIELD_LOCK_DIR and the backup directory's), every journal
// terminal, and the exit code of the outcome table (2 failed and rolled back, 0 kept).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sshdAvailable, run } from '../../helpers/sshd.js';
import { etcSshSnapshot as tree } from '../../helpers/tree.js';

const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];
const EXAMPLE = 'examples/debian12-cloud';
const skip = !sshdAvailable() && 'needs root and sshd';

function temp(t: { after(fn: () => void): void }, prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

interface Stopped {
  paused: boolean;
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI paused at `at`, sends `sig` there, and waits for it to finish by itself. */
function runAndSignal(args: string[], env: NodeJS.ProcessEnv, at: string, sig: 'SIGTERM' | 'SIGINT', onPause?: () => void): Promise<Stopped> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env: { ...env, SSHIELD_TEST_PAUSE_AT: at }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let paused = false;
    // A run that never pauses or never finishes fails the test instead of hanging it.
    const limit = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (!paused && stderr.includes(`sshield: paused at ${at.includes('#') ? at : `${at}#1`}`)) {
        paused = true;
        onPause?.();
        child.kill(sig);
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(limit);
      resolve({ paused, code, signal, stdout, stderr });
    });
  });
}

/** Nothing left behind: no lock, no staging tree or throwaway host key, no candidate; every journal terminal. */
function assertClean(root: string, bk: string, locks: string, where: string): string[] {
  assert.deepEqual(readdirSync(locks), [], `${where}: a lock was left in the lock directory`);
  assert.deepEqual(readdirSync(bk).filter((n) => n.startsWith('.lock')), [], `${where}: the backup directory's lock was left`);
  const phases: string[] = [];
  for (const id of readdirSync(bk).filter((n) => /^\d{8}T/.test(n))) {
    assert.ok(!existsSync(join(bk, id, 'stage')), `${where}: staging tree ${id}/stage was left`);
    const j = JSON.parse(readFileSync(join(bk, id, 'journal.json'), 'utf8')) as { phase: string };
    assert.ok(['committed', 'rolled-back'].includes(j.phase), `${where}: journal ${id} left at ${j.phase}`);
    phases.push(j.phase);
  }
  for (const p of tree(root).keys()) assert.ok(!p.endsWith('.sshield-new') && !p.includes('.sshield-tmp'), `${where}: ${p} was left`);
  return phases;
}

test('SIGTERM/SIGINT of the real CLI at each pipeline step: undone (or kept once verified) from the journal, locks released, staging removed', { skip, timeout: 900_000 }, async (t) => {
  const locks = temp(t, 'sshield-sig-locks-');
  const env = { ...process.env, SSHIELD_LOCK_DIR: locks };
  const args = (dir: string, bk: string) => [...CLI, 'harden', '--root', dir, '--profile', 'baseline', '--yes', '--backup-dir', bk];
  const ref = temp(t, 'sshield-sig-');
  cpSync(EXAMPLE, ref, { recursive: true });
  const old = tree(ref);
  const done = await run(process.execPath, args(ref, temp(t, 'sshield-sig-bk-')), { env });
  assert.equal(done.code, 0, done.stdout + done.stderr);
  const neu = tree(ref);
  const installs = [...neu.keys()].filter((p) => old.get(p) !== neu.get(p)).length;
  assert.ok(installs >= 2, 'the change touches several files');

  const points: [string, 'SIGTERM' | 'SIGINT'][] = [
    ['recheck', 'SIGTERM'],
    ['validate', 'SIGTERM'],
    ['validate#2', 'SIGINT'], // the staged tree exists here (sshd -t is next)
    ['candidates', 'SIGINT'],
    ...Array.from({ length: installs }, (_, i) => [`install#${i + 1}`, i % 2 ? 'SIGINT' : 'SIGTERM'] as [string, 'SIGTERM' | 'SIGINT']),
    ['reload', 'SIGTERM'],
    ['commit', 'SIGINT'],
  ];
  for (const [at, sig] of points) {
    const where = `${sig} at ${at}`;
    const dir = temp(t, 'sshield-sig-');
    const bk = temp(t, 'sshield-sig-bk-');
    cpSync(EXAMPLE, dir, { recursive: true });
    let stagedAtPause = false;
    const r = await runAndSignal(args(dir, bk), env, at, sig, () => {
      stagedAtPause = readdirSync(bk).some((id) => existsSync(join(bk, id, 'stage', 'etc/ssh/sshd_config')));
    });
    if (at === 'validate#2') assert.ok(stagedAtPause, `${where}: the staged tree was there when the signal came`);
    assert.ok(r.paused, `${where}: never paused: ${r.stderr}`);
    assert.equal(r.signal, null, `${where}: the process was killed by the signal instead of finishing: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`interrupted by ${sig}|${sig}: stopping`), `${where}: ${r.stderr}`);
    const phases = assertClean(dir, bk, locks, where);
    if (at === 'commit') {
      // Verified before the signal: a later run's recovery would commit it, so this run keeps it.
      assert.equal(r.code, 0, `${where}: ${r.stdout}${r.stderr}`);
      assert.deepEqual(tree(dir), neu, `${where}: the verified change is kept whole`);
      assert.deepEqual(phases, ['committed']);
    } else {
      assert.equal(r.code, 2, `${where}: ${r.stdout}${r.stderr}`);
      assert.deepEqual(tree(dir), old, `${where}: every file is back, byte for byte`);
      assert.ok(phases.every((p) => p === 'rolled-back'), `${where}: ${phases}`);
    }
    // The next run has nothing to recover and applies normally.
    const again = await run(process.execPath, args(dir, bk), { env });
    assert.equal(again.code, 0, `${where}: next run: ${again.stdout}${again.stderr}`);
    assert.doesNotMatch(again.stderr, /recover/i, `${where}: the next run found something to recover`);
    assert.deepEqual(tree(dir), neu, `${where}: the next run applies`);
  }
});

test('SIGTERM of the real CLI at verify of a live loopback daemon: the old config is back and served, the lock is released', { skip, timeout: 300_000 }, async (t) => {
  const { startSshd } = await import('../../helpers/sshd.js');
  const { probeDaemon } = await import('../../../src/apply/local-host.js');
  const locks = temp(t, 'sshield-sig-locks-');
  const bk = temp(t, 'sshield-sig-bk-');
  const d = await startSshd({ config: 'PasswordAuthentication yes\nKbdInteractiveAuthentication no\nUsePAM yes\nX11Forwarding yes' });
  t.after(() => d.stop());
  const old = readFileSync(d.configPath, 'latin1');
  const env = { ...process.env, SSHIELD_LOCK_DIR: locks, SSH_CONNECTION: undefined };
  const a = [...CLI, 'harden', '-f', d.configPath, '--profile', 'baseline', '--yes', '--backup-dir', bk, '--allow-no-key-admin', '--allow-admin-lockout'];
  const r = await runAndSignal(a, env, 'verify', 'SIGTERM');
  assert.ok(r.paused, `never paused at verify: ${r.stdout}${r.stderr}`);
  assert.equal(r.signal, null, r.stderr);
  assert.equal(r.code, 2, `${r.stdout}${r.stderr}${d.log()}`);
  assert.equal(readFileSync(d.configPath, 'latin1'), old, 'the old config is back byte for byte');
  assert.deepEqual(readdirSync(locks), [], 'the host-wide lock was released');
  assert.ok(!existsSync(join(bk, '.lock')));
  const [id] = readdirSync(bk).filter((n) => /^\d{8}T/.test(n));
  assert.equal((JSON.parse(readFileSync(join(bk, id!, 'journal.json'), 'utf8')) as { phase: string }).phase, 'rolled-back');
  // The daemon was reloaded back onto the old config: it offers passwords again.
  let q = await probeDaemon('127.0.0.1', d.port, 'sshield-probe', 5000);
  for (let i = 0; i < 30 && q.ok && !q.methods.includes('password'); i++) {
    await new Promise((res) => setTimeout(res, 100));
    q = await probeDaemon('127.0.0.1', d.port, 'sshield-probe', 5000);
  }
  assert.ok(q.ok && q.methods.includes('password'), `the daemon serves the old config: ${JSON.stringify(q)} ${d.log()}`);
});

test('SIGTERM of `user sftp --create --root` after its account step: the account, the chroot and the config are undone', { skip, timeout: 300_000 }, async (t) => {
  const { chmodSync, copyFileSync, mkdirSync, writeFileSync, statSync } = await import('node:fs');
  const locks = temp(t, 'sshield-sig-locks-');
  const env = { ...process.env, SSHIELD_LOCK_DIR: locks, HOME: '/root', USER: 'root' };
  for (const [at, sig] of [['host-step#1', 'SIGTERM'], ['host-step#3', 'SIGINT'], ['candidates', 'SIGTERM']] as const) {
    const R = temp(t, 'sshield-sig-root-');
    chmodSync(R, 0o755);
    for (const d of ['etc/ssh/sshd_config.d', 'usr/sbin', 'home', 'srv']) mkdirSync(join(R, d), { recursive: true, mode: 0o755 });
    writeFileSync(join(R, 'etc/ssh/sshd_config'), 'Include /etc/ssh/sshd_config.d/*.conf\n\nPermitRootLogin prohibit-password\nUsePAM yes\nSubsystem sftp /usr/lib/openssh/sftp-server\n');
    writeFileSync(join(R, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\nbob:x:1000:1000::/home/bob:/bin/bash\n');
    writeFileSync(join(R, 'etc/group'), 'root:x:0:\nbob:x:1000:\n');
    writeFileSync(join(R, 'etc/shadow'), 'root:*:19000:0:99999:7:::\nbob:!:19000:0:99999:7:::\n', { mode: 0o640 });
    writeFileSync(join(R, 'etc/gshadow'), 'root:*::\nbob:!::\n', { mode: 0o640 });
    copyFileSync('/usr/sbin/nologin', join(R, 'usr/sbin/nologin'));
    const files = ['etc/ssh/sshd_config', 'etc/passwd', 'etc/group', 'etc/shadow', 'etc/gshadow'];
    const before = files.map((f) => readFileSync(join(R, f), 'latin1'));
    const bk = temp(t, 'sshield-sig-bk-');
    const args = [...CLI, 'user', 'sftp', 'sshield-t-sig', '--chroot', '/srv/sftp/sig', '--create', '--root', R, '--yes', '--backup-dir', bk];
    const where = `${sig} at ${at}`;
    const r = await runAndSignal(args, env, at, sig);
    assert.ok(r.paused, `${where}: never paused: ${r.stdout}${r.stderr}`);
    assert.equal(r.signal, null, r.stderr);
    assert.equal(r.code, 2, `${where}: ${r.stdout}${r.stderr}`);
    assert.deepEqual(files.map((f) => readFileSync(join(R, f), 'latin1')), before, `${where}: config and account files byte-identical`);
    assert.ok(!existsSync(join(R, 'srv/sftp')), `${where}: the chroot directories are gone`);
    assert.ok(!existsSync(join(R, 'home/sshield-t-sig')), `${where}: the home useradd made is gone`);
    assert.equal(statSync(join(R, 'srv')).uid, 0);
    const phases = readdirSync(bk).filter((n) => /^\d{8}T/.test(n)).map((id) => JSON.parse(readFileSync(join(bk, id, 'journal.json'), 'utf8')) as { phase: string; steps?: string[] });
    assert.deepEqual(phases.map((j) => j.phase), ['rolled-back'], where);
    assert.ok((phases[0]!.steps ?? []).every((p) => p === 'pending' || p === 'undone'), `${where}: ${phases[0]!.steps}`);
    assert.deepEqual(readdirSync(locks), [], `${where}: locks released`);
  }
});
