// Renderers of a change rolled over many hosts (src/fleet/rollout.ts): the versioned JSON envelope
// (schemas/change-fleet.schema.json: per host its status, reason, backup id and its own change
// envelope exactly as `sshield COMMAND --json` printed it on the host; a summary with the counts,
// the first failure and the exit code), the text summary (one line per host, then the counts) and
// each host's plan as text (the diffs shown before asking). A host's envelope comes from that
// host: it is read defensively (wrong types are ignored) and every string from it is shown without
// control characters, so a host cannot draw on the admin's terminal. Pure.
import type { HostChangeResult, HostChangeStatus } from '../fleet/change-types.js';
import { exitCodeOfRollout, type RolloutResult, type RolloutStop } from '../fleet/rollout.js';
import type { ExitCode } from '../apply/outcome.js';
import { NO_COLOR, type Palette } from './text.js';

export const CHANGE_FLEET_SCHEMA_VERSION = 1;

export interface ChangeFleetHost {
  readonly name: string;
  readonly target: string;
  readonly status: HostChangeStatus;
  readonly reason?: string;
  readonly backupId?: string;
  readonly ms: number;
  /** The host's own change envelope (schemas/change.schema.json), null when it printed none. */
  readonly envelope: unknown;
}

export interface ChangeFleetSummary {
  readonly hosts: number;
  readonly changed: number;
  readonly unchanged: number;
  readonly planned: number;
  readonly rolledBack: number;
  readonly refused: number;
  readonly failed: number;
  readonly unreachable: number;
  readonly skipped: number;
  readonly firstFailure: { readonly name: string; readonly status: HostChangeStatus; readonly reason?: string } | null;
  readonly stopped: RolloutStop | null;
  readonly exitCode: ExitCode;
  readonly wallMs: number;
}

export interface ChangeFleetReport {
  readonly schemaVersion: typeof CHANGE_FLEET_SCHEMA_VERSION;
  /** The command as the hosts ran it ("harden", "keys add"). */
  readonly command: string;
  readonly mode: 'change' | 'dry-run';
  /** Hosts in flight at once after the canary. */
  readonly parallel: number;
  readonly tool: { readonly name: 'sshield'; readonly version: string };
  readonly hosts: readonly ChangeFleetHost[];
  readonly summary: ChangeFleetSummary;
  /**
   * Present when the hosts were only planned because the change itself did not start: the admin
   * declined, there was no terminal to ask on, or a host could not be planned or would refuse.
   */
  readonly notApplied?: { readonly reason: NotAppliedReason; readonly message: string };
}

export type NotAppliedReason = 'declined' | 'no-tty' | 'preflight';

export function changeFleetReport(
  command: string,
  r: RolloutResult,
  o: { readonly version: string; readonly dryRun: boolean; readonly parallel: number; readonly notApplied?: { readonly reason: NotAppliedReason; readonly message: string; readonly exitCode: ExitCode } },
): ChangeFleetReport {
  const c = r.summary.counts;
  return {
    schemaVersion: CHANGE_FLEET_SCHEMA_VERSION,
    command,
    mode: o.dryRun ? 'dry-run' : 'change',
    parallel: o.parallel,
    tool: { name: 'sshield', version: o.version },
    hosts: r.hosts.map((h: HostChangeResult) => ({
      name: h.name,
      target: h.target,
      status: h.status,
      ...(h.reason !== undefined ? { reason: h.reason } : {}),
      ...(h.backupId !== undefined ? { backupId: h.backupId } : {}),
      ms: Math.max(0, Math.round(h.ms)),
      envelope: h.envelope ?? null,
    })),
    summary: {
      hosts: r.summary.hosts,
      changed: c.changed,
      unchanged: c.unchanged,
      planned: c.planned,
      rolledBack: c['rolled-back'],
      refused: c.refused,
      failed: c.failed,
      unreachable: c.unreachable,
      skipped: c.skipped,
      firstFailure: r.summary.firstFailure ?? null,
      stopped: r.summary.stopped ?? null,
      exitCode: o.notApplied?.exitCode ?? exitCodeOfRollout(r.summary),
      wallMs: Math.max(0, Math.round(r.summary.wallMs)),
    },
    ...(o.notApplied ? { notApplied: { reason: o.notApplied.reason, message: o.notApplied.message } } : {}),
  };
}

export function renderChangeFleetJson(r: ChangeFleetReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

/** A string from a host, safe to print: control characters (ESC, CR, ...) become U+FFFD; newlines kept only where asked. */
export function printable(s: string, keepNewlines = false): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(keepNewlines ? /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g : /[\x00-\x1f\x7f-\x9f]/g, (ch) => (ch === '\n' || ch === '\t' ? ' ' : '\uFFFD'));
}

const WORD: { readonly [S in HostChangeStatus]: string } = {
  changed: 'changed',
  unchanged: 'unchanged',
  planned: 'planned',
  'rolled-back': 'rolled back',
  refused: 'refused',
  failed: 'FAILED',
  unreachable: 'UNREACHABLE',
  skipped: 'skipped',
};

function paint(c: Palette, s: HostChangeStatus, text: string): string {
  if (s === 'changed' || s === 'planned') return c.green(text);
  if (s === 'failed' || s === 'unreachable' || s === 'rolled-back') return c.red(text);
  if (s === 'refused') return c.yellow(text);
  return s === 'skipped' ? c.dim(text) : text;
}

