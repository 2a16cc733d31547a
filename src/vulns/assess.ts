// The one CVE assessment behind `audit`, `scan`, `upgrade` and every report: for each CVE in the
// data, a verdict people can act on, with the evidence it rests on.
//   fixed          the installed changelog names it at or below the installed revision, or the
//                  release's fixed revision (dpkg ordering) or the upstream version includes the fix
//   not-affected   the build predates the flaw, or the release's packages lack the code
//   mitigated      exposed, but the effective configuration closes it (e.g. GSSAPI off)
//   fix-available  exposed, and a fixing package exists (the apt candidate, or the data's fixed revision)
//   no-fix-yet     exposed, nothing to install yet: the evidence says what mitigates it
//   unknown        cannot be judged (the banner hides the package revision, a revision newer than
//                  the data knows...): says so and what to do, never a failure
// Order of evidence: the host's own changelog, then the data's release rows, then upstream
// ranges. Severity comes from severity.ts (one rule). Pure: data, changelog entries and the apt
// candidate come in.
//
// API:
//   assessVulnerabilities(build, effective?, opts?) -> CveAssessment[]  (one per CVE in the data)
//   opensshCurrency(build, data?) -> Currency
//   build = { distro?, packageVersion?, upstreamVersion?, revisionHidden? }
//   opts = { data?, changelog?: { entries, path }, candidate?: { version, entries? } }
import { compareDebianVersions, parseDebianVersion } from './dpkg-version.js';
import { compareOpensshVersions, parseOpensshVersion } from './openssh-version.js';
import { type Condition, type CveEntry, type CvssScore, type DistroRelease, type VulnData, loadVulnData } from './data.js';
import { changelogFixes, type ChangelogEntry } from './changelog.js';
import { cveSeverity, type CveSeverity } from './severity.js';

export interface BuildInput {
  readonly distro?: { readonly id: string; readonly versionId?: string };
  readonly packageVersion?: string;
  readonly upstreamVersion?: string;
  /** The version came from a banner without a distribution revision (DebianBanner no). */
  readonly revisionHidden?: boolean;
}

export type EffectiveLookup = ((key: string) => string | undefined) | { value(key: string): string | undefined };

export type Verdict = 'fixed' | 'not-affected' | 'mitigated' | 'fix-available' | 'no-fix-yet' | 'unknown';

export interface Evidence {
  /** changelog: a revision line of the installed changelog; data: a row of the vulnerability data;
   * config: the effective configuration; apt: the candidate; banner/upstream: version facts. */
  readonly kind: 'changelog' | 'data' | 'config' | 'apt' | 'banner' | 'upstream';
  readonly text: string;
}

export interface CveAssessment {
  readonly id: string;
  readonly title: string;
  readonly component: CveEntry['component'];
  readonly serverSide: boolean;
  readonly severity: CveSeverity;
  readonly severityBasis: string;
  readonly cvss: readonly CvssScore[];
  readonly verdict: Verdict;
  readonly basis: 'changelog' | 'distro-revision' | 'upstream-version';
  /** The package revision or upstream version that fixes it, when known. */
  readonly fixedIn?: string;
  /** What closes it in the configuration (each mitigation's note), for exposed and mitigated CVEs. */
  readonly mitigations: readonly string[];
  readonly evidence: readonly Evidence[];
  /** One sentence for people. */
  readonly note: string;
  readonly source: string;
}

