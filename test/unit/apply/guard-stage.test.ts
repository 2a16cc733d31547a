// The one guard stage (src/apply/guard-stage.ts) over the in-memory fake host, for the plan of
// every changing command: harden (a file change), allow and user (their real planners), keys
// restrict/remove and restore (the authorized_keys file a plan rewrites). Each case states the
// host, the plan, and the verdict: the account, the address and the missing way in, and the flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeHost } from '../../../src/apply/fake-host.js';
import { loadHost, type LoadedHost } from '../../../src/host/loaded-host.js';
import { guardPlan } from '../../../src/apply/guard-stage.js';
import { blockingGuards, PLAN_VERSION, sha256, type FileChange, type Plan, type PlanStep } from '../../../src/apply/plan.js';
import { loadConfig } from '../../../src/allow/engine.js';
import { planUserChange } from '../../../src/users/change-plan.js';
import { planAllowChange } from '../../../src/allow/change-plan.js';
import { parseAllowAddresses } from '../../../src/allow/address.js';
import { sessionFromEnv } from '../../../src/host/session.js';

const MAIN = '/etc/ssh/sshd_config';
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDXbtgCL49zgg/iSqGqIt4fb86MvZUIC51fM+bLxNbuW alice@test\n';
const AK = '/home/alice/.ssh/authorized_keys';

interface HostSpec {
  readonly config: string;
  /** alice's authorized_keys (undefined: none). */
  readonly aliceKeys?: string;
  /** bob is a second sudo member (with a key when given). */
  readonly bobKeys?: string;
  readonly sudo?: boolean;
  /** root has a password (in shadow). */
  readonly rootPassword?: boolean;
}

