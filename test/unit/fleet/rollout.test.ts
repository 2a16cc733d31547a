// The rolling rollout (src/fleet/rollout.ts) over a scripted fake runner: each host answers with a
// chosen status after a chosen number of event-loop turns (setImmediate: the order is the same
// under any load), and the fake records the order hosts started in and how many were in flight.
// Table-driven: the canary's failure skips every other host; a failure mid-way with --parallel 2
// lets the one in flight finish and skips the rest; an abort stops starting hosts; a dry run plans
// every host, bounded, without stopping; exit codes by the single-host classes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exitCodeOfRollout, rollout, type RolloutOptions } from '../../../src/fleet/rollout.js';
import type { HostChangeHooks, HostChangeResult, HostChangeRunner, HostChangeStatus } from '../../../src/fleet/change-types.js';
import type { FleetTarget } from '../../../src/fleet/target.js';

interface Script {
  readonly status: HostChangeStatus;
  /** Event-loop turns before the host answers (default 1). */
  readonly turns?: number;
  readonly throws?: boolean;
}

const turn = () => new Promise<void>((r) => setImmediate(r));

function targets(names: string): FleetTarget[] {
  return names.split(' ').map((n, i) => ({ name: n, address: `127.0.1.${i + 1}`, user: 'root', groups: ['all'], source: '--host' }));
}

