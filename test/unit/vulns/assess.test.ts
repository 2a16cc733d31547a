// Assessment tables: each row is a build (distro revision or upstream only), an optional set of
// effective values, and the expected status/basis for one CVE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type BuildInput, assessVulnerabilities, opensshCurrency } from '../../../src/vulns/assess.js';
import { loadVulnData, parseVulnData } from '../../../src/vulns/data.js';
import { parseSshBanner } from '../../../src/vulns/openssh-version.js';

const deb12 = (u: string): BuildInput => ({ distro: { id: 'debian', versionId: '12' }, packageVersion: `1:9.2p1-2${u}` });
const deb13 = (u: string): BuildInput => ({ distro: { id: 'debian', versionId: '13' }, packageVersion: `1:10.0p1-7${u}` });
const noble = (r: string): BuildInput => ({ distro: { id: 'ubuntu', versionId: '24.04' }, packageVersion: `1:9.6p1-3ubuntu13.${r}` });
const jammy = (r: string): BuildInput => ({ distro: { id: 'ubuntu', versionId: '22.04' }, packageVersion: `1:8.9p1-3ubuntu0.${r}` });
const values = (o: Record<string, string>) => (k: string) => o[k];

const rows: [string, BuildInput, Record<string, string> | undefined, string, string, string][] = [
  // [label, build, effective, cve, status, basis]
  ['deb12u2 exposed to regreSSHion, deb12u3 fixes it', deb12('+deb12u2'), undefined, 'CVE-2024-6387', 'fix-available', 'distro-revision'],
  ['deb12u3 fixed', deb12('+deb12u3'), undefined, 'CVE-2024-6387', 'fixed', 'distro-revision'],
  ['deb12u10 fixed (u10 > u3 numerically)', deb12('+deb12u10'), undefined, 'CVE-2024-6387', 'fixed', 'distro-revision'],
  ['deb12u2 with LoginGraceTime 0 mitigated', deb12('+deb12u2'), { logingracetime: '0' }, 'CVE-2024-6387', 'mitigated', 'distro-revision'],
  ['deb12u2 with LoginGraceTime 120 exposed', deb12('+deb12u2'), { logingracetime: '120' }, 'CVE-2024-6387', 'fix-available', 'distro-revision'],
  ['upstream 9.2p1 exposed, 9.8p1 fixes it', { upstreamVersion: '9.2p1' }, undefined, 'CVE-2024-6387', 'fix-available', 'upstream-version'],
  ['banner 9.2p1 without a revision: unknown', { upstreamVersion: '9.2p1', revisionHidden: true }, undefined, 'CVE-2024-6387', 'unknown', 'upstream-version'],
  ['banner 9.8p1 without a revision: fixed all the same', { upstreamVersion: '9.8p1', revisionHidden: true }, undefined, 'CVE-2024-6387', 'fixed', 'upstream-version'],
  ['banner 8.4p1 without a revision: predates it', { upstreamVersion: '8.4p1', revisionHidden: true }, undefined, 'CVE-2024-6387', 'not-affected', 'upstream-version'],
  ['upstream 8.4p1 predates it', { upstreamVersion: '8.4p1' }, undefined, 'CVE-2024-6387', 'not-affected', 'upstream-version'],
  ['upstream 9.8p1 fixed', { upstreamVersion: '9.8p1' }, undefined, 'CVE-2024-6387', 'fixed', 'upstream-version'],
  ['Debian 13 base 10.0p1 includes the fix', deb13(''), undefined, 'CVE-2024-6387', 'fixed', 'distro-revision'],
  ['noble 13.3 fixed', noble('3'), undefined, 'CVE-2024-6387', 'fixed', 'distro-revision'],
  ['noble 13.2 exposed', noble('2'), undefined, 'CVE-2024-6387', 'fix-available', 'distro-revision'],
  ['jammy 0.10 fixed', jammy('10'), undefined, 'CVE-2024-6387', 'fixed', 'distro-revision'],
  ['jammy 0.9 exposed', jammy('9'), undefined, 'CVE-2024-6387', 'fix-available', 'distro-revision'],
  ['backport 10.0p1 on Debian 12 judged upstream', { distro: { id: 'debian', versionId: '12' }, packageVersion: '1:10.0p1-7~bpo12+1' }, undefined, 'CVE-2024-6387', 'fixed', 'upstream-version'],
  ['deb12u8 lacks the 3497 fix of deb12u9', deb12('+deb12u8'), undefined, 'CVE-2026-3497', 'fix-available', 'distro-revision'],
  ['deb12u8 with GSSAPI off mitigated', deb12('+deb12u8'), { gssapiauthentication: 'no', gssapikeyexchange: 'no' }, 'CVE-2026-3497', 'mitigated', 'distro-revision'],
  ['deb12u8 with only one GSSAPI key off exposed', deb12('+deb12u8'), { gssapiauthentication: 'no', gssapikeyexchange: 'yes' }, 'CVE-2026-3497', 'fix-available', 'distro-revision'],
  ['deb13u2 3497 fixed', deb13('+deb13u2'), undefined, 'CVE-2026-3497', 'fixed', 'distro-revision'],
  ['upstream build lacks the GSSAPI patch', { upstreamVersion: '9.2p1' }, undefined, 'CVE-2026-3497', 'not-affected', 'upstream-version'],
  ['32728 mitigated by explicit X11/agent no', deb12('+deb12u5'), { x11forwarding: 'no', allowagentforwarding: 'no' }, 'CVE-2025-32728', 'mitigated', 'distro-revision'],
  ['32728 not mitigated by X11 alone', deb12('+deb12u5'), { x11forwarding: 'no', allowagentforwarding: 'yes' }, 'CVE-2025-32728', 'fix-available', 'distro-revision'],
  ['10.4 set: no Debian 12 fix', deb12('+deb12u10'), undefined, 'CVE-2026-60002', 'no-fix-yet', 'distro-revision'],
  ['10.4 set: no Debian 13 fix', deb13('+deb13u4'), undefined, 'CVE-2026-60001', 'no-fix-yet', 'distro-revision'],
  ['10.4 set: Ubuntu 26.04 fixed in 2ubuntu3.4', { distro: { id: 'ubuntu', versionId: '26.04' }, packageVersion: '1:10.2p1-2ubuntu3.4' }, undefined, 'CVE-2026-60001', 'fixed', 'distro-revision'],
  ['10.6 set: Ubuntu 26.04 2ubuntu3.6 exposed, 3.8 fixes it', { distro: { id: 'ubuntu', versionId: '26.04' }, packageVersion: '1:10.2p1-2ubuntu3.6' }, undefined, 'CVE-2026-106586', 'fix-available', 'distro-revision'],
  ['Ubuntu 26.04 base 10.2p1 includes the 10.1 fixes', { distro: { id: 'ubuntu', versionId: '26.04' }, packageVersion: '1:10.2p1-2ubuntu3' }, undefined, 'CVE-2025-61984', 'fixed', 'distro-revision'],
  ['deb13u2 lacks the 353xx fixes of deb13u3', deb13('+deb13u2'), undefined, 'CVE-2026-35414', 'fix-available', 'distro-revision'],
  ['deb13u3 fixes 35414', deb13('+deb13u3'), undefined, 'CVE-2026-35414', 'fixed', 'distro-revision'],
  ['10.4 set: newer than the table knows', deb12('+deb12u11'), undefined, 'CVE-2026-60002', 'unknown', 'distro-revision'],
  ['Terrapin mitigated without chacha20 and CBC', deb12('+deb12u1'), { ciphers: 'aes128-ctr,aes256-gcm@openssh.com' }, 'CVE-2023-48795', 'mitigated', 'distro-revision'],
  ['Terrapin not mitigated with a CBC cipher', deb12('+deb12u1'), { ciphers: 'aes128-ctr,aes256-cbc' }, 'CVE-2023-48795', 'fix-available', 'distro-revision'],
  ['Debian 11 deb11u3 lacks the 32728 fix of deb11u5', { distro: { id: 'debian', versionId: '11' }, packageVersion: '1:8.4p1-5+deb11u3' }, undefined, 'CVE-2025-32728', 'fix-available', 'distro-revision'],
  ['Debian 11 8.4p1 predates regreSSHion', { distro: { id: 'debian', versionId: '11' }, packageVersion: '1:8.4p1-5+deb11u7' }, undefined, 'CVE-2024-6387', 'not-affected', 'distro-revision'],
  ['Debian 11 deb11u7 has the 10.3 fixes', { distro: { id: 'debian', versionId: '11' }, packageVersion: '1:8.4p1-5+deb11u7' }, undefined, 'CVE-2026-35387', 'fixed', 'distro-revision'],
  ['an untracked Debian release with a revision: unknown, not exposed', { distro: { id: 'debian', versionId: '10' }, packageVersion: '1:7.9p1-10+deb10u4' }, undefined, 'CVE-2025-32728', 'unknown', 'upstream-version'],
  ['jammy 28531 unverified', jammy('1'), undefined, 'CVE-2023-28531', 'unknown', 'distro-revision'],
  ['nothing known', {}, undefined, 'CVE-2024-6387', 'unknown', 'upstream-version'],
];

