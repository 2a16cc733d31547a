// Many hosts judged without installing anything on them: a bounded pool of hosts (each one SSH
// connection and one deadline, gathered and judged by remote-host.ts judgeRemote), results in the
// targets' order, each with where the host was named and what gathering it cost. The judge is the
// very code a command runs on this machine or an offline root (the audit, `keys list`, `user
// list`, `backups`); what a host's result means is the caller's. An unreachable or hostile host
// is an error with its reason, never an empty result.
import type { HostExecutor } from '../host/executor.js';
import { mapPool } from '../scan/pool.js';
import { judgeRemote, type RemoteOptions } from './remote-host.js';
import type { SshPool } from './ssh.js';
import { targetText, type FleetTarget } from './target.js';

export interface FleetHostBase {
  readonly name: string;
  /** user@host:port as ssh was asked. */
  readonly target: string;
  /** Where the host was named (--host, inventory file:line, cluster NODE). */
  readonly source: string;
  readonly gather: { readonly rounds: number; readonly bytes: number; readonly ms: number };
}

export type FleetJudged<T> = FleetHostBase & ({ readonly ok: true; readonly value: T; readonly notes: readonly string[] } | { readonly ok: false; readonly error: string });

export interface FleetJudgeOptions {
  readonly pool: SshPool;
  /** Hosts in flight at once (default 10). */
  readonly parallel?: number;
  readonly remote?: RemoteOptions;
  readonly onDone?: (done: number, total: number, host: FleetHostBase) => void;
}

export async function judgeFleet<T>(targets: readonly FleetTarget[], o: FleetJudgeOptions, judge: (exec: HostExecutor, target: FleetTarget) => Promise<T>): Promise<FleetJudged<T>[]> {
  return mapPool(
    targets,
    o.parallel ?? 10,
    async (t): Promise<FleetJudged<T>> => {
      const r = await judgeRemote(o.pool, t, (exec) => judge(exec, t), o.remote);
      const base: FleetHostBase = { name: t.name, target: targetText(t), source: t.source, gather: { rounds: r.stats.rounds, bytes: r.stats.bytes, ms: r.stats.ms } };
      return r.ok ? { ...base, ok: true, value: r.value, notes: r.notes } : { ...base, ok: false, error: r.error };
    },
    (done, _i, r) => o.onDone?.(done, targets.length, r),
  );
}
