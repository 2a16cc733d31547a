// The pipeline with a plan that changes nothing sshd parses at start (authorized_keys files, as
// `sshield keys restrict` plans them): no `sshd -t` run and no "not validated" note, owner, group
// and mode kept, the backup recorded with kind 'keys' and restorable byte for byte, and a kill at
// any operation leaves the old or the new bytes. Plans that delete a file or predict `sshd -T`
// values are still validated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPlan, recover, touchesSshdConfig } from '../../../src/apply/pipeline.js';
import { listBackups, CANDIDATE_SUFFIX } from '../../../src/apply/backup.js';
import { planRestore } from '../../../src/apply/restore.js';
import { SimulatedCrash, faultAt } from '../../../src/apply/fake-host.js';
import type { Plan } from '../../../src/apply/plan.js';
import { fakeHost, testPlan, change, OPTS, MAIN } from './fixtures.js';

const AK = '/home/al/.ssh/authorized_keys';
const OLD_AK = '# al\r\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBP+2WDn8cx3oq2pI0kmJjvwbw8W0TmT3wSgZ6H1eL2F one\r\n';
const NEW_AK = '# al\r\nrestrict ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBP+2WDn8cx3oq2pI0kmJjvwbw8W0TmT3wSgZ6H1eL2F one\r\n';

function keysHost() {
  const h = fakeHost();
  h.put(AK, OLD_AK, { mode: 0o600, uid: 1000, gid: 1001 });
  return h;
}

function keysPlan(overrides: Partial<Plan> = {}): Plan {
  return testPlan({
    kind: 'keys',
    files: [change(AK, OLD_AK, NEW_AK, 0o600)],
    tree: [],
    predicted: [],
    remediated: [],
    reload: { kind: 'none', why: 'sshd reads authorized_keys at every login: nothing to reload' },
    verify: undefined,
    ...overrides,
  });
}

/** The reload step's own note is the only one: nothing about validation. */
const ONLY_NOTE = ['not reloaded: sshd reads authorized_keys at every login: nothing to reload'];

function sshdRuns(h: ReturnType<typeof fakeHost>): string[] {
  return h.log.filter((l) => l.startsWith('run /usr/sbin/sshd'));
}

test('touchesSshdConfig: only writes outside the tree with no predictions are left out', () => {
  assert.equal(touchesSshdConfig(keysPlan()), false);
  // The same file listed in the tree (e.g. a plan made with the whole tree) is not left out.
  assert.equal(touchesSshdConfig(keysPlan({ tree: [{ path: AK, hostPath: AK }] })), true);
  assert.equal(touchesSshdConfig(keysPlan({ tree: [{ path: MAIN, hostPath: MAIN }] })), false);
  // A deleted file may have been an include target before the change: validate.
  assert.equal(touchesSshdConfig(keysPlan({ files: [change(AK, OLD_AK, null)] })), true);
  assert.equal(touchesSshdConfig(keysPlan({ predicted: [{ key: 'port', values: ['22'], label: 'global' }] })), true);
  assert.equal(touchesSshdConfig(testPlan()), true);
});

test('a plan outside the sshd config: no sshd -t, no "not validated" note; owner, group, mode kept; kind keys in the manifest', async () => {
  const h = keysHost();
  let signals = 0;
  h.onSignal = () => (signals++, true);
  const out = await applyPlan(h, keysPlan(), OPTS);
  assert.equal(out.status, 'applied', JSON.stringify(out));
  assert.deepEqual(out.status === 'applied' && out.notes, ONLY_NOTE);
  assert.deepEqual(sshdRuns(h), []);
  assert.equal(signals, 0, 'nothing reloaded');
  assert.ok(!h.log.some((l) => l.startsWith('probe')), 'nothing probed');
  assert.equal(h.text(AK), NEW_AK);
  const f = h.files.get(AK)!;
  assert.deepEqual([f.mode, f.uid, f.gid], [0o600, 1000, 1001]);
  const [b] = await listBackups(h, OPTS.backupRoot);
  assert.equal(b!.manifest!.kind, 'keys');
  assert.equal(b!.journal!.phase, 'committed');
  assert.deepEqual(b!.manifest!.files.map((e) => [e.path, e.existed, e.mode, e.uid, e.gid]), [[AK, true, 0o600, 1000, 1001]]);
  assert.equal(h.text(`${b!.dir}/${b!.manifest!.files[0]!.copy}`), OLD_AK);
  assert.ok(![...h.files.keys()].some((p) => p.endsWith(CANDIDATE_SUFFIX) || p.includes('/stage/')));

  // Restoring it is a plan of the same shape: again no sshd run, old bytes and ownership back.
  const plan = await planRestore(h, h.fs, b!);
  assert.equal(plan.kind, 'restore');
  assert.deepEqual(plan.files.map((x) => x.path), [AK]);
  const back = await applyPlan(h, plan, OPTS);
  assert.equal(back.status, 'applied', JSON.stringify(back));
  assert.deepEqual(back.status === 'applied' && back.notes, ONLY_NOTE);
  assert.deepEqual(sshdRuns(h), []);
  assert.equal(h.text(AK), OLD_AK);
  const g = h.files.get(AK)!;
  assert.deepEqual([g.mode, g.uid, g.gid], [0o600, 1000, 1001]);
});

