// renderText: the report for people, grouped by status (failures first, by severity), each
// failing rule with where (file:line) and how to fix. Colour only through the injected palette,
// so NO_COLOR/non-TTY handling stays in src/cli. Pure.
import type { Report, ReportResult } from './types.js';
import { nextSteps } from './next-steps.js';
import { severityRank } from '../rules/types.js';

export interface Palette {
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
  cyan(s: string): string;
}

/** The sample client addresses the audit evaluates "from anywhere" (RFC 5737 documentation ranges). */
const SAMPLE_ADDRESSES = ['198.51.100.10', '203.0.113.7'];

export const NO_COLOR: Palette = { red: (s) => s, yellow: (s) => s, green: (s) => s, dim: (s) => s, bold: (s) => s, cyan: (s) => s };

function where(r: ReportResult): string[] {
  return r.locations.map((l) => (l.line > 0 ? `${l.file}:${l.line}` : l.file));
}

export function renderText(report: Report, c: Palette = NO_COLOR, opts: { verbose?: boolean } = {}): string {
  const out: string[] = [];
  const t = report.target;
  out.push(c.bold(`sshield audit: ${t.label}`) + c.dim(` (profile ${report.profile.name})`));
  if (t.config || t.build) out.push(c.dim(`config ${t.config ?? '(unknown)'}${t.build ? ` · evaluated as OpenSSH ${t.build}` : ''}`));
  const facts = [t.os, t.openssh, t.pve].filter(Boolean).join(' · ');
  if (facts) out.push(c.dim(facts));
  if (t.note) out.push(c.yellow(`note: ${t.note}`));
  if (report.vulns) out.push(report.vulns.data.stale ? c.yellow(`warning: ${report.vulns.data.message}`) : c.dim(report.vulns.data.message));
  out.push('');
  const fails = report.results.filter((r) => r.status === 'fail' && !r.waived).sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.ruleId.localeCompare(b.ruleId));
  const warns = report.results.filter((r) => r.status === 'warn' && !r.waived);
  const waived = report.results.filter((r) => r.waived);
  const skips = report.results.filter((r) => r.status === 'skip' && !r.waived);
  const passes = report.results.filter((r) => r.status === 'pass' && !r.waived);
  const block = (title: string, rs: ReportResult[], mark: (s: string) => string, detail: boolean) => {
    if (rs.length === 0) return;
    out.push(c.bold(`${title} (${rs.length})`));
    for (const r of rs) {
      out.push(`  ${mark(`[${r.severity}]`)} ${c.bold(r.ruleId)} ${r.title}`);
      if (!detail) continue;
      out.push(`      ${r.message}`);
      for (const d of r.details) out.push(`      ${d}`);
      if (opts.verbose && r.identities && r.identities.length > 0) out.push(`      ${c.cyan('evaluated for:')} ${r.identities.join('; ')}`);
      const w = where(r);
      if (w.length > 0) out.push(`      ${c.cyan('where:')} ${w.join(', ')}`);
      for (const f of r.remediation) out.push(`      ${c.green('fix:')} ${f.description}${f.kind === 'manual' && f.command ? `: ${f.command}` : ''}`);
    }
    out.push('');
  };
  block('Failed', fails, c.red, true);
  block('Warnings', warns, c.yellow, true);
  if (waived.length > 0) {
    out.push(c.bold(`Waived (${waived.length})`));
    for (const r of waived) out.push(`  ${c.dim(`${r.ruleId}: ${r.waived!.reason} (until ${r.waived!.expires})`)}`);
    out.push('');
  }
  for (const w of report.waivers.filter((x) => x.state === 'expired')) out.push(c.yellow(`expired waiver for ${w.ruleId} (${w.expires}) no longer applies: ${w.reason}`));
  if (skips.length > 0) {
    out.push(c.bold(`Skipped (${skips.length})`));
    for (const r of skips) out.push(`  ${c.dim(`${r.ruleId}: ${r.message}`)}`);
    out.push('');
  }
  if (opts.verbose) block('Passed', passes, c.green, false);
  const s = report.summary;
  out.push(`${c.red(`${s.fail} failed`)}, ${c.yellow(`${s.warn} warnings`)}, ${c.green(`${s.pass} passed`)}, ${s.skip} skipped, ${s.waived} waived`);
  const body = out.join('\n');
  const samples = SAMPLE_ADDRESSES.filter((a) => body.includes(a));
  if (samples.length > 0) {
    out.push('', c.dim(`${samples.join(' and ')} ${samples.length === 1 ? 'is a documentation address' : 'are documentation addresses'} (RFC 5737) standing for "a client`));
    out.push(c.dim('from anywhere": the effective configuration is evaluated for each identity as `sshd -T -C` would.'));
  }
  const steps = nextSteps(report);
  if (steps.length > 0) {
    out.push('', c.bold('Next steps:'));
    for (const st of steps) out.push(`  ${c.cyan(st.command)}`, `      ${st.why}`);
  }
  if (!opts.verbose && (passes.length > 0 || report.results.some((r) => r.identities && r.identities.length > 3))) out.push('', c.dim('-v shows the rules that passed and every identity a finding holds for.'));
  return `${out.join('\n')}\n`;
}
