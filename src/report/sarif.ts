// renderSarif: SARIF 2.1.0 for code-scanning tools: one reportingDescriptor per rule evaluated,
// one result per failing/warning rule location. Pure.
import type { Log, ReportingDescriptor, Result } from 'sarif';
import type { Report } from './types.js';
import type { Severity } from '../rules/types.js';

const LEVEL: Record<Severity, Result.level> = { info: 'note', low: 'note', medium: 'warning', high: 'error', critical: 'error' };
const SCORE: Record<Severity, string> = { info: '0.0', low: '3.0', medium: '5.5', high: '8.0', critical: '9.5' };

export function toSarif(report: Report): Log {
  const rules: ReportingDescriptor[] = report.results.map((r) => ({
    id: r.ruleId,
    name: r.ruleId.replace(/[/-](\w)/g, (_, x: string) => x.toUpperCase()),
    shortDescription: { text: r.title },
    helpUri: `https://github.com/sshield/sshield/blob/main/docs/rules/${r.ruleId.replace('/', '-')}.md`,
    defaultConfiguration: { level: LEVEL[r.severity] },
    properties: { tags: [...r.tags], 'security-severity': SCORE[r.severity] },
  }));
  const results: Result[] = [];
  report.results.forEach((r, ruleIndex) => {
    if (r.status !== 'fail' && r.status !== 'warn') return;
    const res: Result = {
      ruleId: r.ruleId,
      ruleIndex,
      level: r.status === 'warn' ? 'warning' : LEVEL[r.severity],
      message: { text: r.message },
      locations: r.locations.map((l) => ({
        physicalLocation: { artifactLocation: { uri: l.file.replace(/^\//, ''), uriBaseId: 'ROOT' }, ...(l.line > 0 ? { region: { startLine: l.line, ...(l.column ? { startColumn: l.column } : {}) } } : {}) },
      })),
      ...(r.remediation.length > 0 ? { properties: { remediation: r.remediation.map((x) => x.description) } } : {}),
    };
    if (r.waived) res.suppressions = [{ kind: 'external', justification: `${r.waived.reason} (until ${r.waived.expires})` }];
    results.push(res);
  });
  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      {
        tool: { driver: { name: 'sshield', version: report.tool.version, informationUri: 'https://github.com/sshield/sshield', rules } },
        originalUriBaseIds: { ROOT: { uri: 'file:///' } },
        results,
        properties: { target: report.target.label, profile: report.profile.name },
      },
    ],
  };
}

export function renderSarif(report: Report): string {
  return `${JSON.stringify(toSarif(report), null, 2)}\n`;
}
