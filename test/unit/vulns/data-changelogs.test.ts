// Every fixed revision in data/openssh-vulns.json against the release's REAL changelog (the
// newest openssh-client package's changelog.Debian.gz, test/fixtures/changelogs/README.md): the
// entry at that revision names the CVE (unless the row says verified: false and cites an
// advisory), its date is the row's date, and no earlier revision of the release names it. A
// no-fix row: no revision of the release up to the newest names the CVE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadVulnData } from '../../../src/vulns/data.js';
import { decodeChangelog, parseDebianChangelog } from '../../../src/vulns/changelog.js';
import { compareDebianVersions } from '../../../src/vulns/dpkg-version.js';

const dir = join(import.meta.dirname, '..', '..', 'fixtures', 'changelogs');
const data = loadVulnData();

for (const rel of data.distros) {
  test(`data rows of ${rel.id} ${rel.versionId} match the ${rel.newestRevision} changelog`, () => {
    const file = join(dir, `openssh_${rel.newestRevision.replace(/^1:/, '')}.changelog.Debian.gz`);
    const entries = parseDebianChangelog(decodeChangelog(readFileSync(file)));
    assert.equal(entries[0]!.version, rel.newestRevision, 'the newest revision is the changelog head');
    assert.equal(entries[0]!.date, rel.newestDate);
    const ofRelease = entries.filter((e) => e.version.startsWith(`1:${rel.upstream}-`) || (rel.announces !== undefined && e.version.startsWith(`1:${rel.announces}-`)));
    let checked = 0;
    for (const c of data.cves) {
      const row = c.distros.find((r) => r.id === rel.id && r.versionId === rel.versionId);
      if (!row) continue;
      if (row.status === 'fixed') {
        const e = entries.find((x) => x.version === row.version);
        assert.ok(e, `${c.id}: revision ${row.version} is in the ${rel.codename} changelog`);
        if (row.verified === false) continue;
        assert.ok(e.cves.includes(c.id), `${c.id}: ${row.version} names it`);
        assert.equal(row.date, e.date, `${c.id}: date of ${row.version}`);
        const earlier = ofRelease.filter((x) => compareDebianVersions(x.version, row.version!) < 0 && x.cves.includes(c.id));
        assert.deepEqual(earlier.map((x) => x.version), [], `${c.id}: no earlier ${rel.codename} revision names it`);
        checked++;
      } else if (row.status === 'no-fix') {
        assert.deepEqual(ofRelease.filter((x) => x.cves.includes(c.id)).map((x) => x.version), [], `${c.id}: no ${rel.codename} revision names it`);
        checked++;
      }
    }
    assert.ok(checked > 0);
  });
}

test('the data shows its date and knows the supported releases', () => {
  assert.match(data.date, /^\d{4}-\d{2}-\d{2}$/);
  assert.deepEqual(data.distros.map((r) => `${r.id} ${r.versionId} ${r.upstream}`), ['debian 11 8.4p1', 'debian 12 9.2p1', 'debian 13 10.0p1', 'ubuntu 22.04 8.9p1', 'ubuntu 24.04 9.6p1', 'ubuntu 26.04 10.2p1']);
  const d12 = data.distros.find((r) => r.versionId === '12')!;
  assert.equal(d12.eol, undefined);
  assert.equal(d12.support?.until, '2028-06-30');
  assert.ok(data.distros.find((r) => r.versionId === '11')!.eol, 'Debian 11 is end of life');
  assert.equal(data.distros.find((r) => r.versionId === '13')!.announces, '10.0p2');
});
