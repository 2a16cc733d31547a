// A remote host as gathered: the answers of one or more gather rounds merged into an in-memory
// view, served through the same ReadOnlyFs/HostExecutor interfaces an offline root uses, so the
// audit judges it with exactly the code of `audit --root`. Symlinks are walked here (fs-paths.ts
// walkPath, as memoryFs does), never on the controller's disk; nothing is written anywhere.
// Whatever the judging asks that no round answered is recorded as a miss (the path and what was
// wanted, or the command) and answered "missing" for now: remote-host.ts turns the misses into
// the next round's requests, until a pass asks nothing new.
import type { FileStat, ReadOnlyFs, ReadResult } from '../host/fs.js';
import { DEFAULT_MAX_FILE_BYTES, walkPath, type WalkOps } from '../host/fs-paths.js';
import type { HostExecutor, RunResult } from '../host/executor.js';
import { commandLine } from './ssh.js';
import { isPrivateHostKey, TAIL_PATHS, type GatherRequest } from './gather-script.js';
import type { GatherAnswer, StatRecord } from './gather-stream.js';

/** A path as the gather script may be asked it: absolute, no '', '.' or '..' components ('..' taken lexically). */
export function normalizePath(p: string): string {
  const out: string[] = [];
  for (const c of p.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') out.pop();
    else out.push(c);
  }
  return `/${out.join('/')}`;
}

const parentOf = (p: string) => p.slice(0, p.lastIndexOf('/')) || '/';

export class Snapshot {
  readonly stats = new Map<string, StatRecord>();
  readonly absent = new Set<string>();
  readonly contents = new Map<string, { bytes: Buffer; truncated: boolean; tail?: true } | { unreadable: true }>();
  readonly listings = new Map<string, string[]>();
  readonly commands = new Map<string, { output: Buffer; code: number | null }>();
  /** Every path and command asked so far (a miss asked twice is not asked a third time). */
  readonly asked = new Set<string>();
  rounds = 0;
  bytes = 0;

  constructor(readonly label: string, readonly cap: number) {
    this.stats.set('/', { kind: 'directory', mode: 0o755, uid: 0, gid: 0, size: 4096, mtimeMs: 0 });
  }

  private readonly ops: WalkOps = {
    lookup: async (p) => {
      const s = this.stats.get(p);
      if (s === undefined) return undefined;
      if (s.kind === 'symlink') return { kind: 'symlink', target: s.target! };
      return s.kind === 'directory' ? { kind: 'dir' } : { kind: 'other' };
    },
  };

  /** Where a path leads inside the snapshot (symlinks followed), if it can tell. */
  async real(path: string, followLast = true): Promise<string | undefined> {
    const r = await walkPath(this.ops, path, followLast);
    return r.ok ? r.path : undefined;
  }

  /** Merges one round's answer; `requests` tells which paths were asked (absence is inferred for them). */
  async add(answer: GatherAnswer, requests: readonly GatherRequest[]): Promise<void> {
    this.rounds++;
    for (const [p, s] of answer.stats) this.stats.set(p, s);
    // Listings and contents are keyed by the requested path: file them at the resolved one.
    for (const [p, entries] of answer.listings) {
      const dir = (await this.real(p)) ?? p;
      this.listings.set(dir, [...entries.keys()]);
      for (const [name, s] of entries) this.stats.set(dir === '/' ? `/${name}` : `${dir}/${name}`, s);
    }
    for (const [p, c] of answer.contents) {
      const at = (await this.real(p)) ?? p;
      this.contents.set(at, 'bytes' in c ? { bytes: c.bytes, truncated: !c.tail && c.bytes.length > this.cap, ...(c.tail ? { tail: true as const } : {}) } : c);
      if ('bytes' in c) this.bytes += c.bytes.length;
    }
    for (const [cmd, r] of answer.commands) this.commands.set(cmd, r);
    // The script lstat-ed every component on the way to each asked path (readlink -m): a component
    // the host did not report, under a directory it did, does not exist.
    const asked = requests.filter((r) => r.op !== 'run' && r.op !== 'keys').map((r) => r.arg);
    if (requests.some((r) => r.op === 'keys')) asked.push(...this.keyFiles());
    const marking: WalkOps = {
      lookup: async (p) => {
        const r = await this.ops.lookup(p);
        if (r === undefined && this.stats.get(parentOf(p))?.kind === 'directory') this.absent.add(p);
        return r;
      },
    };
    for (const arg of asked) await walkPath(marking, arg, true);
    for (const [dir, names] of this.listings) {
      const known = new Set(names);
      for (const p of this.absent) if (parentOf(p) === dir && known.has(p.slice(dir === '/' ? 1 : dir.length + 1))) this.absent.delete(p);
    }
  }

