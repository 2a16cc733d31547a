// The apply pipeline on the in-memory host: the happy path, every scripted failure and every
// simulated SIGKILL at every operation of a run. Invariants: each file is always its old or its
// new bytes (never partial), a failure leaves the old files and the daemon reloaded, and the next
// run recovers whatever a killed run left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPlan, recover } from '../../../src/apply/pipeline.js';
import { listBackups, CANDIDATE_SUFFIX } from '../../../src/apply/backup.js';
import { SimulatedCrash, faultAt, type LoggedOp } from '../../../src/apply/fake-host.js';
import { confirmChange, watchConfirm } from '../../../src/apply/confirm.js';
import { fakeHost, testPlan, change, OPTS, snapshot, OLD_STATE, NEW_STATE, MAIN, DROPIN, CLOUD, OLD_MAIN, NEW_MAIN, NEW_DROPIN } from './fixtures.js';

function noLeftovers(h: ReturnType<typeof fakeHost>): void {
  for (const p of h.files.keys()) assert.ok(!p.endsWith(CANDIDATE_SUFFIX), `candidate left behind: ${p}`);
  assert.ok(!h.files.has(`${OPTS.backupRoot}/.lock`), 'lock left behind');
  assert.ok(![...h.files.keys()].some((p) => p.includes('/stage/')), 'staging left behind');
}

test('applies a plan: backup with manifest, validate, install, reload, verify, commit', async () => {
  const h = fakeHost();
  const sig: string[] = [];
  h.onSignal = (pid, s) => (sig.push(`${s} ${pid}`), true);
  const out = await applyPlan(h, testPlan(), OPTS);
  assert.equal(out.status, 'applied', JSON.stringify(out));
  assert.deepEqual(snapshot(h), NEW_STATE);
  assert.deepEqual(sig, ['SIGHUP 777']);
  assert.equal(h.files.get(MAIN)!.mode, 0o644);
  const [b] = await listBackups(h, OPTS.backupRoot);
  assert.equal(b!.journal!.phase, 'committed');
  assert.deepEqual(b!.manifest!.files.map((f) => [f.path, f.existed, f.mode]), [[MAIN, true, 0o644], [DROPIN, false, 0o644], [CLOUD, true, 0o600]]);
  assert.equal(h.text(`${b!.dir}/${b!.manifest!.files[0]!.copy}`), OLD_STATE[MAIN]);
  // sshd -t and -T ran on the staged copy with Include rewritten into the stage, never on live files.
  const runs = h.log.filter((l) => l.startsWith('run /usr/sbin/sshd'));
  assert.equal(runs.length, 2);
  for (const r of runs) assert.match(r, /-f \/var\/backups\/sshield\/\d{8}T\d{6}Z\/stage\/etc\/ssh\/sshd_config/);
  noLeftovers(h);
});

test('a new drop-in whose directory the host lacks: the directory is created and the file installed', async () => {
  // Found by CI on a clean clone: git keeps no empty sshd_config.d in the example roots, and a
  // real host may lack the directory too; the candidate write must not fail with ENOENT.
  const h = fakeHost();
  h.files.delete(CLOUD);
  h.dirs.delete('/etc/ssh/sshd_config.d');
  const plan = testPlan({
    files: [change(MAIN, OLD_MAIN, NEW_MAIN), change(DROPIN, null, NEW_DROPIN)],
    tree: [{ path: MAIN, hostPath: MAIN }, { path: DROPIN, hostPath: DROPIN }],
  });
  const out = await applyPlan(h, plan, OPTS);
  assert.equal(out.status, 'applied', JSON.stringify(out));
  assert.equal(h.text(DROPIN), NEW_DROPIN);
  assert.equal(h.text(MAIN), NEW_MAIN);
  noLeftovers(h);
});

test('refuses a plan that the daemon rejects: nothing installed, no reload', async () => {
  const h = fakeHost();
  let hups = 0;
  h.onSignal = () => (hups++, true);
  const out = await applyPlan(h, testPlan({}, 'Bogus yes\n'), OPTS);
  assert.equal(out.status, 'failed');
  assert.equal(out.status === 'failed' && out.step, 'validate');
  assert.match(out.status === 'failed' ? out.reason : '', /Bogus/);
  assert.deepEqual(snapshot(h), OLD_STATE);
  assert.equal(hups, 0);
  assert.ok(!h.log.some((l) => l.startsWith(`rename`)), 'nothing renamed');
  noLeftovers(h);
});

