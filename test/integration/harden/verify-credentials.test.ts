// test-group: machine-admins (adds sudo members to this machine's /etc; runs alone: scripts/run-tests.mjs)
// Live proof with the admin's own credentials (#13 item 5) and the confirm window by default over
// SSH (item 6), against real sshd daemons on loopback with throwaway sshield-t-* admins:
// (a) a real ssh-agent (started here, socket in a temp dir) holding the admin's key (and an
//     unrelated one): harden applies and the envelope says proven, with that key's fingerprint;
// (b) a restore that passes sshd -t and the 'none' probe but points AuthorizedKeysFile at a path
//     that does not exist: the admin's own login fails after the reload, the change is rolled
//     back and the config is byte-identical to before; the admin logs in again;
// (c) --verify-key FILE (no agent) as --verify-user: proven with that key;
// (d) no agent, no --verify-key: the envelope and the text say "not proven" and why;
// (e) a real terminal (script -qc) inside an SSH session (SSH_CONNECTION): harden arms the
//     120 s window by default; `sshield confirm` keeps the change; left unconfirmed it is rolled
//     back by the watcher once the deadline passes (the test moves the journal's deadline instead
//     of waiting two minutes); --confirm-timeout 0 arms nothing; without a terminal nothing either.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientKey, createTestUser, installAuthorizedKeys, run, sshClient, sshdAvailable, startSshd, type SshdInstance, type TestUser } from '../../helpers/sshd.js';
import { assertMatchesSchema } from '../../helpers/json-schema.js';

const MAIN = join(process.cwd(), 'src/cli/main.ts');
const CLI = ['--import', 'tsx', MAIN];
const skip = !sshdAvailable() && 'needs root and sshd';
const CONFIG = 'Port {{PORT}}\nListenAddress 127.0.0.1\nHostKey {{HOSTKEY}}\nPidFile {{DIR}}/sshd.pid\nPermitRootLogin yes\nPasswordAuthentication yes\nKbdInteractiveAuthentication no\nUsePAM yes\nX11Forwarding yes\nSubsystem sftp /usr/lib/openssh/sftp-server\n';
/**
 * The admin-lockout guard judges every sudo member of this machine; test files running at the
 * same time (the lockout matrix, other helpers') add password-only sudo members of their own, who
 * are not this test's business: what is tried here is the writer's proof with the admin's own
 * credentials, so that guard is overridden (the admin's access is what the proof checks).
 */
const OTHERS = ['--allow-admin-lockout'];
/** No session of the test runner leaks in: each case says what it has. */
const CLEAN = { NO_COLOR: '1', HOME: '/root', USER: 'root', LOGNAME: 'root', SSH_CONNECTION: undefined, SUDO_USER: undefined, SSH_AUTH_SOCK: undefined, SSH_USER_AUTH: undefined, SSHIELD_TEST_PAUSE_AT: undefined };

interface Lab {
  readonly user: TestUser;
  readonly key: string;
  readonly other: string;
  readonly cdir: string;
  readonly sshd: SshdInstance;
  readonly bk: string;
}

async function lab(t: { after(fn: () => unknown): void }): Promise<Lab> {
  const user = await createTestUser();
  t.after(() => user.remove());
  const cdir = mkdtempSync(join(tmpdir(), 'sshield-cred-'));
  t.after(() => rmSync(cdir, { recursive: true, force: true }));
  const key = await clientKey(cdir);
  const other = await clientKey(cdir, 'ed25519', 'id_other');
  await installAuthorizedKeys(user, readFileSync(`${key}.pub`, 'utf8'));
  assert.equal((await run('usermod', ['-aG', 'sudo', user.name])).code, 0);
  const sshd = await startSshd({ rawConfig: CONFIG });
  t.after(() => sshd.stop());
  const bk = mkdtempSync(join(tmpdir(), 'sshield-bk-'));
  t.after(() => rmSync(bk, { recursive: true, force: true }));
  return { user, key, other, cdir, sshd, bk };
}

