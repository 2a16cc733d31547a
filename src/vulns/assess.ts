// Which known OpenSSH vulnerabilities apply to a build, judged by the distribution package
// revision when it is known (Debian version ordering: a backported fix in 1:9.2p1-2+deb12u3
// counts even though upstream 9.2p1 is in the affected range), else by the upstream version,
// and each result says which basis it used. Config mitigations (conditions on effective sshd
// values) turn "affected" into "mitigated". Pure: the data table comes in (default: shipped).
//
// API:
//   assessVulnerabilities(build, effective?, data?) -> CveAssessment[]  (one per CVE in the table)
//   opensshCurrency(build, data?) -> Currency { newestUpstream, newestForDistro?, isCurrent, eol? }
//   build = { distro?: { id, versionId }, packageVersion?: "1:9.2p1-2+deb12u10", upstreamVersion?: "9.2p1" }
//   effective = EffectiveConfig (anything with value(key)) or (key) => value, keys as `sshd -T` prints.
import { compareDebianVersions, parseDebianVersion } from './dpkg-version.js';
import { compareOpensshVersions, parseOpensshVersion } from './openssh-version.js';
import { type Condition, type CveEntry, type DistroRelease, type VulnData, loadVulnData } from './data.js';

export interface BuildInput {
  readonly distro?: { readonly id: string; readonly versionId?: string };
  readonly packageVersion?: string;
  readonly upstreamVersion?: string;
}

export type EffectiveLookup = ((key: string) => string | undefined) | { value(key: string): string | undefined };

export type VulnStatus = 'affected' | 'fixed' | 'not-affected' | 'mitigated' | 'unknown';

export interface CveAssessment {
  readonly id: string;
  readonly title: string;
  readonly component: CveEntry['component'];
  readonly serverSide: boolean;
  readonly severity: CveEntry['severity'];
  readonly cvss?: number;
  readonly status: VulnStatus;
  readonly basis: 'distro-revision' | 'upstream-version';
  /** The package revision or upstream version that fixes it, when there is one. */
  readonly fixedIn?: string;
  readonly note: string;
  readonly source: string;
}

const lookup = (e: EffectiveLookup, key: string): string | undefined => (typeof e === 'function' ? e(key) : e.value(key));

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
}

export function conditionHolds(c: Condition, e: EffectiveLookup): boolean {
  const val = lookup(e, c.key);
  if (val === undefined) return false;
  const items = val.split(',').map((s) => s.trim().toLowerCase());
  if (c.op === 'eq') return val.trim().toLowerCase() === c.value.toLowerCase();
  if (c.op === 'excludes') return !items.includes(c.value.toLowerCase());
  const re = globToRegExp(c.value);
  return !items.some((i) => re.test(i));
}

/** The release row of the table a build belongs to, when its package is that release's own. */
function releaseFor(build: BuildInput, data: VulnData): { release: DistroRelease; pkg: string } | undefined {
  const d = build.distro;
  if (!d?.versionId || !build.packageVersion) return undefined;
  const release = data.distros.find((r) => r.id === d.id && r.versionId === d.versionId);
  if (!release) return undefined;
  const up = parseDebianVersion(build.packageVersion).upstream;
  // A backport (1:10.0p1-7~bpo12+1 on Debian 12) is not the release's package: judge it upstream.
  if (compareOpensshVersions(up, release.upstream) !== 0 || !parseOpensshVersion(up)) return undefined;
  return { release, pkg: build.packageVersion };
}

function upstreamOf(build: BuildInput): string | undefined {
  if (build.upstreamVersion && parseOpensshVersion(build.upstreamVersion)) return build.upstreamVersion;
  if (build.packageVersion) {
    const up = parseDebianVersion(build.packageVersion).upstream;
    if (parseOpensshVersion(up)) return up;
  }
  return undefined;
}

type Judged = { status: VulnStatus; basis: CveAssessment['basis']; fixedIn?: string; note: string };

function byUpstream(c: CveEntry, upstream: string, distroNote: string | undefined): Judged {
  const a = c.affected;
  const basis = 'upstream-version' as const;
  if (a.vendorOnly) {
    return distroNote
      ? { status: 'unknown', basis, note: `Only distribution-patched builds carry this flaw; ${distroNote}` }
      : { status: 'not-affected', basis, note: a.note ?? 'Only distribution patches carry this flaw; upstream builds are not affected.' };
  }
  const fixedIn = a.fixed ? { fixedIn: a.fixed } : {};
  if (a.introduced && compareOpensshVersions(upstream, a.introduced) < 0) {
    return { status: 'not-affected', basis, note: `OpenSSH ${upstream} predates the flaw (introduced in ${a.introduced}).` };
  }
  if (a.fixed && compareOpensshVersions(upstream, a.fixed) >= 0) {
    return { status: 'fixed', basis, ...fixedIn, note: `OpenSSH ${upstream} includes the upstream fix (${a.fixed}).` };
  }
  const range = `${a.introduced ? `${a.introduced}` : 'every version'}${a.fixed ? ` before ${a.fixed}` : ''}`;
  return {
    status: 'affected',
    basis,
    ...fixedIn,
    note: `OpenSSH ${upstream} is in the affected range (${range}).${distroNote ? ` ${distroNote}` : ''}`,
  };
}

