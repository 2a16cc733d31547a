// The one door to a host: a read-only file view plus, where the host is live, a way to run a
// program. Rules and facts only see this interface, so an SSH executor for fleets can be added
// later without touching them. An offline root (`--root DIR`, a mounted image, a fixture) never
// executes anything: its `run` returns undefined and callers fall back to files or report the
// fact as unknown. Nothing here writes files; writing belongs to src/apply.
//
// API:
//   HostExecutor { kind, label, fs, run(cmd, args, opts?) -> Promise<RunResult> | undefined }
//   localExecutor(fs)   — execFile without a shell, LC_ALL=C, timeout and output cap
//   offlineExecutor(fs, kind?) — never runs anything
import { execFile } from 'node:child_process';
import type { ReadOnlyFs } from './fs.js';

export interface RunOptions {
  /** Kill the program after this many ms (default 10 000). */
  readonly timeoutMs?: number;
  /** Cap on stdout/stderr bytes each (default 4 MiB); the program is killed past it. */
  readonly maxBuffer?: number;
}

export interface RunResult {
  /** Exit code, or null when killed by a signal or the program could not start. */
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Set when the program could not be started or was killed (ENOENT, timeout, maxBuffer). */
  readonly error?: string;
}

export type ExecutorKind = 'local' | 'root' | 'memory' | 'ssh';

export interface HostExecutor {
  readonly kind: ExecutorKind;
  /** For reports: "localhost", "root:/mnt/img", ... */
  readonly label: string;
  readonly fs: ReadOnlyFs;
  /** Runs a program (no shell). Returns undefined when this host cannot execute (offline root). */
  run(cmd: string, args: readonly string[], opts?: RunOptions): Promise<RunResult> | undefined;
}

export function localExecutor(fs: ReadOnlyFs): HostExecutor {
  return {
    kind: 'local',
    label: fs.label,
    fs,
    run: (cmd, args, opts = {}) =>
      new Promise<RunResult>((resolve) => {
        const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
        const o = { env, timeout: opts.timeoutMs ?? 10_000, maxBuffer: opts.maxBuffer ?? 4 << 20, encoding: 'utf8' as const, shell: false };
        execFile(cmd, [...args], o, (err, stdout, stderr) => {
          const e = err as (NodeJS.ErrnoException & { code?: unknown; signal?: NodeJS.Signals | null; killed?: boolean }) | null;
          const code = e ? (typeof e.code === 'number' ? e.code : null) : 0;
          const signal = e?.signal ?? null;
          const error = e && (typeof e.code !== 'number' || e.killed) ? e.message : undefined;
          resolve({ code, signal, stdout, stderr, ...(error ? { error } : {}) });
        });
      }),
  };
}

export function offlineExecutor(fs: ReadOnlyFs, kind: ExecutorKind = 'root'): HostExecutor {
  return { kind, label: fs.label, fs, run: () => undefined };
}
