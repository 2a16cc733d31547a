// The harden planner's prediction is what `sshield effective` says of the candidate tree: for
// every example root and profile, the plan's predicted values (globals and every identity's -C
// spec) are compared with the real CLI's `effective --root COPY --json [-C spec]` run on a copy of
// the root with the planned files written in. Both sides read the host the same way (one loaded
// host: the same build detection, accounts and tree -> evaluator conversion), so they must agree.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { rootFs } from '../../../src/host/root-fs.js';
import { offlineExecutor } from '../../../src/host/executor.js';
import { buildHardenPlan } from '../../../src/apply/harden.js';
import { PROFILES } from '../../../src/policy/profiles.js';
import type { ConnectionSpec } from '../../../src/sshd/evaluate/types.js';

// The CLI as it ships (src/cli/main.ts bundled like build.mjs does), built once into a private
// directory: each spec is one process, and the bundle starts several times faster than tsx, so
// the proof costs the shared machine little (and never races a concurrent `npm run build`).
let CLI: string[] = [];
before(async () => {
  const { build } = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'sshield-cli-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const outfile = join(dir, 'sshield.cjs');
  await build({
    entryPoints: [join(process.cwd(), 'src/cli/main.ts')], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning',
    define: { 'import.meta.url': 'importMetaUrl' }, banner: { js: 'const importMetaUrl = require("url").pathToFileURL(__filename).href;' },
    plugins: [{ name: 'no-native', setup(b) { b.onResolve({ filter: /\.node$|^cpu-features$/ }, (a) => ({ path: a.path, namespace: 'no-native' })); b.onLoad({ filter: /.*/, namespace: 'no-native' }, () => ({ contents: 'throw new Error("native addon disabled");' })); } }],
  });
  CLI = [outfile];
});
const examples = readdirSync('examples').filter((d) => existsSync(join('examples', d, 'etc/ssh/sshd_config')));

function specText(s: ConnectionSpec): string {
  return Object.entries(s).map(([k, v]) => `${k}=${v}`).join(',');
}

function effective(root: string, spec: ConnectionSpec | undefined): Promise<Record<string, { value: string }[]>> {
  return new Promise((done, fail) => {
    const c = spawn(process.execPath, [...CLI, 'effective', '--root', root, '--engine', 'builtin', '--json', ...(spec ? ['-C', specText(spec)] : [])]);
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    c.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    c.on('error', fail);
    c.on('close', (code) => {
      if (code !== 0) fail(new Error(`effective ${spec ? specText(spec) : ''}: exit ${code}: ${err}`));
      else done((JSON.parse(out) as { values: Record<string, { value: string }[]> }).values);
    });
  });
}

/** Runs `f` over `items`, at most `n` at a time. */
async function pool<T, R>(items: readonly T[], n: number, f: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!);
    }
  }));
  return out;
}

// strict predicts the most values on every example; proxmox adds the PVE cluster's Match
// exception on the cluster node. (Each spec is one CLI process: the set is kept to what differs.)
const CASES = examples.flatMap((ex) => [{ ex, profile: 'strict' as const }, ...(ex === 'pve-cluster-node' ? [{ ex, profile: 'proxmox' as const }] : [])]);

for (const { ex, profile } of CASES) {
  {
    test(`examples/${ex} (${profile}): the plan's prediction equals sshield effective on the candidate tree`, { timeout: 600_000 }, async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'sshield-predict-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      cpSync(resolve('examples', ex), dir, { recursive: true });
      const fs = rootFs(dir);
      const res = await buildHardenPlan({ fs, exec: offlineExecutor(fs, 'root'), configPath: '/etc/ssh/sshd_config', root: dir, policy: { profile: PROFILES[profile], source: 'builtin', waivers: [] }, today: '2026-11-24', version: 'test', systemd: false });
      assert.ok(res.plan, res.ok ? 'a plan' : res.reason);
      const plan = res.plan;
      if (plan.files.length === 0) return; // nothing predicted beyond what is there (covered by the second-run tests)
      assert.ok(plan.predicted.length > 0, 'a plan that changes files predicts values');
      for (const f of plan.files) {
        const p = join(dir, f.path);
        if (f.action === 'delete') rmSync(p, { force: true });
        else {
          mkdirSync(dirname(p), { recursive: true });
          writeFileSync(p, Buffer.from(f.after, 'latin1'));
        }
      }
      const bySpec = new Map<string, { spec?: ConnectionSpec; items: typeof plan.predicted[number][] }>();
      for (const p of plan.predicted) {
        const k = p.spec ? specText(p.spec) : '';
        const e = bySpec.get(k) ?? bySpec.set(k, { ...(p.spec ? { spec: p.spec } : {}), items: [] }).get(k)!;
        e.items.push(p);
      }
      let compared = 0;
      const groups = [...bySpec.values()];
      const results = await pool(groups, 2, (g) => effective(dir, g.spec));
      for (const [i, { items }] of groups.entries()) {
        const values = results[i]!;
        for (const p of items) {
          assert.deepEqual((values[p.key] ?? []).map((v) => v.value), [...p.values], `${p.label}: ${p.key}`);
          compared++;
        }
      }
      assert.equal(compared, plan.predicted.length);
    });
  }
}
