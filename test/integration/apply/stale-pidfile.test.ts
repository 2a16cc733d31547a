// Reload signals only this config's sshd. A stale PidFile naming an unrelated process (here a
// `sleep`): harden -f sends it no signal, exits non-zero, the config is rolled back byte for byte
// and the daemon keeps serving its old configuration. (The bug: the sleep got SIGHUP and died,
// and the message blamed the daemon's banner.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, sshdAvailable, sshdT, startSshd } from '../../helpers/sshd.js';

const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];

test('a stale PidFile naming a sleep: the sleep survives, exit non-zero, config rolled back', { skip: !sshdAvailable() && 'needs root and sshd', timeout: 120_000 }, async (t) => {
  const sshd = await startSshd({ config: 'PasswordAuthentication yes\nX11Forwarding yes\nPermitRootLogin yes\n' });
  t.after(() => sshd.stop());
  const sleeper = spawn('sleep', ['300'], { stdio: 'ignore' });
  t.after(() => void sleeper.kill('SIGKILL'));
  const pidFile = join(sshd.dir, 'sshd.pid');
  writeFileSync(pidFile, `${sleeper.pid}\n`);
  const bk = mkdtempSync(join(tmpdir(), 'sshield-bk-'));
  t.after(() => rmSync(bk, { recursive: true, force: true }));
  const before = readFileSync(sshd.configPath);
  const T0 = (await sshdT(sshd.configPath)).stdout;

  const r = await run(process.execPath, [...CLI, 'harden', '-f', sshd.configPath, '--yes', '--backup-dir', bk, '--allow-no-key-admin', '--allow-admin-lockout'], { timeoutMs: 90_000, env: { ...process.env, NO_COLOR: '1', SSH_CONNECTION: undefined, SUDO_USER: undefined } });
  assert.notEqual(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /not the sshd of .*sshd_config \(pid \d+ is \/usr\/bin\/sleep, not sshd\); no signal was sent/);
  assert.doesNotMatch(r.stdout + r.stderr, /still announces/);
  assert.equal(sleeper.exitCode, null, 'the sleep is alive');
  assert.equal(sleeper.signalCode, null, 'the sleep got no signal');
  process.kill(sleeper.pid!, 0);
  assert.ok(readFileSync(sshd.configPath).equals(before), 'config rolled back byte for byte');
  assert.deepEqual(readdirSync(sshd.dir).filter((n) => n.includes('sshield')), [], 'no candidate left');
  assert.equal((await sshdT(sshd.configPath)).stdout, T0);
  // the real daemon was never touched and still serves
  assert.equal(sshd.child.exitCode, null);
});
