// `sshield confirm --reject` (rejectChange): a change awaiting confirmation is rolled back at once
// through the watcher's own rollback (files restored, the daemon reloaded, the journal says
// rolled-back) and its watcher is told to stop; nothing pending, or the watcher already done, is
// said as such.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPlan } from '../../../src/apply/pipeline.js';
import { listBackups } from '../../../src/apply/backup.js';
import { confirmChange, rejectChange, watchConfirm } from '../../../src/apply/confirm.js';
import { fakeHost, testPlan, OPTS, snapshot, OLD_STATE, NEW_STATE } from './fixtures.js';

test('reject: the pending change is rolled back now, the daemon reloaded, the watcher signalled; the journal says why', async () => {
  const h = fakeHost();
  const out = await applyPlan(h, testPlan(), { ...OPTS, confirmTimeoutSec: 120, watcherArgs: (id) => ['confirm', '--watch', id] });
  assert.equal(out.status, 'applied');
  assert.deepEqual(snapshot(h), NEW_STATE);
  const [pending] = await listBackups(h, OPTS.backupRoot);
  const watcher = pending!.journal!.watcherPid;
  const sig: string[] = [];
  h.onSignal = (pid, s) => (sig.push(`${s} ${pid}`), true);
  const start = h.now();
  const r = await rejectChange(h, OPTS, 'rejected by the test');
  assert.equal(r.status, 'rolled-back', JSON.stringify(r));
  assert.deepEqual(r.status === 'rolled-back' ? r.backupIds : [], [pending!.id]);
  assert.ok(h.now() - start < 120_000, 'not at the deadline');
  assert.deepEqual(snapshot(h), OLD_STATE);
  assert.ok(sig.includes('SIGHUP 777'), sig.join());
  assert.equal(typeof watcher, 'number', 'the fake host started a watcher');
  assert.ok(sig.includes(`SIGTERM ${watcher}`), sig.join());
  const [after] = await listBackups(h, OPTS.backupRoot);
  assert.equal(after!.journal!.phase, 'rolled-back');
  assert.match(JSON.stringify(after!.journal), /rejected by the test/);
  // The watcher, woken, finds nothing to do; confirming now is too late; a second reject too.
  assert.equal(await watchConfirm(h, OPTS, pending!.id), 'gone');
  assert.equal((await confirmChange(h, OPTS)).status, 'too-late');
  assert.equal((await rejectChange(h, OPTS, 'again')).status, 'too-late');
});

test('reject with nothing pending: nothing-pending, nothing touched', async () => {
  const h = fakeHost();
  assert.equal((await rejectChange(h, OPTS, 'x')).status, 'nothing-pending');
  const out = await applyPlan(h, testPlan(), OPTS);
  assert.equal(out.status, 'applied');
  assert.equal((await rejectChange(h, OPTS, 'x')).status, 'nothing-pending');
  assert.deepEqual(snapshot(h), NEW_STATE);
});
