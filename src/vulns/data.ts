// The OpenSSH vulnerability table (data/openssh-vulns.json, or a refreshed copy written by
// `sshield data update`): its typed schema, checked with valibot, so a malformed data file fails
// loudly in tests and is refused by `data update`, never used silently in an audit. Pure apart
// from the bundled JSON import (esbuild inlines it into dist/).
//
// API: loadVulnData() -> VulnData (the bundled snapshot, memoised); parseVulnData(json) ->
//      { ok, data | issues }; dataAgeDays(data, today); STALE_AFTER_DAYS;
//      types VulnData, CveEntry, DistroFix, Mitigation, Condition, DistroRelease, CvssScore.
import * as v from 'valibot';
import raw from '../../data/openssh-vulns.json' with { type: 'json' };

const Upstream = v.pipe(v.string(), v.regex(/^\d+\.\d+p\d+$/, 'upstream version like 9.2p1'));
const Source = v.pipe(v.string(), v.minLength(3, 'every row cites its source'));
const IsoDay = v.pipe(v.string(), v.isoDate('a date YYYY-MM-DD'));

const ConditionSchema = v.object({
  /** Lower-case effective keyword as `sshd -T` prints it. */
  key: v.pipe(v.string(), v.regex(/^[a-z0-9]+$/)),
  /**
   * eq: first value equals (case-insensitive); excludes: the comma list has no such item;
   * excludes-match: no item matches the glob (* and ?).
   */
  op: v.picklist(['eq', 'excludes', 'excludes-match']),
  value: v.string(),
});

const MitigationSchema = v.object({ all: v.pipe(v.array(ConditionSchema), v.minLength(1)), note: v.string() });

const DistroFixSchema = v.object({
  id: v.picklist(['debian', 'ubuntu']),
  versionId: v.string(),
  /** fixed: from `version` on; not-affected: code absent; no-fix: no stable fix published; unverified: fix exists, revision not verified. */
  status: v.picklist(['fixed', 'not-affected', 'no-fix', 'unverified']),
  version: v.optional(v.string()),
  /** Date of the fixing changelog entry. */
  date: v.optional(IsoDay),
  /** false: the fixing revision comes from an advisory, its changelog entry does not name the CVE. */
  verified: v.optional(v.boolean()),
  source: Source,
  note: v.optional(v.string()),
});

const CvssSchema = v.object({
  /** Who scored it: the CVE's CNA, an ADP of the CVE record (CISA), NVD, or a distribution's OSV record. */
  source: v.picklist(['cna', 'adp', 'nvd', 'osv']),
  by: v.string(),
  version: v.picklist(['2.0', '3.0', '3.1', '4.0']),
  score: v.pipe(v.number(), v.minValue(0), v.maxValue(10)),
  vector: v.optional(v.string()),
  ref: Source,
});

const Severity = v.picklist(['critical', 'high', 'medium', 'low']);

const CveSchema = v.object({
  id: v.pipe(v.string(), v.regex(/^CVE-\d{4}-\d{4,}$/)),
  title: v.string(),
  component: v.picklist(['sshd', 'ssh', 'ssh+sshd', 'scp', 'sftp', 'ssh-agent', 'ssh-add', 'ssh-keygen']),
  /** The flaw is reachable through the server (sshd), so a server audit reports it. */
  serverSide: v.boolean(),
  /** Published CVSS scores; the severity shown is derived from them (src/vulns/severity.ts). */
  cvss: v.optional(v.array(CvssSchema)),
  /** Used only when no CVSS score is published: sshield's reading of the advisory. */
  severityFallback: Severity,
  affected: v.object({
    /** First affected upstream version (inclusive); absent = all earlier versions. */
    introduced: v.optional(Upstream),
    /** First fixed upstream version; absent when upstream never had the code (vendorOnly). */
    fixed: v.optional(Upstream),
    /** Only distribution patches carry the flaw (upstream builds are not affected). */
    vendorOnly: v.optional(v.boolean()),
    note: v.optional(v.string()),
  }),
  mitigations: v.array(MitigationSchema),
  distros: v.array(DistroFixSchema),
  source: Source,
});

