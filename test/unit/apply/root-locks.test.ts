// Locks and recovery per root (issue #12 "one host-wide lock (per root)"): recovery of an
// offline root takes that root's own lock, not "/"'s, and touches only that root's unfinished
// runs; runs on different roots that share a backup directory take ids without colliding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPlan, hostLockPathOf, lockPathOf, recover } from '../../../src/apply/pipeline.js';
import { LockHeldError } from '../../../src/apply/lock.js';
import { claimBackupId, listBackups, writeJournal } from '../../../src/apply/backup.js';
import { SimulatedCrash } from '../../../src/apply/fake-host.js';
import { fakeHost, testPlan, OPTS } from './fixtures.js';

const LOCKS = { ...OPTS, lockDir: '/run/lock/sshield', lockWaitMs: 0 };
const A = '/srv/images/a';
const B = '/srv/images/b';

test('recovery of an offline root takes that root\'s lock: a live holder of "/" does not block it, a holder of the root does', async () => {
  const h = fakeHost();
  h.alive.add(9999);
  h.put(hostLockPathOf(LOCKS), '9999\n'); // another run changes this machine right now
  assert.equal(await recover(h, LOCKS, A), undefined, 'the root recovers beside a run on "/"');
  await assert.rejects(recover(h, LOCKS), LockHeldError, '"/" itself is busy');
  h.put(hostLockPathOf(LOCKS, A), '9999\n');
  await assert.rejects(recover(h, LOCKS, A), (e: unknown) => e instanceof LockHeldError && e.lockPath === hostLockPathOf(LOCKS, A));
  assert.equal(await recover(h, LOCKS, B), undefined, 'another root is not blocked by it');
  assert.notEqual(lockPathOf(LOCKS, A), lockPathOf(LOCKS, B), 'each root has its own backup-directory lock too');
  assert.notEqual(lockPathOf(LOCKS, A), lockPathOf(LOCKS));
});

test('recovery of one root leaves another root\'s unfinished run alone; that root\'s own recovery undoes it', async () => {
  const h = fakeHost();
  const before = h.text('/etc/ssh/sshd_config');
  h.faults = [{ op: 'rename', match: /sshd_config\.d/, action: 'crash' }]; // killed between two installs
  await applyPlan(h, testPlan({ root: B, reload: { kind: 'none', why: 'offline root' } }), LOCKS).catch((e: unknown) => assert.ok(e instanceof SimulatedCrash, String(e)));
  h.revive();
  assert.notEqual(h.text('/etc/ssh/sshd_config'), before, 'the first file was installed before the kill');
  const phase = async () => (await listBackups(h, OPTS.backupRoot))[0]!.journal!.phase;
  assert.equal(await phase(), 'installing');
  await recover(h, LOCKS);
  await recover(h, LOCKS, A);
  assert.equal(await phase(), 'installing', 'runs on "/" and on another root do not recover it');
  await recover(h, LOCKS, B);
  assert.equal(await phase(), 'rolled-back');
  assert.equal(h.text('/etc/ssh/sshd_config'), before);
});

test('a manifest-less run of a live process is left to it; a dead one is closed', async () => {
  const h = fakeHost();
  h.mkdirpSync(OPTS.backupRoot);
  const id = await claimBackupId(h, OPTS.backupRoot);
  // Another process (pid 9999, alive) took the id and wrote its first journal record.
  h.pid = 9999;
  h.alive.add(9999);
  await writeJournal(h, OPTS.backupRoot, undefined, id, 'preparing');
  h.pid = 4242;
  await recover(h, LOCKS, A);
  assert.equal((await listBackups(h, OPTS.backupRoot))[0]!.journal!.phase, 'preparing', 'a live run (of any root) is not closed under it');
  h.alive.delete(9999);
  await recover(h, LOCKS, A);
  assert.equal((await listBackups(h, OPTS.backupRoot))[0]!.journal!.phase, 'rolled-back');
});

test('backup ids are taken by an exclusive mkdir: two runs in the same second get two ids', async () => {
  const h = fakeHost();
  h.mkdirpSync(OPTS.backupRoot);
  const ids = [await claimBackupId(h, OPTS.backupRoot), await claimBackupId(h, OPTS.backupRoot), await claimBackupId(h, OPTS.backupRoot)];
  assert.equal(new Set(ids).size, 3, ids.join(' '));
  assert.match(ids[1]!, /-2$/);
  for (const id of ids) assert.deepEqual(h.dirMeta.get(`${OPTS.backupRoot}/${id}`), { mode: 0o700, uid: 0, gid: 0 });
});

test('a stop request ends the wait for a lock another run holds: nothing changed', async () => {
  const h = fakeHost();
  h.alive.add(9999);
  h.put(hostLockPathOf(LOCKS), '9999\n');
  const ctl = new AbortController();
  const waiting = applyPlan(h, testPlan(), { ...LOCKS, lockWaitMs: 600_000, abort: ctl.signal });
  ctl.abort('interrupted by SIGTERM');
  await assert.rejects(waiting, /interrupted by SIGTERM while waiting for .*host\.lock \(held by pid 9999\); nothing was changed/);
  assert.equal(h.text('/etc/ssh/sshd_config'), fakeHost().text('/etc/ssh/sshd_config'));
});