/** The counts line: the six the admin reads first, then unreachable and planned when there are any. */
export function countsLine(s: ChangeFleetSummary): string {
  const parts = [`changed ${s.changed}`, `unchanged ${s.unchanged}`, `rolled back ${s.rolledBack}`, `failed ${s.failed}`, `refused ${s.refused}`, `skipped ${s.skipped}`];
  if (s.unreachable) parts.push(`unreachable ${s.unreachable}`);
  if (s.planned) parts.push(`planned ${s.planned}`);
  return parts.join(', ');
}

/** One line per host (name, status, backup id or reason), then the counts and why the run stopped. */
export function renderChangeFleetText(r: ChangeFleetReport, c: Palette = NO_COLOR): string {
  const out: string[] = [];
  const how = r.mode === 'dry-run' ? `dry run, ${r.parallel} at a time` : r.parallel === 1 ? 'one host at a time' : `canary first, then ${r.parallel} at a time`;
  out.push(c.bold(`sshield ${r.command}: ${r.summary.hosts} host${r.summary.hosts === 1 ? '' : 's'} (${how})`));
  const width = Math.max(4, ...r.hosts.map((h) => printable(h.name).length));
  const sw = Math.max(...Object.values(WORD).map((w) => w.length));
  for (const h of r.hosts) {
    const what = h.backupId !== undefined ? `backup ${printable(h.backupId)}${h.reason ? `; ${printable(h.reason)}` : ''}` : h.reason ? printable(h.reason) : '';
    out.push(`${printable(h.name).padEnd(width)}  ${paint(c, h.status, WORD[h.status].padEnd(sw))}  ${what}`.trimEnd());
  }
  out.push('', `${countsLine(r.summary)} (${r.summary.wallMs} ms)`);
  const st = r.summary.stopped;
  if (st?.kind === 'failure') out.push(c.red(`stopped at ${printable(st.name)} (${WORD[st.status]}): the hosts after it were not started and are untouched`));
  else if (st?.kind === 'interrupted') out.push(c.yellow(`${printable(st.reason)}: the hosts not yet started are untouched`));
  if (r.notApplied) out.push(c.yellow(`not applied: ${r.notApplied.message}`));
  return `${out.join('\n')}\n`;
}

const rec = (v: unknown): Record<string, unknown> | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** What a host's --dry-run envelope says would refuse the change there (a guard), if anything. */
export function wouldRefuseOf(envelope: unknown): string | undefined {
  const o = rec(rec(envelope)?.outcome);
  return o?.kind === 'dry-run' ? str(o.wouldRefuse) : undefined;
}

/** Whether a host's plan changes anything (files or host steps). */
export function planChanges(envelope: unknown): boolean {
  const p = rec(rec(envelope)?.plan);
  return arr(p?.files).length > 0 || arr(p?.steps).length > 0;
}

/** One host's plan from its envelope, as the single-host command shows it: the diff per file, steps, guards, notes. */
export function renderHostPlan(envelope: unknown, c: Palette = NO_COLOR): string {
  const p = rec(rec(envelope)?.plan);
  if (!p) return '';
  const out: string[] = [];
  for (const f of arr(p.files).map(rec)) {
    const diff = printable(str(f?.diff) ?? '', true).replace(/\n$/, '');
    const lines = diff.split('\n').map((l) => (l.startsWith('+') && !l.startsWith('+++') ? c.green(l) : l.startsWith('-') && !l.startsWith('---') ? c.red(l) : l));
    out.push(`${c.bold(`${printable(str(f?.path) ?? '?')}:`)}`, ...lines);
  }
  for (const s of arr(p.steps).map(rec)) out.push(`${c.bold('step')}: ${printable(str(s?.describe) ?? '?')}`);
  for (const g of arr(p.guards).map(rec)) {
    if (!g) continue;
    const msg = printable(str(g.message) ?? '');
    if (g.ok === true) continue;
    out.push(g.overridden === true ? `${c.yellow(`guard overridden ${printable(str(g.id) ?? '?')}`)}: ${msg}` : `${c.red(`REFUSED by guard ${printable(str(g.id) ?? '?')}`)}: ${msg} (override: ${printable(str(g.overrideFlag) ?? '?')})`);
  }
  for (const n of arr(p.notes)) if (typeof n === 'string') out.push(`note: ${printable(n)}`);
  return out.length ? `${out.join('\n')}\n` : '';
}

/** Every host's plan, under a heading per host: what the admin is asked about. */
export function renderFleetPlans(r: Pick<ChangeFleetReport, 'hosts'>, c: Palette = NO_COLOR): string {
  const out: string[] = [];
  for (const h of r.hosts) {
    if (h.status !== 'planned' && h.status !== 'unchanged') continue;
    const plan = renderHostPlan(h.envelope, c).trimEnd();
    const refuse = wouldRefuseOf(h.envelope);
    out.push(c.bold(`== ${printable(h.name)} (${printable(h.target)})`));
    out.push(plan || (planChanges(h.envelope) ? '' : 'nothing to change'));
    if (refuse) out.push(c.red(`would be refused: ${printable(refuse)}`));
    out.push('');
  }
  return out.join('\n');
}
