// `sshield user sftp NAME --create` killed with SIGKILL after the account was made (real
// useradd) and before the config is installed, and at later points: the next run's recovery
// preamble rolls the account back too (userdel, the home it made removed), with the chroot
// directories and the config, and the killed backup's journal says each step was undone. A
// clean run afterwards makes everything again. The pause is the test-only SSHIELD_TEST_PAUSE_AT
// hook (src/cli/test-hooks.ts): the CLI stops itself at the named pipeline step, the test sends
// SIGKILL. Throwaway accounts (sshield-t-*) and directories are removed whatever the outcome.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { run, sshdAvailable, startSshd, type SshdInstance } from '../../helpers/sshd.js';

const skip = !sshdAvailable() && 'needs root and /usr/sbin/sshd';
const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];

let sshd: SshdInstance;
let work: string;
let srv: string;
const names: string[] = [];

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'sshield-user-kill-'));
  srv = `/srv/sshield-test-${randomBytes(4).toString('hex')}`;
  mkdirSync(srv, { mode: 0o755 });
  sshd = await startSshd({ config: 'PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM yes\nSubsystem sftp /usr/lib/openssh/sftp-server\n' });
});

after(async () => {
  if (skip) return;
  await sshd?.stop();
  for (const n of names) {
    await run('userdel', ['-r', '-f', n]);
    // restore removes an account with userdel keeping its home: remove the throwaway's here.
    if (n.startsWith('sshield-t-')) rmSync(`/home/${n}`, { recursive: true, force: true });
  }
  rmSync(work, { recursive: true, force: true });
  if (srv) rmSync(srv, { recursive: true, force: true });
});

const hasAccount = (name: string) => readFileSync('/etc/passwd', 'utf8').split('\n').some((l) => l.startsWith(`${name}:`));

function sftpArgs(name: string, bk: string): string[] {
  return [...CLI, 'user', 'sftp', name, '--chroot', `${srv}/${name}`, '--create', '-f', sshd.configPath, '--yes', '--backup-dir', bk];
}

/** Runs the CLI paused at `pauseAt`; SIGKILLs it there. Resolves with what the test saw at that moment. */
function runAndKill(args: string[], pauseAt: string): Promise<{ paused: boolean; stderr: string; accountAtKill: boolean; name: string }> {
  const name = args[args.indexOf('sftp') + 1]!;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, HOME: '/root', USER: 'root', SSHIELD_TEST_PAUSE_AT: pauseAt }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let paused = false;
    let accountAtKill = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (!paused && stderr.includes(`sshield: paused at ${pauseAt.includes('#') ? pauseAt : `${pauseAt}#1`}`)) {
        paused = true;
        accountAtKill = hasAccount(name);
        child.kill('SIGKILL');
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      resolve({ paused, stderr, accountAtKill, name });
    });
  });
}

for (const pauseAt of ['host-step#1', 'candidates', 'reload']) {
  test(`user sftp --create killed at ${pauseAt}: the next run rolls the account, the chroot and the config back`, { skip, timeout: 240_000 }, async () => {
    const name = `sshield-t-${randomBytes(3).toString('hex')}`;
    names.push(name);
    const bk = join(work, `bk-${name}`);
    const config = readFileSync(sshd.configPath, 'latin1');
    assert.ok(!hasAccount(name));

    const k = await runAndKill(sftpArgs(name, bk), pauseAt);
    assert.ok(k.paused, `never paused at ${pauseAt}: ${k.stderr}`);
    assert.ok(k.accountAtKill, 'the account existed when the run was killed (useradd ran)');
    assert.ok(existsSync(`/home/${name}`), 'useradd -m made the home');
    if (pauseAt === 'reload') assert.match(readFileSync(sshd.configPath, 'latin1'), new RegExp(`Match User ${name}`), 'killed after the install: the new config is in place');
    else assert.equal(readFileSync(sshd.configPath, 'latin1'), config, 'killed before the install: config untouched');

    // The next run of a changing command recovers first: everything the killed run did is undone.
    const next = await run(process.execPath, sftpArgs(name, bk).filter((a) => a !== '--create'), { env: { HOME: '/root', USER: 'root' }, timeoutMs: 120_000 });
    const backups = JSON.parse((await run(process.execPath, [...CLI, 'backups', '--backup-dir', bk, '--json'], { env: { HOME: '/root' } })).stdout) as { backups: { state: string; steps: { kind: string; phase: string }[] }[] };
    const killed = backups.backups[0]!;
    assert.equal(killed.state, 'rolled-back', JSON.stringify(killed));
    assert.equal(killed.steps[0]?.kind, 'create-account');
    assert.ok(killed.steps.every((s) => s.phase === 'undone' || s.phase === 'pending'), JSON.stringify(killed.steps));
    assert.ok(!hasAccount(name), `account still there after recovery: ${next.stdout}${next.stderr}`);
    assert.ok(!existsSync(`/home/${name}`), 'the home useradd made is gone');
    assert.ok(!existsSync(`${srv}/${name}`), 'the chroot directory it made is gone');
    assert.equal(readFileSync(sshd.configPath, 'latin1'), config, 'config back to before');
    // Without --create the next run refuses (no such user) after recovering: nothing new was made.
    assert.equal(next.code, 3, next.stdout + next.stderr);
    assert.match(next.stderr, /no such user/);

    // And a clean run then makes everything again.
    const ok = await run(process.execPath, sftpArgs(name, bk), { env: { HOME: '/root', USER: 'root' }, timeoutMs: 120_000 });
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.ok(hasAccount(name));
    assert.match(readFileSync(sshd.configPath, 'latin1'), new RegExp(`Match User ${name}\n`));
    // Leave the daemon's config as it was for the next case.
    const undo = await run(process.execPath, [...CLI, 'restore', '--backup-dir', bk, '--yes', '--sshd', '/usr/sbin/sshd'], { env: { HOME: '/root', USER: 'root' }, timeoutMs: 120_000 });
    assert.equal(undo.code, 0, undo.stdout + undo.stderr);
    assert.equal(readFileSync(sshd.configPath, 'latin1'), config, 'restore put the config back');
    assert.ok(!hasAccount(name), 'restore removed the account too');
    assert.ok(!existsSync(`${srv}/${name}`), 'and the empty chroot directories');
  });
}
