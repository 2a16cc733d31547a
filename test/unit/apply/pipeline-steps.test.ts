// Typed host steps in the one writer: a plan that creates an account, fixes and makes chroot
// directories, makes the upload directory owned by the new account and changes another
// account's shell, together with file changes. On the in-memory host (accounts through fake
// useradd/usermod/userdel): the happy path, a simulated SIGKILL at every operation and an I/O
// failure at every operation (each followed by the next run's recovery: accounts, directories
// and files all back to before, or all after), stale steps, and restore (undo and redo).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPlan, recover } from '../../../src/apply/pipeline.js';
import { listBackups } from '../../../src/apply/backup.js';
import { planRestore } from '../../../src/apply/restore.js';
import { SimulatedCrash, faultAt, type FakeHost, type FakeOp, type LoggedOp } from '../../../src/apply/fake-host.js';
import type { Plan, PlanStep } from '../../../src/apply/plan.js';
import { fakeHost, testPlan, OPTS, snapshot, withAccounts } from './fixtures.js';

const PASSWD = 'root:x:0:0:root:/root:/bin/bash\nbob:x:1001:1001:Bob:/home/bob:/bin/bash\n';
const GROUP = 'root:x:0:\nbob:x:1001:\n';

function host(): FakeHost {
  const h = fakeHost();
  h.put('/etc/passwd', PASSWD);
  h.put('/etc/group', GROUP);
  h.mkdirpSync('/home/bob');
  h.dirMeta.set('/home/bob', { uid: 1001, gid: 1001, mode: 0o750 });
  h.mkdirpSync('/srv/sftp');
  h.dirMeta.set('/srv/sftp', { uid: 1001, gid: 1001, mode: 0o775 });
  return withAccounts(h);
}

const STEPS: PlanStep[] = [
  { kind: 'create-account', user: 'alex', shell: '/usr/sbin/nologin', home: '/home/alex', createHome: true, describe: 'useradd alex', stage: 'before-files', before: { exists: false, homeExists: false } },
  { kind: 'set-ownership', path: '/srv/sftp', hostPath: '/srv/sftp', owner: { uid: 0, gid: 0 }, mode: 0o755, describe: 'chown root:root /srv/sftp && chmod 0755 /srv/sftp', stage: 'before-files', before: { uid: 1001, gid: 1001, mode: 0o775 } },
  { kind: 'make-dir', path: '/srv/sftp/alex', hostPath: '/srv/sftp/alex', mode: 0o755, owner: { uid: 0, gid: 0 }, describe: 'mkdir /srv/sftp/alex', stage: 'before-files', before: { exists: false } },
  { kind: 'make-dir', path: '/srv/sftp/alex/upload', hostPath: '/srv/sftp/alex/upload', mode: 0o755, owner: { user: 'alex' }, describe: 'mkdir /srv/sftp/alex/upload, owned by alex', stage: 'before-files', before: { exists: false } },
  { kind: 'set-shell', user: 'bob', shell: '/usr/sbin/nologin', describe: 'usermod -s /usr/sbin/nologin bob', stage: 'after-files', before: { shell: '/bin/bash' } },
];

function stepPlan(overrides: Partial<Plan> = {}): Plan {
  return testPlan({ kind: 'user', steps: STEPS, ...overrides });
}

/** Files, accounts and every directory with its owner and mode. */
function state(h: FakeHost): string {
  const dirs = [...h.dirs].filter((d) => d.startsWith('/srv') || d.startsWith('/home')).sort();
  const meta = dirs.map((d) => {
    const m = h.dirMeta.get(d) ?? { uid: 0, gid: 0, mode: 0o755 };
    return `${d} ${m.uid}:${m.gid} ${m.mode.toString(8)}`;
  });
  const homes = [...h.files.keys()].filter((p) => p.startsWith('/home/')).sort();
  return JSON.stringify({ files: snapshot(h), passwd: h.text('/etc/passwd'), group: h.text('/etc/group'), dirs: meta, homes });
}

const OLD = state(host());
let NEW = '';

