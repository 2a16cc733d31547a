// A rolling change over many hosts, driven through an injected HostChangeRunner (change-types.ts):
// the first host alone (the canary); if it succeeds, the rest with at most `parallel` in flight; at
// the first host that does not succeed no further host is started (those in flight finish) and the
// hosts never started are `skipped`, untouched. A dry run plans every host (nothing to stop for,
// still bounded). An abort signal (the admin's Ctrl-C) stops starting hosts the same way. Pure
// orchestration: no I/O of its own, no process, no terminal (progress goes through callbacks). An
// unreachable host is a failure like any other, never counted as done.
import { EXIT, type ExitCode } from '../apply/outcome.js';
import { SUCCESS, type HostChangeHooks, type HostChangeResult, type HostChangeRunner, type HostChangeStatus } from './change-types.js';
import { targetText, type FleetTarget } from './target.js';

export interface RolloutOptions {
  /** Hosts in flight at once after the canary (cluster: 1). */
  readonly parallel: number;
  /** Passed to every host's run (cluster: beforeConfirm, the peers' root SSH check). */
  readonly hooks?: HostChangeHooks;
  /** Plans only: every host, no canary and no stop at a failure. */
  readonly dryRun?: boolean;
  /** Aborted: no further host is started; hosts in flight finish. */
  readonly signal?: AbortSignal;
  /** Handed to each host's run: aborting it stops the hosts in flight (a second Ctrl-C). */
  readonly hostSignal?: AbortSignal;
  readonly onStart?: (target: FleetTarget, index: number) => void;
  readonly onDone?: (done: number, total: number, result: HostChangeResult) => void;
  /** The clock (tests). */
  readonly now?: () => number;
}

/** The host whose result stopped the rollout, or why it stopped otherwise. */
export type RolloutStop =
  | { readonly kind: 'failure'; readonly name: string; readonly status: HostChangeStatus; readonly reason?: string }
  | { readonly kind: 'interrupted'; readonly reason: string };

export type StatusCounts = { readonly [S in HostChangeStatus]: number };

export interface RolloutSummary {
  readonly hosts: number;
  readonly counts: StatusCounts;
  /** The first host that did not succeed, in the order results arrived (the canary's, when it failed). */
  readonly firstFailure?: { readonly name: string; readonly status: HostChangeStatus; readonly reason?: string };
  /** Why hosts were skipped, when some were. */
  readonly stopped?: RolloutStop;
  readonly wallMs: number;
}

export interface RolloutResult {
  /** One result per target, in the targets' order. */
  readonly hosts: readonly HostChangeResult[];
  readonly summary: RolloutSummary;
}

const STATUSES: readonly HostChangeStatus[] = ['changed', 'unchanged', 'planned', 'rolled-back', 'refused', 'failed', 'unreachable', 'skipped'];

export function countStatuses(hosts: readonly Pick<HostChangeResult, 'status'>[]): StatusCounts {
  const c = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<HostChangeStatus, number>;
  for (const h of hosts) c[h.status]++;
  return c;
}

/**
 * The exit code of a rollout, by the single-host table's classes (src/apply/outcome.ts): 2 when any
 * host failed, was rolled back or could not be reached (something went wrong); else 3 when any host
 * refused or was not attempted (nothing changed there on purpose: a guard, an interruption); else 0.
 */
export function exitCodeOfRollout(s: Pick<RolloutSummary, 'counts'>): ExitCode {
  const c = s.counts;
  if (c.failed + c['rolled-back'] + c.unreachable > 0) return EXIT.error;
  if (c.refused + c.skipped > 0) return EXIT.refused;
  return EXIT.ok;
}

function describe(stop: RolloutStop): string {
  return stop.kind === 'interrupted' ? stop.reason : `${stop.name} ${stop.status}`;
}

export async function rollout(targets: readonly FleetTarget[], runner: HostChangeRunner, o: RolloutOptions): Promise<RolloutResult> {
  const now = o.now ?? Date.now;
  const t0 = now();
  const results: (HostChangeResult | undefined)[] = new Array(targets.length);
  let stop: RolloutStop | undefined;
  let firstFailure: RolloutSummary['firstFailure'];
  let done = 0;

  const runOne = async (i: number): Promise<void> => {
    const t = targets[i]!;
    o.onStart?.(t, i);
    const start = now();
    let r: HostChangeResult;
    try {
      r = await runner(t, o.hooks ?? {}, o.hostSignal);
    } catch (e) {
      // A runner must not throw; if one does, the host's state is unknown: a failure that stops the rollout.
      r = { name: t.name, target: targetText(t), status: 'failed', reason: `internal error: ${(e as Error).message ?? String(e)}`, ms: now() - start };
    }
    results[i] = r;
    if (!SUCCESS.has(r.status)) {
      firstFailure ??= { name: r.name, status: r.status, ...(r.reason !== undefined ? { reason: r.reason } : {}) };
      if (!o.dryRun) stop ??= { kind: 'failure', name: r.name, status: r.status, ...(r.reason !== undefined ? { reason: r.reason } : {}) };
    }
    done++;
    o.onDone?.(done, targets.length, r);
  };

  const mayStart = (): boolean => {
    if (stop) return false;
    if (o.signal?.aborted) {
      stop = { kind: 'interrupted', reason: `interrupted (${String(o.signal.reason ?? 'aborted')})` };
      return false;
    }
    return true;
  };

  let next = 0;
  if (!o.dryRun && targets.length > 0 && mayStart()) await runOne(next++);
  const worker = async (): Promise<void> => {
    while (next < targets.length && mayStart()) await runOne(next++);
  };
  const width = Math.max(1, Math.min(o.parallel, targets.length - next));
  await Promise.all(Array.from({ length: width }, worker));

  const hosts = targets.map(
    (t, i): HostChangeResult => results[i] ?? { name: t.name, target: targetText(t), status: 'skipped', reason: `not started: ${describe(stop ?? { kind: 'interrupted', reason: 'stopped' })}`, ms: 0 },
  );
  return {
    hosts,
    summary: { hosts: hosts.length, counts: countStatuses(hosts), ...(firstFailure ? { firstFailure } : {}), ...(stop && hosts.some((h) => h.status === 'skipped') ? { stopped: stop } : {}), wallMs: now() - t0 },
  };
}
