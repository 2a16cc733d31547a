// The one rule that turns a CVE's published scores into the severity sshield shows, used by the
// audit rule, the scanner and every report: the HIGHEST base score among the scores published for
// it (CNA, CISA ADP, NVD; any CVSS version), mapped to the CVSS v3.1 qualitative scale (FIRST
// CVSS v3.1 specification §5: 0.1-3.9 low, 4.0-6.9 medium, 7.0-8.9 high, 9.0-10.0 critical).
// Taking the highest keeps one vendor's low reading from hiding another's high one. Without any
// published score the data's `severityFallback` is used and the basis says so. Pure.
import type { CveEntry, CvssScore } from './data.js';

export type CveSeverity = 'critical' | 'high' | 'medium' | 'low';

export interface SeverityJudgement {
  readonly severity: CveSeverity;
  /** The score the severity came from, when one was published. */
  readonly score?: CvssScore;
  /** "CVSS 3.1 7.5 (CNA mitre)" or "no published CVSS score: sshield's estimate". */
  readonly basis: string;
}

export function bandOf(score: number): CveSeverity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  return 'low';
}

export function cveSeverity(c: Pick<CveEntry, 'cvss' | 'severityFallback'>): SeverityJudgement {
  const scores = c.cvss ?? [];
  if (scores.length === 0) return { severity: c.severityFallback, basis: "no published CVSS score: sshield's estimate" };
  const top = scores.reduce((a, b) => (b.score > a.score ? b : a));
  return { severity: bandOf(top.score), score: top, basis: `CVSS ${top.version} ${top.score.toFixed(1)} (${top.source.toUpperCase()} ${top.by})` };
}
