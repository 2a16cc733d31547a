// `sshield data update`: turns what a public machine-readable source says into a new data file,
// or refuses. Sources, told apart by shape:
//   sshield data file (schemaVersion 2)   replaces the data when it is newer
//   OSV records (one, an array, or { vulns: [...] }) of Debian/Ubuntu advisories for `openssh`
//     (ecosystems "Debian:12", "Ubuntu:24.04:LTS"...): fixed revisions per release, CVSS vectors
//   Debian security tracker JSON (security-tracker.debian.org/tracker/data/json): per release
//     status/fixed_version of every openssh CVE, and the newest sid version (newest upstream)
// Rules: the result must validate (parseVulnData); a source older than the current data is
// refused (a full file by its `date`, OSV by its newest `modified`); a fixed row is never replaced
// by an older fix or by "no fix"; CVEs the data does not know are added, marked as such. The new
// date is the source's date (tracker: today, it carries none). Pure: JSON in, data out.
import { compareDebianVersions, parseDebianVersion } from './dpkg-version.js';
import { compareOpensshVersions, parseOpensshVersion } from './openssh-version.js';
import { cvss3BaseScore } from './cvss.js';
import { parseVulnData, type CveEntry, type DistroFix, type VulnData } from './data.js';

export type UpdateSource = 'sshield-data' | 'osv' | 'debian-tracker';

export type UpdateResult =
  | { readonly ok: true; readonly source: UpdateSource; readonly data: VulnData; readonly changes: readonly string[] }
  | { readonly ok: false; readonly source?: UpdateSource; readonly reason: string };

const DEBIAN_CODENAMES: Readonly<Record<string, string>> = { bullseye: '11', bookworm: '12', trixie: '13' };

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

export function detectSource(json: unknown): UpdateSource | undefined {
  if (isObj(json) && json.schemaVersion !== undefined && 'cves' in json) return 'sshield-data';
  const recs = osvRecords(json);
  if (recs.length > 0 && recs.every((r) => typeof r.id === 'string' && Array.isArray(r.affected))) return 'osv';
  if (isObj(json) && isObj(json.openssh) && Object.keys(json.openssh).some((k) => /^CVE-\d{4}-\d+$/.test(k))) return 'debian-tracker';
  return undefined;
}

function osvRecords(json: unknown): Json[] {
  if (Array.isArray(json)) return json.filter(isObj);
  if (isObj(json) && Array.isArray(json.vulns)) return json.vulns.filter(isObj);
  if (isObj(json) && typeof json.id === 'string' && Array.isArray(json.affected)) return [json];
  return [];
}

function clone(d: VulnData): { -readonly [K in keyof VulnData]: VulnData[K] } {
  return JSON.parse(JSON.stringify(d)) as VulnData;
}

/** A CVE the data does not know yet: every version affected until a row says otherwise. */
function newEntry(id: string, details: string, source: string): CveEntry {
  const title = (details.split(/(?<=\.)\s/)[0] ?? details).slice(0, 160) || id;
  return { id, title, component: 'ssh+sshd', serverSide: true, severityFallback: 'medium', affected: { note: `added by sshield data update from ${source}; component not classified yet` }, mitigations: [], distros: [], source };
}

/** Sets a release row unless that would replace a fix by an older one or by "no fix". */
function setRow(c: CveEntry, row: DistroFix, changes: string[]): void {
  const rows = c.distros as DistroFix[];
  const i = rows.findIndex((r) => r.id === row.id && r.versionId === row.versionId);
  const old = i >= 0 ? rows[i] : undefined;
  if (old?.status === 'fixed' && (row.status !== 'fixed' || compareDebianVersions(row.version!, old.version!) < 0)) return;
  if (old && old.status === row.status && old.version === row.version) return;
  changes.push(`${c.id} ${row.id} ${row.versionId}: ${old ? `${old.status}${old.version ? ` ${old.version}` : ''}` : 'no row'} -> ${row.status}${row.version ? ` ${row.version}` : ''}`);
  if (i >= 0) rows[i] = { ...row, ...(old?.note ? { note: old.note } : {}) };
  else rows.push(row);
}