function fake(h: HostSpec): FakeHost {
  const f = new FakeHost();
  f.put(MAIN, h.config);
  f.put('/etc/passwd', 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\nbob:x:1001:1001::/home/bob:/bin/bash\ncarol:x:1002:1002::/home/carol:/bin/bash\n');
  f.put('/etc/group', `root:x:0:\nsudo:x:27:alice${h.bobKeys !== undefined ? ',bob' : ''}\nalice:x:1000:\nbob:x:1001:\ncarol:x:1002:\n`);
  f.put('/etc/shadow', `root:${h.rootPassword ? '$y$j9T$r$r' : '*'}:19000:0:99999:7:::\nalice:$y$j9T$x$y:19000:0:99999:7:::\nbob:$y$j9T$x$y:19000:0:99999:7:::\ncarol:$y$j9T$x$y:19000:0:99999:7:::\n`);
  if (h.sudo !== false) f.put('/usr/bin/sudo', '', { mode: 0o4755 });
  f.put('/bin/bash', '', { mode: 0o755 });
  f.put('/usr/sbin/nologin', '', { mode: 0o755 });
  f.put('/etc/pam.d/sshd', 'auth required pam_unix.so\naccount required pam_unix.so\n');
  f.put('/etc/sudoers', 'root ALL=(ALL:ALL) ALL\n%sudo ALL=(ALL:ALL) ALL\n', { mode: 0o440 });
  // No `sudo -l` or `last` on this host: the model reads sudoers.
  f.onRun = (cmd) => ({ code: 127, stdout: '', stderr: `${cmd}: not found` });
  for (const [u, uid, keys] of [['alice', 1000, h.aliceKeys], ['bob', 1001, h.bobKeys]] as const) {
    f.mkdirpSync(`/home/${u}/.ssh`);
    f.dirMeta.set(`/home/${u}`, { uid, gid: uid, mode: 0o750 });
    f.dirMeta.set(`/home/${u}/.ssh`, { uid, gid: uid, mode: 0o700 });
    if (keys !== undefined) f.put(`/home/${u}/.ssh/authorized_keys`, keys, { uid, gid: uid, mode: 0o600 });
  }
  return f;
}

function change(path: string, before: string, after: string): FileChange {
  return { path, hostPath: path, action: 'write', beforeSha256: before ? sha256(before) : null, before, after, edits: [], diff: '', newFileMode: 0o600, reasons: ['test'] };
}

function plan(kind: Plan['kind'], files: FileChange[], steps: PlanStep[] = []): Plan {
  return { version: PLAN_VERSION, kind, configPath: MAIN, files, ...(steps.length ? { steps } : {}), tree: [{ path: MAIN, hostPath: MAIN }], predicted: [], guards: [], remediated: [], notes: [], reload: { kind: 'none', why: 'test' } };
}

const ROOT_SHELL = sessionFromEnv({ USER: 'root', LOGNAME: 'root' }, 'root');

async function judge(host: LoadedHost, p: Plan, overrides: string[] = [], session = ROOT_SHELL) {
  const g = await guardPlan({ host, plan: p, session, overrides: new Set(overrides) });
  return { all: g.guards, blocking: blockingGuards(g) };
}

const TWO_FA = 'KbdInteractiveAuthentication yes\nPasswordAuthentication no\nUsePAM yes\nMatch Group sudo\n\tAuthenticationMethods publickey,keyboard-interactive\n';

test('harden: KbdInteractiveAuthentication no globally locks out the 2FA admins: refused from a root shell, naming account, address, way in and flag', async () => {
  const host = await loadHost(fake({ config: TWO_FA, aliceKeys: KEY }), { mainPath: MAIN });
  const after = TWO_FA.replace('KbdInteractiveAuthentication yes', 'KbdInteractiveAuthentication no');
  const r = await judge(host, plan('harden', [change(MAIN, TWO_FA, after)]));
  const v = r.blocking.find((g) => g.id === 'admin-lockout');
  assert.ok(v, JSON.stringify(r.all, null, 1));
  assert.equal(v.overrideFlag, '--allow-admin-lockout');
  assert.match(v.message, /alice \(address unknown\): before works \(publickey,keyboard-interactive\) from 203\.0\.113\.77; after, from no address the configuration admits .*names keyboard-interactive, which is disabled/);
  // no-key-admin does not see it (alice has a key): only the way-in judgment does.
  assert.equal(r.all.find((g) => g.id === 'no-key-admin')?.ok, true);
  // Its flag overrides it, another does not.
  assert.equal((await judge(host, plan('harden', [change(MAIN, TWO_FA, after)]), ['--allow-admin-lockout'])).blocking.length, 0);
  assert.equal((await judge(host, plan('harden', [change(MAIN, TWO_FA, after)]), ['--allow-no-key-admin'])).blocking.length, 1);
  // A second, key-only admin does not make alice's loss acceptable: she is refused by name.
  const two = await loadHost(fake({ config: TWO_FA, aliceKeys: KEY, bobKeys: KEY.replace('alice@test', 'bob@test') }), { mainPath: MAIN });
  const r2 = await judge(two, plan('harden', [change(MAIN, TWO_FA, after)]));
  assert.match(r2.blocking.map((g) => g.message).join('\n'), /alice \(address unknown\): before works/);
});

test('harden: a password turn-off inside Match Address refuses like a global one when no admin has a key', async () => {
  const before = 'KbdInteractiveAuthentication no\nPasswordAuthentication yes\n';
  const after = 'KbdInteractiveAuthentication no\nPasswordAuthentication yes\nMatch Address 10.0.0.0/8\n\tPasswordAuthentication no\n';
  const host = await loadHost(fake({ config: before }), { mainPath: MAIN });
  const r = await judge(host, plan('harden', [change(MAIN, before, after)]));
  const v = r.blocking.find((g) => g.id === 'no-key-admin');
  assert.ok(v, JSON.stringify(r.all, null, 1));
  assert.match(v.message, /turned off for connections from 10\.0\.0\.0/);
  assert.match(v.message, /sshield keys add --user USER --key/);
  // The global turn-off, for comparison: refused the same way.
  const g = await judge(host, plan('harden', [change(MAIN, before, 'KbdInteractiveAuthentication no\nPasswordAuthentication no\n')]));
  assert.ok(g.blocking.some((x) => x.id === 'no-key-admin'));
  // With alice's key installed both pass.
  const keyed = await loadHost(fake({ config: before, aliceKeys: KEY }), { mainPath: MAIN });
  assert.deepEqual((await judge(keyed, plan('harden', [change(MAIN, before, after)]))).blocking, []);
});

test('harden: root login off while root is the only account that can become root (no sudo): nobody keeps a way in', async () => {
  const before = 'PermitRootLogin yes\nPasswordAuthentication yes\n';
  const host = await loadHost(fake({ config: before, sudo: false, rootPassword: true }), { mainPath: MAIN });
  const r = await judge(host, plan('harden', [change(MAIN, before, 'PermitRootLogin no\nPasswordAuthentication yes\n')]));
  assert.match(r.blocking.find((g) => g.id === 'admin-lockout')?.message ?? '', /nobody who can become root/);
});

test('user nologin of the last admin is refused; of a non-admin it passes (real user planner)', async () => {
  const config = 'PasswordAuthentication no\nPermitRootLogin no\n';
  const f = fake({ config, aliceKeys: KEY });
  const host = await loadHost(f, { mainPath: MAIN, facts: 'config' });
  const cfg = await loadConfig(host, MAIN);
  assert.ok(cfg.ok);
  const mk = async (user: string) => {
    const u = await planUserChange({ op: 'nologin', user, create: false, fixPermissions: false, target: { customFile: true }, fs: host.fs, mainPath: MAIN, cfg: cfg.value, self: ['root'], admin: 'root', systemd: false });
    assert.equal(u.kind, 'plan');
    return u.kind === 'plan' ? u.plan : undefined!;
  };
  const r = await judge(host, await mk('alice'));
  const v = r.blocking.find((g) => g.id === 'admin-lockout');
  assert.ok(v, JSON.stringify(r.all, null, 1));
  assert.match(v.message, /alice \(address unknown\): before works \(publickey\) from 203\.0\.113\.77; after, from no address the configuration admits with a shell/);
  assert.deepEqual((await judge(host, await mk('carol'))).blocking, []);
});

test('user add --nologin and user sftp --create: the predicted account and directories pass every guard (real user planner)', async () => {
  const config = 'PasswordAuthentication yes\nSubsystem sftp internal-sftp\n';
  const host = await loadHost(fake({ config, aliceKeys: KEY }), { mainPath: MAIN, facts: 'config' });
  const cfg = await loadConfig(host, MAIN);
  assert.ok(cfg.ok);
  const base = { create: true, fixPermissions: false, target: { customFile: true }, fs: host.fs, mainPath: MAIN, cfg: cfg.value, self: ['root'], admin: 'root', systemd: false } as const;
  const add = await planUserChange({ ...base, op: 'add', user: 'sshield-t-new' });
  assert.equal(add.kind, 'plan');
  if (add.kind === 'plan') assert.deepEqual((await judge(host, add.plan)).blocking, []);
  const sftp = await planUserChange({ ...base, op: 'sftp', user: 'sshield-t-sftp', chroot: '/srv/sftp/sshield-t-sftp', uploadDir: '/srv/sftp/sshield-t-sftp/upload' });
  assert.equal(sftp.kind, 'plan');
  if (sftp.kind === 'plan') {
    const r = await judge(host, sftp.plan);
    assert.deepEqual(r.blocking, [], 'the chroot directories the plan makes are root-owned 0755 in the prediction');
    assert.equal(r.all.find((g) => g.id === 'bad-chroot')?.ok, true);
  }
});

test('allow: an allowlist judged for the admin with an unknown address (some listed address keeps working); the session address is the planner\'s', async () => {
  const config = 'PasswordAuthentication yes\n';
  const host = await loadHost(fake({ config, aliceKeys: KEY }), { mainPath: MAIN, facts: 'config' });
  const cfg = await loadConfig(host, MAIN);
  assert.ok(cfg.ok);
  const a = await planAllowChange({ op: 'add', addresses: parseAllowAddresses(['192.0.2.0/24']).values, target: { customFile: true }, fs: host.fs, mainPath: MAIN, cfg: cfg.value, admin: 'root', overrides: new Set(), systemd: false });
  const r = await judge(host, a.plan);
  assert.deepEqual(r.blocking, [], JSON.stringify(r.all, null, 1));
  assert.match(r.all.find((g) => g.id === 'admin-lockout')?.message ?? '', /keeps one \(alice, root\)/);
});

test('keys remove / restrict and restore: the authorized_keys the plan writes is judged (the only key gone: refused)', async () => {
  const config = 'PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin no\n';
  const host = await loadHost(fake({ config, aliceKeys: KEY }), { mainPath: MAIN, facts: 'config' });
  for (const kind of ['keys', 'restore'] as const) {
    const r = await judge(host, plan(kind, [change(AK, KEY, '')]));
    const ids = r.blocking.map((g) => g.id);
    assert.ok(ids.includes('admin-lockout'), `${kind}: ${JSON.stringify(r.all, null, 1)}`);
    assert.match(r.blocking.find((g) => g.id === 'admin-lockout')!.message, /alice \(address unknown\): before works \(publickey\) .* refused: publickey: no authorized key/);
  }
  // A restriction that keeps the key usable passes.
  assert.deepEqual((await judge(host, plan('keys', [change(AK, KEY, `restrict ${KEY}`)]))).blocking, []);
  // A forced command on the admin's only key leaves a login but no shell: refused.
  const forced = await judge(host, plan('keys', [change(AK, KEY, `command="/bin/false" ${KEY}`)]));
  assert.ok(forced.blocking.some((g) => g.id === 'admin-lockout'), JSON.stringify(forced.all, null, 1));
});

test('the session user is protected at their own address; the invoking sudo user from elsewhere', async () => {
  const config = 'PasswordAuthentication yes\n';
  const host = await loadHost(fake({ config, aliceKeys: KEY }), { mainPath: MAIN, facts: 'config' });
  const session = sessionFromEnv({ SUDO_USER: 'alice', SSH_CONNECTION: '203.0.113.5 40000 127.0.0.1 22' });
  const after = 'PasswordAuthentication yes\nDenyUsers alice@203.0.113.5\n';
  const r = await judge(host, plan('harden', [change(MAIN, config, after)]), [], session);
  assert.equal(r.blocking.find((g) => g.id === 'session-lockout')?.overrideFlag, '--allow-session-lockout', JSON.stringify(r.all, null, 1));
});
