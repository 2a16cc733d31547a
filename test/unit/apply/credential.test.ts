// The admin's own login (src/apply/credential.ts) and the confirm window (src/apply/confirm.ts
// confirmWindowOf, src/cli/change.ts proofOf): the request from the session, the ssh arguments,
// the reading of ssh's DEBUG1 output (transcripts of OpenSSH 9.2p1), the judgement before/after,
// and the writer (pipeline.ts) on the fake host: a login that worked before and fails after rolls
// back; one that never worked proves nothing and fails nothing; no identity says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { credentialRequestOf, judgeAfter, keepsAccess, knownHostsText, NO_IDENTITY, readLogin, sshLoginArgs, type AdminIdentity, type LoginResult } from '../../../src/apply/credential.js';
import { confirmWindowOf, DEFAULT_CONFIRM_WINDOW_SEC } from '../../../src/apply/confirm.js';
import { proofOf } from '../../../src/cli/change.js';
import { sessionFromEnv } from '../../../src/host/session.js';
import { applyPlan } from '../../../src/apply/pipeline.js';
import { changeEnvelope } from '../../../src/report/outcome-json.js';
import { outcomeOfApply } from '../../../src/apply/outcome.js';
import { fakeHost, testPlan, OPTS, snapshot, OLD_STATE, NEW_STATE } from './fixtures.js';
import { faultAt } from '../../../src/apply/fake-host.js';

const AGENT: AdminIdentity = { kind: 'agent', user: 'alice', socket: '/tmp/ssh-x/agent.1' };
const KEY: AdminIdentity = { kind: 'key', user: 'alice', keyFile: '/home/alice/.ssh/id_ed25519' };

test('the request: --verify-user, else SUDO_USER, else the session user; --verify-key, else the agent; else why not', () => {
  const viaSudo = sessionFromEnv({ SUDO_USER: 'alice', USER: 'root', SSH_AUTH_SOCK: '/tmp/a.sock' });
  assert.deepEqual(credentialRequestOf({ session: viaSudo }), { identity: { kind: 'agent', user: 'alice', socket: '/tmp/a.sock' } });
  assert.deepEqual(credentialRequestOf({ session: viaSudo, verifyKey: '/k', verifyUser: 'bob' }), { identity: { kind: 'key', user: 'bob', keyFile: '/k' } });
  assert.deepEqual(credentialRequestOf({ session: sessionFromEnv({ USER: 'carol' }) }), { unavailable: NO_IDENTITY });
  // Under sudo the agent is usually gone: the message says how to keep it.
  const sudoNoAgent = credentialRequestOf({ session: sessionFromEnv({ SUDO_USER: 'alice', USER: 'root' }) });
  assert.ok('unavailable' in sudoNoAgent && sudoNoAgent.unavailable.startsWith(NO_IDENTITY) && /--preserve-env=SSH_AUTH_SOCK/.test(sudoNoAgent.unavailable));
  assert.match(JSON.stringify(credentialRequestOf({ session: sessionFromEnv({}) })), /no account to log in as/);
  assert.equal(NO_IDENTITY, 'not proven with your credentials: no agent, no --verify-key');
});

test('ssh arguments: no config file, pinned host key alias, BatchMode, only the agent or only the named key, `true`', () => {
  const a = sshLoginArgs(AGENT, { address: '127.0.0.1', port: 2222 }, '/bk/1/verify/known_hosts', 5);
  const s = a.join(' ');
  for (const o of ['-F /dev/null', 'BatchMode=yes', 'StrictHostKeyChecking=yes', 'UserKnownHostsFile=/bk/1/verify/known_hosts', 'GlobalKnownHostsFile=/dev/null', 'HostKeyAlias=sshield-verify', 'IdentityAgent=/tmp/ssh-x/agent.1', 'IdentityFile=none', 'ConnectTimeout=5', '-p 2222', '-l alice']) assert.ok(s.includes(o), o);
  assert.deepEqual(a.slice(-3), ['--', '127.0.0.1', 'true']);
  const k = sshLoginArgs(KEY, { address: '::1', port: 22 }, '/kh', 5).join(' ');
  for (const o of ['IdentityAgent=none', 'IdentitiesOnly=yes', '-i /home/alice/.ssh/id_ed25519']) assert.ok(k.includes(o), o);
  assert.ok(!k.includes('IdentityFile=none'));
  assert.equal(knownHostsText(['ssh-ed25519 AAAA', 'ssh-rsa BBBB']), 'sshield-verify ssh-ed25519 AAAA\nsshield-verify ssh-rsa BBBB\n');
});

