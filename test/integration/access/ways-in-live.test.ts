// Differential test of the credential model against the real sshd (issue 13 item 1): for each
// case a real daemon on loopback with its own config, a throwaway account (sshield-t-*, removed
// in finally), and a real login with ssh (keys) or sshpass (passwords). The model's verdict for
// the same connection (same user, 127.0.0.1, the daemon's port) must agree: 'works' exactly
// when the login succeeds, and the verdict kind asserted per case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientKey, createTestUser, installAuthorizedKeys, run, sshClient, sshdAvailable, startSshd } from '../../helpers/sshd.js';
import { localExecutor } from '../../../src/host/executor.js';
import { localFs } from '../../../src/host/local-fs.js';
import { loadHost } from '../../../src/host/loaded-host.js';
import { gatherAccessFacts, waysIn, type AccessVerdict } from '../../../src/access/index.js';
import type { ConnectionSpec } from '../../../src/sshd/evaluate/types.js';

const skip = !sshdAvailable() && 'needs root and /usr/sbin/sshd';
const PASSWORD = 'Sshield-t-pw-9';

interface Ctx {
  readonly dir: string;
  readonly pub: string;
  readonly user: string;
}

interface Case {
  readonly name: string;
  readonly keyType?: 'ed25519' | 'rsa';
  /** sshd_config lines after the harness's Port/ListenAddress/HostKey/PidFile; {{DIR}} is the case's temp dir, {{USER}} the account. */
  readonly config: string;
  /** authorized_keys text; {{PUB}} is the client's public key. */
  readonly keys?: string;
  readonly setup?: (c: Ctx) => Promise<void>;
  /** How the client tries: its key, the password (sshpass), or both in one chain. */
  readonly login: 'key' | 'password' | 'key+password' | 'sftp';
  readonly want: AccessVerdict['kind'];
  /** The account's shell (default /bin/bash). */
  readonly shell?: string;
  /** What the real login does when the model cannot decide ('unknown'): sshd's answer, which the model must not claim. */
  readonly liveOk?: boolean;
  /** For 'works': the session the model must predict. */
  readonly session?: 'shell' | 'sftp' | 'none';
}

