// The shipped OpenSSH vulnerability table (data/openssh-vulns.json): its typed schema, checked
// with valibot when first loaded, so a malformed data file fails loudly in tests, never silently
// in an audit. Pure apart from the bundled JSON import (esbuild inlines it into dist/).
//
// API: loadVulnData() -> VulnData (memoised); parseVulnData(json) -> { ok, data | issues };
//      types VulnData, CveEntry, DistroFix, Mitigation, Condition, DistroRelease.
import * as v from 'valibot';
import raw from '../../data/openssh-vulns.json' with { type: 'json' };

const Upstream = v.pipe(v.string(), v.regex(/^\d+\.\d+p\d+$/, 'upstream version like 9.2p1'));
const Source = v.pipe(v.string(), v.minLength(3, 'every row cites its source'));

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
  source: Source,
  note: v.optional(v.string()),
});

const CveSchema = v.object({
  id: v.pipe(v.string(), v.regex(/^CVE-\d{4}-\d{4,}$/)),
  title: v.string(),
  component: v.picklist(['sshd', 'ssh', 'ssh+sshd', 'scp', 'sftp', 'ssh-agent', 'ssh-add', 'ssh-keygen']),
  /** The flaw is reachable through the server (sshd), so a server audit reports it. */
  serverSide: v.boolean(),
  severity: v.picklist(['critical', 'high', 'medium', 'low']),
  cvss: v.optional(v.number()),
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
  newestRevision: v.string(),
  source: Source,
  eol: v.optional(v.object({ date: v.string(), note: v.string() })),
});

const VulnDataSchema = v.object({
  schemaVersion: v.literal(1),
  researchDate: v.string(),
  newestUpstream: v.object({ version: Upstream, date: v.pipe(v.string(), v.isoDate()), source: Source }),
  distros: v.array(DistroReleaseSchema),
  cves: v.array(CveSchema),
});

export type Condition = v.InferOutput<typeof ConditionSchema>;
export type Mitigation = v.InferOutput<typeof MitigationSchema>;
export type DistroFix = v.InferOutput<typeof DistroFixSchema>;
export type CveEntry = v.InferOutput<typeof CveSchema>;
export type DistroRelease = v.InferOutput<typeof DistroReleaseSchema>;
export type VulnData = v.InferOutput<typeof VulnDataSchema>;

export function parseVulnData(json: unknown): { ok: true; data: VulnData } | { ok: false; issues: string[] } {
  const r = v.safeParse(VulnDataSchema, json);
  if (r.success) {
    const ids = new Set<string>();
    const dup = r.output.cves.find((c) => (ids.has(c.id) ? true : (ids.add(c.id), false)));
    if (dup) return { ok: false, issues: [`duplicate CVE id ${dup.id}`] };
    const badFix = r.output.cves.flatMap((c) => c.distros.filter((d) => d.status === 'fixed' && !d.version).map((d) => `${c.id}: ${d.id} ${d.versionId} fixed without a version`));
    if (badFix.length) return { ok: false, issues: badFix };
    return { ok: true, data: r.output };
  }
  return { ok: false, issues: r.issues.map((i) => `${v.getDotPath(i) ?? '(root)'}: ${i.message}`) };
}

let cached: VulnData | undefined;

/** The shipped table; throws (a packaging bug) when the data file does not match the schema. */
export function loadVulnData(): VulnData {
  if (cached) return cached;
  const r = parseVulnData(raw);
  if (!r.ok) throw new Error(`data/openssh-vulns.json is invalid: ${r.issues.slice(0, 5).join('; ')}`);
  cached = r.data;
  return cached;
}
