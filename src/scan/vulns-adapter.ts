// Banner -> software and CVE verdicts through src/vulns: the same banner-to-build derivation
// (buildFromBanner: the 10.0p2 quirk, hidden revisions), data, version ordering and verdicts that
// the local audit uses, so a host scanned remotely and audited locally get the same answers.
// Remotely the effective config is unknown, so config mitigations are not applied (the scanner
// applies what it can see: Terrapin from the offered algorithms); only server-side CVEs are listed.
import { parseSshBanner } from '../vulns/openssh-version.js';
import { assessVulnerabilities, type CveAssessment } from '../vulns/assess.js';
import { buildFromBanner } from '../vulns/banner.js';
import type { VulnData } from '../vulns/data.js';
import type { ScanCve, ScanSoftware } from './types.js';
import { parseSoftware } from './software.js';

function legacyStatus(v: CveAssessment['verdict']): ScanCve['status'] {
  return v === 'fix-available' || v === 'no-fix-yet' ? 'affected' : v;
}

export function toScanCve(c: CveAssessment, confidence: string): ScanCve {
  return {
    id: c.id,
    status: legacyStatus(c.verdict),
    verdict: c.verdict,
    severity: c.severity,
    severityBasis: c.severityBasis,
    ...(c.cvss.length ? { cvss: c.cvss.map((s) => ({ source: s.source, by: s.by, version: s.version, score: s.score, ...(s.vector ? { vector: s.vector } : {}) })) } : {}),
    summary: c.title,
    note: c.note,
    basis: c.basis,
    ...(c.fixedIn ? { fixedIn: c.fixedIn } : {}),
    confidence,
    evidence: c.evidence,
    ...(c.mitigations.length ? { mitigations: c.mitigations } : {}),
  };
}

export function assessBanner(b: { raw: string; softwareVersion: string; comments: string | null }, data?: VulnData): { software: ScanSoftware; cves: ScanCve[] } {
  const parsed = parseSshBanner(b.raw);
  if (!parsed) return { software: parseSoftware(b.softwareVersion, b.comments), cves: [] };
  const build = buildFromBanner(parsed, data);
  const software: ScanSoftware = {
    product: parsed.software,
    version: parsed.version ?? (parsed.softwareVersion.includes('_') ? parsed.softwareVersion.slice(parsed.softwareVersion.indexOf('_') + 1) : null),
    distro: build?.distro ? `${build.distro.id}${build.distro.versionId ? ` ${build.distro.versionId}` : ''}` : parsed.distro ? parsed.distro.id : null,
    packageVersion: build?.packageVersion ?? parsed.packageVersion ?? null,
  };
  if (!build) return { software, cves: [] };
  const confidence = build.revisionHidden ? 'upstream version only: the banner hides the package revision' : build.distro?.versionId ? `exact: ${build.derivation}` : `package revision of an untracked release: ${build.derivation}`;
  const cves = assessVulnerabilities(build, undefined, data ? { data } : {})
    .filter((c) => c.serverSide && c.verdict !== 'not-affected')
    .map((c) => toScanCve(c, confidence));
  return { software, cves };
}