const PAM = 'UsePAM yes\nKbdInteractiveAuthentication no\n';
const cases: Case[] = [
  { name: 'a plain key (control)', config: `${PAM}PasswordAuthentication no\n`, keys: '{{PUB}}\n', login: 'key', want: 'works' },
  { name: 'expiry-time in the past', config: `${PAM}PasswordAuthentication no\n`, keys: 'expiry-time="20200101" {{PUB}}\n', login: 'key', want: 'refused' },
  { name: 'from= not admitting 127.0.0.1', config: `${PAM}PasswordAuthentication no\n`, keys: 'from="10.0.0.0/8" {{PUB}}\n', login: 'key', want: 'refused' },
  { name: 'from= admitting 127.0.0.1', config: `${PAM}PasswordAuthentication no\n`, keys: 'from="10.0.0.0/8,127.0.0.1" {{PUB}}\n', login: 'key', want: 'works' },
  { name: 'RequiredRSASize 4096 and an RSA-3072 key', keyType: 'rsa', config: `${PAM}PasswordAuthentication no\nRequiredRSASize 4096\n`, keys: '{{PUB}}\n', login: 'key', want: 'refused' },
  { name: 'RevokedKeys plain list naming the key', config: `${PAM}PasswordAuthentication no\nRevokedKeys {{DIR}}/revoked\n`, keys: '{{PUB}}\n',
    setup: async (c) => writeFileSync(join(c.dir, 'revoked'), `# revoked\n${c.pub}`), login: 'key', want: 'refused' },
  { name: 'RevokedKeys KRL revoking the key (read by ssh-keygen -Q)', config: `${PAM}PasswordAuthentication no\nRevokedKeys {{DIR}}/krl\n`, keys: '{{PUB}}\n',
    setup: async (c) => {
      writeFileSync(join(c.dir, 'k.pub'), c.pub);
      const r = await run('ssh-keygen', ['-k', '-f', join(c.dir, 'krl'), '-z', '1', join(c.dir, 'k.pub')]);
      assert.equal(r.code, 0, r.stderr);
    }, login: 'key', want: 'refused' },
  { name: 'RevokedKeys KRL revoking another key', config: `${PAM}PasswordAuthentication no\nRevokedKeys {{DIR}}/krl\n`, keys: '{{PUB}}\n',
    setup: async (c) => {
      const other = await clientKey(c.dir, 'ed25519', 'other');
      const r = await run('ssh-keygen', ['-k', '-f', join(c.dir, 'krl'), '-z', '1', `${other}.pub`]);
      assert.equal(r.code, 0, r.stderr);
    }, login: 'key', want: 'works' },
  { name: 'AuthenticationMethods publickey,password: key then password', config: `${PAM}PasswordAuthentication yes\nAuthenticationMethods publickey,password\n`, keys: '{{PUB}}\n', login: 'key+password', want: 'works' },
  // Inside Match: sshd -t accepts it (the global list is checked at start-up, a Match list only per connection).
  { name: 'Match User / AuthenticationMethods publickey,keyboard-interactive with keyboard-interactive off', config: `${PAM}Match User {{USER}}\n  AuthenticationMethods publickey,keyboard-interactive\n`, keys: '{{PUB}}\n', login: 'key', want: 'refused' },
  { name: 'DenyGroups naming the account\'s group', config: `${PAM}PasswordAuthentication no\nDenyGroups {{USER}}\n`, keys: '{{PUB}}\n', login: 'key', want: 'refused' },
  { name: 'password login (PAM, pam_unix)', config: `${PAM}PasswordAuthentication yes\n`, login: 'password', want: 'works' },
  { name: 'UsePAM no and a locked password: the key is refused', config: 'UsePAM no\nPasswordAuthentication no\n', keys: '{{PUB}}\n',
    setup: async (c) => assert.equal((await run('usermod', ['-L', c.user])).code, 0), login: 'key', want: 'refused' },
  { name: 'UsePAM yes and a locked password: the key works', config: `${PAM}PasswordAuthentication no\n`, keys: '{{PUB}}\n',
    setup: async (c) => assert.equal((await run('usermod', ['-L', c.user])).code, 0), login: 'key', want: 'works' },
  { name: 'a non-default AuthorizedKeysFile in the home', config: `${PAM}PasswordAuthentication no\nAuthorizedKeysFile .ssh/other_keys\n`,
    setup: async (c) => {
      const f = join('/home', c.user, '.ssh', 'other_keys');
      writeFileSync(f, `${c.pub}\n`, { mode: 0o600 });
      assert.equal((await run('chown', [`${c.user}:`, f])).code, 0);
    }, keys: '# nothing here\n', login: 'key', want: 'works' },
  { name: 'AuthorizedKeysFile under /tmp: StrictModes refuses it', config: `${PAM}PasswordAuthentication no\nAuthorizedKeysFile {{DIR}}/keys/%u\n`,
    setup: async (c) => {
      await run('mkdir', ['-m', '0755', join(c.dir, 'keys')]);
      writeFileSync(join(c.dir, 'keys', c.user), `${c.pub}\n`, { mode: 0o644 });
      await run('chmod', ['0755', c.dir]);
    }, login: 'key', want: 'refused' },
  { name: 'StrictModes: a group-writable authorized_keys', config: `${PAM}PasswordAuthentication no\n`, keys: '{{PUB}}\n',
    setup: async (c) => assert.equal((await run('chmod', ['0666', join('/home', c.user, '.ssh', 'authorized_keys')])).code, 0), login: 'key', want: 'refused' },
  { name: 'StrictModes no: the same file works', config: `${PAM}PasswordAuthentication no\nStrictModes no\n`, keys: '{{PUB}}\n',
    setup: async (c) => assert.equal((await run('chmod', ['0666', join('/home', c.user, '.ssh', 'authorized_keys')])).code, 0), login: 'key', want: 'works' },
  { name: 'Match LocalAddress turning keys off', config: `${PAM}PasswordAuthentication no\nMatch LocalAddress 127.0.0.1\n  PubkeyAuthentication no\n`, keys: '{{PUB}}\n', login: 'key', want: 'refused' },
  { name: 'nologin shell: authenticated, but no shell', shell: '/usr/sbin/nologin', config: `${PAM}PasswordAuthentication no\n`, keys: '{{PUB}}\n', login: 'key', want: 'works', session: 'none' },
  { name: 'nologin shell with ForceCommand internal-sftp: SFTP works', shell: '/usr/sbin/nologin', config: `${PAM}PasswordAuthentication no\nSubsystem sftp /usr/lib/openssh/sftp-server\nMatch User {{USER}}\n  ForceCommand internal-sftp\n`, keys: '{{PUB}}\n', login: 'sftp', want: 'works', session: 'sftp' },
  { name: 'ForceCommand internal-sftp but no Subsystem sftp: the sftp client fails', shell: '/usr/sbin/nologin', config: `${PAM}PasswordAuthentication no\nMatch User {{USER}}\n  ForceCommand internal-sftp\n`, keys: '{{PUB}}\n', login: 'sftp', want: 'works', session: 'none' },
  { name: 'nologin shell with an external sftp-server: no SFTP either', shell: '/usr/sbin/nologin', config: `${PAM}PasswordAuthentication no\nSubsystem sftp /usr/lib/openssh/sftp-server\n`, keys: '{{PUB}}\n', login: 'sftp', want: 'works', session: 'none' },
  { name: 'cert-authority line only: the plain key is refused, the model does not claim a certificate', config: `${PAM}PasswordAuthentication no\n`, keys: 'cert-authority {{PUB}}\n', login: 'key', want: 'unknown', liveOk: false },
  { name: 'AuthorizedKeysCommand that prints the key: sshd accepts, the model cannot prove it', config: `${PAM}PasswordAuthentication no\nAuthorizedKeysFile none\nAuthorizedKeysCommand /bin/cat {{DIR}}/akc.pub\nAuthorizedKeysCommandUser nobody\n`,
    setup: async (c) => {
      writeFileSync(join(c.dir, 'akc.pub'), `${c.pub}\n`, { mode: 0o644 });
      await run('chmod', ['0755', c.dir]);
    }, login: 'key', want: 'unknown', liveOk: true },
  { name: 'an expired account (chage -E), UsePAM yes', config: `${PAM}PasswordAuthentication no\n`, keys: '{{PUB}}\n',
    setup: async (c) => assert.equal((await run('chage', ['-E', '2020-01-01', c.user])).code, 0), login: 'key', want: 'refused' },
];

