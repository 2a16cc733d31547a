// The read-only file-system view every pure engine gets injected (config includes, passwd,
// authorized_keys, dpkg status). Implementations: the local host, an offline root directory
// (paths are resolved inside it, symlinks cannot escape it), an in-memory fake for tests, and
// later a remote host over SSH. Nothing here writes: writing belongs to src/apply.

export interface FileStat {
  readonly kind: 'file' | 'directory' | 'symlink' | 'other';
  readonly size: number;
  readonly mode: number; // permission bits (mode & 0o7777)
  readonly uid: number;
  readonly gid: number;
  readonly mtimeMs: number;
}

export type ReadResult =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly reason: 'missing' | 'unreadable' | 'too-large' | 'not-a-file'; readonly detail: string };

export interface ReadOnlyFs {
  /** Reads a whole file, refusing files over maxBytes (default 64 MiB). */
  readFile(path: string, maxBytes?: number): Promise<ReadResult>;
  /** Entries of a directory (names only, unsorted), or undefined when it cannot be listed. */
  readDir(path: string): Promise<string[] | undefined>;
  /** lstat semantics: does not follow a final symlink. */
  lstat(path: string): Promise<FileStat | undefined>;
  /** stat semantics: follows symlinks. */
  stat(path: string): Promise<FileStat | undefined>;
  readLink(path: string): Promise<string | undefined>;
  /** Resolves symlinks (within the root for a root-dir view); undefined if missing. */
  realPath(path: string): Promise<string | undefined>;
  /** A label for reports: "localhost", "root:/mnt/img", ... */
  readonly label: string;
}