const ACCEPT = 'debug1: Offering public key: alice@pc ED25519 SHA256:abcDEF123+/x agent\ndebug1: Server accepts key: alice@pc ED25519 SHA256:abcDEF123+/x agent\n';

test('reading ssh: a session, a login whose command failed, partial success, refusal, a changed host key, no answer', () => {
  const ok = readLogin({ code: 0, stderr: `${ACCEPT}Authenticated to 127.0.0.1 ([127.0.0.1]:2222) using "publickey".\ndebug1: Exit status 0\n` });
  assert.equal(ok.result, 'session');
  assert.equal(ok.key, 'ED25519 SHA256:abcDEF123+/x');
  const nologin = readLogin({ code: 1, stderr: `${ACCEPT}Authenticated to 127.0.0.1 ([127.0.0.1]:2222) using "publickey".\nThis account is currently not available.\n` });
  assert.equal(nologin.result, 'authenticated');
  assert.match(nologin.detail, /not available/);
  const partial = readLogin({ code: 255, stderr: `${ACCEPT}Authenticated using "publickey" with partial success.\ndebug1: Authentications that can continue: keyboard-interactive\ndebug1: No more authentication methods to try.\nalice@127.0.0.1: Permission denied (keyboard-interactive).\n` });
  assert.equal(partial.result, 'partial');
  assert.match(partial.detail, /further method \(keyboard-interactive\)/);
  const refused = readLogin({ code: 255, stderr: 'debug1: Offering public key: alice@pc ED25519 SHA256:x agent\ndebug1: Authentications that can continue: publickey\nalice@127.0.0.1: Permission denied (publickey).\n' });
  assert.deepEqual(refused, { result: 'refused', detail: 'alice@127.0.0.1: Permission denied (publickey).' });
  assert.equal(readLogin({ code: 255, stderr: '@@@\nWARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!\nHost key verification failed.\n' }).result, 'host-key');
  assert.equal(readLogin({ code: 255, stderr: 'ssh: connect to host 127.0.0.1 port 2222: Connection refused\n' }).result, 'unreachable');
});

test('before/after: what got in must still get in as far; a refusal after a login fails', () => {
  const r = (result: LoginResult['result']): LoginResult => ({ result, detail: result });
  assert.ok(keepsAccess(r('session'), r('session')));
  assert.ok(!keepsAccess(r('session'), r('authenticated')), 'a shell that became nologin');
  assert.ok(!keepsAccess(r('session'), r('partial')), 'a second factor now required');
  assert.ok(keepsAccess(r('partial'), r('partial')));
  assert.ok(keepsAccess(r('partial'), r('session')));
  assert.ok(!keepsAccess(r('partial'), r('refused')));
  const proven = judgeAfter(AGENT, { result: 'session', key: 'ED25519 SHA256:k', detail: '' }, { result: 'session', key: 'ED25519 SHA256:k', detail: '' });
  assert.deepEqual({ ...proven, detail: undefined }, { status: 'proven', user: 'alice', via: 'agent', key: 'ED25519 SHA256:k', detail: undefined });
  const failed = judgeAfter(KEY, { result: 'session', detail: '' }, { result: 'refused', detail: 'Permission denied (publickey).' });
  assert.equal(failed.status, 'failed');
  assert.equal(failed.keyFile, KEY.keyFile);
  assert.match(failed.detail, /alice logged in with --verify-key \/home\/alice\/.ssh\/id_ed25519 before the change but not after it: Permission denied/);
  const partial = judgeAfter(AGENT, { result: 'partial', detail: '' }, { result: 'partial', key: 'ED25519 SHA256:k', detail: 'ED25519 SHA256:k accepted; the daemon requires a further method (keyboard-interactive) that cannot be proven without you' });
  assert.equal(partial.status, 'proven');
  assert.equal(partial.partial, true);
  assert.match(partial.detail, /still accepted; the daemon requires a further method/);
});