test('a plan with host steps: accounts and directories before the files, the shell after; all recorded', async () => {
  const h = host();
  const out = await applyPlan(h, stepPlan(), OPTS);
  assert.equal(out.status, 'applied', JSON.stringify(out));
  assert.match(h.text('/etc/passwd')!, /^alex:x:1002:1002::\/home\/alex:\/usr\/sbin\/nologin$/m);
  assert.match(h.text('/etc/passwd')!, /^bob:x:1001:1001:Bob:\/home\/bob:\/usr\/sbin\/nologin$/m);
  assert.deepEqual(h.dirMeta.get('/srv/sftp'), { uid: 0, gid: 0, mode: 0o755 });
  assert.deepEqual(h.dirMeta.get('/srv/sftp/alex'), { uid: 0, gid: 0, mode: 0o755 });
  assert.deepEqual(h.dirMeta.get('/srv/sftp/alex/upload'), { uid: 1002, gid: 1002, mode: 0o755 }, 'owned by the account made a moment before');
  // Order: useradd before any file is installed, usermod after the verify probe.
  // (The backup's own directory, taken by an exclusive mkdir first, is not a host step.)
  const log = h.log.filter((l) => /^(run (useradd|usermod)|makeDir (?!\/var\/backups)|setOwnership|rename|probe)/.test(l)).map((l) => l.split(' ').slice(0, 2).join(' '));
  assert.deepEqual(log, ['run useradd', 'setOwnership /srv/sftp', 'makeDir /srv/sftp/alex', 'makeDir /srv/sftp/alex/upload', 'rename /etc/ssh/sshd_config.sshield-new', 'rename /etc/ssh/sshd_config.d/00-sshield.conf.sshield-new', 'probe 127.0.0.1:22', 'run usermod']);
  const [b] = await listBackups(h, OPTS.backupRoot);
  assert.equal(b!.journal!.phase, 'committed');
  assert.deepEqual(b!.journal!.steps, ['done', 'done', 'done', 'done', 'done']);
  assert.deepEqual(b!.manifest!.steps, STEPS);
  NEW = state(h);
  assert.notEqual(NEW, OLD);
});

/** Every operation a clean run performs, as (op, subject, occurrence). */
async function operations(): Promise<LoggedOp[]> {
  const h = host();
  const start = h.log.length;
  await applyPlan(h, stepPlan(), OPTS);
  return h.operationsSince(start);
}


test('SIGKILL at every operation of a plan with host steps: the next run restores accounts, directories and files', async () => {
  const ops = await operations();
  assert.ok(ops.filter((o) => o.op === 'run' && /^user(add|mod)/.test(o.subject)).length === 2);
  assert.ok(ops.length > 40, `only ${ops.length} operations`);
  for (const [i, o] of ops.entries()) {
    const h = host();
    h.faults = [faultAt(o, 'crash')];
    await applyPlan(h, stepPlan(), OPTS).then(
      () => undefined,
      (e: unknown) => assert.ok(e instanceof SimulatedCrash, `#${i} ${o.op}: ${String(e)}`),
    );
    h.revive();
    await recover(h, OPTS);
    const after = state(h);
    assert.ok(after === OLD || after === NEW, `#${i} ${o.op} ${o.subject}: mixed state after recovery ${after}`);
    if (after === NEW) assert.ok(i >= lastJournalWrite(ops), `#${i} ${o.op} ${o.subject}: kept an unfinished change`);
    for (const b of await listBackups(h, OPTS.backupRoot)) {
      assert.ok(['committed', 'rolled-back'].includes(b.journal?.phase ?? ''), `#${i}: journal ${b.journal?.phase}`);
      if (b.journal?.phase === 'rolled-back') assert.ok((b.journal.steps ?? []).every((p) => p === 'pending' || p === 'undone'), `#${i} ${o.op} ${o.subject}: steps ${b.journal.steps}`);
    }
    // Recovery is idempotent and a fresh run then applies (or has nothing left to do).
    await recover(h, OPTS);
    assert.equal(state(h), after, `#${i}: a second recovery changed something`);
    if (after === OLD) {
      const again = await applyPlan(h, stepPlan(), OPTS);
      assert.equal(again.status, 'applied', `#${i} ${o.op}: ${JSON.stringify(again)}`);
      assert.equal(state(h), NEW, `#${i}`);
    }
  }
});

