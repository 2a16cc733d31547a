// The contract between one host's remote change (remote-change.ts: copy sshield to the host, run
// the change there, prove access with a new connection, confirm) and the rollout that drives many
// hosts (rolling with a canary, `--parallel N`, `--cluster` node by node). Types only: the runner
// is injected, so the rollout is tested with a fake runner and the runner with real test hosts.
import type { FleetTarget } from './target.js';

/**
 * What happened on one host.
 * - changed: applied there, access proven with a new connection, confirmed.
 * - unchanged: the host needed nothing (nothing-to-do).
 * - planned: --dry-run; the host's plan is in `envelope`.
 * - rolled-back: applied, then rolled back on the host (the proof or a peer check failed, or it was never confirmed).
 * - refused: the host's guards or checks refused it; nothing was written.
 * - failed: the host's own run failed (its writer rolled back), or the transport broke mid-change.
 * - unreachable: never reached, nothing done.
 * - skipped: not attempted, because an earlier host did not succeed.
 */
export type HostChangeStatus = 'changed' | 'unchanged' | 'planned' | 'rolled-back' | 'refused' | 'failed' | 'unreachable' | 'skipped';

/** The statuses after which a rollout goes on to the next hosts. */
export const SUCCESS: ReadonlySet<HostChangeStatus> = new Set(['changed', 'unchanged', 'planned']);

export interface HostChangeResult {
  /** The target's name (inventory name or --host text). */
  readonly name: string;
  /** user@host:port as connected. */
  readonly target: string;
  readonly status: HostChangeStatus;
  /** Why, for every status but changed/unchanged/planned (one line for the summary). */
  readonly reason?: string;
  /** The host's own change envelope (sshield --json run there), when it produced one. */
  readonly envelope?: unknown;
  /** The backup id on the host, when something was written. */
  readonly backupId?: string;
  /** Wall time for this host, ms. */
  readonly ms: number;
}

export type CheckResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface HostChangeHooks {
  /**
   * Runs after the host applied the change and the admin's new connection worked, before the change
   * is confirmed (the cluster's peer root-SSH check). Not ok: the host is rolled back now, status
   * rolled-back with this reason.
   */
  readonly beforeConfirm?: (target: FleetTarget) => Promise<CheckResult>;
}

/** One host's whole remote change: reach, copy, run, prove, (hook), confirm or roll back. */
export type HostChangeRunner = (target: FleetTarget, hooks: HostChangeHooks, signal?: AbortSignal) => Promise<HostChangeResult>;
