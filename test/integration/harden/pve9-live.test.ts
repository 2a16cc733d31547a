// test-group: machine-admins (adds sudo members to this machine's /etc; runs alone: scripts/run-tests.mjs)
// The live proof: a loopback daemon running the PVE 9 example's sshd_config (its Include
// pointed at the daemon's own drop-in directory) is hardened in place with the baseline profile by
// the admin (a sudo member with a key, running through sudo). Afterwards: password and
// keyboard-interactive logins fail (real ssh2 client), root is refused (sshd -T -C), the admin's key
// login works, agent, TCP and X11 forwarding are refused to a real OpenSSH client, and a second
// run changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { sshdAvailable, startSshd, createTestUser, clientKey, installAuthorizedKeys, sshClient, run, sshdT, type SshdInstance } from '../../helpers/sshd.js';

const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];

function login(d: SshdInstance, user: string, password: string, method: 'password' | 'keyboard-interactive'): Promise<boolean> {
  return new Promise((resolve) => {
    const c = new ssh2.Client();
    c.on('ready', () => (c.end(), resolve(true)));
    c.on('error', () => resolve(false));
    c.on('keyboard-interactive', (_n, _i, _l, prompts, finish) => finish(prompts.map(() => password)));
    c.connect({ host: d.address, port: d.port, username: user, readyTimeout: 8000, ...(method === 'password' ? { password } : { tryKeyboard: true, authHandler: ['keyboard-interactive'] }) });
  });
}

test('PVE 9 example config hardened live: passwords and root refused, admin key works, forwarding refused, idempotent', { skip: !sshdAvailable() && 'needs root and sshd', timeout: 180_000 }, async (t) => {
  const admin = await createTestUser({ password: 'Pve9-admin-pw' });
  t.after(() => admin.remove());
  assert.equal((await run('usermod', ['-aG', 'sudo', admin.name])).code, 0);
  const cdir = mkdtempSync(join(tmpdir(), 'sshield-client-'));
  t.after(() => rmSync(cdir, { recursive: true, force: true }));
  const key = await clientKey(cdir);
  await installAuthorizedKeys(admin, readFileSync(`${key}.pub`, 'utf8'));

  const example = readFileSync('examples/pve9-default/etc/ssh/sshd_config', 'latin1');
  const raw = example.replace('Include /etc/ssh/sshd_config.d/*.conf', 'Include {{DIR}}/sshd_config.d/*.conf') + 'Port {{PORT}}\nListenAddress 127.0.0.1\nHostKey {{HOSTKEY}}\nPidFile {{DIR}}/sshd.pid\n';
  assert.notEqual(raw, example);
  const d = await startSshd({ rawConfig: raw });
  t.after(() => d.stop());
  mkdirSync(join(d.dir, 'sshd_config.d'));
  const bk = mkdtempSync(join(tmpdir(), 'sshield-bk-'));
  t.after(() => rmSync(bk, { recursive: true, force: true }));
  const env = { ...process.env, SUDO_USER: admin.name, SSH_CONNECTION: undefined };

  assert.equal(await login(d, admin.name, 'Pve9-admin-pw', 'password'), true, `password login works before: ${d.log()}`);
  // Agent and X11 forwarding, requested by a real client (-A with a running agent, -X): granted
  // before hardening, refused after (no SSH_AUTH_SOCK, no DISPLAY in the session).
  const agent = await run('ssh-agent', ['-a', join(cdir, 'agent.sock')]);
  const agentPid = /SSH_AGENT_PID=(\d+)/.exec(agent.stdout)?.[1];
  t.after(() => void (agentPid && process.kill(Number(agentPid))));
  const fwdEnv = { ...process.env, SSH_AUTH_SOCK: join(cdir, 'agent.sock'), DISPLAY: 'localhost:0' };
  const fwd = () => run('ssh', ['-F', '/dev/null', '-p', String(d.port), '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'IdentitiesOnly=yes', '-i', key, '-A', '-X', `${admin.name}@127.0.0.1`, 'echo "agent=${SSH_AUTH_SOCK:-none} display=${DISPLAY:-none}"'], { env: fwdEnv });
  const pre = await fwd();
  assert.equal(pre.code, 0, pre.stderr + d.log());
  assert.match(pre.stdout, /agent=\/\S+ display=localhost:\d+/, `forwarding works before hardening: ${pre.stdout}${pre.stderr}`);
  const r = await run(process.execPath, [...CLI, 'harden', '-f', d.configPath, '--profile', 'baseline', '--yes', '--backup-dir', bk], { env });
  assert.equal(r.code, 0, r.stdout + r.stderr + d.log());
  assert.match(r.stdout, /Applied \(backup/);

  assert.equal(await login(d, admin.name, 'Pve9-admin-pw', 'password'), false, 'password refused');
  assert.equal(await login(d, admin.name, 'Pve9-admin-pw', 'keyboard-interactive'), false, 'keyboard-interactive refused');
  const T = await sshdT(d.configPath, `user=root,host=203.0.113.7,addr=203.0.113.7,laddr=127.0.0.1,lport=${d.port}`);
  assert.match(T.stdout, /^permitrootlogin no$/m);
  const ok = await sshClient(d, admin.name, { key, command: 'id -un' });
  assert.equal(ok.code, 0, ok.stderr + d.log());
  assert.equal(ok.stdout.trim(), admin.name);

  // TCP forwarding: a stdio forward (-W) is refused by the server ("administratively prohibited").
  const tcp = await sshClient(d, admin.name, { key, args: ['-W', `127.0.0.1:${d.port}`] });
  assert.notEqual(tcp.code, 0);
  assert.match(tcp.stderr, /administratively prohibited|open failed|stdio forwarding failed/);
  const ag = await fwd();
  assert.equal(ag.code, 0, ag.stderr);
  assert.match(ag.stdout, /agent=none display=none/, 'no agent socket and no X11 display in the session');

  const again = await run(process.execPath, [...CLI, 'harden', '-f', d.configPath, '--profile', 'baseline', '--yes', '--backup-dir', bk], { env });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Nothing to change/);
});
