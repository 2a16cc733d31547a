// The changelog path: the installed package's changelog.Debian.gz decides what is fixed. The host's
// real changelog (Debian 12 here; a fixture copy elsewhere) read directly and through a --root
// copy (with Debian's doc-directory symlink) gives the same verdicts; a revision line that names
// a CVE flips that CVE to fixed, with the line as evidence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { changelogFixes, decodeChangelog, parseDebianChangelog } from '../../../src/vulns/changelog.js';
import { assessVulnerabilities } from '../../../src/vulns/assess.js';
import { gatherOpensshChangelog } from '../../../src/host/facts/openssh-package.js';
import { localFs } from '../../../src/host/local-fs.js';
import { rootFs } from '../../../src/host/root-fs.js';
import { memoryFs } from '../../../src/host/memory-fs.js';

const FIXTURE = join(import.meta.dirname, '..', '..', 'fixtures', 'changelogs', 'openssh_9.2p1-2+deb12u10.changelog.Debian.gz');
const HOST = '/usr/share/doc/openssh-server/changelog.Debian.gz';
const deb12 = { distro: { id: 'debian', versionId: '12' }, packageVersion: '1:9.2p1-2+deb12u10' };

test('parseDebianChangelog: versions, dates as written, CVEs per entry', () => {
  const e = parseDebianChangelog(decodeChangelog(readFileSync(FIXTURE)));
  assert.equal(e[0]!.version, '1:9.2p1-2+deb12u10');
  assert.equal(e[0]!.header, 'openssh (1:9.2p1-2+deb12u10) bookworm; urgency=medium');
  assert.equal(e[0]!.line, 1);
  assert.equal(e[0]!.date, '2026-05-05');
  assert.deepEqual(e[0]!.cves, ['CVE-2026-35385', 'CVE-2026-35386', 'CVE-2026-35387', 'CVE-2026-35388', 'CVE-2026-35414']);
  const fixes = changelogFixes(e, '1:9.2p1-2+deb12u9');
  assert.equal(fixes.get('CVE-2026-3497')?.version, '1:9.2p1-2+deb12u9');
  assert.equal(fixes.has('CVE-2026-35414'), false, 'entries above the installed version do not count');
  assert.equal(fixes.get('CVE-2021-41617')?.version, '1:8.7p1-1', 'the oldest entry naming it');
  assert.deepEqual(parseDebianChangelog('garbage\n\n -- x\n'), []);
});

test("the host's changelog and a --root copy give the same verdicts", async () => {
  const src = existsSync(HOST) && readFileSync(HOST).equals(readFileSync(FIXTURE)) ? HOST : FIXTURE;
  const root = mkdtempSync(join(tmpdir(), 'sshield-t-root-'));
  try {
    mkdirSync(join(root, 'usr/share/doc/openssh-client'), { recursive: true });
    cpSync(src, join(root, 'usr/share/doc/openssh-client/changelog.Debian.gz'));
    symlinkSync('openssh-client', join(root, 'usr/share/doc/openssh-server'));
    const viaRoot = await gatherOpensshChangelog(rootFs(root));
    const direct = await gatherOpensshChangelog(src === HOST ? localFs() : memoryFs({ [HOST]: readFileSync(FIXTURE) }));
    assert.equal(viaRoot.status, 'known', viaRoot.status === 'unknown' ? viaRoot.reason : '');
    assert.equal(direct.status, 'known');
    if (viaRoot.status !== 'known' || direct.status !== 'known') return;
    assert.equal(viaRoot.value.path, HOST);
    const a = assessVulnerabilities(deb12, undefined, { changelog: viaRoot.value });
    const b = assessVulnerabilities(deb12, undefined, { changelog: direct.value });
    assert.deepEqual(a.map((x) => [x.id, x.verdict, x.basis]), b.map((x) => [x.id, x.verdict, x.basis]));
    const v = a.find((x) => x.id === 'CVE-2026-35414')!;
    assert.deepEqual([v.verdict, v.basis], ['fixed', 'changelog']);
    assert.equal(v.evidence[0]!.text, `${HOST}:1: openssh (1:9.2p1-2+deb12u10) bookworm; urgency=medium (2026-05-05)`);
    // regreSSHion: the deb12u3 entry does not name the CVE (DSA-5724-1 does), so the data decides.
    assert.deepEqual([a.find((x) => x.id === 'CVE-2024-6387')!.verdict, a.find((x) => x.id === 'CVE-2024-6387')!.basis], ['fixed', 'distro-revision']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a revision line naming a CVE flips it to fixed', async () => {
  const text = decodeChangelog(readFileSync(FIXTURE)).replace('  * Backport minor security fixes from 10.3p1:', '  * CVE-2026-60001: apply the minimum authentication delay to GSSAPI and\n    keyboard-interactive authentication.\n  * Backport minor security fixes from 10.3p1:');
  const before = assessVulnerabilities(deb12, undefined, { changelog: { path: HOST, entries: parseDebianChangelog(decodeChangelog(readFileSync(FIXTURE))) } }).find((x) => x.id === 'CVE-2026-60001')!;
  assert.equal(before.verdict, 'no-fix-yet');
  const fact = await gatherOpensshChangelog(memoryFs({ [HOST]: gzipSync(Buffer.from(text)) }));
  assert.equal(fact.status, 'known');
  if (fact.status !== 'known') return;
  const after = assessVulnerabilities(deb12, undefined, { changelog: fact.value }).find((x) => x.id === 'CVE-2026-60001')!;
  assert.deepEqual([after.verdict, after.basis, after.fixedIn], ['fixed', 'changelog', '1:9.2p1-2+deb12u10']);
  assert.match(after.evidence[0]!.text, /changelog\.Debian\.gz:1: openssh \(1:9\.2p1-2\+deb12u10\) bookworm/);
});

test('the apt candidate: its changelog naming a CVE makes it fix-available, else no-fix-yet with the mitigation', () => {
  const entries = parseDebianChangelog('openssh (1:9.2p1-2+deb12u11) bookworm; urgency=medium\n\n  * CVE-2026-60001: fix.\n\n -- A <a@b>  Mon, 07 Dec 2026 10:00:00 +0000\n');
  const r = assessVulnerabilities(deb12, undefined, { candidate: { version: '1:9.2p1-2+deb12u11', entries } });
  const v = r.find((x) => x.id === 'CVE-2026-60001')!;
  assert.equal(v.verdict, 'fix-available');
  assert.match(v.evidence.map((e) => e.text).join(' | '), /apt candidate 1:9\.2p1-2\+deb12u11: its changelog names it in 1:9\.2p1-2\+deb12u11 \(2026-12-07\)/);
  const other = r.find((x) => x.id === 'CVE-2026-60000')!;
  assert.equal(other.verdict, 'no-fix-yet');
  assert.match(other.note, /Until a fix ships: GSSAPIAuthentication no/);
});

test('apt-cache policy output: installed and candidate', async () => {
  const { parseAptPolicy } = await import('../../../src/host/facts/openssh-package.js');
  const text = 'openssh-server:\n  Installed: 1:9.2p1-2+deb12u10\n  Candidate: 1:9.2p1-2+deb12u10\n  Version table:\n *** 1:9.2p1-2+deb12u10 500\n        500 http://deb.debian.org/debian bookworm/main amd64 Packages\n';
  assert.deepEqual(parseAptPolicy(text), { installed: '1:9.2p1-2+deb12u10', candidate: '1:9.2p1-2+deb12u10' });
  assert.deepEqual(parseAptPolicy('openssh-server:\n  Installed: (none)\n  Candidate: (none)\n'), {});
});