const DistroReleaseSchema = v.object({
  id: v.picklist(['debian', 'ubuntu']),
  versionId: v.string(),
  codename: v.string(),
  /** Upstream base of the release's openssh package. */
  upstream: Upstream,
  /** The version its sshd announces when it differs from the package's (Debian 13: 10.0p2). */
  announces: v.optional(Upstream),
  newestRevision: v.string(),
  newestDate: v.optional(IsoDay),
  source: Source,
  /** Security support ended. */
  eol: v.optional(v.object({ date: v.string(), note: v.string() })),
  /** Security support (e.g. LTS) runs until this date. */
  support: v.optional(v.object({ until: IsoDay, note: v.string() })),
});

const VulnDataSchema = v.object({
  schemaVersion: v.literal(2),
  /** When the rows were last checked against their sources; reports warn when it is old. */
  date: IsoDay,
  dateNote: v.optional(v.string()),
  newestUpstream: v.object({ version: Upstream, date: IsoDay, source: Source }),
  distros: v.array(DistroReleaseSchema),
  cves: v.array(CveSchema),
});

export type Condition = v.InferOutput<typeof ConditionSchema>;
export type Mitigation = v.InferOutput<typeof MitigationSchema>;
export type DistroFix = v.InferOutput<typeof DistroFixSchema>;
export type CvssScore = v.InferOutput<typeof CvssSchema>;
export type CveEntry = v.InferOutput<typeof CveSchema>;
export type DistroRelease = v.InferOutput<typeof DistroReleaseSchema>;
export type VulnData = v.InferOutput<typeof VulnDataSchema>;

export function parseVulnData(json: unknown): { ok: true; data: VulnData } | { ok: false; issues: string[] } {
  const r = v.safeParse(VulnDataSchema, json);
  if (!r.success) return { ok: false, issues: r.issues.map((i) => `${v.getDotPath(i) ?? '(root)'}: ${i.message}`) };
  const ids = new Set<string>();
  const dup = r.output.cves.find((c) => (ids.has(c.id) ? true : (ids.add(c.id), false)));
  if (dup) return { ok: false, issues: [`duplicate CVE id ${dup.id}`] };
  const badFix = r.output.cves.flatMap((c) => c.distros.filter((d) => d.status === 'fixed' && !d.version).map((d) => `${c.id}: ${d.id} ${d.versionId} fixed without a version`));
  if (badFix.length) return { ok: false, issues: badFix };
  return { ok: true, data: r.output };
}

let cached: VulnData | undefined;
let refreshed: VulnData | undefined;

/** The bundled snapshot, whatever copy is in use. */
export function bundledVulnData(): VulnData {
  const r = parseVulnData(raw);
  if (!r.ok) throw new Error(`data/openssh-vulns.json is invalid: ${r.issues.slice(0, 5).join('; ')}`);
  return r.data;
}

/**
 * Uses a copy refreshed by `sshield data update` (already validated) instead of the bundled
 * snapshot, when it is newer; returns whether it is now in use. Called once by the CLI.
 */
export function useVulnData(data: VulnData): boolean {
  if (data.date <= bundledVulnData().date) return false;
  refreshed = data;
  return true;
}

/** The data in use: a newer refreshed copy, else the bundled snapshot (which must validate). */
export function loadVulnData(): VulnData {
  if (refreshed) return refreshed;
  if (cached) return cached;
  cached = bundledVulnData();
  return cached;
}

/** Data older than this many days is a warning in every report. */
export const STALE_AFTER_DAYS = 30;

/** Whole days from the data's date to `today` (YYYY-MM-DD). */
export function dataAgeDays(data: Pick<VulnData, 'date'>, today: string): number {
  return Math.floor((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${data.date}T00:00:00Z`)) / 86_400_000);
}

export interface DataFreshness {
  readonly date: string;
  readonly ageDays: number;
  readonly stale: boolean;
  readonly message: string;
}

export function dataFreshness(data: Pick<VulnData, 'date'>, today: string): DataFreshness {
  const ageDays = dataAgeDays(data, today);
  const stale = ageDays > STALE_AFTER_DAYS;
  return {
    date: data.date,
    ageDays,
    stale,
    message: stale
      ? `vulnerability data from ${data.date} is ${ageDays} days old (over ${STALE_AFTER_DAYS}): run \`sshield data update\``
      : `vulnerability data from ${data.date}`,
  };
}
