// Renderers for a ScanReport: text for people, JSON (the report as is), SARIF 2.1.0 for code
// scanning dashboards, built by the audit's SARIF module so both commands look the same to a
// dashboard. Pure: strings out. Scan results have no source file, so SARIF locations are logical
// (the target `host:port`), each finding a result with ruleId and level.
import { endpointLocation, sarifLog, type SarifResultInput } from '../report/sarif-log.js';
import { NO_COLOR, type Palette } from '../report/text.js';
import { SCAN_RULES } from './rules.js';
import type { ScanFinding, ScanReport, ScanTargetResult } from './types.js';

export function renderJson(report: ScanReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

function levelTag(f: ScanFinding, c: Palette): string {
  return f.level === 'fail' ? c.red('FAIL') : f.level === 'warn' ? c.yellow('WARN') : c.dim('info');
}

function renderTarget(r: ScanTargetResult, c: Palette, verbose: boolean): string[] {
  const lines: string[] = [];
  const head = `${c.bold(r.target)}${r.address && r.address !== r.host ? c.dim(` (${r.address})`) : ''}`;
  if (r.status === 'error') lines.push(`${head}  ${c.red('ERROR')} ${r.error!.code}: ${r.error!.message}`);
  else lines.push(`${head}  ${r.banner?.raw ?? ''}`);
  if (r.software?.packageVersion) lines.push(`  software: ${r.software.product} ${r.software.version ?? ''}, ${r.software.distro} package ${r.software.packageVersion}`);
  else if (r.software) lines.push(`  software: ${r.software.product} ${r.software.version ?? '(no version)'}`);
  if (r.algorithms && verbose) {
    const a = r.algorithms;
    lines.push(`  kex: ${a.kex.join(',')}`, `  host key: ${a.hostKey.join(',')}`, `  ciphers: ${a.ciphersServerToClient.join(',')}`, `  macs: ${a.macsServerToClient.join(',')}`);
  }
  for (const k of r.hostKeys ?? []) lines.push(`  host key ${k.type}${k.bits ? ` ${k.bits}` : ''} ${k.sha256}`);
  for (const e of r.hostKeyErrors ?? []) lines.push(c.dim(`  host key ${e.algorithm}: ${e.error.message}`));
  if (r.auth) lines.push(r.auth.error ? c.dim(`  auth methods for ${r.auth.user}: ${r.auth.error.code}: ${r.auth.error.message}`) : `  auth methods for ${r.auth.user}: ${r.auth.methods.join(',') || '(none)'}`);
  const cveLine = cveSummary(r);
  if (cveLine) lines.push(`  ${cveLine}`);
  const order = { fail: 0, warn: 1, info: 2 } as const;
  for (const f of [...r.findings].sort((x, y) => order[x.level] - order[y.level])) {
    lines.push(`  ${levelTag(f, c)} ${f.message}${c.dim(` [${f.ruleId}]`)}`);
    if (verbose && f.reason) lines.push(c.dim(`       ${f.reason}`));
  }
  if (r.status === 'ok' && r.findings.length === 0) lines.push(`  ${c.green('ok')} nothing to report`);
  return lines;
}

/** Fixed, mitigated and not-affected CVEs in one line (the JSON report keeps every verdict). */
function cveSummary(r: ScanTargetResult): string | undefined {
  if (r.cves.length === 0) return undefined;
  const count = (v: string) => r.cves.filter((c) => (c.verdict ?? c.status) === v).length;
  const mitigated = r.cves.filter((c) => (c.verdict ?? c.status) === 'mitigated').map((c) => c.id);
  const parts = [`${count('fixed')} fixed`, `${mitigated.length} mitigated${mitigated.length ? ` (${mitigated.join(', ')})` : ''}`];
  for (const [v, label] of [['fix-available', 'fix available'], ['no-fix-yet', 'no fix yet'], ['unknown', 'unknown']] as const) if (count(v)) parts.push(`${count(v)} ${label}`);
  return `CVEs: ${parts.join(', ')}`;
}

export function renderText(report: ScanReport, opts: { colors?: Palette; verbose?: boolean } = {}): string {
  const c = opts.colors ?? NO_COLOR;
  const out: string[] = [];
  for (const r of report.targets) out.push(...renderTarget(r, c, opts.verbose ?? false), '');
  const s = report.summary;
  if (report.vulnData) out.push(report.vulnData.stale ? c.yellow(`warning: ${report.vulnData.message}`) : c.dim(report.vulnData.message));
  out.push(`${s.targets} target(s): ${s.ok} scanned, ${s.errors} error(s); findings: ${s.fail} fail, ${s.warn} warn, ${s.info} info; profile ${report.profile.name} v${report.profile.version}; ${Math.round(s.wallMs)} ms`);
  return `${out.join('\n')}\n`;
}

const SARIF_LEVEL = { fail: 'error', warn: 'warning', info: 'note' } as const;

/** SARIF in the audit's shape (src/report/sarif-log.ts): a logical location per target, since a scan has no files. */
export function renderSarif(report: ScanReport, opts: { docsBase?: string } = {}): string {
  const results: SarifResultInput[] = [];
  for (const t of report.targets) {
    const location = endpointLocation(`${t.host}:${t.port}`, `ssh://${t.target}`);
    for (const f of t.findings) {
      results.push({
        ruleId: f.ruleId,
        level: SARIF_LEVEL[f.level],
        message: `${t.target}: ${f.message}${f.reason ? `. ${f.reason}` : ''}`,
        locations: [location],
        fingerprint: `${t.target}|${f.ruleId}|${f.algorithm ?? f.cve ?? ''}`,
        ...(f.cve || f.algorithm ? { properties: { ...(f.cve ? { cve: f.cve } : {}), ...(f.algorithm ? { algorithm: f.algorithm } : {}) } } : {}),
      });
    }
  }
  const notifications = report.targets
    .filter((t) => t.error)
    .map((t) => ({ level: 'error' as const, message: { text: `${t.target}: ${t.error!.code}: ${t.error!.message}` }, descriptor: { id: t.error!.code } }));
  const log = sarifLog({
    toolVersion: report.tool.version,
    rules: Object.values(SCAN_RULES).map((r) => ({ id: r.id, title: r.title, severity: r.severity, tags: r.tags, docs: r.docs })),
    results,
    invocation: { executionSuccessful: report.summary.errors === 0, startTimeUtc: report.startedAt, toolExecutionNotifications: notifications },
    properties: { profile: report.profile.name },
    ...(opts.docsBase ? { docsBase: opts.docsBase } : {}),
  });
  return `${JSON.stringify(log, null, 2)}\n`;
}
