// The apply pipeline's view of a host: everything it reads, writes, runs, signals or probes goes
// through this interface, so the same pipeline drives the live machine (local-host.ts), an
// offline root (no reload, no probe) and the in-memory fake with scripted failures
// (fake-host.ts). Nothing in here decides anything: the steps live in pipeline.ts.
import type { ReadOnlyFs } from '../host/fs.js';

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly error?: string;
}

export interface FileOwnership {
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

/** What a fresh connection to the daemon saw: the identification line and the offered methods. */
export type ProbeResult =
  | { readonly ok: true; readonly ident: string; readonly methods: readonly string[] }
  | { readonly ok: false; readonly error: string };

export interface ApplyHost {
  readonly label: string;
  readonly fs: ReadOnlyFs;
  /** Whether programs can be run and daemons signalled (false for an offline root). */
  readonly live: boolean;
  /** Creates a file only if it does not exist (O_EXCL); 'exists' otherwise. */
  createExclusive(path: string, bytes: Uint8Array, mode: number): Promise<'ok' | 'exists'>;
  /** Writes a whole file (not atomic) and fsyncs it; used for candidates, backups, staging. */
  writeFile(path: string, bytes: Uint8Array, own?: Partial<FileOwnership>): Promise<void>;
  /** Atomically replaces (or creates) a file: temp beside it, fsync, owner+mode, rename, fsync dir. */
  replaceFile(path: string, bytes: Uint8Array, own: FileOwnership): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Removes a file; missing is fine. */
  remove(path: string): Promise<void>;
  /** Removes a directory tree; missing is fine. */
  removeTree(path: string): Promise<void>;
  mkdirp(path: string, mode?: number): Promise<void>;
  /**
   * Creates one directory (the parent must exist; an existing one is an error) and gives it this
   * owner and mode through a descriptor opened on it (O_DIRECTORY|O_NOFOLLOW), not by path.
   */
  makeDir(path: string, own: FileOwnership): Promise<void>;
  /** Removes an empty directory: 'missing' when it is not there, 'not-empty' when it holds anything (then it is left alone). */
  removeDir(path: string): Promise<'ok' | 'missing' | 'not-empty'>;
  /** chown and/or chmod through a descriptor opened without following a symlink (O_NOFOLLOW). */
  setOwnership(path: string, own: Partial<FileOwnership>): Promise<void>;
  run(cmd: string, args: readonly string[], opts?: { timeoutMs?: number }): Promise<RunResult>;
  /** Sends a signal; false when there is no such process. Signal 0 tests for existence. */
  signal(pid: number, signal: 'SIGHUP' | 'SIGTERM' | 0): Promise<boolean>;
  /** Opens a new SSH connection and tries 'none' authentication as `user`. */
  probe(address: string, port: number, user: string, timeoutMs: number): Promise<ProbeResult>;
  /** Starts `sshield <args>` detached from this process and its session; returns its pid. */
  spawnDetached(args: readonly string[]): Promise<number>;
  /** A fresh temporary directory (for staging). */
  tempDir(prefix: string): Promise<string>;
  now(): number;
  sleep(ms: number): Promise<void>;
  readonly pid: number;
}