function judge(c: CveEntry, build: BuildInput, data: VulnData): Judged {
  const rel = releaseFor(build, data);
  if (rel) {
    const { release, pkg } = rel;
    const label = `${release.id === 'debian' ? 'Debian' : 'Ubuntu'} ${release.versionId}`;
    const row = c.distros.find((r) => r.id === release.id && r.versionId === release.versionId);
    const basis = 'distro-revision' as const;
    const why = row?.note ? ` ${row.note}` : '';
    if (!row) {
      const u = byUpstream(c, release.upstream, undefined);
      if (u.status === 'affected') {
        return { status: 'unknown', basis, note: `The table has no ${label} row for this CVE although the ${release.upstream} base is in the affected range; check the distribution tracker.` };
      }
      return { ...u, basis, note: `${label}'s ${release.upstream} base: ${u.note}` };
    }
    switch (row.status) {
      case 'fixed': {
        const fixed = compareDebianVersions(pkg, row.version!) >= 0;
        return {
          status: fixed ? 'fixed' : 'affected',
          basis,
          fixedIn: row.version!,
          note: fixed ? `${pkg} includes the ${label} fix (${row.version}).${why}` : `${pkg} is older than the ${label} fix ${row.version}.${why}`,
        };
      }
      case 'not-affected':
        return { status: 'not-affected', basis, note: `${label} packages do not contain the flawed code.${why}` };
      case 'unverified':
        return { status: 'unknown', basis, note: `${label} fixed it but the fixing revision is not verified.${why}` };
      case 'no-fix':
        if (compareDebianVersions(pkg, release.newestRevision) > 0) {
          return { status: 'unknown', basis, note: `${pkg} is newer than ${release.newestRevision}, the newest ${label} revision this table knows; check the distribution tracker.` };
        }
        return { status: 'affected', basis, note: `No ${label} fix published as of ${data.researchDate}.${why}` };
    }
  }
  const upstream = upstreamOf(build);
  if (!upstream) return { status: 'unknown', basis: 'upstream-version', note: 'No OpenSSH version known for this host.' };
  const d = build.distro;
  const distroNote =
    d && (d.id === 'debian' || d.id === 'ubuntu')
      ? `Judged by the upstream version only: the ${d.id} ${d.versionId ?? ''} package may carry backported fixes this table does not track.`.replace('  ', ' ')
      : undefined;
  return byUpstream(c, upstream, distroNote);
}

export function assessVulnerabilities(build: BuildInput, effective?: EffectiveLookup, data: VulnData = loadVulnData()): CveAssessment[] {
  return data.cves.map((c) => {
    let j = judge(c, build, data);
    if (j.status === 'affected' && effective) {
      const m = c.mitigations.find((mit) => mit.all.every((cond) => conditionHolds(cond, effective)));
      if (m) j = { ...j, status: 'mitigated', note: `${j.note} Mitigated by the configuration: ${m.note}` };
    }
    return {
      id: c.id,
      title: c.title,
      component: c.component,
      serverSide: c.serverSide,
      severity: c.severity,
      ...(c.cvss !== undefined ? { cvss: c.cvss } : {}),
      status: j.status,
      basis: j.basis,
      ...(j.fixedIn ? { fixedIn: j.fixedIn } : {}),
      note: j.note,
      source: c.source,
    };
  });
}

export interface Currency {
  readonly newestUpstream: { readonly version: string; readonly date: string };
  /** Newest package revision of the host's release the table knows. */
  readonly newestForDistro?: string;
  /** undefined when no version is known. */
  readonly isCurrent: boolean | undefined;
  readonly basis: 'distro-revision' | 'upstream-version';
  readonly eol?: { readonly date: string; readonly note: string };
  readonly note: string;
}

export function opensshCurrency(build: BuildInput, data: VulnData = loadVulnData()): Currency {
  const newestUpstream = { version: data.newestUpstream.version, date: data.newestUpstream.date };
  const d = build.distro;
  const release = d?.versionId ? data.distros.find((r) => r.id === d.id && r.versionId === d.versionId) : undefined;
  const eol = release?.eol ? { eol: release.eol } : {};
  const rel = releaseFor(build, data);
  if (rel) {
    const current = compareDebianVersions(rel.pkg, rel.release.newestRevision) >= 0;
    return {
      newestUpstream,
      newestForDistro: rel.release.newestRevision,
      isCurrent: current,
      basis: 'distro-revision',
      ...eol,
      note: current
        ? `${rel.pkg} is the newest ${rel.release.codename} revision known (${rel.release.newestRevision}).`
        : `${rel.pkg} is older than ${rel.release.newestRevision}, the newest ${rel.release.codename} revision: apt-get update && apt-get install openssh-server.`,
    };
  }
  const up = upstreamOf(build);
  if (!up) return { newestUpstream, isCurrent: undefined, basis: 'upstream-version', ...eol, note: 'No OpenSSH version known for this host.' };
  const current = compareOpensshVersions(up, newestUpstream.version) >= 0;
  return {
    newestUpstream,
    ...(release ? { newestForDistro: release.newestRevision } : {}),
    isCurrent: current,
    basis: 'upstream-version',
    ...eol,
    note: current
      ? `OpenSSH ${up} is at least the newest upstream release ${newestUpstream.version} (${newestUpstream.date}).`
      : `OpenSSH ${up} is older than the newest upstream release ${newestUpstream.version} (${newestUpstream.date}).`,
  };
}