test('the confirm window: 120 s for a person at a terminal inside an SSH session; flags decide otherwise; 0 opts out', () => {
  assert.deepEqual(confirmWindowOf({ interactive: true, overSsh: true }), { seconds: DEFAULT_CONFIRM_WINDOW_SEC, why: 'ssh-terminal' });
  assert.equal(DEFAULT_CONFIRM_WINDOW_SEC, 120);
  assert.deepEqual(confirmWindowOf({ interactive: false, overSsh: true }), { why: 'not-interactive' });
  assert.deepEqual(confirmWindowOf({ interactive: true, overSsh: false }), { why: 'not-ssh' });
  assert.deepEqual(confirmWindowOf({ given: '0', interactive: true, overSsh: true }), { why: 'opted-out' });
  assert.deepEqual(confirmWindowOf({ given: '30', interactive: false, overSsh: false }), { seconds: 30, why: 'flag' });
  for (const bad of ['5', '86401', '1.5', 'abc', '-1', '']) assert.equal(typeof confirmWindowOf({ given: bad, interactive: true, overSsh: true }), 'string', bad);
});

test('proofOf, injected through the io abstraction: TTY + SSH_CONNECTION gets the window, a script does not; a missing --verify-key is an error', () => {
  const ssh = sessionFromEnv({ SSH_CONNECTION: '10.0.0.9 51000 10.0.0.1 22', SUDO_USER: 'alice', SSH_AUTH_SOCK: '/tmp/a.sock' });
  const tty = { stdinIsTTY: true };
  const script = { stdinIsTTY: false };
  const p = proofOf(tty, {}, ssh);
  assert.ok(typeof p !== 'string');
  assert.deepEqual(p.window, { seconds: 120, why: 'ssh-terminal' });
  assert.deepEqual(p.credential, { identity: { kind: 'agent', user: 'alice', socket: '/tmp/a.sock' } });
  const s = proofOf(script, {}, ssh);
  assert.ok(typeof s !== 'string' && s.window.seconds === undefined && s.window.why === 'not-interactive');
  const off = proofOf(tty, { confirmTimeout: '0' }, ssh);
  assert.ok(typeof off !== 'string' && off.window.seconds === undefined);
  assert.match(String(proofOf(tty, { verifyKey: '/nonexistent/key' }, ssh, () => false)), /--verify-key \/nonexistent\/key: not a readable file/);
  const k = proofOf(script, { verifyKey: 'rel/key', verifyUser: 'bob' }, ssh, () => true);
  assert.ok(typeof k !== 'string' && 'identity' in k.credential && k.credential.identity.kind === 'key' && k.credential.identity.keyFile.startsWith('/') && k.credential.identity.user === 'bob');
  assert.match(String(proofOf(script, { verifyUser: 'a b' }, ssh)), /not an account name/);
});

