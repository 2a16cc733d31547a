// The apply pipeline's view of a host: the read executor (src/host/executor.ts HostExecutor:
// the file view and running programs, one RunResult) extended by what changing a host needs:
// writes, signals, the daemon probe, a detached watcher. Everything the pipeline reads, writes,
// runs, signals or probes goes through it, so the same pipeline drives the live machine
// (local-host.ts), an offline root written from this machine (no reload, no probe) and the
// in-memory fake with scripted failures (fake-host.ts). Nothing in here decides anything: the
// steps live in pipeline.ts. Hosts are made by openHost (open-host.ts), never by hand.
import type { HostExecutor, RunOptions, RunResult } from '../host/executor.js';

export type { RunOptions, RunResult } from '../host/executor.js';

export interface FileOwnership {
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

/** What a fresh connection to the daemon saw: the identification line and the offered methods. */
export type ProbeResult =
  | { readonly ok: true; readonly ident: string; readonly methods: readonly string[] }
  | { readonly ok: false; readonly error: string };

export interface ApplyHost extends HostExecutor {
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
  /**
   * This host with every path under `root` (an offline root) read and written inside it: no link
   * in the image can lead a read or a write out of DIR. Hosts without links (the fake) omit it.
   */
  within?(root: string): ApplyHost;
  /** Why a backup/journal/lock directory is not trusted (someone but root could write it), or undefined. */
  untrustedDir?(dir: string): Promise<string | undefined>;
  /** The path with root-owned links inside its root resolved (others refused): where a change really lands. */
  canonical?(path: string): Promise<string>;
  /** Runs a program (no shell); a host that cannot run one answers with `error` set. */
  run(cmd: string, args: readonly string[], opts?: RunOptions): Promise<RunResult>;
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
  /**
   * The account this process runs as, owner of what sshield keeps for itself (backup copies,
   * journals, manifests, locks): root unless an ordinary user manages their own keys. Absent: root.
   */
  readonly self?: { readonly uid: number; readonly gid: number };
}