function finish(source: UpdateSource, data: VulnData, changes: string[]): UpdateResult {
  const v = parseVulnData(data);
  if (!v.ok) return { ok: false, source, reason: `the result does not validate: ${v.issues.slice(0, 3).join('; ')}` };
  return { ok: true, source, data: v.data, changes };
}

export function fromDataFile(current: VulnData, json: unknown): UpdateResult {
  const v = parseVulnData(json);
  if (!v.ok) return { ok: false, source: 'sshield-data', reason: `not a valid sshield data file: ${v.issues.slice(0, 3).join('; ')}` };
  if (v.data.date < current.date) return { ok: false, source: 'sshield-data', reason: `refused: the new data (${v.data.date}) is older than the current data (${current.date})` };
  if (v.data.date === current.date) return { ok: false, source: 'sshield-data', reason: `the data of ${current.date} is already current` };
  return { ok: true, source: 'sshield-data', data: v.data, changes: [`data of ${current.date} replaced by data of ${v.data.date}`] };
}

export function fromOsv(current: VulnData, json: unknown, sourceLabel: string): UpdateResult {
  const recs = osvRecords(json);
  const modified = recs.map((r) => (typeof r.modified === 'string' ? r.modified.slice(0, 10) : '')).filter(Boolean).sort().at(-1);
  if (!modified) return { ok: false, source: 'osv', reason: 'OSV records without a modified date' };
  if (modified < current.date) return { ok: false, source: 'osv', reason: `refused: the newest record was modified ${modified}, before the current data (${current.date})` };
  const data = clone(current);
  const changes: string[] = [];
  for (const r of recs) {
    const ids = [r.id, ...(Array.isArray(r.aliases) ? r.aliases : []), ...(Array.isArray(r.upstream) ? r.upstream : [])].map(String);
    const cveId = ids.map((x) => /CVE-\d{4}-\d{4,}/.exec(x)?.[0]).find(Boolean);
    if (!cveId) continue;
    const affected = (r.affected as unknown[]).filter(isObj).filter((a) => isObj(a.package) && a.package.name === 'openssh');
    if (affected.length === 0) continue;
    let c = data.cves.find((x) => x.id === cveId);
    if (!c) {
      c = newEntry(cveId, String(r.details ?? r.summary ?? ''), `OSV ${String(r.id)} (${sourceLabel})`);
      data.cves.push(c);
      changes.push(`${cveId}: new CVE`);
    }
    const vendor = String(r.id).startsWith('UBUNTU') ? 'Ubuntu' : String(r.id).startsWith('DEBIAN') || String(r.id).startsWith('DSA') || String(r.id).startsWith('DLA') ? 'Debian' : 'OSV';
    for (const s of (Array.isArray(r.severity) ? r.severity : []).filter(isObj)) {
      if (s.type !== 'CVSS_V3' || typeof s.score !== 'string') continue;
      const sc = cvss3BaseScore(s.score);
      if (!sc) continue;
      const list = (c.cvss ??= []) as NonNullable<CveEntry['cvss']>[number][];
      if (!list.some((x) => x.vector === s.score)) {
        list.push({ source: 'osv', by: vendor, version: sc.version, score: sc.score, vector: s.score, ref: `OSV ${String(r.id)} modified ${modified}` });
        changes.push(`${cveId}: CVSS ${sc.version} ${sc.score} from ${vendor}`);
      }
    }
    for (const a of affected) {
      const eco = String((a.package as Json).ecosystem ?? '');
      const m = /^(Debian|Ubuntu):(\d+(?:\.\d+)?)(?::LTS)?$/.exec(eco);
      if (!m) continue;
      const id = m[1] === 'Debian' ? 'debian' : 'ubuntu';
      const versionId = m[2]!;
      const release = data.distros.find((d) => d.id === id && d.versionId === versionId);
      if (!release) continue;
      const events = (Array.isArray(a.ranges) ? a.ranges : []).filter(isObj).flatMap((g) => (Array.isArray(g.events) ? g.events.filter(isObj) : []));
      const fixed = events.map((e) => e.fixed).find((x): x is string => typeof x === 'string');
      const src = `OSV ${String(r.id)} (${eco}, modified ${modified}, ${sourceLabel})`;
      if (fixed) setRow(c, { id, versionId, status: 'fixed', version: fixed, source: src }, changes);
      else if (!c.distros.some((d) => d.id === id && d.versionId === versionId)) setRow(c, { id, versionId, status: 'no-fix', source: src }, changes);
    }
  }
  data.date = modified;
  data.dateNote = `Merged ${recs.length} OSV record(s) (${sourceLabel}) into the data of ${current.date}.`;
  return finish('osv', data, changes);
}

