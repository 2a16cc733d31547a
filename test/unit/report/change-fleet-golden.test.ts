// The renderers of a change rolled over many hosts (src/report/change-fleet.ts), on a rollout of a
// real harden plan (examples/pve9-default, made in-process) through a scripted runner whose hosts
// answer with real single-host envelopes (changeEnvelope): text summary, JSON envelope and the
// per-host plans shown before asking, each against a golden file in test/golden/change-fleet/
// (update only with UPDATE_GOLDEN=1), the JSON also against schemas/change-fleet.schema.json.
// Plus: a hostile host's strings cannot reach the terminal as control characters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { buildHardenPlan } from '../../../src/apply/harden.js';
import { offlineExecutor } from '../../../src/host/executor.js';
import { rootFs } from '../../../src/host/root-fs.js';
import { PROFILES } from '../../../src/policy/profiles.js';
import { changeEnvelope } from '../../../src/report/outcome-json.js';
import type { Plan } from '../../../src/apply/plan.js';
import type { HostChangeResult, HostChangeRunner, HostChangeStatus } from '../../../src/fleet/change-types.js';
import { rollout } from '../../../src/fleet/rollout.js';
import type { FleetTarget } from '../../../src/fleet/target.js';
import { changeFleetReport, printable, renderChangeFleetJson, renderChangeFleetText, renderFleetPlans, wouldRefuseOf } from '../../../src/report/change-fleet.js';
import { assertMatchesSchema } from '../../helpers/json-schema.js';
import { assertGolden } from '../../helpers/golden.js';

const GOLDEN = resolve('test/golden/change-fleet');
const EXAMPLE = resolve('examples/pve9-default');

const golden = (name: string, actual: string): void => assertGolden(GOLDEN, name, actual);

async function hardenPlan(): Promise<Plan> {
  const fs = rootFs(EXAMPLE);
  const res = await buildHardenPlan({ fs, exec: offlineExecutor(fs, 'root'), configPath: '/etc/ssh/sshd_config', policy: { profile: PROFILES.proxmox, source: 'builtin', waivers: [] }, today: '2026-11-24', version: 'test', systemd: false });
  assert.ok(res.plan, res.ok ? 'a plan' : res.reason);
  // The example's absolute path depends on the checkout. Its one refusing guard (no admin with a
  // key in the example) is taken as overridden, as with --allow-no-key-admin on the command line.
  const plan = JSON.parse(JSON.stringify(res.plan).replaceAll(EXAMPLE, '/')) as Plan;
  assert.deepEqual(plan.guards.filter((g) => !g.ok).map((g) => g.id), ['no-key-admin']);
  return { ...plan, guards: plan.guards.map((g) => (g.ok ? g : { ...g, overridden: true })) };
}

const targets: FleetTarget[] = ['pve1', 'pve2', 'pve3', 'pve4', 'pve5'].map((n, i) => ({ name: n, address: `127.0.1.${i + 1}`, user: 'root', port: 22, groups: ['all'], source: '--host' }));

function runnerOf(answers: Record<string, (t: FleetTarget) => Omit<HostChangeResult, 'name' | 'target' | 'ms'>>): HostChangeRunner {
  return async (t) => ({ name: t.name, target: `root@${t.address}:22`, ms: 1200 + Number(t.address.slice(-1)), ...(answers[t.name]?.(t) ?? { status: 'changed' as HostChangeStatus }) });
}

test('a rollout that stops at a rolled-back host: text, JSON (schema-valid) and the counts match the golden files', async () => {
  const plan = await hardenPlan();
  const applied = (id: string) => changeEnvelope({ command: 'harden', outcome: { kind: 'applied', backupId: id, notes: ['verified: a new connection after the reload'] }, plan, messages: [] });
  const runner = runnerOf({
    pve1: () => ({ status: 'changed', backupId: '20261205T010000Z', envelope: applied('20261205T010000Z') }),
    pve2: () => ({ status: 'unchanged', envelope: changeEnvelope({ command: 'harden', outcome: { kind: 'nothing-to-do' }, messages: [] }) }),
    pve3: () => ({
      status: 'rolled-back',
      backupId: '20261205T010002Z',
      reason: 'sshd -t rejected the candidate: /etc/ssh/sshd_config line 3: Bad configuration option',
      envelope: changeEnvelope({ command: 'harden', outcome: { kind: 'failed', step: 'validate', reason: 'sshd -t rejected the candidate', backupId: '20261205T010002Z', rolledBack: true }, plan, messages: [] }),
    }),
  });
  const r = await rollout(targets, runner, { parallel: 2, now: () => 0 });
  const rep = changeFleetReport('harden', r, { version: '0.0.0-test', dryRun: false, parallel: 2 });
  assert.deepEqual(rep.hosts.map((h) => h.status), ['changed', 'unchanged', 'rolled-back', 'skipped', 'skipped']);
  assert.equal(rep.summary.exitCode, 2);
  const json = renderChangeFleetJson(rep);
  assertMatchesSchema('change-fleet', json, 'change-fleet rolled back');
  golden('harden-rolled-back.json', json);
  golden('harden-rolled-back.txt', renderChangeFleetText(rep));
});