for (const [label, build, eff, id, status, basis] of rows) {
  test(`assess: ${label}`, () => {
    const r = assessVulnerabilities(build, eff ? values(eff) : undefined).find((x) => x.id === id);
    assert.ok(r, `${id} in the table`);
    assert.deepEqual({ verdict: r.verdict, basis: r.basis }, { verdict: status, basis }, r.note);
    assert.ok(r.evidence.length > 0 || status === 'unknown', `${id}: every verdict carries evidence`);
    assert.ok(r.note.length > 10 && r.source.length > 3);
  });
}

test('assess accepts an EffectiveConfig-like object (value(key))', () => {
  const r = assessVulnerabilities(deb12('+deb12u2'), { value: (k: string) => (k === 'logingracetime' ? '0' : undefined) });
  assert.equal(r.find((x) => x.id === 'CVE-2024-6387')?.verdict, 'mitigated');
});

test('a scanner banner flows into the assessment', () => {
  const b = parseSshBanner('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10')!;
  const r = assessVulnerabilities({ distro: b.distro!, packageVersion: b.packageVersion!, upstreamVersion: b.version! });
  assert.equal(r.find((x) => x.id === 'CVE-2024-6387')?.verdict, 'fixed');
  assert.equal(r.find((x) => x.id === 'CVE-2026-35387')?.verdict, 'fixed');
});

