// A CA key that stays passphrase-protected on disk: `ca sign --agent` signs through ssh-agent
// (ssh-keygen -U), while signing from the encrypted file without a terminal fails with the hint
// and issues no serial. Real ssh-agent (started here on a private socket, killed by its pid).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../helpers/sshd.js';

let dir = '';
let agentPid = 0;

function sshield(env: NodeJS.ProcessEnv, ...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { timeoutMs: 120_000, env: { HOME: '/root', USER: 'root', NO_COLOR: '1', ...env } });
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sshield-ca-agent-'));
});
after(() => {
  if (agentPid) {
    try {
      process.kill(agentPid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

test('ca sign --agent: a passphrase-protected CA key signs through ssh-agent; without --agent it fails and issues no serial', { timeout: 120_000 }, async () => {
  const ca = join(dir, 'ca');
  assert.equal((await sshield({}, 'ca', 'init', '--dir', ca)).code, 0);
  const sock = join(dir, 'agent.sock');
  const a = await run('ssh-agent', ['-a', sock, '-s']);
  assert.equal(a.code, 0, a.stderr);
  agentPid = Number(/SSH_AGENT_PID=(\d+)/.exec(a.stdout)![1]);
  const env = { SSH_AUTH_SOCK: sock };
  assert.equal((await run('ssh-add', ['-q', join(ca, 'user_ca')], { env })).code, 0);
  // Now encrypt the file on disk: only the agent can sign without the passphrase.
  assert.equal((await run('ssh-keygen', ['-q', '-p', '-P', '', '-N', 'correct horse battery', '-f', join(ca, 'user_ca')])).code, 0);
  assert.match(readFileSync(join(ca, 'user_ca'), 'utf8'), /BEGIN OPENSSH PRIVATE KEY/);
  assert.equal((await run('ssh-keygen', ['-y', '-P', '', '-f', join(ca, 'user_ca')])).code !== 0, true, 'the key file is encrypted');
  assert.equal((await run('ssh-keygen', ['-q', '-N', '', '-t', 'ed25519', '-f', join(dir, 'u')])).code, 0);

  const plain = await sshield(env, 'ca', 'sign', '--dir', ca, '--key', join(dir, 'u.pub'), '--principals', 'x', '--validity', '+5m');
  assert.equal(plain.code, 2, plain.stdout);
  assert.match(plain.stderr, /user_ca is passphrase-protected .*ssh-add .*--agent/);
  assert.equal(JSON.parse(readFileSync(join(ca, 'ledger.json'), 'utf8')).nextSerial, 1, 'no serial issued');

  const r = await sshield(env, 'ca', 'sign', '--dir', ca, '--key', join(dir, 'u.pub'), '--principals', 'x', '--validity', '+5m', '--agent', '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { issued: { serial: number } }).issued.serial, 1);
  const shown = (await run('ssh-keygen', ['-L', '-f', join(dir, 'u-cert.pub')])).stdout;
  const caFp = (await run('ssh-keygen', ['-lf', join(ca, 'user_ca.pub')])).stdout.split(' ')[1]!;
  assert.ok(shown.includes(`Signing CA: ED25519 ${caFp}`), shown);

  const noAgent = await sshield({ SSH_AUTH_SOCK: join(dir, 'nothing.sock') }, 'ca', 'sign', '--dir', ca, '--key', join(dir, 'u.pub'), '--principals', 'x', '--validity', '+5m', '--agent');
  assert.equal(noAgent.code, 2);
  assert.match(noAgent.stderr, /is the CA key loaded: ssh-add/);
});
