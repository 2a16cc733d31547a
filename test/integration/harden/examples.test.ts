// Every example root, copied to a temp dir and hardened offline (--root) with each profile: the
// real sshd -t accepts the staged result and sshd -T matches the prediction (both checked by the
// pipeline before installing), the result is installed, and a second run plans nothing. Where a
// preflight guard must refuse (the PVE examples have no admin key besides root's, the cluster node
// under baseline would lose root from its peers), the refusal leaves every file byte-identical and
// only the guard's own flag lets the change through. What changes comes from the audit: after
// installing, the real `sshield audit` of the result passes every rule the plan said it fixed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sshdAvailable, run } from '../../helpers/sshd.js';
import { etcSshSnapshot } from '../../helpers/tree.js';

const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];
const examples = existsSync('examples') ? readdirSync('examples').filter((d) => existsSync(join('examples', d, 'etc/ssh/sshd_config'))) : [];

/** The guard each example/profile must trip, and its flag (plus the flags of other guards it trips too). */
const REFUSED: Record<string, { guard: string; flag: string; also?: readonly string[] }> = {
  'pve8-default/baseline': { guard: 'no-key-admin', flag: '--allow-no-key-admin' },
  'pve9-default/baseline': { guard: 'no-key-admin', flag: '--allow-no-key-admin' },
  // The proxmox profile refuses root login on a single node too, and root's is the only key there.
  'pve8-default/proxmox': { guard: 'no-key-admin', flag: '--allow-no-key-admin' },
  'pve9-default/proxmox': { guard: 'no-key-admin', flag: '--allow-no-key-admin' },
  // baseline refuses root login everywhere: the peers lose it, and so does the only account that can become root (ops is in
  // the sudo group, but a PVE node has no sudo).
  'pve-cluster-node/baseline': { guard: 'cluster-break', flag: '--allow-cluster-break', also: ['--allow-admin-lockout'] },
};

const snapshot = etcSshSnapshot;

for (const ex of examples) {
  for (const profile of ['baseline', 'proxmox']) {
    test(`harden --root examples/${ex} (${profile})`, { skip: !sshdAvailable() && 'needs root and sshd', timeout: 60_000 }, async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'sshield-root-'));
      const bk = mkdtempSync(join(tmpdir(), 'sshield-bk-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      t.after(() => rmSync(bk, { recursive: true, force: true }));
      cpSync(join('examples', ex), dir, { recursive: true });
      const args = ['harden', '--root', dir, '--profile', profile, '--yes', '--backup-dir', bk];
      const refused = REFUSED[`${ex}/${profile}`];
      if (refused) {
        const before = snapshot(dir);
        const r = await run(process.execPath, [...CLI, ...args]);
        assert.equal(r.code, 3, r.stdout + r.stderr);
        assert.match(r.stderr, new RegExp(`refused: .*\\(override: ${refused.flag}\\)`));
        assert.match(r.stdout, new RegExp(`REFUSED by guard ${refused.guard}:`));
        assert.deepEqual(snapshot(dir), before, 'a refusal changes nothing');
        for (const f of refused.also ?? []) assert.match(r.stderr, new RegExp(`\\(override: ${f}\\)`));
        args.push(refused.flag, ...(refused.also ?? []));
      }
      const first = await run(process.execPath, [...CLI, ...args]);
      assert.equal(first.code, 0, first.stdout + first.stderr);
      assert.match(first.stdout, /Applied \(backup|Nothing to change/);
      // The hardened example already satisfies both profiles (LoginGraceTime 20 within 1..30,
      // PermitRootLogin no stricter than prohibit-password): nothing may be rewritten.
      if (ex === 'hardened') assert.match(first.stdout, /Nothing to change/);
      const fixed = /^Rules fixed: (.*)$/m.exec(first.stdout)?.[1]?.split(', ').filter((x) => x.startsWith('sshd/') || x.startsWith('host/')) ?? [];
      if (ex !== 'hardened') assert.ok(fixed.length > 3, first.stdout);
      const audit = await run(process.execPath, [...CLI, 'audit', '--root', dir, '--profile', profile, '--json']);
      const results = new Map((JSON.parse(audit.stdout) as { results: { ruleId: string; status: string; message: string }[] }).results.map((r) => [r.ruleId, r]));
      for (const id of fixed) assert.equal(results.get(id)?.status, 'pass', `${id}: ${results.get(id)?.message}`);
      const second = await run(process.execPath, [...CLI, ...args]);
      assert.equal(second.code, 0, second.stdout + second.stderr);
      assert.match(second.stdout, /Nothing to change/);
    });
  }
}

test('--profile FILE: a policy file drives the plan; our drop-in line is set in place', { skip: !sshdAvailable() && 'needs root and sshd', timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sshield-root-'));
  const bk = mkdtempSync(join(tmpdir(), 'sshield-bk-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  t.after(() => rmSync(bk, { recursive: true, force: true }));
  // Debian 12 (validated by this machine's sshd 9.2): harden once, then tighten one option.
  cpSync('examples/debian12-cloud', dir, { recursive: true });
  const once = await run(process.execPath, [...CLI, 'harden', '--root', dir, '--profile', 'baseline', '--yes', '--backup-dir', bk]);
  assert.equal(once.code, 0, once.stdout + once.stderr);
  const policy = join(dir, 'policy.yaml');
  writeFileSync(policy, 'extends: baseline\nrules:\n  sshd/limit-max-auth-tries: { options: { min: 2, max: 2 } }\n');
  const drop = join(dir, 'etc/ssh/sshd_config.d/00-sshield.conf');
  const before = readFileSync(drop, 'latin1');
  const r = await run(process.execPath, [...CLI, 'harden', '--root', dir, '--profile', policy, '--yes', '--backup-dir', bk]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^Rules fixed: sshd\/limit-max-auth-tries$/m);
  assert.equal(readFileSync(drop, 'latin1'), before.replace('\nMaxAuthTries 3\n', '\nMaxAuthTries 2\n'), 'one line edited in place, every other byte kept');
  const bad = await run(process.execPath, [...CLI, 'harden', '--root', dir, '--profile', join(dir, 'missing.yaml'), '--dry-run']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /not a built-in profile .* and not a readable file/);
});
