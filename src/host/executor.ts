// The one door to a host: a read-only file view plus, where the host is live, a way to run a
// program. Rules, facts and planners only see this interface (or the apply pipeline's
// extension of it, src/apply/host.ts ApplyHost, which adds writes, signals and the daemon
// probe), so remote hosts plug in without touching them: kind 'ssh' is a host gathered over SSH
// (src/fleet/snapshot.ts, judged like an offline root but live) or run over SSH
// (src/fleet/ssh-executor.ts). An offline
// root (`--root DIR`, a mounted image, a fixture) never executes anything: its `run` returns
// undefined and callers fall back to files or report the fact as unknown. Nothing here writes.
//
// API:
//   HostExecutor { kind, label, live, fs, run(cmd, args, opts?) -> Promise<RunResult> | undefined }
//   localExecutor(fs)   — execFile without a shell, LC_ALL=C, timeout and output cap
//   offlineExecutor(fs, kind?) — never runs anything
//   findSshd(exec), hasSystemd(exec) — the daemon binary and the init system, read through exec.fs
import { execFile } from 'node:child_process';
import type { ReadOnlyFs } from './fs.js';

export interface RunOptions {
  /** Kill the program after this many ms (default 10 000). */
  readonly timeoutMs?: number;
  /** Cap on stdout/stderr bytes each (default 4 MiB); the program is killed past it. */
  readonly maxBuffer?: number;
  /** How stdout/stderr are decoded (default utf8; latin1 keeps every byte of `sshd -T`). */
  readonly encoding?: 'utf8' | 'latin1';
  /** Bytes written to the program's stdin (then closed); default: none. */
  readonly input?: Uint8Array;
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
  /** Whether programs run and daemons can be signalled and probed here (false: an offline root). */
  readonly live: boolean;
  readonly fs: ReadOnlyFs;
  /** Runs a program (no shell). Returns undefined when this host cannot execute (offline root). */
  run(cmd: string, args: readonly string[], opts?: RunOptions): Promise<RunResult> | undefined;
}

export function localExecutor(fs: ReadOnlyFs): HostExecutor {
  return {
    kind: 'local',
    label: fs.label,
    live: true,
    fs,
    run: (cmd, args, opts = {}) =>
      new Promise<RunResult>((resolve) => {
        const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
        const o = { env, timeout: opts.timeoutMs ?? 10_000, maxBuffer: opts.maxBuffer ?? 4 << 20, encoding: opts.encoding ?? 'utf8', shell: false };
        const child = execFile(cmd, [...args], o, (err, stdout, stderr) => {
          const e = err as (NodeJS.ErrnoException & { code?: unknown; signal?: NodeJS.Signals | null; killed?: boolean }) | null;
          const code = e ? (typeof e.code === 'number' ? e.code : null) : 0;
          const signal = e?.signal ?? null;
          const error = e && (typeof e.code !== 'number' || e.killed) ? e.message : undefined;
          resolve({ code, signal, stdout, stderr, ...(error ? { error } : {}) });
        });
        if (opts.input !== undefined) {
          child.stdin?.on('error', () => undefined); // the program may exit without reading it
          child.stdin?.end(Buffer.from(opts.input));
        }
      }),
  };
}

export function offlineExecutor(fs: ReadOnlyFs, kind: ExecutorKind = 'root'): HostExecutor {
  return { kind, label: fs.label, live: false, fs, run: () => undefined };
}

/** Where Debian and most distributions install the daemon. */
export const SSHD_PATHS: readonly string[] = ['/usr/sbin/sshd', '/usr/bin/sshd'];

/** The sshd binary of this host (a regular file at one of SSHD_PATHS), or undefined. */
export async function findSshd(exec: Pick<HostExecutor, 'fs'>, paths: readonly string[] = SSHD_PATHS): Promise<string | undefined> {
  for (const p of paths) if ((await exec.fs.stat(p))?.kind === 'file') return p;
  return undefined;
}

/** systemd is the running init when /run/systemd/system exists (sd_booted(3)). */
export async function hasSystemd(exec: Pick<HostExecutor, 'fs'>): Promise<boolean> {
  return (await exec.fs.stat('/run/systemd/system'))?.kind === 'directory';
}
