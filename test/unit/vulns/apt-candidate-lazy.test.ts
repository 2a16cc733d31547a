// The audit asks apt for the candidate (apt-cache policy: seconds on a busy host) only when a CVE
// has a fix to install; a fully patched build never runs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gatherAudit } from '../../../src/audit/gather.js';
import { memoryFs } from '../../../src/host/memory-fs.js';
import type { HostExecutor } from '../../../src/host/executor.js';

function host(version: string, calls: string[]): HostExecutor {
  const fs = memoryFs({
    '/etc/ssh/sshd_config': '',
    '/etc/passwd': 'root:x:0:0::/root:/bin/bash\n',
    '/etc/os-release': 'ID=debian\nVERSION_ID="12"\n',
    '/var/lib/dpkg/status': `Package: openssh-server\nStatus: install ok installed\nVersion: ${version}\n\n`,
  });
  return {
    kind: 'local',
    live: true,
    label: 'counting',
    fs,
    run: (cmd: string) => {
      calls.push(cmd);
      return Promise.resolve(cmd === 'apt-cache' ? { code: 0, signal: null, stdout: 'openssh-server:\n  Installed: x\n  Candidate: 1:9.2p1-2+deb12u10\n', stderr: '' } : { code: 1, signal: null, stdout: '', stderr: '', error: 'not here' });
    },
  } as unknown as HostExecutor;
}

test('patched deb12u10: apt-cache is not run', async () => {
  const calls: string[] = [];
  const a = await gatherAudit(host('1:9.2p1-2+deb12u10', calls));
  assert.ok(!calls.includes('apt-cache'), calls.join());
  assert.equal((a.input.facts.vulns as { candidate?: string }).candidate, undefined);
});

test('deb12u2 (fixes to install): apt-cache names the candidate', async () => {
  const calls: string[] = [];
  const a = await gatherAudit(host('1:9.2p1-2+deb12u2', calls));
  assert.equal(calls.filter((c) => c === 'apt-cache').length, 1);
  const v = a.input.facts.vulns as unknown as { candidate?: string; findings: { cve: string; verdict: string; evidence?: { kind: string; text: string }[] }[] };
  assert.equal(v.candidate, '1:9.2p1-2+deb12u10');
  const f = v.findings.find((x) => x.cve === 'CVE-2024-6387')!;
  assert.equal(f.verdict, 'fix-available');
  assert.ok(f.evidence?.some((e) => e.kind === 'apt' && /candidate 1:9\.2p1-2\+deb12u10 >= fixed revision 1:9\.2p1-2\+deb12u3/.test(e.text)), JSON.stringify(f.evidence));
});
