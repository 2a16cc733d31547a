// Representative faults against a real daemon: a candidate sshd rejects is never installed, and a
// verify failure restores the old file, reloads, and the daemon keeps serving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sshdAvailable, startSshd } from '../../helpers/sshd.js';
import { localFs } from '../../../src/host/local-fs.js';
import { localApplyHost, probeDaemon } from '../../../src/apply/local-host.js';
import { applyPlan } from '../../../src/apply/pipeline.js';
import { sha256, type Plan } from '../../../src/apply/plan.js';

function planFor(path: string, before: string, after: string, pidFile: string, port: number, methods: string[]): Plan {
  return {
    version: 1, kind: 'harden', configPath: path,
    files: [{ path, hostPath: path, action: 'write', beforeSha256: sha256(before), before, after, edits: [], diff: '', newFileMode: 0o600, reasons: ['test'] }],
    tree: [{ path, hostPath: path }], predicted: [], guards: [], remediated: [], notes: [],
    reload: { kind: 'pidfile', pidFile }, verify: { address: '127.0.0.1', port, user: 'sshield-probe', methods },
  };
}

test('real sshd: rejected candidate never installed; failed verify rolls back and the daemon keeps serving', { skip: !sshdAvailable() && 'needs root and sshd', timeout: 60_000 }, async (t) => {
  const sshd = await startSshd({ config: 'PasswordAuthentication yes\nKbdInteractiveAuthentication no\nUsePAM yes' });
  t.after(() => sshd.stop());
  const bk = mkdtempSync(join(tmpdir(), 'sshield-bk-'));
  t.after(() => rmSync(bk, { recursive: true, force: true }));
  const host = localApplyHost(localFs());
  const pid = join(sshd.dir, 'sshd.pid');
  const old = readFileSync(sshd.configPath, 'latin1');

  const bad = await applyPlan(host, planFor(sshd.configPath, old, `${old}ObscureKeystrokeTiming no\n`, pid, sshd.port, ['publickey']), { backupRoot: bk, sshd: '/usr/sbin/sshd' });
  assert.equal(bad.status === 'failed' && bad.step, 'validate', JSON.stringify(bad));
  assert.equal(readFileSync(sshd.configPath, 'latin1'), old);

  // Valid candidate, but the plan expects methods the daemon will not offer: verify fails -> rollback.
  const cand = old.replace('PasswordAuthentication yes', 'PasswordAuthentication no');
  const v = await applyPlan(host, planFor(sshd.configPath, old, cand, pid, sshd.port, ['publickey', 'password']), { backupRoot: bk, sshd: '/usr/sbin/sshd', verifyTimeoutMs: 3000 });
  assert.equal(v.status === 'failed' && v.step, 'verify', JSON.stringify(v));
  assert.equal(v.status === 'failed' && v.rolledBack, true);
  assert.equal(readFileSync(sshd.configPath, 'latin1'), old);
  let p = await probeDaemon('127.0.0.1', sshd.port, 'sshield-probe', 3000);
  for (let i = 0; i < 20 && !(p.ok && p.methods.includes('password')); i++) {
    await new Promise((r) => setTimeout(r, 200));
    p = await probeDaemon('127.0.0.1', sshd.port, 'sshield-probe', 3000);
  }
  assert.ok(p.ok && p.methods.includes('password'), `daemon serves the old config: ${JSON.stringify(p)}`);
});