  /** What the gather script's `keys` request read: ~/.ssh/authorized_keys{,2} of every passwd home, and every shell. */
  private keyFiles(): string[] {
    const c = this.contents.get('/etc/passwd');
    if (!c || !('bytes' in c)) return [];
    const lines = c.bytes.toString('latin1').split('\n').map((l) => l.split(':'));
    const homes = lines.map((f) => f[5] ?? '').filter((h) => h.startsWith('/') && normalizePath(h) === h.replace(/(.)\/$/, '$1'));
    const shells = lines.map((f) => f[6] ?? '').filter((x) => x.startsWith('/')).map(normalizePath);
    return [...homes.flatMap((h) => [normalizePath(`${h}/.ssh/authorized_keys`), normalizePath(`${h}/.ssh/authorized_keys2`)]), ...shells];
  }

  /** A view for one judging pass: reads answer from the snapshot, and what it cannot answer is added to `misses`. */
  view(misses: Map<string, GatherRequest>): HostExecutor {
    const snap = this;
    const miss = (op: GatherRequest['op'], raw: string) => {
      const arg = op === 'run' ? raw : normalizePath(raw);
      if (op === 'read' && TAIL_PATHS.has(arg)) op = 'tail';
      const key = `${op}\0${arg}`;
      if (!snap.asked.has(key)) misses.set(key, { op, arg });
    };
    // The walk (one per call: reads run concurrently), noting the first component the snapshot knows nothing about.
    const resolve = async (path: string, followLast: boolean, op: GatherRequest['op']): Promise<string | undefined> => {
      let unknownAt: string | undefined;
      const walkOps: WalkOps = {
        lookup: async (p) => {
          const r = await snap.ops.lookup(p);
          if (r === undefined && !snap.absent.has(p) && !snap.listings.has(parentOf(p))) unknownAt ??= p;
          return r;
        },
      };
      const r = await walkPath(walkOps, path, followLast);
      if (unknownAt !== undefined) miss(op, path);
      return r.ok && snap.stats.has(r.path) ? r.path : undefined;
    };
    const statOf = (s: StatRecord): FileStat => ({ kind: s.kind, size: s.size, mode: s.mode & 0o7777, uid: s.uid, gid: s.gid, mtimeMs: s.mtimeMs });
    const fs: ReadOnlyFs = {
      label: snap.label,
      async readFile(path, maxBytes = DEFAULT_MAX_FILE_BYTES): Promise<ReadResult> {
        const p = await resolve(path, true, 'read');
        const missing: ReadResult = { ok: false, reason: 'missing', detail: `${path}: no such file or directory (on ${snap.label})` };
        if (p === undefined) return missing;
        const s = snap.stats.get(p)!;
        if (s.kind === 'directory') return { ok: false, reason: 'not-a-file', detail: `${path}: is a directory` };
        if (isPrivateHostKey(p)) return { ok: false, reason: 'unreadable', detail: `${path}: a private host key is never copied off ${snap.label}` };
        const c = snap.contents.get(p);
        if (c === undefined) {
          if (s.kind === 'file') miss('read', path);
          return s.kind === 'file' ? missing : { ok: false, reason: 'not-a-file', detail: `${path}: not a regular file` };
        }
        if ('unreadable' in c) return { ok: false, reason: 'unreadable', detail: `${path}: permission denied (on ${snap.label})` };
        if (c.truncated) return { ok: false, reason: 'too-large', detail: `${path}: over the ${snap.cap}-byte limit of a remote read` };
        // A tail stands for the whole file (its readers keep only the end), so the file's own size decides.
        const size = c.tail ? s.size : c.bytes.length;
        if (size > maxBytes) return { ok: false, reason: 'too-large', detail: `${path}: ${size} bytes, over the ${maxBytes}-byte limit` };
        return { ok: true, bytes: c.bytes };
      },
      async readDir(path) {
        const p = await resolve(path, true, 'list');
        if (p === undefined || snap.stats.get(p)!.kind !== 'directory') return undefined;
        const l = snap.listings.get(p);
        if (l === undefined) miss('list', path);
        return l ? [...l] : undefined;
      },
      async lstat(path) {
        const p = await resolve(path, false, 'stat');
        return p === undefined ? undefined : statOf(snap.stats.get(p)!);
      },
      async stat(path) {
        const p = await resolve(path, true, 'stat');
        return p === undefined ? undefined : statOf(snap.stats.get(p)!);
      },
      async readLink(path) {
        const p = await resolve(path, false, 'stat');
        return p === undefined ? undefined : snap.stats.get(p)!.target;
      },
      async realPath(path) {
        return resolve(path, true, 'stat');
      },
    };
    return {
      kind: 'ssh',
      label: snap.label,
      live: true,
      fs,
      run(cmd, args, opts = {}): Promise<RunResult> {
        const line = commandLine(cmd, args);
        const r = snap.commands.get(line);
        if (!r) {
          miss('run', line);
          return Promise.resolve({ code: null, signal: null, stdout: '', stderr: '', error: `not gathered from ${snap.label}` });
        }
        const text = r.output.toString(opts.encoding ?? 'utf8');
        return Promise.resolve({ code: r.code, signal: null, stdout: text, stderr: '', ...(r.code === null ? { error: 'output over the limit or killed' } : {}) });
      },
    };
  }

  /** Marks requests as asked (their answers, or absence, are final). */
  markAsked(requests: readonly GatherRequest[]): void {
    for (const r of requests) this.asked.add(`${r.op}\0${r.arg}`);
  }
}