export function fromDebianTracker(current: VulnData, json: unknown, today: string, sourceLabel: string): UpdateResult {
  if (today < current.date) return { ok: false, source: 'debian-tracker', reason: `refused: the current data (${current.date}) is newer than today (${today})` };
  const pkg = (json as Json).openssh as Json;
  const data = clone(current);
  const changes: string[] = [];
  let sid: string | undefined;
  for (const [cveId, raw] of Object.entries(pkg)) {
    if (!/^CVE-\d{4}-\d{4,}$/.test(cveId) || !isObj(raw) || !isObj(raw.releases)) continue;
    let c = data.cves.find((x) => x.id === cveId);
    for (const [codename, rel] of Object.entries(raw.releases)) {
      if (!isObj(rel)) continue;
      const repos = isObj(rel.repositories) ? Object.values(rel.repositories).map(String) : [];
      if (codename === 'sid') for (const v of repos) if (!sid || compareDebianVersions(v, sid) > 0) sid = v;
      const versionId = DEBIAN_CODENAMES[codename];
      const release = versionId ? data.distros.find((d) => d.id === 'debian' && d.versionId === versionId) : undefined;
      if (!release || !versionId) continue;
      for (const v of repos) {
        if (parseDebianVersion(v).upstream === release.upstream && compareDebianVersions(v, release.newestRevision) > 0) {
          changes.push(`Debian ${versionId}: newest revision ${release.newestRevision} -> ${v}`);
          release.newestRevision = v;
          delete release.newestDate;
        }
      }
      const src = `Debian security tracker JSON (${sourceLabel}, ${today}): ${codename} ${String(rel.status)}${rel.fixed_version ? ` ${String(rel.fixed_version)}` : ''}`;
      const row: DistroFix | undefined =
        rel.status === 'resolved' && rel.fixed_version === '0' ? { id: 'debian', versionId, status: 'not-affected', source: src }
        : rel.status === 'resolved' && typeof rel.fixed_version === 'string' ? { id: 'debian', versionId, status: 'fixed', version: rel.fixed_version, source: src }
        : rel.status === 'open' || rel.status === 'undetermined' ? { id: 'debian', versionId, status: 'no-fix', source: src }
        : undefined;
      if (!row) continue;
      if (!c) {
        c = newEntry(cveId, String(raw.description ?? ''), `Debian security tracker (${sourceLabel})`);
        data.cves.push(c);
        changes.push(`${cveId}: new CVE`);
      }
      setRow(c, row, changes);
    }
  }
  const sidUp = sid ? parseDebianVersion(sid).upstream : undefined;
  if (sidUp && parseOpensshVersion(sidUp) && compareOpensshVersions(sidUp, data.newestUpstream.version) > 0) {
    changes.push(`newest upstream ${data.newestUpstream.version} -> ${sidUp} (Debian sid ${sid})`);
    data.newestUpstream = { version: sidUp, date: today, source: `Debian sid ${sid} per the security tracker JSON (${sourceLabel}); release date not in the source, date of the update` };
  }
  data.date = today;
  data.dateNote = `Merged the Debian security tracker JSON (${sourceLabel}) into the data of ${current.date}.`;
  return finish('debian-tracker', data, changes);
}

/** Dispatches on the source's shape. */
export function updateVulnData(current: VulnData, json: unknown, opts: { today: string; sourceLabel: string }): UpdateResult {
  const source = detectSource(json);
  if (source === 'sshield-data') return fromDataFile(current, json);
  if (source === 'osv') return fromOsv(current, json, opts.sourceLabel);
  if (source === 'debian-tracker') return fromDebianTracker(current, json, opts.today, opts.sourceLabel);
  return { ok: false, reason: 'not a recognised source: expected an sshield data file, OSV records of openssh, or the Debian security tracker JSON' };
}
