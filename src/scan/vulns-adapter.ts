// Banner -> software and CVE status through src/vulns, the same banner parser, data table and
// version ordering (dpkg for distro revisions, numeric upstream) that the local audit uses, so a
// host scanned remotely and audited locally gets the same CVE verdicts. Remotely we cannot see
// the effective config, so config mitigations are not applied; only server-side CVEs are listed.
import { parseSshBanner } from '../vulns/openssh-version.js';
import { assessVulnerabilities } from '../vulns/assess.js';
import type { ScanCve, ScanSoftware } from './types.js';
import { parseSoftware } from './software.js';

export function assessBanner(b: { raw: string; softwareVersion: string; comments: string | null }): { software: ScanSoftware; cves: ScanCve[] } {
  const parsed = parseSshBanner(b.raw);
  if (!parsed) return { software: parseSoftware(b.softwareVersion, b.comments), cves: [] };
  const software: ScanSoftware = {
    product: parsed.software,
    version: parsed.version ?? (parsed.softwareVersion.includes('_') ? parsed.softwareVersion.slice(parsed.softwareVersion.indexOf('_') + 1) : null),
    distro: parsed.distro ? `${parsed.distro.id}${parsed.distro.versionId ? ` ${parsed.distro.versionId}` : ''}` : null,
    packageVersion: parsed.packageVersion ?? null,
  };
  if (parsed.software !== 'OpenSSH' || !parsed.version) return { software, cves: [] };
  const build = {
    ...(parsed.distro ? { distro: parsed.distro } : {}),
    ...(parsed.packageVersion ? { packageVersion: parsed.packageVersion } : {}),
    upstreamVersion: parsed.version,
  };
  const cves = assessVulnerabilities(build)
    .filter((c) => c.serverSide && c.status !== 'not-affected')
    .map((c): ScanCve => ({
      id: c.id,
      status: c.status === 'mitigated' || c.status === 'not-affected' ? 'affected' : c.status,
      severity: c.severity,
      summary: c.title,
      note: c.note,
      basis: c.basis,
      ...(c.fixedIn ? { fixedIn: c.fixedIn } : {}),
      confidence: c.basis === 'distro-revision' ? 'banner names the distro package revision' : 'upstream version only (distro backports unknown)',
    }));
  return { software, cves };
}