test('on a host that cannot run sshd (offline root) the same plan gets no note either', async () => {
  const h = keysHost();
  h.live = false;
  const out = await applyPlan(h, keysPlan(), { backupRoot: OPTS.backupRoot });
  assert.equal(out.status, 'applied', JSON.stringify(out));
  assert.deepEqual(out.status === 'applied' && out.notes, ONLY_NOTE);
});

test('a harden plan on a host without a usable sshd still gets the note (unchanged behaviour)', async () => {
  const h = fakeHost();
  h.live = false;
  const out = await applyPlan(h, testPlan({ reload: { kind: 'none', why: 'offline' }, verify: undefined }), { backupRoot: OPTS.backupRoot });
  assert.equal(out.status, 'applied', JSON.stringify(out));
  assert.match(out.status === 'applied' ? out.notes.join('\n') : '', /not validated by a real sshd/);
});

test('a file outside the tree that the plan deletes is still validated by sshd', async () => {
  const h = keysHost();
  const out = await applyPlan(h, keysPlan({ files: [change(AK, OLD_AK, null)] }), OPTS);
  assert.equal(out.status, 'applied', JSON.stringify(out));
  assert.ok(sshdRuns(h).length > 0, 'sshd -t ran');
});

test('SIGKILL at every operation of a keys plan: the file is old or new, never partial; recovery leaves the old one', async () => {
  const clean = keysHost();
  await applyPlan(clean, keysPlan(), OPTS);
  const ops = clean.operationsSince(0);
  assert.ok(ops.length > 8, `only ${ops.length} operations`);
  for (const [i, o] of ops.entries()) {
    const h = keysHost();
    h.faults = [faultAt(o, 'crash')];
    await applyPlan(h, keysPlan(), OPTS).then(
      () => undefined,
      (e: unknown) => assert.ok(e instanceof SimulatedCrash, `#${i} ${o.op}: ${String(e)}`),
    );
    assert.ok([OLD_AK, NEW_AK].includes(h.text(AK)!), `#${i} ${o.op} ${o.subject}: partial file`);
    h.revive();
    await recover(h, OPTS);
    const after = h.text(AK);
    assert.ok(after === OLD_AK || (after === NEW_AK && i >= lastJournalWrite(ops)), `#${i} ${o.op} ${o.subject}: ${JSON.stringify(after)}`);
    const f = h.files.get(AK)!;
    assert.deepEqual([f.mode, f.uid, f.gid], [0o600, 1000, 1001], `#${i} ${o.op}: ownership`);
    for (const b of await listBackups(h, OPTS.backupRoot)) assert.ok(['committed', 'rolled-back'].includes(b.journal?.phase ?? ''), `#${i}: ${b.journal?.phase}`);
    assert.ok(![...h.files.keys()].some((p) => p.endsWith(CANDIDATE_SUFFIX)), `#${i}: candidate left`);
  }
});

/** The index of the commit record (the run's last journal write): only a crash there or after (lock releases) may keep the change. */
function lastJournalWrite(ops: readonly { op: string; subject: string }[]): number {
  for (let i = ops.length - 1; i >= 0; i--) if (ops[i]!.op === 'replaceFile' && ops[i]!.subject.endsWith('/journal.json')) return i;
  return ops.length;
}
