// renderSarif: the audit report as SARIF 2.1.0 for code-scanning tools: one reportingDescriptor
// per rule evaluated, one result per failing/warning rule with its locations. A result whose value
// comes from a compiled-in default has no directive to point at: it points at the main
// sshd_config (where the setting belongs); a result about the installed build points at the
// openssh-server package (and dpkg's status file, when that is where the build was read). The format itself lives in sarif-log.ts,
// shared with `scan`. Pure.
import type { Location, Log } from 'sarif';
import type { Report, ReportResult } from './types.js';
import { getRule } from '../rules/registry.js';
import { fileLocation, logicalLocation, sarifLog, SEVERITY_LEVEL, type SarifResultInput } from './sarif-log.js';

/** Where dpkg records the installed openssh-server (the build's source when it says [dpkg]). */
const DPKG_STATUS = '/var/lib/dpkg/status';
const PACKAGE_RULES = /^host\/(no-known-vulnerabilities|require-current-openssh)$/;

function locationsOf(r: ReportResult, report: Report): Location[] {
  if (r.locations.length > 0) return r.locations.map((l) => fileLocation(l.file, l.line, l.column));
  const t = report.target;
  if (PACKAGE_RULES.test(r.ruleId)) {
    const pkg = logicalLocation('openssh-server', `${t.label}/openssh-server`, 'module');
    return [t.openssh?.endsWith('[dpkg]') ? { ...fileLocation(DPKG_STATUS, 0), ...pkg } : pkg];
  }
  return [t.config ? { ...fileLocation(t.config, 0), ...logicalLocation(t.label, t.label, 'resource') } : logicalLocation(t.label, t.label, 'resource')];
}

export function toSarif(report: Report, opts: { docsBase?: string } = {}): Log {
  const results: SarifResultInput[] = [];
  for (const r of report.results) {
    if (r.status !== 'fail' && r.status !== 'warn') continue;
    results.push({
      ruleId: r.ruleId,
      level: r.status === 'warn' ? 'warning' : SEVERITY_LEVEL[r.severity],
      message: r.message,
      locations: locationsOf(r, report),
      ...(r.remediation.length > 0 ? { properties: { remediation: r.remediation.map((x) => x.description) } } : {}),
      ...(r.waived ? { suppression: `${r.waived.reason} (until ${r.waived.expires})` } : {}),
    });
  }
  return sarifLog({
    toolVersion: report.tool.version,
    rules: report.results.map((r) => {
      const docs = getRule(r.ruleId)?.meta.docs;
      return { id: r.ruleId, title: r.title, severity: r.severity, tags: r.tags, ...(docs ? { docs } : {}) };
    }),
    results,
    originalUriBaseIds: { ROOT: { uri: 'file:///' } },
    properties: { target: report.target.label, profile: report.profile.name },
    ...(opts.docsBase ? { docsBase: opts.docsBase } : {}),
  });
}

export function renderSarif(report: Report, opts: { docsBase?: string } = {}): string {
  return `${JSON.stringify(toSarif(report, opts), null, 2)}\n`;
}