// The writer on the fake host: sshd -T names a host key, ssh is scripted per phase.
function proofHost(login: (phase: 'before' | 'after') => { code: number; stdout?: string; stderr: string }) {
  const h = fakeHost();
  h.put('/etc/ssh/ssh_host_ed25519_key.pub', 'ssh-ed25519 AAAAC3Nza host\n');
  const base = h.onRun;
  let installed = false;
  const logins: string[][] = [];
  h.onRun = (cmd, args, host) => {
    if (cmd === '/usr/sbin/sshd' && args[0] === '-T' && args[2] === '/etc/ssh/sshd_config') return { code: 0, stdout: 'port 22\nhostkey /etc/ssh/ssh_host_ed25519_key\n', stderr: '' };
    if (cmd === 'ssh') {
      logins.push([...args]);
      installed = host.text('/etc/ssh/sshd_config.d/00-sshield.conf') !== undefined;
      return { stdout: '', ...login(installed ? 'after' : 'before') };
    }
    return base(cmd, args, host);
  };
  return { h, logins };
}
const SESSION_OK = { code: 0, stderr: `${ACCEPT}Authenticated to 127.0.0.1 ([127.0.0.1]:22) using "publickey".\n` };
const DENIED = { code: 255, stderr: 'alice@127.0.0.1: Permission denied (publickey).\n' };
const PLAN = () => testPlan({ verify: { address: '127.0.0.1', port: 22, user: 'sshield-probe' } });

test('writer: the admin logs in before and after: proven, pinned known_hosts in the backup, removed afterwards', async () => {
  const { h, logins } = proofHost(() => SESSION_OK);
  const out = await applyPlan(h, PLAN(), { ...OPTS, credential: { identity: AGENT } });
  assert.equal(out.status, 'applied', JSON.stringify(out));
  assert.equal(out.status === 'applied' && out.credential?.status, 'proven');
  assert.equal(logins.length, 2, 'one login before, one after');
  const kh = logins[0]![logins[0]!.findIndex((a) => a.startsWith('UserKnownHostsFile='))]!.slice('UserKnownHostsFile='.length);
  assert.match(kh, /^\/var\/backups\/sshield\/\d{8}T\d{6}Z\/verify\/known_hosts$/);
  assert.equal(h.text(kh), undefined, 'the pinned known_hosts is removed with the run');
  assert.deepEqual(snapshot(h), NEW_STATE);
  const env = changeEnvelope({ command: 'harden', outcome: outcomeOfApply(out), plan: PLAN(), ...(out.status === 'applied' && out.credential ? { credential: out.credential } : {}) });
  assert.equal(env.verify?.credential?.status, 'proven');
  assert.equal(env.verify?.credential?.key, 'ED25519 SHA256:abcDEF123+/x');
});

test('writer: a login that worked before and is refused after rolls the change back (step verify)', async () => {
  const { h, logins } = proofHost((phase) => (phase === 'before' ? SESSION_OK : DENIED));
  const out = await applyPlan(h, PLAN(), { ...OPTS, credential: { identity: KEY } });
  assert.equal(out.status, 'failed', JSON.stringify(out));
  assert.equal(logins.length, 2, 'a refusal after the change is final: not retried');
  assert.ok(out.status === 'failed' && out.step === 'verify' && out.rolledBack);
  assert.equal(out.status === 'failed' && out.credential?.status, 'failed');
  assert.match(out.status === 'failed' ? out.reason : '', /before the change but not after it: alice@127.0.0.1: Permission denied/);
  assert.deepEqual(snapshot(h), OLD_STATE);
  const env = changeEnvelope({ command: 'harden', outcome: outcomeOfApply(out), plan: PLAN(), ...(out.status === 'failed' && out.credential ? { credential: out.credential } : {}) });
  assert.equal(env.verify?.status, 'failed');
  assert.equal(env.verify?.credential?.status, 'failed');
});

