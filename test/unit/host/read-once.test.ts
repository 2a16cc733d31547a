// One loaded host per run: an audit run and a `harden --dry-run` run over every example root read
// each config file from the host exactly once, however many times the audit, the planner, the
// proof, the audit of the prediction and the guards parse or evaluate it. Reads are counted
// through a counting file view under the executor, the way the CLI builds it (audit: gatherAudit
// over the target executor; harden: buildHardenPlan with the target executor).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { rootFs } from '../../../src/host/root-fs.js';
import { offlineExecutor } from '../../../src/host/executor.js';
import type { ReadOnlyFs } from '../../../src/host/fs.js';
import { gatherAudit } from '../../../src/audit/gather.js';
import { runAudit } from '../../../src/audit/run.js';
import { PROFILES } from '../../../src/policy/profiles.js';
import { buildHardenPlan } from '../../../src/apply/harden.js';
import { loadConfigTree } from '../../../src/sshd/include.js';

const examples = readdirSync('examples').filter((d) => existsSync(join('examples', d, 'etc/ssh/sshd_config')));

function counting(base: ReadOnlyFs): { fs: ReadOnlyFs; reads: Map<string, number> } {
  const reads = new Map<string, number>();
  return {
    reads,
    fs: {
      label: base.label,
      readFile: (p, max) => {
        reads.set(p, (reads.get(p) ?? 0) + 1);
        return base.readFile(p, max);
      },
      readDir: (p) => base.readDir(p),
      lstat: (p) => base.lstat(p),
      stat: (p) => base.stat(p),
      readLink: (p) => base.readLink(p),
      realPath: (p) => base.realPath(p),
    },
  };
}

async function configFiles(fs: ReadOnlyFs): Promise<string[]> {
  return [...(await loadConfigTree(fs, '/etc/ssh/sshd_config')).files.keys()];
}

for (const ex of examples) {
  test(`examples/${ex}: one audit run reads each config file once`, async () => {
    const root = resolve('examples', ex);
    const files = await configFiles(rootFs(root));
    assert.ok(files.length >= 1);
    const c = counting(rootFs(root));
    const input = await gatherAudit(offlineExecutor(c.fs, 'root'));
    runAudit(input, { profile: PROFILES.baseline, source: 'builtin', waivers: [] }, { version: 'test', today: '2026-11-24' });
    for (const f of files) assert.equal(c.reads.get(f), 1, `${f} read ${c.reads.get(f) ?? 0} times`);
    const twice = [...c.reads].filter(([, n]) => n > 1);
    assert.deepEqual(twice, [], 'no file is read twice in one run');
  });

  for (const profile of ['baseline', 'strict', 'proxmox'] as const) {
    test(`examples/${ex}: one harden --dry-run (${profile}) reads each config file once`, async () => {
      const root = resolve('examples', ex);
      const files = await configFiles(rootFs(root));
      const c = counting(rootFs(root));
      const res = await buildHardenPlan({
        fs: c.fs,
        exec: offlineExecutor(c.fs, 'root'),
        configPath: '/etc/ssh/sshd_config',
        root,
        policy: { profile: PROFILES[profile], source: 'builtin', waivers: [] },
        today: '2026-11-24',
        version: 'test',
        systemd: false,
      });
      assert.ok(res.plan, res.ok ? 'a plan' : res.reason);
      for (const f of files) assert.equal(c.reads.get(f), 1, `${f} read ${c.reads.get(f) ?? 0} times`);
      const twice = [...c.reads].filter(([, n]) => n > 1);
      assert.deepEqual(twice, [], 'no file is read twice in one run');
    });
  }
}