export interface AssessOptions {
  readonly data?: VulnData;
  /** The installed package's changelog (parsed), and where it was read. */
  readonly changelog?: { readonly entries: readonly ChangelogEntry[]; readonly path: string };
  /** The apt candidate for openssh-server, with its changelog when it could be read. */
  readonly candidate?: { readonly version: string; readonly entries?: readonly ChangelogEntry[] };
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

const label = (r: Pick<DistroRelease, 'id' | 'versionId'>): string => `${r.id === 'debian' ? 'Debian' : 'Ubuntu'} ${r.versionId}`;

/** The release row a build belongs to, when its package is that release's own (not a backport). */
export function releaseFor(build: BuildInput, data: VulnData): { release: DistroRelease; pkg: string } | undefined {
  const d = build.distro;
  if (!d?.versionId || !build.packageVersion) return undefined;
  const release = data.distros.find((r) => r.id === d.id && r.versionId === d.versionId);
  if (!release) return undefined;
  const up = parseDebianVersion(build.packageVersion).upstream;
  // A backport (1:10.0p1-7~bpo12+1 on Debian 12) is not the release's package: judge it upstream.
  if (!parseOpensshVersion(up) || compareOpensshVersions(up, release.upstream) !== 0) return undefined;
  return { release, pkg: build.packageVersion };
}

function upstreamOf(build: BuildInput): string | undefined {
  if (build.packageVersion) {
    const up = parseDebianVersion(build.packageVersion).upstream;
    if (parseOpensshVersion(up)) return up;
  }
  if (build.upstreamVersion && parseOpensshVersion(build.upstreamVersion)) return build.upstreamVersion;
  return undefined;
}

/** Intermediate judgement: exposed means "affected, before mitigations and fixes on offer". */
type Judged =
  | { readonly kind: 'final'; readonly verdict: 'fixed' | 'not-affected' | 'unknown'; readonly basis: CveAssessment['basis']; readonly fixedIn?: string; readonly evidence: Evidence[]; readonly note: string }
  | { readonly kind: 'exposed'; readonly basis: CveAssessment['basis']; readonly fixedIn?: string; readonly evidence: Evidence[]; readonly note: string };

function byUpstream(c: CveEntry, upstream: string, backportsPossible: string | undefined): Judged {
  const a = c.affected;
  const basis = 'upstream-version' as const;
  const ev = (text: string): Evidence[] => [{ kind: 'upstream', text }];
  if (a.vendorOnly) {
    return backportsPossible
      ? { kind: 'final', verdict: 'unknown', basis, evidence: ev(a.note ?? 'only distribution patches carry this flaw'), note: `Only distribution-patched builds carry this flaw; ${backportsPossible}` }
      : { kind: 'final', verdict: 'not-affected', basis, evidence: ev(a.note ?? 'only distribution patches carry this flaw'), note: a.note ?? 'Only distribution patches carry this flaw; upstream builds are not affected.' };
  }
  if (a.introduced && compareOpensshVersions(upstream, a.introduced) < 0) {
    return { kind: 'final', verdict: 'not-affected', basis, evidence: ev(`introduced in ${a.introduced}`), note: `OpenSSH ${upstream} predates the flaw (introduced in ${a.introduced}).` };
  }
  if (a.fixed && compareOpensshVersions(upstream, a.fixed) >= 0) {
    return { kind: 'final', verdict: 'fixed', basis, fixedIn: a.fixed, evidence: ev(`fixed upstream in ${a.fixed}`), note: `OpenSSH ${upstream} includes the upstream fix (${a.fixed}).` };
  }
  const range = `${a.introduced ?? 'every version'}${a.fixed ? ` before ${a.fixed}` : ''}`;
  if (backportsPossible) {
    return { kind: 'final', verdict: 'unknown', basis, evidence: ev(`affected upstream: ${range}`), note: `OpenSSH ${upstream} is in the upstream affected range (${range}), but ${backportsPossible}` };
  }
  return { kind: 'exposed', basis, ...(a.fixed ? { fixedIn: a.fixed } : {}), evidence: ev(`affected upstream: ${range}`), note: `OpenSSH ${upstream} is in the affected range (${range}).` };
}

function judge(c: CveEntry, build: BuildInput, data: VulnData, fromChangelog: Map<string, ChangelogEntry> | undefined, changelogPath: string | undefined): Judged {
  const hit = fromChangelog?.get(c.id);
  if (hit) {
    return {
      kind: 'final',
      verdict: 'fixed',
      basis: 'changelog',
      fixedIn: hit.version,
      evidence: [{ kind: 'changelog', text: `${changelogPath ?? 'changelog'}:${hit.line}: ${hit.header}${hit.date ? ` (${hit.date})` : ''}` }],
      note: `The installed package's changelog names it in ${hit.version}${hit.date ? ` (${hit.date})` : ''}.`,
    };
  }
  const rel = releaseFor(build, data);
  if (rel) {
    const { release, pkg } = rel;
    const name = label(release);
    const row = c.distros.find((r) => r.id === release.id && r.versionId === release.versionId);
    const basis = 'distro-revision' as const;
    const why = row?.note ? ` ${row.note}` : '';
    if (!row) {
      const u = byUpstream(c, release.upstream, undefined);
      if (u.kind === 'exposed') {
        return { kind: 'final', verdict: 'unknown', basis, evidence: u.evidence, note: `The data has no ${name} row for this CVE although the ${release.upstream} base is in the affected range; check the distribution's security tracker.` };
      }
      return { ...u, basis, note: `${name}'s ${release.upstream} base: ${u.note}` };
    }
    const dataEv: Evidence = { kind: 'data', text: `${name}: ${row.status}${row.version ? ` in ${row.version}` : ''}${row.date ? ` (${row.date})` : ''}; ${row.source}` };
    switch (row.status) {
      case 'fixed': {
        if (compareDebianVersions(pkg, row.version!) >= 0) {
          return { kind: 'final', verdict: 'fixed', basis, fixedIn: row.version!, evidence: [dataEv], note: `${pkg} includes the ${name} fix (${row.version}).${why}` };
        }
        return { kind: 'exposed', basis, fixedIn: row.version!, evidence: [dataEv], note: `${pkg} is older than the ${name} fix ${row.version}.${why}` };
      }
      case 'not-affected':
        return { kind: 'final', verdict: 'not-affected', basis, evidence: [dataEv], note: `${name} packages do not contain the flawed code.${why}` };
      case 'unverified':
        return { kind: 'final', verdict: 'unknown', basis, evidence: [dataEv], note: `${name} fixed it but the fixing revision is not verified.${why}` };
      case 'no-fix':
        if (compareDebianVersions(pkg, release.newestRevision) > 0) {
          return { kind: 'final', verdict: 'unknown', basis, evidence: [dataEv], note: `${pkg} is newer than ${release.newestRevision}, the newest ${name} revision the data knows (data of ${data.date}): run \`sshield data update\` or check the distribution's security tracker.` };
        }
        return { kind: 'exposed', basis, evidence: [dataEv], note: `No ${name} fix published as of ${data.date}.${why}` };
    }
  }
  const upstream = upstreamOf(build);
  if (!upstream) return { kind: 'final', verdict: 'unknown', basis: 'upstream-version', evidence: [], note: 'No OpenSSH version known for this build.' };
  const d = build.distro;
  const backports = build.revisionHidden
    ? 'the banner hides the package revision (DebianBanner no?), so backported fixes cannot be seen: audit the host itself (`sshield audit`), or judge from its package version.'
    : d && (d.id === 'debian' || d.id === 'ubuntu')
      ? `the ${d.id}${d.versionId ? ` ${d.versionId}` : ''} package ${build.packageVersion ?? ''} is not a release the data tracks, so backported fixes are unknown: check the distribution's security tracker.`.replace(' package  is', ' package is')
      : undefined;
  const u = byUpstream(c, upstream, backports);
  if (build.revisionHidden) return { ...u, evidence: [{ kind: 'banner', text: 'banner without a distribution revision' }, ...u.evidence] };
  return u;
}

/** Whether the apt candidate fixes the CVE, and the evidence. */
function candidateFixes(c: CveEntry, cand: NonNullable<AssessOptions['candidate']>, fixedIn: string | undefined): Evidence | undefined {
  if (cand.entries) {
    const e = changelogFixes(cand.entries, cand.version).get(c.id);
    if (e) return { kind: 'apt', text: `apt candidate ${cand.version}: its changelog names it in ${e.version}${e.date ? ` (${e.date})` : ''}` };
  }
  if (fixedIn && /[:-]/.test(fixedIn) && compareDebianVersions(cand.version, fixedIn) >= 0) return { kind: 'apt', text: `apt candidate ${cand.version} >= fixed revision ${fixedIn}` };
  return undefined;
}

export function assessVulnerabilities(build: BuildInput, effective?: EffectiveLookup, opts: AssessOptions = {}): CveAssessment[] {
  const data = opts.data ?? loadVulnData();
  const installed = build.packageVersion;
  const fixes = opts.changelog && installed ? changelogFixes(opts.changelog.entries, installed) : undefined;
  return data.cves.map((c) => {
    const sev = cveSeverity(c);
    const j = judge(c, build, data, fixes, opts.changelog?.path);
    const mitigationNotes = c.mitigations.map((m) => m.note);
    let verdict: Verdict;
    const evidence = [...j.evidence];
    let note = j.note;
    let fixedIn = j.fixedIn;
    if (j.kind === 'final') verdict = j.verdict;
    else {
      const apt = opts.candidate ? candidateFixes(c, opts.candidate, fixedIn) : undefined;
      if (apt) {
        verdict = 'fix-available';
        evidence.push(apt);
        fixedIn ??= opts.candidate!.version;
        note += ` The apt candidate ${opts.candidate!.version} fixes it.`;
      } else if (fixedIn) {
        verdict = 'fix-available';
        if (opts.candidate) {
          evidence.push({ kind: 'apt', text: `apt candidate ${opts.candidate.version} does not include ${fixedIn}: run apt-get update` });
          note += ` The host's apt lists do not offer it yet (candidate ${opts.candidate.version}): apt-get update.`;
        }
      } else {
        verdict = 'no-fix-yet';
        note += mitigationNotes.length ? ` Until a fix ships: ${mitigationNotes.join(' / ')}` : ' No configuration mitigation is known.';
      }
      const m = effective ? c.mitigations.find((mit) => mit.all.every((cond) => conditionHolds(cond, effective))) : undefined;
      if (m) {
        verdict = 'mitigated';
        evidence.push({ kind: 'config', text: `${m.all.map((x) => `${x.key} ${x.op === 'eq' ? '=' : x.op} ${x.value}`).join(', ')}: ${m.note}` });
        note = `${j.note} Mitigated by the configuration: ${m.note}`;
      }
    }
    return {
      id: c.id,
      title: c.title,
      component: c.component,
      serverSide: c.serverSide,
      severity: sev.severity,
      severityBasis: sev.basis,
      cvss: c.cvss ?? [],
      verdict,
      basis: j.basis,
      ...(fixedIn ? { fixedIn } : {}),
      mitigations: mitigationNotes,
      evidence,
      note,
      source: c.source,
    };
  });
}

/** Exposed verdicts: what `--fail-on` can count (fixed, not-affected, mitigated and unknown never do). */
export function isExposed(v: Verdict): boolean {
  return v === 'fix-available' || v === 'no-fix-yet';
}

export interface Currency {
  readonly newestUpstream: { readonly version: string; readonly date: string };
  /** Newest package revision of the host's release the data knows. */
  readonly newestForDistro?: string;
  /** undefined when no version is known. */
  readonly isCurrent: boolean | undefined;
  readonly basis: 'distro-revision' | 'upstream-version';
  readonly eol?: { readonly date: string; readonly note: string };
  readonly support?: { readonly until: string; readonly note: string };
  readonly note: string;
}

export function opensshCurrency(build: BuildInput, data: VulnData = loadVulnData()): Currency {
  const newestUpstream = { version: data.newestUpstream.version, date: data.newestUpstream.date };
  const d = build.distro;
  const release = d?.versionId ? data.distros.find((r) => r.id === d.id && r.versionId === d.versionId) : undefined;
  const life = { ...(release?.eol ? { eol: release.eol } : {}), ...(release?.support ? { support: release.support } : {}) };
  const rel = releaseFor(build, data);
  if (rel) {
    const current = compareDebianVersions(rel.pkg, rel.release.newestRevision) >= 0;
    return {
      newestUpstream,
      newestForDistro: rel.release.newestRevision,
      isCurrent: current,
      basis: 'distro-revision',
      ...life,
      note: current
        ? `${rel.pkg} is the newest ${rel.release.codename} revision known (${rel.release.newestRevision}).`
        : `${rel.pkg} is older than ${rel.release.newestRevision}, the newest ${rel.release.codename} revision: apt-get update && apt-get install --only-upgrade openssh-server.`,
    };
  }
  const up = upstreamOf(build);
  if (!up) return { newestUpstream, isCurrent: undefined, basis: 'upstream-version', ...life, note: 'No OpenSSH version known for this host.' };
  const current = compareOpensshVersions(up, newestUpstream.version) >= 0;
  return {
    newestUpstream,
    ...(release ? { newestForDistro: release.newestRevision } : {}),
    isCurrent: current,
    basis: 'upstream-version',
    ...life,
    note: current
      ? `OpenSSH ${up} is at least the newest upstream release ${newestUpstream.version} (${newestUpstream.date}).`
      : `OpenSSH ${up} is older than the newest upstream release ${newestUpstream.version} (${newestUpstream.date}).`,
  };
}