test('writer: an identity refused before the change proves nothing and fails nothing; no identity says so', async () => {
  const { h, logins } = proofHost(() => DENIED);
  const out = await applyPlan(h, PLAN(), { ...OPTS, credential: { identity: AGENT } });
  assert.equal(out.status, 'applied');
  assert.equal(out.status === 'applied' && out.credential?.status, 'not-proven');
  assert.match(out.status === 'applied' ? out.credential!.detail : '', /could not log in with the keys of your agent .* before the change either/);
  assert.equal(logins.length, 1, 'no login after: nothing to hold the change to');
  const none = proofHost(() => SESSION_OK);
  const out2 = await applyPlan(none.h, PLAN(), { ...OPTS, credential: { unavailable: NO_IDENTITY } });
  assert.equal(out2.status === 'applied' && out2.credential?.detail, NO_IDENTITY);
  assert.equal(none.logins.length, 0);
  // A plan that names no live daemon (an offline root has no login target) has no live proof at all.
  const off = proofHost(() => SESSION_OK);
  const { verify: _v, ...noDaemon } = testPlan({ reload: { kind: 'none', why: 'offline root' } });
  const out3 = await applyPlan(off.h, noDaemon, { ...OPTS, credential: { identity: AGENT } });
  assert.equal(out3.status === 'applied' && out3.credential, undefined);
  assert.equal(off.logins.length, 0);
  // No reload but a live daemon named (authorized_keys, read at every login): proven all the same.
  const keys = proofHost(() => SESSION_OK);
  const out4 = await applyPlan(keys.h, testPlan({ reload: { kind: 'none', why: 'sshd reads authorized_keys at every login' } }), { ...OPTS, credential: { identity: AGENT } });
  assert.equal(out4.status === 'applied' && out4.credential?.status, 'proven');
  assert.equal(keys.logins.length, 2);
});

test('writer with a proof owed: SIGKILL at every operation (the logins included) never leaves an unproven change committed', async () => {
  const clean = proofHost(() => SESSION_OK);
  const start = clean.h.log.length;
  assert.equal((await applyPlan(clean.h, PLAN(), { ...OPTS, credential: { identity: AGENT } })).status, 'applied');
  const ops = clean.h.operationsSince(start);
  const afterLogin = ops.findLastIndex((o) => (o.op as string) === 'run' && o.subject.startsWith('ssh '));
  assert.ok(afterLogin > 0, 'the login after the change is an operation of the run');
  for (const [i, o] of ops.entries()) {
    const { h } = proofHost(() => SESSION_OK);
    h.faults = [faultAt(o, 'crash')];
    await applyPlan(h, PLAN(), { ...OPTS, credential: { identity: AGENT } }).catch(() => undefined);
    h.revive();
    const { recover } = await import('../../../src/apply/pipeline.js');
    await recover(h, OPTS);
    const s = JSON.stringify(snapshot(h));
    assert.ok(s === JSON.stringify(OLD_STATE) || s === JSON.stringify(NEW_STATE), `#${i} ${o.op} ${o.subject}: mixed`);
    // Killed at or before the login after the change: the change was not proven, so it is undone.
    if (i <= afterLogin) assert.equal(s, JSON.stringify(OLD_STATE), `#${i} ${o.op} ${o.subject}: an unproven change was kept`);
  }
});

test('under sudo the session is completed from the environment sudo ran from (only what sudo dropped, only what the caller accepts)', async () => {
  const { withInvokingSession, parseEnviron } = await import('../../../src/host/session.js');
  const shell = parseEnviron(Buffer.from('USER=alice\0SSH_CONNECTION=10.0.0.9 51000 10.0.0.1 22\0SSH_AUTH_SOCK=/tmp/ssh-a/agent.1\0EMPTY=\0'));
  assert.deepEqual(shell, { USER: 'alice', SSH_CONNECTION: '10.0.0.9 51000 10.0.0.1 22', SSH_AUTH_SOCK: '/tmp/ssh-a/agent.1', EMPTY: '' });
  const sudoEnv = { SUDO_USER: 'alice', USER: 'root' };
  const all = sessionFromEnv(withInvokingSession(sudoEnv, shell));
  assert.equal(all.client?.addr, '10.0.0.9');
  assert.equal(all.agentSocket, '/tmp/ssh-a/agent.1');
  // A socket the caller does not accept (not owned by SUDO_UID) is not taken.
  assert.equal(sessionFromEnv(withInvokingSession(sudoEnv, shell, (k) => k !== 'SSH_AUTH_SOCK')).agentSocket, undefined);
  // Not under sudo, or what the run already has: nothing is taken.
  assert.equal(sessionFromEnv(withInvokingSession({ USER: 'root' }, shell)).sshConnection, undefined);
  assert.equal(sessionFromEnv(withInvokingSession({ ...sudoEnv, SSH_CONNECTION: '1.2.3.4 1 5.6.7.8 22' }, shell)).client?.addr, '1.2.3.4');
});

