// `data update` merges (pure): a real OSV record (older than the shipped data: refused; merged
// into older data: CVSS vectors scored), the Debian tracker format (fixed revisions, newest
// revision, a new CVE, the newest upstream from sid), full data files (newer replaces, older and
// equal refused, invalid refused), staleness after 30 days. No network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadVulnData, dataFreshness } from '../../../src/vulns/data.js';
import { updateVulnData, detectSource } from '../../../src/vulns/update.js';
import { assessVulnerabilities } from '../../../src/vulns/assess.js';
import { cvss3BaseScore } from '../../../src/vulns/cvss.js';

const dir = join(import.meta.dirname, '..', '..', 'fixtures', 'data-update');
const osv = JSON.parse(readFileSync(join(dir, 'osv-UBUNTU-CVE-2026-35414.json'), 'utf8')) as unknown;
const tracker = JSON.parse(readFileSync(join(dir, 'debian-tracker-openssh.json'), 'utf8')) as unknown;
const data = loadVulnData();
const opts = { today: '2026-12-05', sourceLabel: 'test' };

test('sources are told apart by shape', () => {
  assert.equal(detectSource(osv), 'osv');
  assert.equal(detectSource([osv]), 'osv');
  assert.equal(detectSource({ vulns: [osv] }), 'osv');
  assert.equal(detectSource(tracker), 'debian-tracker');
  assert.equal(detectSource(data), 'sshield-data');
  assert.equal(detectSource({ hello: 1 }), undefined);
  assert.deepEqual(updateVulnData(data, { hello: 1 }, opts).ok, false);
});

test('CVSS 3.1 base scores from vectors (spec examples)', () => {
  assert.equal(cvss3BaseScore('CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H')?.score, 8.1);
  assert.equal(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H')?.score, 10);
  assert.equal(cvss3BaseScore('CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:U/C:L/I:L/A:N')?.score, 4.2);
  assert.equal(cvss3BaseScore('CVSS:2.0/AV:N'), undefined);
});

test('the real OSV record (modified 2026-04-13) is older than the shipped data: refused', () => {
  const r = updateVulnData(data, osv, opts);
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.reason : '', /^refused: the newest record was modified 2026-04-13, before the current data \(2026-12-04\)/);
});

test('merged into older data, the OSV record adds the Ubuntu vector the CNA did not publish; the severity follows the highest', () => {
  const older = { ...data, date: '2026-03-01' };
  const r = updateVulnData(older, osv, opts);
  assert.ok(r.ok, !r.ok ? r.reason : '');
  if (!r.ok) return;
  assert.equal(r.data.date, '2026-04-13');
  const c = r.data.cves.find((x) => x.id === 'CVE-2026-35414')!;
  // The 4.2 vector is the CNA's (already in the data); Ubuntu's second vector scores 7.5.
  assert.deepEqual(c.cvss!.map((s) => `${s.source} ${s.by} ${s.score}`), ['cna mitre 4.2', 'osv Ubuntu 7.5']);
  const v = assessVulnerabilities({ distro: { id: 'ubuntu', versionId: '24.04' }, packageVersion: '1:9.6p1-3ubuntu13.15' }, undefined, { data: r.data }).find((x) => x.id === 'CVE-2026-35414')!;
  assert.equal(v.severity, 'high');
  assert.equal(v.verdict, 'fix-available', 'the verified 13.16 row is kept: no fix event does not undo a fix');
});

test('the Debian tracker format: a new fix, the newest revision, a new CVE, the newest upstream from sid', () => {
  const r = updateVulnData(data, tracker, opts);
  assert.ok(r.ok, !r.ok ? r.reason : '');
  if (!r.ok) return;
  assert.equal(r.data.date, '2026-12-05');
  const row = r.data.cves.find((x) => x.id === 'CVE-2026-60001')!.distros.find((d) => d.id === 'debian' && d.versionId === '13')!;
  assert.deepEqual([row.status, row.version], ['fixed', '1:10.0p1-7+deb13u5']);
  assert.equal(r.data.distros.find((d) => d.versionId === '13')!.newestRevision, '1:10.0p1-7+deb13u5');
  assert.equal(r.data.newestUpstream.version, '10.7p1');
  assert.ok(r.data.cves.some((x) => x.id === 'CVE-2099-0001'));
  // regreSSHion's verified deb12u3 row stays (the same fix); bullseye fixed_version 0: not affected.
  const rs = r.data.cves.find((x) => x.id === 'CVE-2024-6387')!;
  assert.equal(rs.distros.find((d) => d.versionId === '12')!.version, '1:9.2p1-2+deb12u3');
  assert.equal(rs.distros.find((d) => d.versionId === '11')!.status, 'not-affected');
  const deb13u4 = { distro: { id: 'debian', versionId: '13' }, packageVersion: '1:10.0p1-7+deb13u4' };
  assert.equal(assessVulnerabilities(deb13u4, undefined, { data: r.data }).find((x) => x.id === 'CVE-2026-60001')!.verdict, 'fix-available');
  assert.equal(assessVulnerabilities(deb13u4, undefined, { data: r.data }).find((x) => x.id === 'CVE-2099-0001')!.verdict, 'no-fix-yet');
});

test('a full data file: newer replaces, older and equal are refused, invalid is refused', () => {
  assert.equal(updateVulnData(data, { ...data, date: '2026-12-10' }, opts).ok, true);
  const older = updateVulnData(data, { ...data, date: '2026-11-01' }, opts);
  assert.match(!older.ok ? older.reason : '', /^refused: the new data \(2026-11-01\) is older than the current data \(2026-12-04\)/);
  assert.match((r => (!r.ok ? r.reason : ''))(updateVulnData(data, data, opts)), /already current/);
  assert.match((r => (!r.ok ? r.reason : ''))(updateVulnData(data, { ...data, date: '2026-12-10', cves: [{ id: 'x' }] }, opts)), /not a valid sshield data file/);
});

test('data older than 30 days is stale, with the command to refresh it', () => {
  assert.equal(dataFreshness({ date: '2026-12-04' }, '2027-01-03').stale, false);
  const f = dataFreshness({ date: '2026-12-04' }, '2027-01-04');
  assert.equal(f.stale, true);
  assert.equal(f.message, 'vulnerability data from 2026-12-04 is 31 days old (over 30): run `sshield data update`');
});
