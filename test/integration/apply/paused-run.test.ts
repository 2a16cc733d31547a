// Lost updates. A `harden` paused with SIGSTOP in its validate step (holding the host-wide lock)
// while others change the same sshd_config: `allow add` with ANOTHER --backup-dir waits for the
// host lock instead of applying beside it, and an edit by another program during the pause makes
// the resumed harden stop before its rename (sha256 re-checked immediately before it) and undo
// itself. Afterwards the other program's line and the allowlist are both in the file and in
// `sshd -T`: the second change survives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, sshdAvailable, sshdT, startSshd } from '../../helpers/sshd.js';

const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];

function start(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [...CLI, ...args], { env: { ...process.env, NO_COLOR: '1', SSH_CONNECTION: undefined, SUDO_USER: undefined, ...env } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const done = new Promise<{ code: number | null; out: string; err: string }>((r) => child.on('close', (code) => r({ code, out, err })));
  return { child, done, err: () => err };
}

async function until(what: string, cond: () => boolean, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a run paused in validate while others change the file: the second change survives', { skip: !sshdAvailable() && 'needs root and sshd', timeout: 400_000 }, async (t) => {
  const sshd = await startSshd({ config: 'PasswordAuthentication yes\nX11Forwarding yes\nPermitRootLogin yes\nUsePAM yes\n' });
  t.after(() => sshd.stop());
  const base = mkdtempSync(join(tmpdir(), 'sshield-paused-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const env = { SSHIELD_LOCK_DIR: join(base, 'locks') }; // this test's own host lock
  const resume = join(base, 'resume');

  const harden = start(['harden', '-f', sshd.configPath, '--yes', '--backup-dir', join(base, 'bk1'), '--allow-no-key-admin', '--allow-admin-lockout'], { ...env, SSHIELD_TEST_PAUSE_AT: 'validate', SSHIELD_TEST_RESUME_FILE: resume });
  t.after(() => void harden.child.kill('SIGKILL'));
  await until('harden to reach validate', () => /paused at validate/.test(harden.err()));
  process.kill(harden.child.pid!, 'SIGSTOP');
  writeFileSync(resume, '');

  // Another program edits the file during the pause (an admin's editor, config management).
  appendFileSync(sshd.configPath, 'DenyUsers intruder\n');
  // Another sshield command with another backup dir: it must not apply beside the paused run.
  const allow = start(['allow', 'add', '127.0.0.0/8', '-f', sshd.configPath, '--yes', '--backup-dir', join(base, 'bk2')], env);
  await new Promise((r) => setTimeout(r, 4000));
  assert.equal(allow.child.exitCode, null, `allow add waits for the host lock: ${allow.err()}`);
  assert.doesNotMatch(readFileSync(sshd.configPath, 'utf8'), /DenyUsers \*@!/, 'nothing applied beside the paused run');

  process.kill(harden.child.pid!, 'SIGCONT');
  const h = await harden.done;
  assert.notEqual(h.code, 0, `the resumed harden must not install over the newer file: ${h.out}${h.err}`);
  assert.match(h.out + h.err, /changed while this change was being prepared/);
  const a = await allow.done;
  assert.equal(a.code, 0, a.out + a.err);

  const text = readFileSync(sshd.configPath, 'utf8');
  assert.match(text, /^DenyUsers intruder$/m, "the other program's line survives");
  assert.match(text, /^DenyUsers \*@!127\.0\.0\.0\/8,\*$/m, 'the allowlist survives');
  assert.match(text, /^PasswordAuthentication yes$/m, "harden's change was not installed");
  const T = (await sshdT(sshd.configPath)).stdout;
  assert.match(T, /^denyusers intruder$/m);
  assert.match(T, /^denyusers \*@!127\.0\.0\.0\/8,\*$/m);
  void run;
});