test('opensshCurrency', () => {
  const cur = opensshCurrency(deb12('+deb12u10'));
  assert.equal(cur.isCurrent, true);
  assert.equal(cur.basis, 'distro-revision');
  assert.equal(cur.newestUpstream.version, '10.6p1');
  assert.equal(cur.newestUpstream.date, '2026-10-06');
  assert.equal(cur.eol, undefined, 'Debian 12 is in LTS until 2028-06-30, not end of life');
  assert.equal(cur.support?.until, '2028-06-30');
  assert.match(cur.support?.note ?? '', /Proxmox VE 8/);
  assert.equal(opensshCurrency({ distro: { id: 'debian', versionId: '11' }, packageVersion: '1:8.4p1-5+deb11u7' }).eol?.date, '2026-08-31');
  assert.equal(opensshCurrency(deb12('+deb12u2')).isCurrent, false);
  assert.equal(opensshCurrency(deb13('+deb13u4')).isCurrent, true);
  assert.equal(opensshCurrency(deb13('+deb13u4')).eol, undefined);
  assert.equal(opensshCurrency({ upstreamVersion: '10.6p1' }).isCurrent, true);
  assert.equal(opensshCurrency({ upstreamVersion: '10.5p1' }).isCurrent, false);
  assert.equal(opensshCurrency({}).isCurrent, undefined);
});

test('the shipped data validates and every row cites a source', () => {
  const d = loadVulnData();
  assert.ok(d.cves.length >= 40);
  for (const c of d.cves) for (const r of c.distros) assert.ok(r.source.length > 5, `${c.id} ${r.id} ${r.versionId}`);
  const bad = parseVulnData({ ...d, cves: [{ ...d.cves[0]!, affected: { fixed: '9.x' } }] });
  assert.equal(bad.ok, false);
  const dup = parseVulnData({ ...d, cves: [d.cves[0]!, d.cves[0]!] });
  assert.equal(dup.ok, false);
});
