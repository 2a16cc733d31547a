// The report view: audit Reports and scan results folded into one shape for people (hosts, each
// with findings that carry their evidence: where, the identities evaluated, the exact fix), so
// the HTML renderer draws one audit, one scan, a fleet or any mix of saved JSON the same way and
// a host x rule matrix needs no special case. Pure: data in, data out; no I/O, no markup here.
import type { Severity } from '../rules/types.js';
import { SEVERITIES, severityRank } from '../rules/types.js';
import { SCAN_RULES } from '../scan/rules.js';
import type { ScanReport, ScanTargetResult } from '../scan/types.js';
import type { Report, ReportResult } from './types.js';
import { nextSteps, type NextStep } from './next-steps.js';

export type ViewStatus = 'fail' | 'warn' | 'info' | 'pass' | 'skip' | 'waived' | 'error';

export interface FixView {
  readonly text: string;
  /** The exact line or command to use, when there is one (`PermitRootLogin no`, `apt-get ...`). */
  readonly code?: string;
}

export interface FindingView {
  readonly ruleId: string;
  readonly title: string;
  readonly status: ViewStatus;
  readonly severity: Severity;
  readonly message: string;
  readonly details: readonly string[];
  /** file:line of the winning directive(s), or host:port for a scan. */
  readonly where: readonly string[];
  /** Labels of the connection identities the message was evaluated for. */
  readonly identities: readonly string[];
  readonly fixes: readonly FixView[];
  readonly references: readonly { readonly source: string; readonly item: string; readonly url?: string }[];
  readonly waived?: string;
}

export interface HostView {
  readonly name: string;
  readonly kind: 'audit' | 'scan';
  readonly facts: readonly { readonly label: string; readonly value: string }[];
  readonly note?: string;
  /** A scan target that could not be scanned. */
  readonly error?: string;
  readonly identities: readonly { readonly label: string; readonly spec: string }[];
  readonly findings: readonly FindingView[];
  readonly nextSteps: readonly NextStep[];
}

export interface ReportView {
  readonly title: string;
  readonly toolVersion: string;
  readonly hosts: readonly HostView[];
}

/** Worst first: what a reader must see first. */
export const STATUS_ORDER: readonly ViewStatus[] = ['error', 'fail', 'warn', 'info', 'waived', 'skip', 'pass'];

export function statusRank(s: ViewStatus): number {
  return STATUS_ORDER.length - STATUS_ORDER.indexOf(s);
}

export function bySeverityThenRule(a: FindingView, b: FindingView): number {
  return severityRank(b.severity) - severityRank(a.severity) || statusRank(b.status) - statusRank(a.status) || a.ruleId.localeCompare(b.ruleId) || a.message.localeCompare(b.message);
}

function fixOf(r: ReportResult['remediation'][number]): FixView {
  if (r.kind === 'set') {
    const line = `${r.keyword} ${r.value}`;
    return { text: r.description, code: r.scope === 'global' ? line : `Match ${r.scope.match}\n    ${line}` };
  }
  if (r.kind === 'comment-out') return { text: r.description, code: r.directives.map((d) => `${d.file}:${d.line}`).join('\n') };
  if (r.kind === 'filter-moduli') return { text: r.description, code: `awk '$5 >= ${r.minBits - 1}' ${r.from} > ${r.to}` };
  return r.command ? { text: r.description, code: r.command } : { text: r.description };
}

function auditFinding(r: ReportResult, specs: Report['specs']): FindingView {
  const status: ViewStatus = r.waived ? 'waived' : r.status;
  const text = [r.message, ...r.details].join('\n');
  return {
    ruleId: r.ruleId,
    title: r.title,
    status,
    severity: r.severity,
    message: r.message,
    details: r.details,
    where: r.locations.map((l) => (l.line > 0 ? `${l.file}:${l.line}` : l.file)),
    identities: r.identities ?? specs.filter((s) => text.includes(s.label)).map((s) => s.label),
    fixes: r.remediation.map(fixOf),
    references: r.references,
    ...(r.waived ? { waived: `${r.waived.reason} (until ${r.waived.expires})` } : {}),
  };
}

