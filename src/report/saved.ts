// Reads a report sshield saved as JSON (`audit --json`, `scan --json`) back into a typed report
// for re-rendering (`sshield report`). Checks the shape it relies on and says what is wrong with
// which file; never trusts the contents beyond that (renderers escape every string). Pure.
import type { ScanReport } from '../scan/types.js';
import type { AnyReport } from './view.js';
import type { Report } from './types.js';
import type { FleetAuditReport } from '../fleet/audit.js';

export type SavedReport = { readonly ok: true; readonly report: AnyReport } | { readonly ok: false; readonly message: string };

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isStr = (x: unknown): x is string => typeof x === 'string';
const strings = (x: unknown): boolean => Array.isArray(x) && x.every(isStr);

function auditProblem(j: Record<string, unknown>): string | undefined {
  if (!isObj(j.target) || !isStr(j.target.label)) return 'target.label missing';
  if (!isObj(j.profile) || !isStr(j.profile.name)) return 'profile.name missing';
  if (!Array.isArray(j.specs) || !Array.isArray(j.waivers) || !isObj(j.summary)) return 'specs, waivers or summary missing';
  for (const [i, r] of (j.results as unknown[]).entries()) {
    const at = `results[${i}]`;
    if (!isObj(r)) return `${at} is not an object`;
    for (const k of ['ruleId', 'title', 'status', 'severity', 'message'] as const) if (!isStr(r[k])) return `${at}.${k} missing`;
    if (!['pass', 'fail', 'warn', 'skip'].includes(r.status as string)) return `${at}.status "${String(r.status)}" unknown`;
    if (!['info', 'low', 'medium', 'high', 'critical'].includes(r.severity as string)) return `${at}.severity "${String(r.severity)}" unknown`;
    if (!Array.isArray(r.locations) || !Array.isArray(r.remediation) || !strings(r.details) || !strings(r.tags) || !Array.isArray(r.references)) return `${at}: locations, remediation, details, tags or references missing`;
    for (const l of r.locations as unknown[]) if (!isObj(l) || !isStr(l.file) || typeof l.line !== 'number') return `${at}.locations: {file, line} expected`;
    for (const m of r.remediation as unknown[]) if (!isObj(m) || !isStr(m.description) || !['set', 'comment-out', 'manual', 'filter-moduli'].includes(m.kind as string)) return `${at}.remediation: {kind, description} expected`;
  }
  return undefined;
}

function scanProblem(j: Record<string, unknown>): string | undefined {
  if (!isObj(j.profile) || !isStr(j.profile.name)) return 'profile.name missing';
  for (const [i, t] of (j.targets as unknown[]).entries()) {
    const at = `targets[${i}]`;
    if (!isObj(t) || !isStr(t.target) || !isStr(t.host) || typeof t.port !== 'number') return `${at}: target, host and port expected`;
    if (t.status !== 'ok' && t.status !== 'error') return `${at}.status "${String(t.status)}" unknown`;
    if (!Array.isArray(t.findings)) return `${at}.findings missing`;
    for (const f of t.findings as unknown[]) if (!isObj(f) || !isStr(f.ruleId) || !isStr(f.message) || !['fail', 'warn', 'info'].includes(f.level as string)) return `${at}.findings: {ruleId, level, message} expected`;
  }
  return undefined;
}

export function parseSavedReport(text: string): SavedReport {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `not JSON (${(e as Error).message})` };
  }
  if (!isObj(j) || !isObj(j.tool) || j.tool.name !== 'sshield') return { ok: false, message: 'not an sshield report (tool.name is not "sshield"); save one with --json' };
  if (j.schemaVersion !== 1) return { ok: false, message: `schemaVersion ${String(j.schemaVersion)} is not supported (this sshield reads 1)` };
  if (j.command === 'scan' && Array.isArray(j.targets)) {
    const p = scanProblem(j);
    return p ? { ok: false, message: `scan report: ${p}` } : { ok: true, report: { kind: 'scan', report: j as unknown as ScanReport } };
  }
  if (Array.isArray(j.results)) {
    const p = auditProblem(j);
    return p ? { ok: false, message: `audit report: ${p}` } : { ok: true, report: { kind: 'audit', report: j as unknown as Report } };
  }
  return { ok: false, message: 'neither an audit report (results) nor a scan report (command "scan", targets)' };
}

/**
 * A saved fleet audit (`audit --host/--inventory/--cluster --json`, schemas/audit-fleet), or
 * undefined when the text is not one (then parseSavedReport says what it is). Each audited host's
 * report is checked like a single audit; a host that could not be audited keeps its error.
 */
export function parseSavedFleet(text: string): { readonly ok: true; readonly fleet: FleetAuditReport } | { readonly ok: false; readonly message: string } | undefined {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObj(j) || j.command !== 'audit' || !Array.isArray(j.hosts) || !isObj(j.tool) || j.tool.name !== 'sshield') return undefined;
  if (j.schemaVersion !== 1) return { ok: false, message: `schemaVersion ${String(j.schemaVersion)} is not supported (this sshield reads 1)` };
  for (const [i, h] of (j.hosts as unknown[]).entries()) {
    const at = `hosts[${i}]`;
    if (!isObj(h) || !isStr(h.name) || !isStr(h.target) || !isStr(h.source) || !Array.isArray(h.notes) || !isObj(h.gather)) return { ok: false, message: `fleet audit: ${at}: name, target, source, notes and gather expected` };
    if (h.status === 'error') {
      if (!isStr(h.error)) return { ok: false, message: `fleet audit: ${at}.error missing` };
      continue;
    }
    if (h.status !== 'audited' || !isObj(h.report) || !Array.isArray(h.report.results)) return { ok: false, message: `fleet audit: ${at}: status "audited" with a report, or "error" with the reason, expected` };
    const p = auditProblem(h.report);
    if (p) return { ok: false, message: `fleet audit: ${at}.report: ${p}` };
  }
  return { ok: true, fleet: j as unknown as FleetAuditReport };
}