test('a dry run of five hosts, one unreachable and one a guard would refuse: text and plans match the golden files, JSON the schema', async () => {
  const plan = await hardenPlan();
  const planned = changeEnvelope({ command: 'harden', outcome: { kind: 'dry-run' }, plan, messages: [] });
  const runner = runnerOf({
    pve1: () => ({ status: 'planned', envelope: planned }),
    pve2: () => ({ status: 'planned', envelope: changeEnvelope({ command: 'harden', outcome: { kind: 'nothing-to-do' }, messages: [] }) }),
    pve3: () => ({ status: 'unreachable', reason: 'ssh: connect to host 127.0.1.3 port 22: Connection refused' }),
    pve4: () => ({ status: 'planned', envelope: changeEnvelope({ command: 'harden', outcome: { kind: 'dry-run', wouldRefuse: 'guard cluster-root-ssh: PVE cluster nodes would lose root access (override: --allow-cluster-break)' }, plan, messages: [] }) }),
    pve5: () => ({ status: 'planned', envelope: planned }),
  });
  const r = await rollout(targets, runner, { parallel: 3, dryRun: true, now: () => 0 });
  const rep = changeFleetReport('harden', r, { version: '0.0.0-test', dryRun: true, parallel: 3 });
  assert.equal(rep.summary.exitCode, 2, 'an unreachable host is an error even in a dry run');
  assert.equal(wouldRefuseOf(rep.hosts[3]!.envelope)?.startsWith('guard cluster-root-ssh'), true);
  const json = renderChangeFleetJson(rep);
  assertMatchesSchema('change-fleet', json, 'change-fleet dry run');
  assert.deepEqual(JSON.parse(json).hosts.map((h: { envelope: unknown }) => h.envelope === null), [false, false, true, false, false], 'each host\'s own envelope nested, none for the unreachable one');
  golden('harden-dry-run.txt', renderChangeFleetText(rep));
  golden('harden-dry-run.plans.txt', renderFleetPlans(rep));
});

test('an interrupted rollout says so and names no failure; exit 3', async () => {
  const ctl = new AbortController();
  const r = await rollout(targets.slice(0, 3), runnerOf({}), { parallel: 1, signal: ctl.signal, now: () => 0, onDone: () => ctl.abort('SIGINT') });
  const rep = changeFleetReport('allow add', r, { version: '0.0.0-test', dryRun: false, parallel: 1 });
  assertMatchesSchema('change-fleet', rep);
  assert.equal(rep.summary.exitCode, 3);
  golden('allow-add-interrupted.txt', renderChangeFleetText(rep));
});

test("a host's strings reach the terminal without control characters (names, reasons, diffs)", async () => {
  const evil = '\x1b]0;owned\x07\x1b[2J';
  const runner: HostChangeRunner = async (t) => ({
    name: `${t.name}${evil}`,
    target: t.address,
    status: 'planned',
    reason: `why${evil}\r\nnext`,
    ms: 1,
    envelope: { outcome: { kind: 'dry-run', wouldRefuse: `no${evil}` }, plan: { files: [{ path: `/etc/ssh/x${evil}`, diff: `--- a\n+++ b\n+Port 22${evil}\n` }], guards: [{ ok: false, id: 'g', message: evil, overrideFlag: '--x' }], notes: [evil, 42], steps: 'not an array' } },
  });
  const r = await rollout(targets.slice(0, 1), runner, { parallel: 1, dryRun: true, now: () => 0 });
  const rep = changeFleetReport('harden', r, { version: 't', dryRun: true, parallel: 1 });
  for (const out of [renderChangeFleetText(rep), renderFleetPlans(rep)]) {
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(out, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/, out);
    assert.ok(out.includes('\uFFFD'));
  }
  assert.equal(printable('a\nb\tc'), 'a b c');
  assert.equal(printable('a\nb\tc', true), 'a\nb\tc');
  assert.match(renderFleetPlans(rep), /\+Port 22/);
});
