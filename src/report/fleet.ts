// Renderers of a fleet audit (src/fleet/audit.ts FleetAuditReport): text (one table of hosts x
// failing rules, unreachable hosts with their reason, then each host's full text with -v), JSON
// (the versioned envelope, schemas/audit-fleet.schema.json, each host's report as `audit --json`
// prints it), SARIF (one run per host, automationDetails naming it; an unreachable host is a run
// whose invocation failed with the reason) and HTML (the host x rule matrix of src/report/html).
// Pure.
import type { Log, Run } from 'sarif';
import type { FleetAuditReport } from '../fleet/audit.js';
import type { Severity } from '../rules/types.js';
import { SEVERITIES } from '../rules/types.js';
import { renderHtml } from './html.js';
import { toSarif } from './sarif.js';
import { NO_COLOR, renderText, type Palette } from './text.js';
import { failing } from './types.js';
import { auditHostView, type HostView } from './view.js';

export function renderFleetJson(r: FleetAuditReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

const sevRank = (s: Severity) => SEVERITIES.indexOf(s);

/** Hosts with a failure at or above failOn, or an error: the exit code's input. */
export function fleetFailing(r: FleetAuditReport, failOn: Severity): { errors: number; failingHosts: number } {
  return {
    errors: r.hosts.filter((h) => h.status === 'error').length,
    failingHosts: r.hosts.filter((h) => h.report && failing(h.report, failOn).length > 0).length,
  };
}

export function renderFleetText(r: FleetAuditReport, c: Palette = NO_COLOR, opts: { verbose?: boolean; failOn: Severity }): string {
  const rules = new Map<string, Severity>();
  for (const h of r.hosts) for (const x of h.report?.results ?? []) if ((x.status === 'fail' || x.status === 'warn') && !x.waived) rules.set(x.ruleId, x.severity);
  const cols = [...rules].sort(([a, sa], [b, sb]) => sevRank(sb) - sevRank(sa) || (a < b ? -1 : 1));
  const width = Math.max(4, ...r.hosts.map((h) => h.name.length));
  const { errors, failingHosts } = fleetFailing(r, opts.failOn);
  const out: string[] = [];
  out.push(c.bold(`sshield audit: ${r.summary.hosts} host${r.summary.hosts === 1 ? '' : 's'}, ${r.summary.audited} audited, ${failingHosts} failing at ${opts.failOn} or above, ${errors} unreachable or refused (${r.summary.wallMs} ms)`));
  out.push('');
  const num = (i: number) => String(i + 1).padStart(2);
  out.push(`${'host'.padEnd(width)}  ${'result'.padEnd(16)}  ${cols.map((_, i) => num(i)).join(' ')}`.trimEnd());
  for (const h of r.hosts) {
    if (!h.report) {
      out.push(`${h.name.padEnd(width)}  ${c.red('ERROR')} ${h.error ?? ''}`);
      continue;
    }
    const s = h.report.summary;
    const res = s.fail + s.warn === 0 ? 'clean' : `${s.fail} fail ${s.warn} warn`;
    const cells = cols.map(([id]) => {
      const x = h.report!.results.find((y) => y.ruleId === id);
      return !x ? ' ' : x.waived ? ' w' : x.status === 'fail' ? c.red(' F') : x.status === 'warn' ? c.yellow(' W') : x.status === 'skip' ? ' -' : ' .';
    });
    const text = `${h.name.padEnd(width)}  ${res.padEnd(16)}  ${cells.join(' ')}`.trimEnd();
    out.push(s.fail + s.warn === 0 ? c.green(text) : text);
  }
  if (cols.length) {
    out.push('');
    cols.forEach(([id, sev], i) => out.push(`${num(i)} ${id} (${sev})`));
    out.push(c.dim('F fail, W warn, . pass, - skipped, w waived'));
  }
  const notes = r.hosts.flatMap((h) => h.notes.map((n) => `${h.name}: ${n}`));
  if (notes.length) out.push('', ...notes.map((n) => c.yellow(`note: ${n}`)));
  if (opts.verbose) {
    for (const h of r.hosts) if (h.report) out.push('', c.bold(`== ${h.name} (${h.target})`), renderText(h.report, c, { verbose: false }).trimEnd());
  } else if (r.hosts.some((h) => h.report && h.report.summary.fail + h.report.summary.warn > 0)) {
    out.push('', c.dim('each host\'s findings with file:line and the fix: -v (or --host NAME -v for one)'));
  }
  return `${out.join('\n')}\n`;
}

export function toFleetSarif(r: FleetAuditReport, opts: { docsBase?: string } = {}): Log {
  const runs: Run[] = [];
  let template: Run | undefined;
  for (const h of r.hosts) {
    if (!h.report) continue;
    const run = toSarif(h.report, opts).runs[0]!;
    template ??= run;
    runs.push({ ...run, automationDetails: { id: `sshield-audit/${h.name}/` }, properties: { ...run.properties, host: h.name, target: h.target } });
  }
  const tool: Run['tool'] = template?.tool ?? { driver: { name: 'sshield', version: r.tool.version, informationUri: 'https://github.com/sshield/sshield', rules: [] } };
  const out: Run[] = [];
  for (const h of r.hosts) {
    if (h.report) out.push(runs.shift()!);
    else
      out.push({
        tool,
        automationDetails: { id: `sshield-audit/${h.name}/` },
        invocations: [{ executionSuccessful: false, toolExecutionNotifications: [{ level: 'error', message: { text: `${h.name} (${h.target}): ${h.error ?? 'error'}` } }] }],
        results: [],
        properties: { host: h.name, target: h.target },
      });
  }
  return { version: '2.1.0', $schema: 'https://json.schemastore.org/sarif-2.1.0.json', runs: out };
}

export function renderFleetSarif(r: FleetAuditReport, opts: { docsBase?: string } = {}): string {
  return `${JSON.stringify(toFleetSarif(r, opts), null, 2)}\n`;
}

/** One view per host of a fleet audit; a host that could not be audited shows its error. */
export function fleetHostViews(r: FleetAuditReport): HostView[] {
  return r.hosts.map((h) =>
    h.report ? { ...auditHostView(h.report), name: h.name } : { name: h.name, kind: 'audit', facts: [{ label: 'target', value: h.target }], error: h.error ?? 'error', identities: [], findings: [], nextSteps: [] },
  );
}

export function renderFleetHtml(r: FleetAuditReport): string {
  return renderHtml({ title: `sshield audit: ${r.hosts.length} hosts`, toolVersion: r.tool.version, hosts: fleetHostViews(r) });
}