/** A real ssh-agent with these keys loaded, its socket in a temp dir; stopped by pid after the test. */
async function agent(t: { after(fn: () => unknown): void }, dir: string, keys: readonly string[]): Promise<string> {
  const sock = join(dir, 'agent.sock');
  const child = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
  t.after(() => {
    child.kill('SIGTERM');
  });
  const end = Date.now() + 10_000;
  while (!existsSync(sock)) {
    assert.ok(Date.now() < end, 'ssh-agent did not create its socket');
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const k of keys) {
    const r = await run('ssh-add', [k], { env: { SSH_AUTH_SOCK: sock } });
    assert.equal(r.code, 0, r.stderr);
  }
  return sock;
}

async function fingerprint(key: string): Promise<string> {
  const r = await run('ssh-keygen', ['-l', '-f', `${key}.pub`]);
  return r.stdout.split(' ')[1]!;
}

function envelope(stdout: string): any {
  const s = stdout.replace(/\r/g, '');
  const doc = JSON.parse(s.slice(s.indexOf('{'), s.lastIndexOf('}') + 1));
  assertMatchesSchema('change', doc);
  return doc;
}

function sshield(args: string[], env: NodeJS.ProcessEnv) {
  return run(process.execPath, [...CLI, ...args], { env: { ...process.env, ...CLEAN, ...env }, timeoutMs: 180_000 });
}

async function canLogIn(l: Lab): Promise<boolean> {
  return (await sshClient(l.sshd, l.user.name, { key: l.key, command: 'true' })).code === 0;
}

function authLog(l: Lab): number {
  return l.sshd.log().split('\n').filter((x) => x.includes(`Accepted publickey for ${l.user.name} `)).length;
}

test('(a) with a real ssh-agent holding the admin\'s key: harden applies and the envelope says proven with that key', { skip, timeout: 180_000 }, async (t) => {
  const l = await lab(t);
  // The unrelated key first: the agent offers it, the daemon refuses it, the admin's key gets in.
  const sock = await agent(t, l.cdir, [l.other, l.key]);
  const h = await sshield(['harden', '-f', l.sshd.configPath, '--yes', '--json', '--backup-dir', l.bk, ...OTHERS], { SUDO_USER: l.user.name, SSH_AUTH_SOCK: sock });
  assert.equal(h.code, 0, h.stdout + h.stderr);
  const doc = envelope(h.stdout);
  assert.equal(doc.outcome.kind, 'applied');
  assert.equal(doc.verify.status, 'verified');
  assert.equal(doc.verify.credential.status, 'proven', JSON.stringify(doc.verify));
  assert.equal(doc.verify.credential.via, 'agent');
  assert.equal(doc.verify.credential.user, l.user.name);
  assert.equal(doc.verify.credential.key, `ED25519 ${await fingerprint(l.key)}`);
  assert.ok(doc.messages.some((m: any) => m.level === 'info' && m.text.startsWith('Proven with your credentials: ')), JSON.stringify(doc.messages));
  assert.match(readFileSync(l.sshd.configPath, 'utf8'), /PasswordAuthentication no/i);
  // The daemon saw the admin's key twice: the login before the change and the one after it.
  assert.equal(authLog(l), 2, l.sshd.log());
  // No pinned known_hosts left in the backup.
  for (const id of readdirSync(l.bk).filter((x) => !x.startsWith('.'))) assert.ok(!existsSync(join(l.bk, id, 'verify')), id);
  assert.ok(await canLogIn(l));
});

