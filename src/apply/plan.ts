// The plan: pure data describing one change to an sshd configuration, built by the planner (or by
// restore from a backup) and consumed by the only writer, the pipeline. It holds, per file, the
// text-range edits and the resulting text, the unified diff, the effective values the evaluator
// predicts for the connection specs that matter, the guards' verdicts, how to reload and what a
// fresh connection must see afterwards. No I/O here; rendering is in render-plan.ts.
import { createHash } from 'node:crypto';
import type { ByteString } from '../text/bytes.js';
import type { TextEdit } from '../text/edit.js';
import type { ConnectionSpec } from '../sshd/evaluate/types.js';

export const PLAN_VERSION = 1;

export interface FileChange {
  /** The path as sshd names it (e.g. /etc/ssh/sshd_config.d/00-sshield.conf). */
  readonly path: string;
  /** Where the file is on this machine (differs from `path` under --root). */
  readonly hostPath: string;
  readonly action: 'write' | 'delete';
  /** sha256 (hex) of the file when planned; null when it did not exist. */
  readonly beforeSha256: string | null;
  readonly before: ByteString;
  readonly after: ByteString;
  /** The edits that turn `before` into `after` (empty for a new or deleted file). */
  readonly edits: readonly TextEdit[];
  readonly diff: string;
  /** Owner and mode for a file that does not exist yet (existing files keep theirs). */
  readonly newFileMode: number;
  /** Why: rule ids and one-line explanations. */
  readonly reasons: readonly string[];
}

export interface PredictedValue {
  /** The `sshd -T` key, lower case. */
  readonly key: string;
  readonly values: readonly string[];
  /** Which identity: "global", "admin alice from 10.0.0.5", ... */
  readonly label: string;
  /** The `-C` spec to check it with; undefined = globals (no -C). */
  readonly spec?: ConnectionSpec;
}

export interface GuardVerdict {
  /** Guard id, e.g. "no-key-admin". */
  readonly id: string;
  readonly ok: boolean;
  readonly message: string;
  /** The flag that overrides a refusal, named after the risk (e.g. --allow-no-key-admin). */
  readonly overrideFlag: string;
  readonly overridden: boolean;
}

export type ReloadTarget =
  | { readonly kind: 'systemd'; readonly unit: string }
  | { readonly kind: 'pidfile'; readonly pidFile: string }
  | { readonly kind: 'none'; readonly why: string };

/** What a new connection must show after the reload. */
export interface VerifyExpectation {
  readonly address: string;
  readonly port: number;
  /** The user named in the 'none' authentication request. */
  readonly user: string;
  /** Methods the server must offer, in any order; undefined = only require an answer. */
  readonly methods?: readonly string[];
  /** A substring the identification line must not contain (e.g. "Debian" with DebianBanner no). */
  readonly identExcludes?: string;
}

/**
 * Which command made a plan (recorded in the backup's manifest, shown by `sshield backups`):
 * every command that changes files goes through the same pipeline and says so.
 */
export type PlanKind = 'harden' | 'restore' | 'allow' | 'user' | 'keys';

export interface Plan {
  readonly version: typeof PLAN_VERSION;
  readonly kind: PlanKind;
  /** The main config as sshd names it. */
  readonly configPath: string;
  /** Offline root directory (--root), if any: host paths are inside it and nothing is reloaded. */
  readonly root?: string;
  readonly files: readonly FileChange[];
  /** Every file of the config tree as it will be after the change (for staging validation). */
  readonly tree: readonly { readonly path: string; readonly hostPath: string }[];
  readonly predicted: readonly PredictedValue[];
  readonly guards: readonly GuardVerdict[];
  /** Rule ids whose remediation the plan applies. */
  readonly remediated: readonly string[];
  /** Remediations left for the admin (manual, or refused by the planner), for people. */
  readonly notes: readonly string[];
  readonly reload: ReloadTarget;
  readonly verify?: VerifyExpectation;
}

export function sha256(bytes: Uint8Array | ByteString): string {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
  return createHash('sha256').update(buf).digest('hex');
}

/** The guards that refuse and were not overridden: a plan with any of these is not applied. */
export function blockingGuards(plan: Plan): GuardVerdict[] {
  return plan.guards.filter((g) => !g.ok && !g.overridden);
}

export function isEmptyPlan(plan: Plan): boolean {
  return plan.files.length === 0;
}
