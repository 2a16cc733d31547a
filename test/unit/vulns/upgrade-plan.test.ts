// The upgrade planner (pure): candidates newer than the installed packages become one
// install-packages step; the CVEs fixed come from the candidate's changelog, else the data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planUpgrade } from '../../../src/upgrade/plan.js';
import { parseAptPolicies } from '../../../src/upgrade/facts.js';
import { parseDebianChangelog } from '../../../src/vulns/changelog.js';

const base = { configPath: '/etc/ssh/sshd_config', sshd: '/usr/sbin/sshd', keepDir: '/var/backups/sshield/packages', reload: { kind: 'none', why: 'test' } as const };
const deb12 = { distro: { id: 'debian', versionId: '12' } };

test('nothing to do when apt offers nothing newer', () => {
  const r = planUpgrade({ ...base, ...deb12, installed: { 'openssh-server': '1:9.2p1-2+deb12u10' }, candidates: { 'openssh-server': '1:9.2p1-2+deb12u10' } });
  assert.equal(r.plan, undefined);
  assert.match(r.nothingToDo ?? '', /is the newest version apt offers/);
  assert.ok(r.remaining.some((c) => c.id === 'CVE-2026-60001'), 'exposed, no fix yet');
});

test('deb12u2 -> deb12u10: the data says which CVEs the candidate fixes; one step with the kept versions', () => {
  const installed = { 'openssh-server': '1:9.2p1-2+deb12u2', 'openssh-client': '1:9.2p1-2+deb12u2', 'openssh-sftp-server': '1:9.2p1-2+deb12u2' };
  const candidates = { 'openssh-server': '1:9.2p1-2+deb12u10', 'openssh-client': '1:9.2p1-2+deb12u10', 'openssh-sftp-server': '1:9.2p1-2+deb12u10' };
  const r = planUpgrade({ ...base, ...deb12, installed, candidates });
  assert.equal(r.to, '1:9.2p1-2+deb12u10');
  assert.ok(r.fixes.some((c) => c.id === 'CVE-2024-6387'));
  const step = r.plan!.steps![0]!;
  assert.equal(step.kind, 'install-packages');
  if (step.kind !== 'install-packages') return;
  assert.deepEqual(step.before.versions, installed);
  assert.deepEqual(step.packages, candidates);
  assert.equal(r.plan!.kind, 'upgrade');
  assert.deepEqual(r.plan!.files, []);
});

test("a candidate's changelog naming a CVE the data has no fix for: the plan lists it", () => {
  const entries = parseDebianChangelog('openssh (1:9.2p1-2+deb12u11) bookworm-security; urgency=medium\n\n  * CVE-2026-60001: fix.\n\n -- A <a@b>  Mon, 07 Dec 2026 10:00:00 +0000\n');
  const r = planUpgrade({ ...base, ...deb12, installed: { 'openssh-server': '1:9.2p1-2+deb12u10' }, candidates: { 'openssh-server': '1:9.2p1-2+deb12u11' }, candidateChangelog: entries });
  assert.deepEqual(r.fixes.map((c) => c.id), ['CVE-2026-60001']);
});

test('apt-cache policy with several packages', () => {
  const t = 'openssh-server:\n  Installed: 1:9.2p1-2+deb12u10\n  Candidate: 1:9.2p1-2+deb12u11\n  Version table:\nopenssh-client:\n  Installed: 1:9.2p1-2+deb12u10\n  Candidate: (none)\n';
  assert.deepEqual(parseAptPolicies(t), { 'openssh-server': { installed: '1:9.2p1-2+deb12u10', candidate: '1:9.2p1-2+deb12u11' }, 'openssh-client': { installed: '1:9.2p1-2+deb12u10' } });
});
