// Judging a remote host without installing anything on it: round one runs the gather script with
// the prefetch list (what an audit of a Debian/PVE host reads), the answer becomes a snapshot
// (snapshot.ts), and the caller's judge (the audit, `effective`, ...) runs on it exactly as on an
// offline root. Whatever the judge asked that no round answered (a non-default AuthorizedKeysFile,
// an Include outside /etc/ssh, `pveversion`, `apt-cache policy`) becomes the next round, over
// the same shared connection (a long list of requests as several calls, each command line within
// what exec takes), until a pass asks nothing new (at most MAX_ROUNDS). One deadline
// covers every round of the host; the answer's total size is capped; any transport or stream
// problem is one error for this host, with the reason, never a silently partial verdict.
import type { HostExecutor } from '../host/executor.js';
import { gatherBatches, gatherCommand, PREFETCH, type GatherRequest } from './gather-script.js';
import { parseGatherStream, type GatherAnswer } from './gather-stream.js';
import { Snapshot } from './snapshot.js';
import { lastLine, type SshPool } from './ssh.js';
import type { FleetTarget } from './target.js';

export const MAX_ROUNDS = 4;

export interface RemoteOptions {
  /** Per-file cap of a remote read (default 16 MiB). */
  readonly perFileCap?: number;
  /** Cap on everything one host sends, all rounds together (default 32 MiB: memory stays under --parallel x 32 MiB whatever hosts send). */
  readonly totalCap?: number;
  /** The host's deadline, all rounds together (default 60 s). */
  readonly deadlineMs?: number;
  readonly signal?: AbortSignal;
  /** What round one asks (default PREFETCH: what an audit of a Debian/PVE host reads); a listing that reads little asks little. */
  readonly prefetch?: readonly GatherRequest[];
}

export interface RemoteStats {
  readonly rounds: number;
  /** Bytes received from the host. */
  readonly bytes: number;
  readonly ms: number;
}

export type RemoteOutcome<T> =
  | { readonly ok: true; readonly value: T; readonly stats: RemoteStats; readonly notes: readonly string[] }
  | { readonly ok: false; readonly error: string; readonly stats: RemoteStats };

/** One round's answers (one per batch) as one. */
function mergeAnswers(answers: readonly GatherAnswer[]): GatherAnswer {
  if (answers.length === 1) return answers[0]!;
  const merge = <K, V>(pick: (a: GatherAnswer) => ReadonlyMap<K, V>) => new Map(answers.flatMap((a) => [...pick(a)]));
  return { stats: merge((a) => a.stats), contents: merge((a) => a.contents), listings: merge((a) => a.listings), commands: merge((a) => a.commands) };
}

export async function judgeRemote<T>(pool: SshPool, target: FleetTarget, judge: (exec: HostExecutor) => Promise<T>, opts: RemoteOptions = {}): Promise<RemoteOutcome<T>> {
  const cap = opts.perFileCap ?? 16 << 20;
  const totalCap = opts.totalCap ?? 32 << 20;
  const t0 = Date.now();
  const deadline = t0 + (opts.deadlineMs ?? 60_000);
  const snap = new Snapshot(target.name, cap);
  let received = 0;
  const stats = (): RemoteStats => ({ rounds: snap.rounds, bytes: received, ms: Date.now() - t0 });
  let requests: readonly GatherRequest[] = opts.prefetch ?? PREFETCH;
  for (let round = 1; ; round++) {
    // One call per batch (a long request list is cut so no command line is over what exec takes).
    const answers: GatherAnswer[] = [];
    for (const batch of gatherBatches(requests, cap)) {
      const left = deadline - Date.now();
      if (left <= 0) return { ok: false, error: `no complete answer within the host deadline (${Math.round((opts.deadlineMs ?? 60_000) / 1000)} s)`, stats: stats() };
      const r = await pool.exec(target, gatherCommand(batch, cap), { timeoutMs: left, maxStdout: totalCap - received, ...(opts.signal ? { signal: opts.signal } : {}) });
      received += r.stdout.length;
      if (r.error) return { ok: false, error: `${r.error}${r.code === 255 ? `: ${lastLine(r.stderr) ?? ''}` : ''}`.replace(/: $/, ''), stats: stats() };
      if (r.code === 255) return { ok: false, error: `ssh failed: ${lastLine(r.stderr) ?? 'exit 255'}`, stats: stats() };
      const parsed = parseGatherStream(r.stdout, cap);
      if (!parsed.ok) {
        const why = r.code !== 0 ? ` (remote exit ${r.code ?? r.signal}${lastLine(r.stderr) ? `: ${lastLine(r.stderr)}` : ''})` : '';
        return { ok: false, error: `bad gather answer: ${parsed.error}${why}`, stats: stats() };
      }
      answers.push(parsed.answer);
    }
    await snap.add(mergeAnswers(answers), requests);
    snap.markAsked(requests);
    const misses = new Map<string, GatherRequest>();
    let value: T;
    try {
      value = await judge(snap.view(misses));
    } catch (e) {
      return { ok: false, error: `internal error judging the gathered files: ${(e as Error).message}`, stats: stats() };
    }
    if (misses.size === 0) return { ok: true, value, stats: stats(), notes: [] };
    if (round >= MAX_ROUNDS) {
      const what = [...misses.values()].slice(0, 5).map((m) => m.arg.slice(0, 120));
      return { ok: true, value, stats: stats(), notes: [`${misses.size} reads still unanswered after ${round} gather rounds (${what.join(', ')}${misses.size > 5 ? ', ...' : ''}): judged as missing`] };
    }
    requests = [...misses.values()];
  }
}
