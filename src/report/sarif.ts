// renderSarif: the audit report as SARIF 2.1.0 for code-scanning tools: one reportingDescriptor
// per rule evaluated, one result per failing/warning rule location. The format itself lives in
// sarif-log.ts, shared with `scan`. Pure.
import type { Log } from 'sarif';
import type { Report } from './types.js';
import { fileLocation, sarifLog, SEVERITY_LEVEL, type SarifResultInput } from './sarif-log.js';

export function toSarif(report: Report): Log {
  const results: SarifResultInput[] = [];
  for (const r of report.results) {
    if (r.status !== 'fail' && r.status !== 'warn') continue;
    results.push({
      ruleId: r.ruleId,
      level: r.status === 'warn' ? 'warning' : SEVERITY_LEVEL[r.severity],
      message: r.message,
      locations: r.locations.map((l) => fileLocation(l.file, l.line, l.column)),
      ...(r.remediation.length > 0 ? { properties: { remediation: r.remediation.map((x) => x.description) } } : {}),
      ...(r.waived ? { suppression: `${r.waived.reason} (until ${r.waived.expires})` } : {}),
    });
  }
  return sarifLog({
    toolVersion: report.tool.version,
    rules: report.results.map((r) => ({ id: r.ruleId, title: r.title, severity: r.severity, tags: r.tags })),
    results,
    originalUriBaseIds: { ROOT: { uri: 'file:///' } },
    properties: { target: report.target.label, profile: report.profile.name },
  });
}

export function renderSarif(report: Report): string {
  return `${JSON.stringify(toSarif(report), null, 2)}\n`;
}