export function auditHostView(report: Report): HostView {
  const t = report.target;
  const facts = [
    { label: 'profile', value: report.profile.name + (report.profile.source ? ` (${report.profile.source})` : '') },
    ...(t.config ? [{ label: 'config', value: t.config }] : []),
    ...(t.os ? [{ label: 'system', value: t.os }] : []),
    ...(t.openssh ? [{ label: 'OpenSSH', value: t.openssh }] : []),
    ...(t.build ? [{ label: 'build profile', value: t.build }] : []),
    ...(t.pve ? [{ label: 'Proxmox VE', value: t.pve }] : []),
  ];
  return {
    name: t.label,
    kind: 'audit',
    facts,
    ...(t.note ? { note: t.note } : {}),
    identities: report.specs.map((s) => ({ label: s.label, spec: s.spec })),
    findings: report.results.map((r) => auditFinding(r, report.specs)),
    nextSteps: nextSteps(report),
  };
}

const SCAN_SEVERITY_FLOOR: Record<'fail' | 'warn' | 'info', Severity> = { fail: 'low', warn: 'low', info: 'info' };

function scanHostView(t: ScanTargetResult, profile: string): HostView {
  const facts = [
    { label: 'profile', value: profile },
    ...(t.address && t.address !== t.host ? [{ label: 'address', value: t.address }] : []),
    ...(t.banner ? [{ label: 'banner', value: t.banner.raw }] : []),
    ...(t.software ? [{ label: 'software', value: `${t.software.product} ${t.software.version ?? '(no version)'}${t.software.packageVersion ? `, ${t.software.distro} package ${t.software.packageVersion}` : ''}` }] : []),
    ...(t.auth && !t.auth.error ? [{ label: `auth methods for ${t.auth.user}`, value: t.auth.methods.join(', ') || '(none)' }] : []),
    ...(t.hostKeys ?? []).map((k) => ({ label: `host key ${k.type}${k.bits ? ` ${k.bits}` : ''}`, value: k.sha256 })),
  ];
  const where = [`${t.host}:${t.port}`];
  const findings: FindingView[] = t.findings.map((f) => {
    const meta = SCAN_RULES[f.ruleId];
    const severity = meta ? (f.level === 'info' ? 'info' : severityRank(meta.severity) >= severityRank(SCAN_SEVERITY_FLOOR[f.level]) ? meta.severity : SCAN_SEVERITY_FLOOR[f.level]) : 'info';
    return {
      ruleId: f.ruleId,
      title: meta?.title ?? f.ruleId,
      status: f.level,
      severity,
      message: f.message,
      details: f.reason ? [f.reason] : [],
      where,
      identities: [],
      fixes: meta ? [{ text: meta.docs.fix }] : [],
      references: meta?.references ?? [],
    };
  });
  if (t.status === 'ok') {
    const fired = new Set(t.findings.map((f) => f.ruleId));
    for (const meta of Object.values(SCAN_RULES)) {
      if (fired.has(meta.id)) continue;
      findings.push({ ruleId: meta.id, title: meta.title, status: 'pass', severity: meta.severity, message: `${meta.title}: ok`, details: [], where, identities: [], fixes: [], references: meta.references });
    }
  }
  return {
    name: t.target,
    kind: 'scan',
    facts,
    ...(t.error ? { error: `${t.error.code}: ${t.error.message}` } : {}),
    identities: [],
    findings,
    nextSteps: [],
  };
}

export function scanHostViews(report: ScanReport): HostView[] {
  return report.targets.map((t) => scanHostView(t, `${report.profile.name} v${report.profile.version}`));
}

export type AnyReport = { readonly kind: 'audit'; readonly report: Report } | { readonly kind: 'scan'; readonly report: ScanReport };

export function reportView(reports: readonly AnyReport[], title?: string): ReportView {
  const hosts = reports.flatMap((r) => (r.kind === 'audit' ? [auditHostView(r.report)] : scanHostViews(r.report)));
  const first = reports[0];
  const defaultTitle =
    reports.length === 1 && first?.kind === 'audit' ? `sshield audit: ${first.report.target.label}` : reports.length === 1 && first?.kind === 'scan' ? `sshield scan: ${hosts.length} target${hosts.length === 1 ? '' : 's'}` : `sshield report: ${hosts.length} hosts`;
  return { title: title ?? defaultTitle, toolVersion: first?.report.tool.version ?? '', hosts };
}

/** The worst status a host has for a rule (scan rules may fire several times per host). */
export function cellStatus(host: HostView, ruleId: string): { status: ViewStatus; severity: Severity } | undefined {
  let best: { status: ViewStatus; severity: Severity } | undefined;
  for (const f of host.findings) {
    if (f.ruleId !== ruleId) continue;
    if (!best || statusRank(f.status) > statusRank(best.status) || (f.status === best.status && severityRank(f.severity) > severityRank(best.severity))) best = { status: f.status, severity: f.severity };
  }
  if (!best && host.error) return { status: 'error', severity: 'info' };
  return best;
}

export { SEVERITIES };