function fakeRunner(script: Record<string, Script>, onStart?: (name: string) => void) {
  const started: string[] = [];
  const hooksSeen: HostChangeHooks[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const runner: HostChangeRunner = async (t, hooks) => {
    started.push(t.name);
    hooksSeen.push(hooks);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    onStart?.(t.name);
    const s = script[t.name] ?? { status: 'changed' };
    for (let i = 0; i < (s.turns ?? 1); i++) await turn();
    inFlight--;
    if (s.throws) throw new Error('boom');
    const r: HostChangeResult = { name: t.name, target: `root@${t.address}`, status: s.status, ms: 5, ...(s.status === 'changed' ? { backupId: `B-${t.name}` } : {}), ...(['changed', 'unchanged', 'planned'].includes(s.status) ? {} : { reason: `${t.name} said ${s.status}` }) };
    return r;
  };
  return { runner, started, hooksSeen, get maxInFlight() { return maxInFlight; } };
}

interface Case {
  readonly name: string;
  readonly hosts: string;
  readonly script: Record<string, Script>;
  readonly options?: Partial<RolloutOptions>;
  readonly expect: { statuses: string; started: string; maxInFlight?: number; exit: number; firstFailure?: string; stopped?: string };
}

const CASES: Case[] = [
  {
    name: 'every host succeeds: the canary alone, then two at a time',
    hosts: 'a b c d e',
    script: { c: { status: 'unchanged' } },
    options: { parallel: 2 },
    expect: { statuses: 'changed changed unchanged changed changed', started: 'a b c d e', maxInFlight: 2, exit: 0 },
  },
  {
    name: 'the canary fails: every other host is skipped, never started',
    hosts: 'a b c d e',
    script: { a: { status: 'rolled-back' } },
    options: { parallel: 4 },
    expect: { statuses: 'rolled-back skipped skipped skipped skipped', started: 'a', maxInFlight: 1, exit: 2, firstFailure: 'a rolled-back', stopped: 'failure a' },
  },
  {
    name: 'the canary is unreachable: a failure, never clean; the rest skipped',
    hosts: 'a b c',
    script: { a: { status: 'unreachable' } },
    options: { parallel: 2 },
    expect: { statuses: 'unreachable skipped skipped', started: 'a', exit: 2, firstFailure: 'a unreachable', stopped: 'failure a' },
  },
  {
    name: 'a failure mid-way with --parallel 2: the host in flight finishes, the later hosts are skipped',
    hosts: 'a b c d e f',
    script: { b: { status: 'failed', turns: 1 }, c: { status: 'changed', turns: 4 } },
    options: { parallel: 2 },
    expect: { statuses: 'changed failed changed skipped skipped skipped', started: 'a b c', maxInFlight: 2, exit: 2, firstFailure: 'b failed', stopped: 'failure b' },
  },
  {
    name: 'two failures in flight at once: both reported, the first to answer stops the run',
    hosts: 'a b c d',
    script: { b: { status: 'failed', turns: 3 }, c: { status: 'rolled-back', turns: 1 } },
    options: { parallel: 2 },
    expect: { statuses: 'changed failed rolled-back skipped', started: 'a b c', exit: 2, firstFailure: 'c rolled-back', stopped: 'failure c' },
  },
  {
    name: 'a refusal stops the run like a failure, exit 3 (nothing changed there on purpose)',
    hosts: 'a b c d',
    script: { b: { status: 'refused' } },
    options: { parallel: 1 },
    expect: { statuses: 'changed refused skipped skipped', started: 'a b', maxInFlight: 1, exit: 3, firstFailure: 'b refused', stopped: 'failure b' },
  },
  {
    name: 'a runner that throws is a failure of that host and stops the run',
    hosts: 'a b c',
    script: { b: { status: 'changed', throws: true } },
    options: { parallel: 1 },
    expect: { statuses: 'changed failed skipped', started: 'a b', exit: 2, firstFailure: 'b failed', stopped: 'failure b' },
  },
  {
    name: 'parallel 1 (the cluster): one host at a time, in order',
    hosts: 'a b c d',
    script: {},
    options: { parallel: 1 },
    expect: { statuses: 'changed changed changed changed', started: 'a b c d', maxInFlight: 1, exit: 0 },
  },
  {
    name: 'dry run: every host planned, no canary, at most --parallel at once',
    hosts: 'a b c d e',
    script: { a: { status: 'planned', turns: 3 }, b: { status: 'planned' }, c: { status: 'planned' }, d: { status: 'planned' }, e: { status: 'planned' } },
    options: { parallel: 2, dryRun: true },
    expect: { statuses: 'planned planned planned planned planned', started: 'a b c d e', maxInFlight: 2, exit: 0 },
  },
  {
    name: 'dry run: an unreachable host does not stop the plans of the others, exit 2',
    hosts: 'a b c d',
    script: { a: { status: 'planned' }, b: { status: 'unreachable' }, c: { status: 'planned' }, d: { status: 'refused' } },
    options: { parallel: 2, dryRun: true },
    expect: { statuses: 'planned unreachable planned refused', started: 'a b c d', exit: 2, firstFailure: 'b unreachable' },
  },
];

for (const c of CASES) {
  test(`rollout: ${c.name}`, async () => {
    const f = fakeRunner(c.script);
    const ts = targets(c.hosts);
    const r = await rollout(ts, f.runner, { parallel: 10, ...c.options });
    assert.equal(r.hosts.map((h) => h.status).join(' '), c.expect.statuses);
    assert.deepEqual(r.hosts.map((h) => h.name), ts.map((t) => t.name), 'results in the targets\' order');
    assert.equal(f.started.join(' '), c.expect.started, 'hosts started');
    if (c.expect.maxInFlight !== undefined) assert.equal(f.maxInFlight, c.expect.maxInFlight, 'most hosts in flight');
    assert.equal(exitCodeOfRollout(r.summary), c.expect.exit, 'exit code');
    const ff = r.summary.firstFailure;
    assert.equal(ff ? `${ff.name} ${ff.status}` : undefined, c.expect.firstFailure, 'first failure');
    const st = r.summary.stopped;
    assert.equal(st ? `${st.kind}${st.kind === 'failure' ? ` ${st.name}` : ''}` : undefined, c.expect.stopped, 'stopped');
    assert.equal(r.summary.hosts, ts.length);
    assert.equal(Object.values(r.summary.counts).reduce((a, b) => a + b, 0), ts.length, 'every host counted once');
    for (const h of r.hosts.filter((x) => x.status === 'skipped')) {
      assert.equal(h.ms, 0);
      assert.match(h.reason ?? '', new RegExp(`^not started: ${c.expect.firstFailure ?? ''}`), 'a skipped host says which host stopped the run');
      assert.equal(h.target, `root@${ts.find((t) => t.name === h.name)!.address}`);
    }
  });
}

test('rollout: the canary must finish before any other host starts', async () => {
  const events: string[] = [];
  const f = fakeRunner({ a: { status: 'changed', turns: 5 } }, (n) => events.push(`start ${n}`));
  await rollout(targets('a b c'), f.runner, { parallel: 3, onDone: (_d, _t, r) => events.push(`done ${r.name}`) });
  assert.deepEqual(events.slice(0, 2), ['start a', 'done a']);
});

test('rollout: an abort after the canary starts no further host; hosts in flight finish; exit 3', async () => {
  const ctl = new AbortController();
  const f = fakeRunner({ b: { status: 'changed', turns: 3 }, c: { status: 'changed', turns: 1 } }, (n) => {
    if (n === 'c') ctl.abort('SIGINT');
  });
  const r = await rollout(targets('a b c d e'), f.runner, { parallel: 2, signal: ctl.signal });
  assert.equal(r.hosts.map((h) => h.status).join(' '), 'changed changed changed skipped skipped');
  assert.equal(f.started.join(' '), 'a b c');
  assert.deepEqual(r.summary.stopped, { kind: 'interrupted', reason: 'interrupted (SIGINT)' });
  assert.equal(r.summary.firstFailure, undefined);
  assert.equal(r.hosts[3]!.reason, 'not started: interrupted (SIGINT)');
  assert.equal(exitCodeOfRollout(r.summary), 3);
});

test('rollout: aborted before it starts: nothing runs, every host skipped', async () => {
  const ctl = new AbortController();
  ctl.abort('SIGINT');
  const f = fakeRunner({});
  const r = await rollout(targets('a b'), f.runner, { parallel: 2, signal: ctl.signal });
  assert.equal(f.started.length, 0);
  assert.equal(r.hosts.map((h) => h.status).join(' '), 'skipped skipped');
});

test('rollout: an abort during a dry run stops starting further plans', async () => {
  const ctl = new AbortController();
  const f = fakeRunner({ a: { status: 'planned' }, b: { status: 'planned' }, c: { status: 'planned' } }, (n) => {
    if (n === 'a') ctl.abort('SIGINT');
  });
  const r = await rollout(targets('a b c'), f.runner, { parallel: 1, dryRun: true, signal: ctl.signal });
  assert.equal(r.hosts.map((h) => h.status).join(' '), 'planned skipped skipped');
});

test('rollout: the hooks and the host signal reach every host run; progress counts every host', async () => {
  const beforeConfirm = async () => ({ ok: true as const });
  const hostCtl = new AbortController();
  const signals: (AbortSignal | undefined)[] = [];
  const f = fakeRunner({});
  const runner: HostChangeRunner = (t, h, s) => (signals.push(s), f.runner(t, h, s));
  const progress: string[] = [];
  const r = await rollout(targets('a b c'), runner, { parallel: 2, hooks: { beforeConfirm }, hostSignal: hostCtl.signal, onDone: (d, t, x) => progress.push(`${d}/${t} ${x.name}`) });
  assert.ok(f.hooksSeen.every((h) => h.beforeConfirm === beforeConfirm));
  assert.ok(signals.every((s) => s === hostCtl.signal));
  assert.equal(progress.length, 3);
  assert.equal(progress[0], '1/3 a');
  assert.equal(r.hosts[0]!.backupId, 'B-a');
});

test('rollout: no targets is an empty, successful result', async () => {
  const r = await rollout([], fakeRunner({}).runner, { parallel: 3 });
  assert.equal(r.hosts.length, 0);
  assert.equal(exitCodeOfRollout(r.summary), 0);
});