test('(b) a restore that passes sshd -t and the none probe but takes away the admin\'s keys (AuthorizedKeysFile to nowhere) is rolled back by the admin\'s own login', { skip, timeout: 240_000 }, async (t) => {
  const l = await lab(t);
  const good = readFileSync(l.sshd.configPath, 'latin1');
  const nokeys = `${good}AuthorizedKeysFile /nonexistent/sshield-%u/authorized_keys\n`;
  // A backup whose "before" is the config without a way in for keys: the config is changed to it
  // (not reloaded: the daemon keeps serving keys), a harden run (guards overridden) records it, then the
  // good config is put back and the daemon reloaded, so the admin's key works again.
  writeFileSync(l.sshd.configPath, nokeys, { mode: 0o600 });
  const h = await sshield(['harden', '-f', l.sshd.configPath, '--yes', '--json', '--backup-dir', l.bk, '--confirm-timeout', '0', '--allow-no-key-admin', '--allow-user-lockout', '--allow-session-lockout', '--allow-admin-lockout'], {});
  const hd = envelope(h.stdout);
  assert.equal(hd.outcome.kind, 'applied', h.stdout + h.stderr);
  assert.match(hd.verify.credential.detail, /^not proven with your credentials: no agent, no --verify-key/);
  const bad = hd.outcome.backupId as string;
  writeFileSync(l.sshd.configPath, good, { mode: 0o600 });
  l.sshd.reload();
  const back = Date.now() + 20_000;
  while (!(await canLogIn(l))) {
    assert.ok(Date.now() < back, `the admin's key works again after the reload: ${l.sshd.log()}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  const sock = await agent(t, l.cdir, [l.key]);
  const before = readFileSync(l.sshd.configPath, 'latin1');
  // The guards (the credential model) see this loss coming and refuse; overridden here, as an
  // admin who insists would, so that the live proof is what stands between the admin and a lockout.
  const r = await sshield(['restore', bad, '--yes', '--json', '--backup-dir', l.bk, '--allow-user-lockout', '--allow-no-key-admin', '--allow-session-lockout', ...OTHERS], { SUDO_USER: l.user.name, SSH_AUTH_SOCK: sock });
  assert.equal(r.code, 2, r.stdout + r.stderr);
  const doc = envelope(r.stdout);
  assert.equal(doc.outcome.kind, 'failed');
  assert.equal(doc.outcome.step, 'verify');
  assert.equal(doc.outcome.rolledBack, true, JSON.stringify(doc.outcome));
  assert.match(doc.outcome.reason, new RegExp(`${l.user.name} logged in with the keys of your agent .* before the change but not after it: .*Permission denied`));
  assert.equal(doc.verify.status, 'failed');
  assert.equal(doc.verify.credential.status, 'failed');
  assert.equal(readFileSync(l.sshd.configPath, 'latin1'), before, 'bytes restored');
  assert.ok(await canLogIn(l), `the admin logs in again after the rollback: ${l.sshd.log()}`);
});

test('(c) --verify-key FILE without an agent, as --verify-user: proven with that key', { skip, timeout: 180_000 }, async (t) => {
  const l = await lab(t);
  const h = await sshield(['harden', '-f', l.sshd.configPath, '--yes', '--json', '--backup-dir', l.bk, '--verify-key', l.key, '--verify-user', l.user.name, ...OTHERS], {});
  assert.equal(h.code, 0, h.stdout + h.stderr);
  const doc = envelope(h.stdout);
  assert.equal(doc.outcome.kind, 'applied');
  assert.deepEqual({ ...doc.verify.credential, detail: undefined }, { status: 'proven', user: l.user.name, via: 'key', keyFile: l.key, key: `ED25519 ${await fingerprint(l.key)}`, detail: undefined });
  assert.equal(authLog(l), 2, l.sshd.log());
  // A key file that is not there is bad input, before anything is planned or changed.
  const bad = await sshield(['harden', '-f', l.sshd.configPath, '--yes', '--json', '--backup-dir', l.bk, '--verify-key', join(l.cdir, 'nope'), ...OTHERS], {});
  assert.equal(bad.code, 2);
  assert.match(envelope(bad.stdout).outcome.reason, /--verify-key .*nope: not a readable file/);
});

test('(d) no agent, no --verify-key: the envelope and the text say it is not proven; without a terminal there is no confirm window even over SSH', { skip, timeout: 180_000 }, async (t) => {
  const l = await lab(t);
  const ssh = { SUDO_USER: l.user.name, SSH_CONNECTION: '127.0.0.1 50000 127.0.0.1 22' };
  const text = await sshield(['harden', '-f', l.sshd.configPath, '--yes', '--backup-dir', l.bk, '--dry-run', ...OTHERS], ssh);
  assert.equal(text.code, 0, text.stderr);
  const h = await sshield(['harden', '-f', l.sshd.configPath, '--yes', '--backup-dir', l.bk, ...OTHERS], ssh);
  assert.equal(h.code, 0, h.stdout + h.stderr);
  assert.match(h.stderr, /sshield harden: not proven with your credentials: no agent, no --verify-key \(under sudo, the agent of the shell sudo was run from is used/);
  assert.doesNotMatch(h.stdout, /sshield confirm/, 'no window without a terminal');
  // Undo it, then the same through --json.
  const u = await sshield(['restore', '--yes', '--backup-dir', l.bk, ...OTHERS], {});
  assert.equal(u.code, 0, u.stdout + u.stderr);
  const j = await sshield(['harden', '-f', l.sshd.configPath, '--yes', '--json', '--backup-dir', l.bk, ...OTHERS], ssh);
  const doc = envelope(j.stdout);
  assert.equal(doc.outcome.kind, 'applied');
  assert.equal(doc.outcome.confirmDeadline, undefined);
  assert.equal(doc.verify.credential.status, 'not-proven');
  assert.match(doc.verify.credential.detail, /^not proven with your credentials: no agent, no --verify-key/);
  assert.ok(doc.messages.some((m: any) => m.level === 'warning' && m.text === doc.verify.credential.detail));
  assert.equal(authLog(l), 0, 'no login was tried');
});

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs sshield on a real terminal (script(1) gives it a pty), inside an "SSH session". */
function onTerminal(args: string[], env: NodeJS.ProcessEnv) {
  const cmd = [process.execPath, ...CLI, ...args, ...OTHERS].map(q).join(' ');
  return run('script', ['-qec', cmd, '/dev/null'], { env: { ...process.env, ...CLEAN, SHELL: '/bin/sh', TERM: 'dumb', ...env }, timeoutMs: 180_000 });
}

function journalOf(bk: string, id: string): any {
  return JSON.parse(readFileSync(join(bk, id, 'journal.json'), 'utf8'));
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return cond();
}

test('(e) on a terminal inside an SSH session: a 120 s confirm window by default; `sshield confirm` keeps the change, no confirm rolls it back; --confirm-timeout 0 arms none', { skip: skip || (!existsSync('/usr/bin/script') && 'needs script(1)'), timeout: 240_000 }, async (t) => {
  const l = await lab(t);
  const ssh = { SUDO_USER: l.user.name, SSH_CONNECTION: '127.0.0.1 50000 127.0.0.1 22' };
  const original = readFileSync(l.sshd.configPath, 'latin1');

  // Default window, confirmed from a new login: kept.
  const t0 = Date.now();
  const h = await onTerminal(['harden', '-f', l.sshd.configPath, '--yes', '--json', '--backup-dir', l.bk], ssh);
  assert.equal(h.code, 0, h.stdout + h.stderr);
  const doc = envelope(h.stdout);
  assert.equal(doc.outcome.kind, 'applied');
  const left = doc.outcome.confirmDeadline - t0;
  assert.ok(left > 110_000 && left <= 125_000 + (Date.now() - t0), `deadline ${left} ms after the start: the 120 s default`);
  assert.ok(doc.messages.some((m: any) => /Confirm window \(the default on a terminal inside an SSH session\).*within 120 s.*--confirm-timeout 0/.test(m.text)), JSON.stringify(doc.messages));
  const id = doc.outcome.backupId as string;
  assert.equal(journalOf(l.bk, id).phase, 'awaiting-confirm');
  const hardened = readFileSync(l.sshd.configPath, 'latin1');
  assert.notEqual(hardened, original);
  assert.ok(await canLogIn(l), 'a new login works');
  // From the very session that made the change, confirm proves nothing: refused, still pending.
  const same = await sshield(['confirm', '--backup-dir', l.bk, '--json'], { SSH_CONNECTION: ssh.SSH_CONNECTION });
  assert.equal(same.code, 3, same.stdout + same.stderr);
  assert.match(envelope(same.stdout).outcome.reason, /from a NEW login: this is the SSH session that made change/);
  assert.equal(journalOf(l.bk, id).phase, 'awaiting-confirm');
  const c = await sshield(['confirm', '--backup-dir', l.bk], { SSH_CONNECTION: '127.0.0.1 50001 127.0.0.1 22' });
  assert.equal(c.code, 0, c.stdout + c.stderr);
  assert.equal(journalOf(l.bk, id).phase, 'committed');
  assert.equal(readFileSync(l.sshd.configPath, 'latin1'), hardened, 'kept');

  // Default window, nobody confirms: rolled back by the watcher when the deadline passes.
  const r = await sshield(['restore', id, '--yes', '--backup-dir', l.bk, '--confirm-timeout', '0', ...OTHERS], {});
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(readFileSync(l.sshd.configPath, 'latin1'), original);
  const h2 = await onTerminal(['harden', '-f', l.sshd.configPath, '--yes', '--json', '--backup-dir', l.bk], ssh);
  const d2 = envelope(h2.stdout);
  assert.equal(d2.outcome.kind, 'applied', h2.stdout);
  assert.ok(d2.outcome.confirmDeadline > Date.now() + 100_000, 'the 120 s default again');
  const id2 = d2.outcome.backupId as string;
  // Two minutes are not waited for: the deadline in the journal (which the watcher reads every
  // 500 ms) is moved to now, as if they had passed.
  const jp = join(l.bk, id2, 'journal.json');
  const j = journalOf(l.bk, id2);
  assert.equal(j.phase, 'awaiting-confirm');
  writeFileSync(`${jp}.t`, JSON.stringify({ ...j, confirmDeadline: Date.now() }), { mode: 0o600 });
  renameSync(`${jp}.t`, jp);
  assert.ok(await waitFor(() => journalOf(l.bk, id2).phase === 'rolled-back', 60_000), JSON.stringify(journalOf(l.bk, id2)));
  assert.equal(readFileSync(l.sshd.configPath, 'latin1'), original, 'rolled back byte for byte');
  assert.ok(await canLogIn(l));

  // --confirm-timeout 0 on the same terminal: no window, committed at once.
  const h3 = await onTerminal(['harden', '-f', l.sshd.configPath, '--yes', '--json', '--backup-dir', l.bk, '--confirm-timeout', '0'], ssh);
  const d3 = envelope(h3.stdout);
  assert.equal(d3.outcome.kind, 'applied', h3.stdout);
  assert.equal(d3.outcome.confirmDeadline, undefined);
  assert.equal(journalOf(l.bk, d3.outcome.backupId).phase, 'committed');
  // Bad window values are bad input.
  const bad = await sshield(['harden', '-f', l.sshd.configPath, '--yes', '--backup-dir', l.bk, '--confirm-timeout', '5', ...OTHERS], {});
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--confirm-timeout takes whole seconds between 10 and 86400, or 0/);
});

test('(f) keys changes (read by sshd at every login, no reload) are proven too: a harmless restriction is proven; from="10.0.0.0/8" on the admin\'s only key is rolled back, bytes restored', { skip, timeout: 180_000 }, async (t) => {
  const l = await lab(t);
  const sock = await agent(t, l.cdir, [l.key]);
  const env = { SUDO_USER: l.user.name, SSH_AUTH_SOCK: sock };
  const ak = join(l.user.home, '.ssh', 'authorized_keys');
  const ok = await sshield(['keys', 'restrict', '--user', l.user.name, '--all', '--options', 'no-port-forwarding', '-f', l.sshd.configPath, '--yes', '--json', '--backup-dir', l.bk, ...OTHERS], env);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  const d = envelope(ok.stdout);
  assert.equal(d.outcome.kind, 'applied');
  assert.equal(d.verify.credential.status, 'proven', JSON.stringify(d.verify));
  assert.match(readFileSync(ak, 'utf8'), /^no-port-forwarding ssh-ed25519 /m);
  const before = readFileSync(ak, 'latin1');
  // The guards see the loss (the admin comes from 127.0.0.1); an insisting admin overrides them.
  const cut = await sshield(['keys', 'restrict', '--user', l.user.name, '--all', '--from', '10.0.0.0/8', '-f', l.sshd.configPath, '--yes', '--json', '--backup-dir', l.bk, '--allow-user-lockout', '--allow-no-key-admin', '--allow-session-lockout', '--force', ...OTHERS], env);
  assert.equal(cut.code, 2, cut.stdout + cut.stderr);
  const c = envelope(cut.stdout);
  assert.equal(c.outcome.kind, 'failed');
  assert.equal(c.outcome.step, 'verify');
  assert.equal(c.outcome.rolledBack, true);
  assert.equal(c.verify.credential.status, 'failed');
  assert.equal(readFileSync(ak, 'latin1'), before, 'authorized_keys restored byte for byte');
  assert.ok(await canLogIn(l));
});

test('(g) run through a real sudo (whose env_reset drops SSH_CONNECTION and SSH_AUTH_SOCK) on a terminal in an SSH session: both are taken from the shell sudo ran from, so the window is armed and the admin\'s agent proves the change', { skip: skip || (!existsSync('/usr/bin/sudo') && 'needs sudo') || (!existsSync('/usr/bin/script') && 'needs script(1)'), timeout: 180_000 }, async (t) => {
  const l = await lab(t);
  // Root runs sudo here, so SUDO_UID is 0: the agent socket (made by root) is the invoking account's.
  const sock = await agent(t, l.cdir, [l.key]);
  const argv = [process.execPath, ...CLI, 'harden', '-f', l.sshd.configPath, '--yes', '--json', '--backup-dir', l.bk, '--verify-user', l.user.name, ...OTHERS];
  const h = await run('script', ['-qec', `exec sudo ${argv.map(q).join(' ')}`, '/dev/null'], { env: { ...process.env, ...CLEAN, SHELL: '/bin/sh', TERM: 'dumb', SSH_CONNECTION: '127.0.0.1 50000 127.0.0.1 22', SSH_AUTH_SOCK: sock }, timeoutMs: 180_000 });
  assert.equal(h.code, 0, h.stdout + h.stderr);
  const doc = envelope(h.stdout);
  assert.equal(doc.outcome.kind, 'applied');
  assert.ok(doc.outcome.confirmDeadline > Date.now() + 100_000, 'the 120 s window: the SSH session was recognised under sudo');
  assert.equal(doc.verify.credential.status, 'proven', JSON.stringify(doc.verify));
  assert.equal(doc.verify.credential.via, 'agent');
  assert.ok(doc.verify.credential.detail.includes(l.user.name));
  const c = await sshield(['confirm', '--backup-dir', l.bk], {});
  assert.equal(c.code, 0, c.stdout + c.stderr);
  assert.equal(journalOf(l.bk, doc.outcome.backupId).phase, 'committed');
});

test('(h) an allowlist that leaves out the address the proof logs in from (127.0.0.1) is not rolled back by it: the result says why nothing was proven', { skip, timeout: 180_000 }, async (t) => {
  const l = await lab(t);
  const sock = await agent(t, l.cdir, [l.key]);
  const a = await sshield(['allow', 'add', '10.9.8.0/24', '-f', l.sshd.configPath, '--yes', '--json', '--backup-dir', l.bk, '--allow-session-lockout', '--allow-user-lockout', ...OTHERS], { SUDO_USER: l.user.name, SSH_AUTH_SOCK: sock });
  const doc = envelope(a.stdout);
  assert.equal(doc.outcome.kind, 'applied', a.stdout + a.stderr);
  assert.equal(doc.verify.credential.status, 'not-proven');
  assert.match(doc.verify.credential.detail, new RegExp(`after this change sshd refuses ${l.user.name} from 127\\.0\\.0\\.1, where the proof logs in from`));
  assert.equal(authLog(l), 0, 'no login was tried');
});
