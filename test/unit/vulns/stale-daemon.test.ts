// An upgraded but not restarted sshd: /proc/PID/exe ends in " (deleted)" once dpkg replaced the
// binary; host/require-current-openssh fails with the restart command. End of life fails too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gatherRunningSshd } from '../../../src/host/facts/openssh-package.js';
import { localExecutor, offlineExecutor } from '../../../src/host/executor.js';
import { memoryFs } from '../../../src/host/memory-fs.js';
import { gatherAudit } from '../../../src/audit/gather.js';
import { runRule } from '../../../src/rules/define-rule.js';
import { getRule } from '../../../src/rules/registry.js';
import type { VulnFacts } from '../../../src/rules/types.js';

test('gatherRunningSshd: a deleted exe is a replaced binary; offline hosts and missing pids are unknown', async () => {
  const fs = memoryFs({ '/proc/4242/exe': { kind: 'symlink', target: '/usr/sbin/sshd (deleted)' }, '/proc/77/exe': { kind: 'symlink', target: '/usr/sbin/sshd' } });
  const live = localExecutor(fs);
  assert.deepEqual(await gatherRunningSshd(live, 4242), { status: 'known', value: { pid: 4242, exe: '/usr/sbin/sshd (deleted)', replaced: true } });
  assert.deepEqual(await gatherRunningSshd(live, 77), { status: 'known', value: { pid: 77, exe: '/usr/sbin/sshd', replaced: false } });
  assert.equal((await gatherRunningSshd(live, undefined)).status, 'unknown');
  assert.equal((await gatherRunningSshd(offlineExecutor(fs), 4242)).status, 'unknown');
});

async function check(build: string, patch: Partial<VulnFacts>) {
  const versionId = /deb11/.test(build) ? '11' : '12';
  const a = await gatherAudit(offlineExecutor(memoryFs({ '/etc/ssh/sshd_config': '', '/etc/passwd': 'root:x:0:0::/root:/bin/bash\n', '/etc/os-release': `ID=debian\nVERSION_ID="${versionId}"\n` }), 'memory'), { openssh: build });
  const vulns = { ...(a.input.facts.vulns as VulnFacts), ...patch };
  return runRule(getRule('host/require-current-openssh')!, { ...a.input, facts: { ...a.input.facts, vulns } }, { pveAware: false });
}

test('host/require-current-openssh: a current package whose daemon runs the replaced binary fails with the restart', async () => {
  assert.equal((await check('1:9.2p1-2+deb12u10', {})).status, 'pass');
  const r = await check('1:9.2p1-2+deb12u10', { staleDaemon: { pid: 4242, exe: '/usr/sbin/sshd (deleted)' } });
  assert.equal(r.status, 'fail');
  assert.match(r.message, /running sshd \(pid 4242\) still executes \/usr\/sbin\/sshd \(deleted\)/);
  assert.deepEqual(r.remediation.map((x) => (x.kind === 'manual' ? x.command : '')), ['systemctl restart ssh']);
});

test('host/require-current-openssh: Debian 11 is end of life', async () => {
  const r = await check('1:8.4p1-5+deb11u7', {});
  assert.equal(r.status, 'fail');
  assert.match(r.message, /end of life since 2026-08-31/);
});