test('a crash during the rollback of a failed step is finished by the next run', async () => {
  // usermod fails (after the files were installed and verified) -> rollback; kill the rollback at each of its operations.
  const base = host();
  base.faults = [{ op: 'run', match: /^usermod/, action: 'fail' }];
  const start = base.log.length;
  const out = await applyPlan(base, stepPlan(), OPTS);
  assert.equal(out.status, 'failed');
  assert.equal(out.status === 'failed' && out.step, 'host-step');
  assert.equal(state(base), OLD);
  const all = base.log.slice(start);
  const from = all.findIndex((l) => l.startsWith('run usermod')) + 1;
  const rb = all.slice(from);
  assert.ok(rb.some((l) => l.startsWith('run userdel')));
  for (const [k, l] of rb.entries()) {
    const nth = rb.slice(0, k + 1).filter((x) => x === l).length + all.slice(0, from).filter((x) => x === l).length;
    const sp = l.indexOf(' ');
    const h = host();
    h.faults = [
      { op: 'run', match: /^usermod/, action: 'fail' },
      faultAt({ op: l.slice(0, sp) as FakeOp, subject: l.slice(sp + 1), nth }, 'crash'),
    ];
    await applyPlan(h, stepPlan(), OPTS).catch((e: unknown) => assert.ok(e instanceof SimulatedCrash, String(e)));
    h.revive();
    await recover(h, OPTS);
    assert.equal(state(h), OLD, `rollback killed at ${l}`);
  }
});

test('an injected failure at every operation leaves the host as before (or the committed change)', async () => {
  const ops = await operations();
  for (const [i, o] of ops.entries()) {
    const h = host();
    h.faults = [faultAt(o, 'fail')];
    const out = await applyPlan(h, stepPlan(), OPTS).catch((e: unknown) => ({ status: 'threw', reason: String(e) }) as const);
    if (out.status === 'applied') assert.equal(state(h), NEW, `#${i}`);
    else {
      if (out.status !== 'failed' || !out.rolledBack) {
        h.revive();
        await recover(h, OPTS);
      }
      assert.equal(state(h), OLD, `#${i} ${o.op} ${o.subject}: ${JSON.stringify(out)}`);
    }
  }
});

test('a step whose host state changed since planning makes the plan stale: nothing is touched', async () => {
  const h = host();
  h.put('/etc/passwd', `${PASSWD}alex:x:1500:1500::/home/alex:/bin/bash\n`);
  const before = state(h);
  const out = await applyPlan(h, stepPlan(), OPTS);
  assert.equal(out.status, 'stale');
  assert.match(out.status === 'stale' ? out.reason : '', /account alex exists now/);
  assert.equal(state(h), before);
  const h2 = host();
  h2.dirMeta.set('/srv/sftp', { uid: 1001, gid: 1001, mode: 0o777 });
  const o2 = await applyPlan(h2, stepPlan(), OPTS);
  assert.match(o2.status === 'stale' ? o2.reason : '', /\/srv\/sftp is 1001:1001 0777 now, not 1001:1001 0775/);
});

