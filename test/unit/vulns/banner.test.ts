// Real banners of every supported release -> package version -> verdicts. The banner strings
// were read from the real binaries (`strings usr/sbin/sshd usr/lib/openssh/sshd-session` of the
// openssh-server .debs fetched with apt-get download on 2026-12-04); where the binary is on this
// machine (Debian 12 host, cached Debian 13 root) the test reads it again and compares.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFromBanner } from '../../../src/vulns/banner.js';
import { assessVulnerabilities } from '../../../src/vulns/assess.js';
import { assessBanner } from '../../../src/scan/vulns-adapter.js';
import { gradeCves } from '../../../src/scan/grade.js';
import { BUILTIN_PROFILES } from '../../../src/scan/profiles.js';
import { loadVulnData } from '../../../src/vulns/data.js';

const TRIXIE = process.env.SSHIELD_TRIXIE_ROOT ?? join(import.meta.dirname, '..', '..', '..', '.cache', 'trixie-root');

const banners: { release: string; banner: string; pkg: string | undefined; distro: string | undefined; binary?: string }[] = [
  { release: 'Debian 11', banner: 'OpenSSH_8.4p1 Debian-5+deb11u7', pkg: '1:8.4p1-5+deb11u7', distro: 'debian 11' },
  { release: 'Debian 12', banner: 'OpenSSH_9.2p1 Debian-2+deb12u10', pkg: '1:9.2p1-2+deb12u10', distro: 'debian 12', binary: '/usr/sbin/sshd' },
  { release: 'Debian 13', banner: 'OpenSSH_10.0p2 Debian-7+deb13u4', pkg: '1:10.0p1-7+deb13u4', distro: 'debian 13', binary: join(TRIXIE, 'usr/lib/openssh/sshd-session') },
  { release: 'Debian 13 (base)', banner: 'OpenSSH_10.0p2 Debian-7', pkg: '1:10.0p1-7', distro: 'debian 13' },
  { release: 'Debian sid', banner: 'OpenSSH_10.6p1 Debian-1', pkg: '1:10.6p1-1', distro: 'debian' },
  { release: 'Ubuntu 22.04', banner: 'OpenSSH_8.9p1 Ubuntu-3ubuntu0.18', pkg: '1:8.9p1-3ubuntu0.18', distro: 'ubuntu 22.04' },
  { release: 'Ubuntu 24.04', banner: 'OpenSSH_9.6p1 Ubuntu-3ubuntu13.20', pkg: '1:9.6p1-3ubuntu13.20', distro: 'ubuntu 24.04' },
  { release: 'Ubuntu 26.04', banner: 'OpenSSH_10.2p1 Ubuntu-2ubuntu3.8', pkg: '1:10.2p1-2ubuntu3.8', distro: 'ubuntu 26.04' },
  { release: 'DebianBanner no', banner: 'OpenSSH_9.2p1', pkg: undefined, distro: undefined },
];

for (const b of banners) {
  test(`banner of ${b.release}: ${b.banner}`, () => {
    const build = buildFromBanner(`SSH-2.0-${b.banner}`)!;
    assert.equal(build.packageVersion, b.pkg);
    assert.equal(build.distro ? `${build.distro.id}${build.distro.versionId ? ` ${build.distro.versionId}` : ''}` : undefined, b.distro);
    if (b.binary && existsSync(b.binary)) assert.ok(readFileSync(b.binary).includes(Buffer.from(`${b.banner}\0`)), `${b.binary} announces "${b.banner}"`);
    const verdicts = assessVulnerabilities(build);
    for (const v of verdicts) assert.notEqual(v.verdict, undefined);
    // The newest package of every tracked release: nothing it fixes is reported exposed.
    if (b.pkg && b.distro?.includes(' ') && b.pkg === loadVulnData().distros.find((r) => `${r.id} ${r.versionId}` === b.distro)?.newestRevision) {
      const exposed = verdicts.filter((v) => v.verdict === 'fix-available');
      assert.deepEqual(exposed.map((v) => v.id), [], `${b.release}: the newest revision has no fix left to install`);
    }
  });
}

test('Debian 13 deb13u4 (10.0p2 banner): no CVE that deb13u3/u4 fix is reported, the 10.4+ set is no-fix-yet', () => {
  const r = assessBanner({ raw: 'SSH-2.0-OpenSSH_10.0p2 Debian-7+deb13u4', softwareVersion: 'OpenSSH_10.0p2', comments: 'Debian-7+deb13u4' });
  assert.equal(r.software.packageVersion, '1:10.0p1-7+deb13u4');
  for (const id of ['CVE-2026-35387', 'CVE-2026-35414', 'CVE-2026-3497', 'CVE-2025-32728']) assert.equal(r.cves.find((c) => c.id === id)?.verdict, 'fixed', id);
  assert.equal(r.cves.find((c) => c.id === 'CVE-2026-60001')?.verdict, 'no-fix-yet');
  const findings = gradeCves(r.cves, BUILTIN_PROFILES.default!);
  assert.deepEqual(findings.filter((f) => f.level === 'fail').map((f) => f.cve), [], 'nothing fails');
  assert.ok(!findings.some((f) => ['CVE-2026-35387', 'CVE-2026-35414'].includes(f.cve ?? '')));
});

test('DebianBanner no: unknown, one info finding, never a failure', () => {
  const r = assessBanner({ raw: 'SSH-2.0-OpenSSH_9.2p1', softwareVersion: 'OpenSSH_9.2p1', comments: null });
  const cve = r.cves.find((c) => c.id === 'CVE-2024-6387')!;
  assert.equal(cve.verdict, 'unknown');
  assert.match(cve.note ?? '', /hides the package revision/);
  const findings = gradeCves(r.cves, BUILTIN_PROFILES.default!);
  assert.deepEqual(findings.map((f) => f.level), ['info']);
  assert.match(findings[0]!.message, /unknown: upstream version only: the banner hides the package revision/);
});

test('scan and audit grade a CVE with the same severity, from its CVSS scores', () => {
  const scan = assessBanner({ raw: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2', softwareVersion: 'OpenSSH_9.2p1', comments: 'Debian-2+deb12u2' }).cves.find((c) => c.id === 'CVE-2024-6387')!;
  const audit = assessVulnerabilities({ distro: { id: 'debian', versionId: '12' }, packageVersion: '1:9.2p1-2+deb12u2' }).find((c) => c.id === 'CVE-2024-6387')!;
  assert.equal(scan.severity, 'high');
  assert.equal(audit.severity, 'high');
  assert.equal(scan.severityBasis, 'CVSS 3.1 8.1 (CNA Red Hat)');
  const scp = assessVulnerabilities({ distro: { id: 'debian', versionId: '12' }, packageVersion: '1:9.2p1-2+deb12u9' }).find((c) => c.id === 'CVE-2026-35385')!;
  assert.equal(scp.severity, 'high', 'CNA 7.5, no longer "low"');
});
