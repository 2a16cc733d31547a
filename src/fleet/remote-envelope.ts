// What a host's sshield said, read by the controller: its change envelope (--json, the one
// envelope of src/report/outcome-json.ts) checked for shape before anything is believed, and the
// host's Outcome mapped to the fleet's HostChangeStatus (change-types.ts). A host is untrusted
// input: its bytes are bounded by the caller, anything that is not exactly an envelope is a
// `failed` with the reason (a short, printable excerpt), never a throw. Also the argv the host
// runs (hostArgs) and the exact remote outcome tables. Pure.
import type { HostChangeStatus } from './change-types.js';

/** The outcome kinds of schemaVersion 1 (src/apply/outcome.ts) and their exit codes. */
const KIND_EXIT: Readonly<Record<string, number>> = { applied: 0, 'nothing-to-do': 0, 'dry-run': 0, refused: 3, declined: 3, 'no-tty': 3, stale: 3, 'pending-confirm': 3, failed: 2, error: 2 };

export interface HostOutcome {
  readonly kind: string;
  readonly exitCode: number;
  readonly reason?: string;
  readonly backupId?: string;
  readonly confirmDeadline?: number;
  readonly rolledBack?: boolean;
  readonly step?: string;
}

export interface HostEnvelope {
  readonly command: string;
  readonly outcome: HostOutcome;
  /** The whole envelope as parsed (for the fleet's JSON). */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** A host's text made safe for one line of a report: printable, bounded. */
export function excerpt(text: string, max = 200): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The envelope in a host's stdout, or why there is none. */
export function parseEnvelope(stdout: string): HostEnvelope | { readonly error: string } {
  const text = stdout.trim();
  if (text === '') return { error: 'the host printed nothing' };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    // A login shell that prints before the command (a chatty .bashrc) leaves its lines in front of
    // the envelope, which starts a line as sshield prints it: the rest must still parse.
    const at = text.search(/\n\{\n {2}"schemaVersion": /);
    try {
      if (at < 0) throw new Error('no envelope');
      v = JSON.parse(text.slice(at + 1));
    } catch {
      return { error: `the host's answer is not JSON: "${excerpt(text, 120)}"` };
    }
  }
  if (!isObj(v)) return { error: 'the host\'s answer is not a change envelope (not an object)' };
  if (v.schemaVersion !== 1) return { error: `the host's envelope has schemaVersion ${excerpt(JSON.stringify(v.schemaVersion) ?? 'none', 20)}, expected 1 (a different sshield version?)` };
  if (typeof v.command !== 'string' || v.command.length > 64) return { error: 'the host\'s envelope names no command' };
  const o = v.outcome;
  if (!isObj(o) || typeof o.kind !== 'string' || !Object.hasOwn(KIND_EXIT, o.kind)) return { error: `the host's envelope has no known outcome (${isObj(o) ? excerpt(String(o.kind), 40) : 'none'})` };
  if (o.exitCode !== KIND_EXIT[o.kind]) return { error: `the host's envelope says ${o.kind} with exit code ${excerpt(String(o.exitCode), 10)}` };
  const str = (k: string): string | undefined => (typeof o[k] === 'string' ? excerpt(o[k] as string, 500) : undefined);
  const outcome: HostOutcome = {
    kind: o.kind,
    exitCode: o.exitCode as number,
    ...(str('reason') !== undefined ? { reason: str('reason')! } : {}),
    ...(typeof o.backupId === 'string' && /^[A-Za-z0-9._:-]{1,100}$/.test(o.backupId) ? { backupId: o.backupId } : {}),
    ...(typeof o.confirmDeadline === 'number' && Number.isFinite(o.confirmDeadline) ? { confirmDeadline: o.confirmDeadline } : {}),
    ...(typeof o.rolledBack === 'boolean' ? { rolledBack: o.rolledBack } : {}),
    ...(str('step') !== undefined ? { step: str('step')! } : {}),
  };
  return { command: v.command, outcome, raw: v };
}

/** What one host's change run means for the fleet, before any proof. */
export type RunVerdict =
  | { readonly next: 'prove'; readonly backupId: string; readonly deadline: number }
  | { readonly next: 'done'; readonly status: HostChangeStatus; readonly reason?: string; readonly backupId?: string };

/**
 * The host's outcome of the change itself (exit code and envelope agree, checked by the caller):
 * applied with a confirm window -> prove it; everything else is final. `dryRun`: what was asked.
 */
export function verdictOfRun(o: HostOutcome, dryRun: boolean): RunVerdict {
  const why = o.reason ?? o.kind;
  switch (o.kind) {
    case 'applied':
      if (dryRun) return { next: 'done', status: 'failed', reason: 'the host applied a change that was asked as a dry run' };
      if (o.backupId === undefined) return { next: 'done', status: 'failed', reason: 'the host applied a change but named no backup' };
      if (o.confirmDeadline === undefined) return { next: 'done', status: 'failed', reason: `the host applied change ${o.backupId} without a confirm window, so it cannot be proven and undone from here` };
      return { next: 'prove', backupId: o.backupId, deadline: o.confirmDeadline };
    case 'nothing-to-do':
      return { next: 'done', status: 'unchanged' };
    case 'dry-run':
      return dryRun ? { next: 'done', status: 'planned' } : { next: 'done', status: 'failed', reason: 'the host only planned a change that was asked for real' };
    case 'refused':
    case 'declined':
    case 'no-tty':
    case 'stale':
    case 'pending-confirm':
      return { next: 'done', status: 'refused', reason: `${o.kind === 'refused' ? '' : `${o.kind}: `}${why}` };
    case 'failed':
      return { next: 'done', status: 'failed', reason: `${o.step ? `at ${o.step}: ` : ''}${why}${o.rolledBack === true ? ' (rolled back on the host)' : o.rolledBack === false ? ' (NOT rolled back on the host)' : ''}`, ...(o.backupId ? { backupId: o.backupId } : {}) };
    default:
      return { next: 'done', status: 'failed', reason: why };
  }
}

/** The host's answer to `sshield confirm` (--reject): kept, rolled back, or neither. */
export function verdictOfConfirm(o: HostOutcome): 'confirmed' | 'rolled-back' | 'too-late' | 'nothing-pending' | { readonly other: string } {
  if (o.kind === 'applied') return 'confirmed';
  if (o.kind === 'failed' && o.rolledBack === true) return 'rolled-back';
  if (o.kind === 'stale') return 'too-late';
  if (o.kind === 'nothing-to-do') return 'nothing-pending';
  return { other: `${o.kind}${o.reason ? `: ${o.reason}` : ''}` };
}

/** Flags the runner sets itself: a caller's are dropped (the fleet's window must be armed). */
const OWN_FLAGS = new Set(['--json', '--yes', '--confirm-timeout']);

/**
 * The argv the host runs: the caller's command and flags, without the flags the runner owns,
 * then --json, and for a real run --yes and --confirm-timeout SECONDS (before a `--` if any).
 */
export function hostArgs(argv: readonly string[], confirmTimeoutSec: number): { readonly args: string[]; readonly dryRun: boolean } {
  const end = argv.indexOf('--');
  const opts = end < 0 ? [...argv] : argv.slice(0, end);
  const rest = end < 0 ? [] : argv.slice(end);
  const kept: string[] = [];
  for (let i = 0; i < opts.length; i++) {
    const a = opts[i]!;
    const name = a.startsWith('--') ? a.split('=')[0]! : a;
    if (!OWN_FLAGS.has(name)) kept.push(a);
    else if (name === '--confirm-timeout' && !a.includes('=')) i++;
  }
  const dryRun = kept.includes('--dry-run');
  return { args: [...kept, '--json', ...(dryRun ? [] : ['--yes', '--confirm-timeout', String(confirmTimeoutSec)]), ...rest], dryRun };
}
