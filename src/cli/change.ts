// What every changing command does after its planner, on the terminal: recover a killed run
// first, show the plan (text) or nothing until the end (--json), ask, run the one change flow
// (src/apply/flow.ts) and print the one Outcome: a line with the follow-up commands for the
// backup directory in use, or the one JSON envelope (src/report/outcome-json.ts). Returns the
// exit code from the one table (src/apply/outcome.ts). Not a command: command files call it.
import type { ApplyHost } from '../apply/host.js';
import { findSshd } from '../host/executor.js';
import { recoverFirst, runChange, type ChangeRequest, type FlowOptions } from '../apply/flow.js';
import { guardPlan } from '../apply/guard-stage.js';
import type { LoadedHost } from '../host/loaded-host.js';
import type { SessionFacts } from '../host/session.js';
import { exitCodeOf, type ExitCode, type Outcome } from '../apply/outcome.js';
import { renderChangeJson, type ChangeResult } from '../report/outcome-json.js';
import { describeOutcome, renderPlanText } from '../report/outcome-text.js';
import { color, confirm, type Output } from './io.js';
import { testPause } from './test-hooks.js';
import { guardStops } from './interrupt.js';

export const DEFAULT_SSHD = '/usr/sbin/sshd';

export interface ChangeFlags {
  readonly dryRun?: boolean;
  readonly yes?: boolean;
  readonly json?: boolean;
  readonly backupDir: string;
}

/** The sshd that validates and recovers: the given one, else /usr/sbin/sshd when installed. */
export async function sshdFor(host: ApplyHost, given?: string): Promise<string | undefined> {
  return given ?? (await findSshd(host, [DEFAULT_SSHD]));
}

/** What a changing command reports: the envelope's input (src/report/outcome-json.ts). */
export type Reported = ChangeResult;

/** Prints an Outcome (text line or JSON envelope) and returns its exit code. */
export function report(io: Output, r: Reported, flags: Pick<ChangeFlags, 'json' | 'backupDir'>): ExitCode {
  if (flags.json) io.out(renderChangeJson(r).trimEnd());
  else {
    for (const m of r.messages ?? []) if (m.level === 'info') io.out(m.text);
    else io.err(`sshield ${r.command}: ${m.text}`);
    const line = describeOutcome(r.outcome, { backupDir: flags.backupDir, ...(r.plan ? { plan: r.plan } : {}) });
    if (line.stream === 'out') io.out(line.text);
    else io.err(`sshield ${r.command}: ${line.text}`);
  }
  return exitCodeOf(r.outcome);
}

/**
 * SSHIELD_LOCK_DIR moves the host-wide locks (default /run/lock/sshield): tests that run side by
 * side give each file its own, so they do not wait on each other's changes.
 */
export function lockDirFromEnv(env: NodeJS.ProcessEnv = process.env): { lockDir?: string } {
  return env.SSHIELD_LOCK_DIR ? { lockDir: env.SSHIELD_LOCK_DIR } : {};
}

/** Recovery before planning (skipped by --dry-run, which writes nothing); an exit code when the run must stop. */
export async function recoverOrStop(io: Output, command: string, host: ApplyHost, flags: ChangeFlags, sshd: string | undefined, root?: string): Promise<ExitCode | undefined> {
  if (flags.dryRun) return undefined;
  const stop = await recoverFirst(host, { backupRoot: flags.backupDir, ...lockDirFromEnv(), ...(sshd ? { sshd } : {}) }, root);
  return stop ? report(io, { command, outcome: stop }, flags) : undefined;
}

export interface ApplySpec extends Omit<ChangeRequest, 'ask' | 'dryRun'> {
  readonly command: string;
  readonly details?: Readonly<Record<string, unknown>>;
  /** The command's own text after the plan (the allow proof, the chroot check). */
  readonly extraText?: () => string;
  readonly flow?: Omit<FlowOptions, 'backupRoot' | 'onStep'>;
  /**
   * The one guard stage (src/apply/guard-stage.ts) over the host the plan was made from: every
   * guard judges the predicted host. Undefined only for a plan its planner already guarded (harden).
   */
  readonly guard?: { readonly host: LoadedHost; readonly overrides: ReadonlySet<string>; readonly session?: SessionFacts };
}

/** Shows the plan, asks, applies through the one flow, reports the Outcome. */
export async function applyAndReport(io: Output, spec: ApplySpec, flags: ChangeFlags): Promise<ExitCode> {
  const s = spec.guard ? { ...spec, plan: await guardPlan({ host: spec.guard.host, plan: spec.plan, overrides: spec.guard.overrides, ...(spec.guard.session ? { session: spec.guard.session } : {}) }) } : spec;
  if (!flags.json) {
    const text = renderPlanText(s.plan, color) + (s.extraText?.() ?? '');
    if (text) io.out(text.trimEnd());
  }
  // SIGINT/SIGTERM once the writer runs: it stops at its next step and finishes from the journal.
  const stops = guardStops(io, s.command);
  const ask = async () => {
    const a = await confirm('Apply this change?', flags.yes ? { yes: true } : {}, io);
    if (a === 'yes') stops.applying();
    return a;
  };
  const res = await runChange(
    { host: s.host, target: s.target, plan: s.plan, ...(s.refusal ? { refusal: s.refusal } : {}), dryRun: Boolean(flags.dryRun), ask },
    {
      ...s.flow,
      ...lockDirFromEnv(),
      backupRoot: flags.backupDir,
      abort: stops.signal,
      onStep: async (step, d) => {
        if (!flags.json && io.stderrIsTTY) io.err(color.dim(`… ${step}${d ? `: ${d}` : ''}`));
        await testPause(step, stops.signal);
      },
    },
  ).finally(() => stops.dispose());
  return report(io, { command: s.command, outcome: res.outcome, plan: s.plan, ...(s.details ? { details: s.details } : {}), ...(res.backup ? { backup: res.backup } : {}), messages: res.messages }, flags);
}