async function liveLogin(inst: { port: number; address: string }, user: string, key: string, how: Case['login']): Promise<{ ok: boolean; detail: string }> {
  let r;
  if (how === 'key') r = await sshClient(inst, user, { key, command: 'id -un', timeoutMs: 30_000 });
  else if (how === 'sftp') {
    const args = ['-F', '/dev/null', '-P', String(inst.port), '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'IdentitiesOnly=yes', '-i', key, '-b', '-', `${user}@${inst.address}`];
    r = await run('sftp', args, { input: 'pwd\n', timeoutMs: 30_000 });
    return { ok: r.code === 0 && r.stdout.includes('Remote working directory'), detail: `exit ${r.code} ${r.stdout.trim()} ${r.stderr.trim()}` };
  } else {
    const common = ['-F', '/dev/null', '-p', String(inst.port), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=10', '-o', 'IdentitiesOnly=yes', '-o', 'NumberOfPasswordPrompts=1'];
    const methods = how === 'password' ? ['-o', 'PreferredAuthentications=password', '-o', 'PubkeyAuthentication=no'] : ['-o', 'PreferredAuthentications=publickey,password', '-i', key];
    r = await run('sshpass', ['-e', 'ssh', ...common, ...methods, `${user}@${inst.address}`, 'id -un'], { env: { ...process.env, SSHPASS: PASSWORD }, timeoutMs: 30_000 });
  }
  return { ok: r.code === 0 && r.stdout.trim() === user, detail: `exit ${r.code} ${r.stdout.trim()} ${r.stderr.trim()}` };
}

for (const c of cases) {
  test(`model = real sshd: ${c.name}`, { skip, timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sshield-access-'));
    const user = await createTestUser({ password: PASSWORD, ...(c.shell ? { shell: c.shell } : {}) });
    let inst: Awaited<ReturnType<typeof startSshd>> | undefined;
    try {
      const key = await clientKey(dir, c.keyType ?? 'ed25519');
      const pub = readFileSync(`${key}.pub`, 'latin1').trim();
      const ctx = { dir, pub, user: user.name };
      if (c.keys) await installAuthorizedKeys(user, c.keys.replaceAll('{{PUB}}', pub));
      await c.setup?.(ctx);
      inst = await startSshd({ config: c.config.replaceAll('{{DIR}}', dir).replaceAll('{{USER}}', user.name) });
      const live = await liveLogin(inst, user.name, key, c.login);

      const host = await loadHost(localExecutor(localFs()), { mainPath: inst.configPath, facts: 'config' });
      const configFor = (s: ConnectionSpec) => host.evaluate(s);
      const spec: ConnectionSpec = { user: user.name, host: '127.0.0.1', addr: '127.0.0.1', laddr: '127.0.0.1', lport: inst.port };
      const facts = await gatherAccessFacts({ exec: host.exec, accounts: host.accounts!, users: [user.name], configs: [configFor(spec)] });
      const v = waysIn(facts, configFor, spec);

      const msg = `live: ${live.detail}\nmodel: ${JSON.stringify(v.kind === 'works' ? v.ways.map((w) => w.steps.map((s) => s.detail)) : v.reasons)}\n${inst.log().slice(-1500)}`;
      const session = c.session ?? 'shell';
      assert.equal(live.ok, c.liveOk ?? (c.want === 'works' && session !== 'none'), `the real sshd disagrees with the case's expectation\n${msg}`);
      assert.equal(v.kind, c.want, `the model disagrees with the real sshd\n${msg}`);
      if (v.kind === 'works') assert.ok(v.ways.some((w) => w.session === session), `session ${session} expected\n${JSON.stringify(v.ways)}`);
      if (c.login === 'key+password' && v.kind === 'works') assert.ok(v.ways.some((w) => w.chain.join(',') === 'publickey,password'), msg);
    } finally {
      await inst?.stop();
      await user.remove();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
