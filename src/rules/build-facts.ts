// Helpers that read the OpenSSH build and vulnerability facts for version-aware rules: is a given
// CVE fixed in this build (by the vulnerability assessment when present, else by upstream range),
// and upstream version comparison ("9.2p1" < "9.10p1"). Pure.
import type { AuditFacts, OpenSshBuildFact, VulnFinding } from './types.js';
import { isMissing } from './types.js';

export function opensshBuild(facts: AuditFacts): OpenSshBuildFact | undefined {
  return isMissing(facts.openssh) ? undefined : facts.openssh;
}

/** Compares upstream versions like "9.2p1", "10.0p2", "9.8". Returns <0, 0, >0. */
export function compareUpstream(a: string, b: string): number {
  const pa = /^(\d+)\.(\d+)(?:p(\d+))?/.exec(a);
  const pb = /^(\d+)\.(\d+)(?:p(\d+))?/.exec(b);
  if (!pa || !pb) return a < b ? -1 : a > b ? 1 : 0;
  for (let i = 1; i <= 3; i++) {
    const d = Number(pa[i] ?? 0) - Number(pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function vulnFinding(facts: AuditFacts, cveId: string): VulnFinding | undefined {
  return isMissing(facts.vulns) ? undefined : facts.vulns.findings.find((f) => f.cve === cveId);
}

/**
 * Whether the build carries a CVE's fix. Uses the vulnerability assessment (distro revision aware)
 * when it names the CVE; else the upstream range [introduced, fixed). undefined when unknown.
 */
export function isVulnerable(facts: AuditFacts, cveId: string, upstreamRange: { introduced?: string; fixed: string }): boolean | undefined {
  const f = vulnFinding(facts, cveId);
  if (f) return f.status === 'vulnerable' || f.status === 'mitigated';
  if (!isMissing(facts.vulns)) {
    // The assessment ran and does not list the CVE: it judged it irrelevant for this build.
    const b = opensshBuild(facts);
    if (b?.packageVersion) return false;
  }
  const b = opensshBuild(facts);
  if (!b) return undefined;
  if (upstreamRange.introduced && compareUpstream(b.upstream, upstreamRange.introduced) < 0) return false;
  return compareUpstream(b.upstream, upstreamRange.fixed) < 0;
}

export function buildLabel(facts: AuditFacts): string {
  const b = opensshBuild(facts);
  if (!b) return 'unknown OpenSSH build';
  return b.packageVersion ? `OpenSSH ${b.upstream} (package ${b.packageVersion})` : `OpenSSH ${b.upstream}`;
}