test('refuses when sshd -T differs from the prediction', async () => {
  const h = fakeHost();
  const out = await applyPlan(h, testPlan({ predicted: [{ key: 'passwordauthentication', values: ['yes'], label: 'global' }] }), OPTS);
  assert.equal(out.status === 'failed' && out.step, 'validate');
  assert.match(out.status === 'failed' ? out.reason : '', /passwordauthentication.*expected "yes", got "no"/);
  assert.deepEqual(snapshot(h), OLD_STATE);
});

test('a file changed since planning is not touched (stale plan)', async () => {
  const h = fakeHost();
  h.put(MAIN, 'Port 2222\n');
  const out = await applyPlan(h, testPlan(), OPTS);
  assert.equal(out.status, 'stale');
  assert.equal(h.text(MAIN), 'Port 2222\n');
});

test('reload failure and verify failure restore the old files and reload again', async () => {
  for (const kind of ['reload', 'verify'] as const) {
    const h = fakeHost();
    let hups = 0;
    h.onSignal = () => (++hups === 1 && kind === 'reload' ? false : true);
    if (kind === 'verify') h.onProbe = () => ({ ok: true, ident: 'SSH-2.0-OpenSSH_9.2p1', methods: ['publickey', 'password'] });
    const out = await applyPlan(h, testPlan(), OPTS);
    assert.equal(out.status, 'failed', kind);
    assert.equal(out.status === 'failed' && out.step, kind);
    assert.equal(out.status === 'failed' && out.rolledBack, true);
    assert.deepEqual(snapshot(h), OLD_STATE, kind);
    assert.equal(hups, 2, `${kind}: reloaded again after restoring`);
    const [b] = await listBackups(h, OPTS.backupRoot);
    assert.equal(b!.journal!.phase, 'rolled-back');
    noLeftovers(h);
  }
});

test('a second concurrent run is stopped by the lock; a stale lock is taken over', async () => {
  const h = fakeHost();
  h.put(`${OPTS.backupRoot}/.lock`, '999\n');
  h.alive.add(999);
  await assert.rejects(applyPlan(h, testPlan(), OPTS), /pid 999/);
  h.alive.delete(999);
  const out = await applyPlan(h, testPlan(), OPTS);
  assert.equal(out.status, 'applied');
});

/** Every operation a clean run performs, as (op, subject, occurrence). */
async function operationsOfCleanRun(): Promise<LoggedOp[]> {
  const h = fakeHost();
  const before = h.log.length;
  await applyPlan(h, testPlan(), OPTS);
  return h.operationsSince(before);
}

test('SIGKILL at every operation: each file old or new, never partial; the next run recovers', async () => {
  const ops = await operationsOfCleanRun();
  assert.ok(ops.length > 20, `only ${ops.length} operations`);
  for (const [i, o] of ops.entries()) {
    const h = fakeHost();
    h.faults = [faultAt(o, 'crash')];
    await applyPlan(h, testPlan(), OPTS).then(
      () => undefined,
      (e: unknown) => assert.ok(e instanceof SimulatedCrash, `#${i} ${o.op}: ${String(e)}`),
    );
    const s = snapshot(h);
    for (const p of [MAIN, DROPIN, CLOUD] as const) assert.ok(s[p] === OLD_STATE[p] || s[p] === NEW_STATE[p], `#${i} ${o.op} ${o.subject}: ${p} is partial: ${JSON.stringify(s[p])}`);
    h.revive();
    await recover(h, OPTS);
    const after = snapshot(h);
    assert.ok(JSON.stringify(after) === JSON.stringify(OLD_STATE) || JSON.stringify(after) === JSON.stringify(NEW_STATE), `#${i} ${o.op} ${o.subject}: mixed state after recovery ${JSON.stringify(after)}`);
    for (const b of await listBackups(h, OPTS.backupRoot)) assert.ok(['committed', 'rolled-back'].includes(b.journal?.phase ?? ''), `#${i} ${o.op}: journal ${b.journal?.phase}`);
    // The crash happened before the commit record unless it was the very last operation.
    if (JSON.stringify(after) === JSON.stringify(NEW_STATE)) assert.ok(i >= lastJournalWrite(ops), `#${i} ${o.op} ${o.subject}: kept an unverified change`);
    noLeftovers(h);
    // And a fresh run then succeeds (or has nothing left to do).
    const again = await applyPlan(h, testPlan(), OPTS);
    if (JSON.stringify(after) === JSON.stringify(OLD_STATE)) assert.equal(again.status, 'applied', `#${i} ${o.op}: ${JSON.stringify(again)}`);
  }
});

