// The audit Report (schemaVersion 1): what every renderer (text, json, sarif, html) prints and what
// scripts read. Versioned: fields are only ever added. Pure data, no I/O.
import type { RuleResult } from '../rules/define-rule.js';
import type { Severity, VulnFinding } from '../rules/types.js';
import { SEVERITIES, severityRank } from '../rules/types.js';

export interface ReportTarget {
  readonly kind: 'local' | 'root' | 'file' | 'memory' | 'ssh';
  /** "localhost", "root:/srv/img", a config file path... */
  readonly label: string;
  /** The main sshd_config audited (as the target sees it: /etc/ssh/sshd_config, or -f FILE). */
  readonly config?: string;
  readonly os?: string;
  readonly openssh?: string;
  readonly build?: string;
  readonly pve?: string;
  /** Said in the header, e.g. "this machine has no sshd: auditing the PVE 9 example". */
  readonly note?: string;
}

export interface WaiverNote {
  readonly ruleId: string;
  /** A waiver of one CVE (the rule is then host/no-known-vulnerabilities). */
  readonly cve?: string;
  readonly reason: string;
  readonly expires: string;
  readonly state: 'active' | 'expired';
}

export interface ReportResult extends RuleResult {
  readonly waived?: { readonly reason: string; readonly expires: string };
}

export interface Report {
  readonly schemaVersion: 1;
  readonly tool: { readonly name: 'sshield'; readonly version: string };
  readonly target: ReportTarget;
  readonly profile: { readonly name: string; readonly source?: string };
  readonly specs: readonly { readonly role: string; readonly label: string; readonly spec: string }[];
  readonly results: readonly ReportResult[];
  readonly waivers: readonly WaiverNote[];
  readonly summary: Readonly<Record<'pass' | 'fail' | 'warn' | 'skip' | 'waived', number>>;
  /** Every CVE verdict of the installed build (text output sums up fixed and mitigated ones). */
  readonly vulns?: {
    readonly data: { readonly date: string; readonly ageDays: number; readonly stale: boolean; readonly message: string };
    readonly verdicts: readonly VulnFinding[];
  };
}

export function summarise(results: readonly ReportResult[]): Report['summary'] {
  const s = { pass: 0, fail: 0, warn: 0, skip: 0, waived: 0 };
  for (const r of results) {
    if (r.waived) s.waived++;
    else s[r.status]++;
  }
  return s;
}

export const DEFAULT_FAIL_ON: Severity = 'medium';

export function isSeverity(s: string): s is Severity {
  return (SEVERITIES as readonly string[]).includes(s);
}

/**
 * Results that make `--fail-on` fail (waived ones never count): failures at or above the
 * threshold, and results whose `failOnSeverity` (exposed CVEs with no fix yet) reaches it.
 */
export function failing(report: Report, failOn: Severity): ReportResult[] {
  const at = (s: Severity | undefined) => s !== undefined && severityRank(s) >= severityRank(failOn);
  return report.results.filter((r) => !r.waived && ((r.status === 'fail' && at(r.severity)) || (r.status !== 'pass' && r.status !== 'skip' && at(r.failOnSeverity))));
}