test('writer: a daemon not answering yet after the reload is tried again (within the deadline); then proven', async () => {
  let after = 0;
  const { h, logins } = proofHost((phase) => (phase === 'before' ? SESSION_OK : ++after === 1 ? { code: 255, stderr: 'ssh: connect to host 127.0.0.1 port 22: Connection refused\n' } : SESSION_OK));
  const out = await applyPlan(h, PLAN(), { ...OPTS, credential: { identity: AGENT } });
  assert.equal(out.status === 'applied' && out.credential?.status, 'proven', JSON.stringify(out));
  assert.equal(logins.length, 3);
});

test('refusedByAddress: only a refusal by an entry\'s @HOST part makes the loopback proof inconclusive', async () => {
  const { refusedByAddress } = await import('../../../src/apply/credential.js');
  const lists = (o: Partial<{ allowUsers: string[]; denyUsers: string[] }>) => ({ allowUsers: o.allowUsers ?? [], denyUsers: o.denyUsers ?? [], allowGroups: [], denyGroups: [] });
  assert.match(String(refusedByAddress(lists({ allowUsers: ['*@10.9.8.0/24'] }), 'alice', '127.0.0.1')), /not among the addresses AllowUsers admits for alice/);
  assert.equal(refusedByAddress(lists({ allowUsers: ['*@10.9.8.0/24', '*@127.0.0.0/8'] }), 'alice', '127.0.0.1'), undefined, 'loopback admitted: the proof counts');
  assert.equal(refusedByAddress(lists({ allowUsers: ['bob'] }), 'alice', '127.0.0.1'), undefined, 'refused whatever the address: a real loss, the proof counts');
  assert.equal(refusedByAddress(lists({ denyUsers: ['alice'] }), 'alice', '127.0.0.1'), undefined);
  assert.match(String(refusedByAddress(lists({ denyUsers: ['*@127.0.0.1'] }), 'alice', '127.0.0.1')), /DenyUsers/);
});

test('confirm from the session that made the change is refused; from another one (or a console) it keeps the change', async () => {
  const { confirmChange, sameSession } = await import('../../../src/apply/confirm.js');
  const { listBackups } = await import('../../../src/apply/backup.js');
  assert.ok(sameSession('10.0.0.9 51000 10.0.0.1 22', ' 10.0.0.9  51000 10.0.0.1 22\n'));
  assert.ok(!sameSession('10.0.0.9 51000 10.0.0.1 22', '10.0.0.9 51001 10.0.0.1 22'));
  const { h } = proofHost(() => SESSION_OK);
  const made = '10.0.0.9 51000 10.0.0.1 22';
  const out = await applyPlan(h, PLAN(), { ...OPTS, confirmTimeoutSec: 120, madeFrom: made });
  assert.equal(out.status === 'applied' && out.confirmDeadline !== undefined, true, JSON.stringify(out));
  assert.equal((await listBackups(h, OPTS.backupRoot))[0]!.manifest!.madeFrom, made);
  const r = await confirmChange(h, OPTS, made);
  assert.equal(r.status, 'same-session');
  assert.equal((await listBackups(h, OPTS.backupRoot))[0]!.journal!.phase, 'awaiting-confirm');
  assert.equal((await confirmChange(h, OPTS, '10.0.0.9 51002 10.0.0.1 22')).status, 'confirmed');
});