test('an injected I/O failure at every operation leaves the old files (or the committed new ones)', async () => {
  const ops = await operationsOfCleanRun();
  for (const [i, o] of ops.entries()) {
    const h = fakeHost();
    const subjectRe = new RegExp(`^${o.subject.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    h.faults = [{ op: o.op, match: subjectRe, nth: o.nth, action: 'fail' }];
    const out = await applyPlan(h, testPlan(), OPTS).catch((e: unknown) => ({ status: 'threw', reason: String(e) }) as const);
    const s = JSON.stringify(snapshot(h));
    if (out.status === 'applied') assert.equal(s, JSON.stringify(NEW_STATE), `#${i}`);
    else if (out.status === 'failed' && !out.rolledBack) {
      // The rollback itself hit the fault: the next run finishes it.
      h.revive();
      await recover(h, OPTS);
      assert.equal(JSON.stringify(snapshot(h)), JSON.stringify(OLD_STATE), `#${i} ${o.op} ${o.subject}`);
    } else assert.equal(s, JSON.stringify(OLD_STATE), `#${i} ${o.op} ${o.subject}: ${JSON.stringify(out)}`);
  }
});

test('--confirm-timeout: confirmed changes stay, unconfirmed ones are rolled back by the watcher', async () => {
  const h = fakeHost();
  const out = await applyPlan(h, testPlan(), { ...OPTS, confirmTimeoutSec: 60 });
  assert.equal(out.status, 'applied');
  assert.deepEqual(h.spawned[0]?.slice(0, 3), ['confirm', '--watch', out.status === 'applied' ? out.backupId : '']);
  // A second harden meanwhile is told to confirm first.
  const second = await applyPlan(h, testPlan(), OPTS);
  assert.equal(second.status, 'pending-confirm');
  const c = await confirmChange(h, OPTS);
  assert.equal(c.status, 'confirmed');
  assert.equal(await watchConfirm(h, OPTS, c.status === 'confirmed' ? c.backupId : ''), 'confirmed');
  assert.deepEqual(snapshot(h), NEW_STATE);

  const h2 = fakeHost();
  const o2 = await applyPlan(h2, testPlan(), { ...OPTS, confirmTimeoutSec: 30 });
  assert.equal(o2.status, 'applied');
  let hups = 0;
  h2.onSignal = () => (hups++, true);
  const start = h2.now();
  assert.equal(await watchConfirm(h2, OPTS, o2.status === 'applied' ? o2.backupId : ''), 'rolled-back');
  assert.ok(h2.now() - start >= 30_000);
  assert.deepEqual(snapshot(h2), OLD_STATE);
  assert.equal(hups, 1);
  assert.equal((await confirmChange(h2, OPTS)).status, 'too-late');
});

test('a dead watcher is covered by the next run once the deadline passed', async () => {
  const h = fakeHost();
  const out = await applyPlan(h, testPlan(), { ...OPTS, confirmTimeoutSec: 30 });
  assert.equal(out.status, 'applied');
  for (const p of [...h.alive]) if (p > 5000) h.alive.delete(p);
  h.clock += 31_000;
  await recover(h, OPTS);
  assert.deepEqual(snapshot(h), OLD_STATE);
});

test('a plan made while a killed run had half-installed files is not applied after the recovery (stale)', async () => {
  const ops = await operationsOfCleanRun();
  // Crash at the second rename of the install step: one file new, the others old.
  const renames = ops.filter((o) => o.op === 'rename');
  assert.ok(renames.length >= 2);
  const h = fakeHost();
  const r = renames[1]!;
  h.faults = [{ op: r.op, match: new RegExp(`^${r.subject.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`), nth: r.nth, action: 'crash' }];
  await applyPlan(h, testPlan(), OPTS).catch((e: unknown) => assert.ok(e instanceof SimulatedCrash));
  h.revive();
  // A plan made now would describe the half-changed files; applyPlan recovers first and refuses it.
  const out = await applyPlan(h, testPlan(), OPTS);
  assert.equal(out.status, 'stale', JSON.stringify(out));
  assert.match(out.status === 'stale' ? out.reason : '', /recovered the interrupted run/);
  assert.deepEqual(snapshot(h), OLD_STATE);
  assert.equal((await applyPlan(h, testPlan(), OPTS)).status, 'applied', 'planned again on the recovered files, it applies');
});

/** The index of the commit record (the run's last journal write): only a crash there or after (lock releases) may keep the change. */
function lastJournalWrite(ops: readonly { op: string; subject: string }[]): number {
  for (let i = ops.length - 1; i >= 0; i--) if (ops[i]!.op === 'replaceFile' && ops[i]!.subject.endsWith('/journal.json')) return i;
  return ops.length;
}
