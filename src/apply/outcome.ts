// The one Outcome of every command that changes a host (harden, allow, user, keys, restore,
// confirm) and the one table that turns it into an exit code. Pure data: the pipeline's
// ApplyOutcome is mapped here, the flow (flow.ts) adds what happens before the writer (dry run,
// declined, no TTY, a planner's refusal), renderers (src/report/outcome-*.ts) print it.
//
// Exit codes (README "Exit codes"): 0 the host is as asked (applied, nothing to do, dry run);
// 3 nothing was changed on purpose, the host is exactly as before and a re-run after the named
// action can succeed (a guard or the planner refused, declined, no TTY to ask on, a file changed
// since planning, another change awaits `sshield confirm`); 2 something went wrong: bad input, a
// runtime error, or a change that failed and was rolled back (or could not be).
import type { ApplyOutcome, Step } from './pipeline.js';

export type Outcome =
  | { readonly kind: 'applied'; readonly backupId: string; readonly confirmDeadline?: number; readonly notes: readonly string[] }
  | { readonly kind: 'nothing-to-do' }
  | { readonly kind: 'dry-run'; readonly wouldRefuse?: string }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'declined' }
  | { readonly kind: 'no-tty' }
  | { readonly kind: 'stale'; readonly reason: string }
  | { readonly kind: 'pending-confirm'; readonly backupId: string; readonly reason: string }
  | { readonly kind: 'failed'; readonly step: Step; readonly reason: string; readonly backupId?: string; readonly rolledBack: boolean; readonly rollbackError?: string }
  | { readonly kind: 'error'; readonly reason: string };

export type OutcomeKind = Outcome['kind'];

export const EXIT = {
  /** Success; for audit/scan: nothing at or above --fail-on failed. */
  ok: 0,
  /** The check found problems (audit/scan findings, a config sshd would reject). */
  findings: 1,
  /** Usage or runtime error, or a change that failed (and was rolled back). */
  error: 2,
  /** Nothing changed on purpose: refused by a guard, declined, no TTY, stale plan, pending confirm. */
  refused: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The one exit-code table, the same for every changing command. */
export const EXIT_OF: { readonly [K in OutcomeKind]: ExitCode } = {
  applied: EXIT.ok,
  'nothing-to-do': EXIT.ok,
  'dry-run': EXIT.ok,
  refused: EXIT.refused,
  declined: EXIT.refused,
  'no-tty': EXIT.refused,
  stale: EXIT.refused,
  'pending-confirm': EXIT.refused,
  failed: EXIT.error,
  error: EXIT.error,
};

export function exitCodeOf(o: Outcome): ExitCode {
  return EXIT_OF[o.kind];
}

/** The writer's result as an Outcome. */
export function outcomeOfApply(a: ApplyOutcome): Outcome {
  switch (a.status) {
    case 'applied':
      return { kind: 'applied', backupId: a.backupId, ...(a.confirmDeadline !== undefined ? { confirmDeadline: a.confirmDeadline } : {}), notes: a.notes };
    case 'nothing-to-do':
      return { kind: 'nothing-to-do' };
    case 'refused':
      return { kind: 'refused', reason: a.reason };
    case 'stale':
      return { kind: 'stale', reason: a.reason };
    case 'pending-confirm':
      return { kind: 'pending-confirm', backupId: a.backupId, reason: a.reason };
    case 'failed':
      return { kind: 'failed', step: a.step, reason: a.reason, ...(a.backupId !== undefined ? { backupId: a.backupId } : {}), rolledBack: a.rolledBack, ...(a.rollbackError !== undefined ? { rollbackError: a.rollbackError } : {}) };
  }
}
