// The one JSON envelope of every command that changes a host (harden, allow add|remove, user
// nologin|add|sftp, keys restrict|unrestrict, restore, confirm):
//   { schemaVersion, command, outcome, plan, backup, verify, messages }
// `outcome` is the Outcome (src/apply/outcome.ts) with its exit code; `plan` the Plan the writer
// was given (null when none was made) with the command's own facts under `details` (the allow
// proof, the user's chroot check, the keys chosen); `backup` where the old files are; `verify`
// what a new connection showed after the reload and, under `verify.credential` (added within
// schemaVersion 1: optional, so older readers are unaffected), whether the admin's own login
// proved access (src/apply/credential.ts). Pure.
import type { Plan } from '../apply/plan.js';
import { exitCodeOf, type ExitCode, type Outcome } from '../apply/outcome.js';
import type { CredentialProof } from '../apply/credential.js';

export const CHANGE_SCHEMA_VERSION = 1;

export interface BackupSummary {
  readonly id: string;
  readonly dir: string;
  /** Each file the change touched and its copy in the backup (null: it did not exist before). */
  readonly files: readonly { readonly path: string; readonly hostPath: string; readonly existed: boolean; readonly copy: string | null }[];
}

export interface VerifyReport {
  /** verified: a new connection after the reload showed what the plan expects; failed: it did not (rolled back); not-run: no reload or nothing applied. */
  readonly status: 'verified' | 'failed' | 'not-run';
  readonly detail: string;
  readonly expected?: Plan['verify'];
  /** The admin's own login with their agent or --verify-key: proven, failed (rolled back), or not proven and why. */
  readonly credential?: CredentialProof;
}

export interface Message {
  readonly level: 'info' | 'warning' | 'error';
  readonly text: string;
}

export interface ChangeEnvelope {
  readonly schemaVersion: typeof CHANGE_SCHEMA_VERSION;
  readonly command: string;
  readonly outcome: Outcome & { readonly exitCode: ExitCode };
  readonly plan: (Plan & { readonly details?: Readonly<Record<string, unknown>> }) | null;
  readonly backup: BackupSummary | null;
  readonly verify: VerifyReport | null;
  readonly messages: readonly Message[];
}

export interface ChangeResult {
  readonly command: string;
  readonly outcome: Outcome;
  readonly plan?: Plan;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly backup?: BackupSummary;
  readonly messages?: readonly Message[];
  readonly credential?: CredentialProof;
}

/** What the verify step did, read from the outcome (the pipeline notes "verified: ..."). */
export function verifyReportOf(plan: Plan | undefined, o: Outcome, credential?: CredentialProof): VerifyReport | null {
  if (!plan) return null;
  const expected = { ...(plan.verify ? { expected: plan.verify } : {}), ...(credential ? { credential } : {}) };
  if (o.kind === 'failed' && o.step === 'verify') return { status: 'failed', detail: o.reason, ...expected };
  if (o.kind === 'applied' && plan.verify && plan.reload.kind !== 'none') {
    const note = o.notes.find((n) => n.startsWith('verified: '));
    return { status: 'verified', detail: note ? note.slice('verified: '.length) : 'a new connection was answered', ...expected };
  }
  const why = plan.reload.kind === 'none' ? plan.reload.why : o.kind === 'applied' ? 'no connection to check' : 'not applied';
  return { status: 'not-run', detail: why, ...expected };
}

export function changeEnvelope(r: ChangeResult): ChangeEnvelope {
  return {
    schemaVersion: CHANGE_SCHEMA_VERSION,
    command: r.command,
    outcome: { ...r.outcome, exitCode: exitCodeOf(r.outcome) },
    plan: r.plan ? { ...r.plan, ...(r.details ? { details: r.details } : {}) } : null,
    backup: r.backup ?? null,
    verify: verifyReportOf(r.plan, r.outcome, r.credential),
    messages: r.messages ?? [],
  };
}

export function renderChangeJson(r: ChangeResult): string {
  return `${JSON.stringify(changeEnvelope(r), null, 2)}\n`;
}