test('restore undoes the steps (keeping what holds data) and restoring the restore redoes them', async () => {
  const h = host();
  assert.equal((await applyPlan(h, stepPlan(), OPTS)).status, 'applied');
  const [b] = await listBackups(h, OPTS.backupRoot);
  const plan = await planRestore(h, h.fs, b!);
  assert.deepEqual(plan.steps?.map((s) => `${s.kind} ${s.stage}`), ['set-shell after-files', 'remove-dir after-files', 'remove-dir after-files', 'set-ownership after-files', 'delete-account after-files']);
  const r = await applyPlan(h, plan, OPTS);
  assert.equal(r.status, 'applied', JSON.stringify(r));
  // Everything as before, except the account's home: userdel without -r keeps what the user stored.
  const keptHome = JSON.parse(state(h)) as { homes: string[] };
  assert.deepEqual(keptHome.homes, ['/home/alex/.profile']);
  assert.equal(h.text('/etc/passwd'), PASSWD);
  assert.equal(h.text('/etc/group'), GROUP);
  assert.deepEqual(h.dirMeta.get('/srv/sftp'), { uid: 1001, gid: 1001, mode: 0o775 });
  assert.ok(!h.dirs.has('/srv/sftp/alex'));

  const [, rb] = await listBackups(h, OPTS.backupRoot);
  assert.equal(rb!.manifest!.kind, 'restore');
  const redo = await planRestore(h, h.fs, rb!);
  // What comes back (the account, the directories) before the files, the rest after.
  assert.deepEqual(redo.steps?.map((s) => `${s.kind} ${s.stage}`), ['create-account before-files', 'make-dir before-files', 'make-dir before-files', 'set-ownership after-files', 'set-shell after-files']);
  assert.equal((await applyPlan(h, redo, OPTS)).status, 'applied');
  assert.match(h.text('/etc/passwd')!, /^alex:x:1002:1002::\/home\/alex:\/usr\/sbin\/nologin$/m, 'the same uid again');
  assert.deepEqual(h.dirMeta.get('/srv/sftp/alex/upload'), { uid: 1002, gid: 1002, mode: 0o755 });
  assert.deepEqual(h.dirMeta.get('/srv/sftp'), { uid: 0, gid: 0, mode: 0o755 });
});

test('restore leaves a directory that holds files, and says so', async () => {
  const h = host();
  assert.equal((await applyPlan(h, stepPlan(), OPTS)).status, 'applied');
  h.put('/srv/sftp/alex/upload/report.pdf', 'data', { uid: 1002, gid: 1002 });
  const [b] = await listBackups(h, OPTS.backupRoot);
  const plan = await planRestore(h, h.fs, b!);
  assert.ok(plan.notes.some((n) => /\/srv\/sftp\/alex\/upload is not empty: left in place/.test(n)), plan.notes.join('\n'));
  assert.ok(!plan.steps?.some((s) => s.kind === 'remove-dir' && s.path === '/srv/sftp/alex/upload'));
});

/** The index of the commit record (the run's last journal write): only a crash there or after (lock releases) may keep the change. */
function lastJournalWrite(ops: readonly { op: string; subject: string }[]): number {
  for (let i = ops.length - 1; i >= 0; i--) if (ops[i]!.op === 'replaceFile' && ops[i]!.subject.endsWith('/journal.json')) return i;
  return ops.length;
}

test('a new account with planned ids (--root): groupadd, useradd -u -g; a SIGKILL at every operation is undone, its group too', async () => {
  const CREATE: PlanStep = { kind: 'create-account', user: 'alex', shell: '/usr/sbin/nologin', home: '/home/alex', createHome: true, ids: { uid: 1500, gid: 1500, gecos: '', group: 'alex' }, describe: 'create account alex (uid 1500, gid 1500 in a new group alex)', stage: 'before-files', before: { exists: false, homeExists: false } };
  const plan = () => testPlan({ kind: 'user', steps: [CREATE] });
  const clean = host();
  const start = clean.log.length;
  assert.equal((await applyPlan(clean, plan(), OPTS)).status, 'applied');
  assert.match(clean.text('/etc/passwd')!, /^alex:x:1500:1500::\/home\/alex:\/usr\/sbin\/nologin$/m);
  assert.match(clean.text('/etc/group')!, /^alex:x:1500:$/m);
  const ops = clean.operationsSince(start);
  assert.ok(ops.some((o) => o.subject.startsWith('groupadd')) && ops.some((o) => o.subject.startsWith('useradd')));
  for (const [i, o] of ops.entries()) {
    const h = host();
    h.faults = [faultAt(o, 'crash')];
    await applyPlan(h, plan(), OPTS).catch((e: unknown) => assert.ok(e instanceof SimulatedCrash, String(e)));
    h.revive();
    await recover(h, OPTS);
    const committed = /^alex:/m.test(h.text('/etc/passwd')!);
    if (committed) assert.ok(i >= lastJournalWrite(ops), `#${i} ${o.op} ${o.subject}: kept an unfinished change`);
    else {
      assert.equal(h.text('/etc/passwd'), PASSWD, `#${i} ${o.op} ${o.subject}`);
      assert.equal(h.text('/etc/group'), GROUP, `#${i} ${o.op} ${o.subject}: the group groupadd made is gone`);
    }
  }
});
