// An in-memory ApplyHost for tests: files with owner and mode, a scriptable sshd (`-t`, `-T`),
// a scriptable daemon probe, and scripted faults at any operation: 'fail' throws like an I/O
// error, 'crash' simulates SIGKILL: a write in progress leaves a truncated file, and every later
// operation of this host throws until revive(), exactly as if the process had died there. Used
// by the exhaustive fault tests; it never touches the real machine.
import type { FileStat, ReadOnlyFs, ReadResult } from '../host/fs.js';
import type { ApplyHost, FileOwnership, ProbeResult, RunResult } from './host.js';

export type FakeOp = 'createExclusive' | 'writeFile' | 'replaceFile' | 'rename' | 'remove' | 'removeTree' | 'mkdirp' | 'makeDir' | 'removeDir' | 'setOwnership' | 'run' | 'signal' | 'probe' | 'spawnDetached';

export interface Fault {
  readonly op: FakeOp;
  /** Matches the path (or for run, "cmd args..."); substring or RegExp; any when absent. */
  readonly match?: string | RegExp;
  /** Fire on the n-th matching call (1-based, default 1). */
  readonly nth?: number;
  readonly action: 'fail' | 'crash';
}

interface FakeFile {
  bytes: Uint8Array;
  mode: number;
  uid: number;
  gid: number;
}

/** One logged operation, numbered among identical log lines: exactly what a Fault can hit. */
export interface LoggedOp {
  readonly op: FakeOp;
  /** The path, or for run "cmd args...". */
  readonly subject: string;
  /** 1-based occurrence of this very line in the log slice. */
  readonly nth: number;
}

/** A fault that hits exactly this operation (the whole subject, its occurrence). */
export function faultAt(o: LoggedOp, action: Fault['action']): Fault {
  return { op: o.op, match: new RegExp(`^${o.subject.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`), nth: o.nth, action };
}

export class SimulatedCrash extends Error {
  constructor(where: string) {
    super(`simulated SIGKILL at ${where}`);
  }
}

/** What a scripted command returns; `signal` defaults to null (exited normally). */
export type FakeRunResult = Omit<RunResult, 'signal'> & { readonly signal?: string | null };

export class FakeHost implements ApplyHost {
  readonly kind = 'memory' as const;
  readonly label = 'fake';
  readonly files = new Map<string, FakeFile>();
  readonly dirs = new Set<string>(['/']);
  /** Symbolic links (path -> target), e.g. /proc/PID/exe of a scripted daemon. */
  readonly links = new Map<string, string>();
  /** Owner and mode of directories that are not root:root 0755. */
  readonly dirMeta = new Map<string, FileOwnership>();
  readonly log: string[] = [];
  faults: Fault[] = [];
  private counts = new Map<Fault, number>();
  dead = false;
  live = true;
  pid = 4242;
  clock = Date.UTC(2026, 10, 24, 10, 0, 0);
  private tmpCounter = 0;
  /** Scripted commands: return undefined to use the default (exit 0, no output). */
  onRun: (cmd: string, args: readonly string[], host: FakeHost) => FakeRunResult | undefined = () => undefined;
  onProbe: (address: string, port: number, user: string, host: FakeHost) => ProbeResult = () => ({ ok: true, ident: 'SSH-2.0-OpenSSH_9.2p1', methods: ['publickey'] });
  onSignal: (pid: number, signal: string, host: FakeHost) => boolean = () => true;
  readonly alive = new Set<number>([4242]);
  readonly spawned: string[][] = [];

  /** The operations logged since log index `start` (crash-at-every-operation tests replay each). */
  operationsSince(start: number): LoggedOp[] {
    const seen = new Map<string, number>();
    return this.log.slice(start).map((l) => {
      const i = l.indexOf(' ');
      const nth = (seen.get(l) ?? 0) + 1;
      seen.set(l, nth);
      return { op: l.slice(0, i) as FakeOp, subject: l.slice(i + 1), nth };
    });
  }

  revive(): void {
    this.dead = false;
    this.faults = [];
  }

  put(path: string, text: string | Uint8Array, own: Partial<FileOwnership> = {}): void {
    this.mkdirSync(dirname(path));
    const bytes = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
    this.files.set(path, { bytes, mode: own.mode ?? 0o644, uid: own.uid ?? 0, gid: own.gid ?? 0 });
  }

  /** Test setup: a process as /proc shows it (its executable and command line), alive for signal 0. */
  process(pid: number, argv: readonly string[], exe: string = argv[0]!): void {
    this.links.set(`/proc/${pid}/exe`, exe);
    this.put(`/proc/${pid}/cmdline`, `${argv.join('\0')}\0`);
    this.alive.add(pid);
  }

  text(path: string): string | undefined {
    const f = this.files.get(path);
    return f ? Buffer.from(f.bytes).toString('latin1') : undefined;
  }

  /** Test setup: creates a directory (and its parents) without going through the fault gate. */
  mkdirpSync(path: string): void {
    this.mkdirSync(path);
  }

  private mkdirSync(path: string): void {
    let p = path;
    while (p !== '/' && p !== '.' && p !== '') {
      this.dirs.add(p);
      p = dirname(p);
    }
  }

  /** Checks the scripted faults; 'crash' kills this host. */
  private gate(op: FakeOp, subject: string, partialWrite?: () => void): void {
    if (this.dead) throw new SimulatedCrash(`${op} ${subject} (process already dead)`);
    this.log.push(`${op} ${subject}`);
    for (const f of this.faults) {
      if (f.op !== op) continue;
      if (f.match !== undefined && !(typeof f.match === 'string' ? subject.includes(f.match) : f.match.test(subject))) continue;
      const n = (this.counts.get(f) ?? 0) + 1;
      this.counts.set(f, n);
      if (n !== (f.nth ?? 1)) continue;
      if (f.action === 'crash') {
        partialWrite?.();
        this.dead = true;
        throw new SimulatedCrash(`${op} ${subject}`);
      }
      throw Object.assign(new Error(`injected failure: ${op} ${subject}`), { code: 'EIO' });
    }
  }

  async createExclusive(path: string, bytes: Uint8Array, mode: number): Promise<'ok' | 'exists'> {
    this.gate('createExclusive', path);
    if (this.files.has(path)) return 'exists';
    this.put(path, bytes, { mode });
    return 'ok';
  }

  async writeFile(path: string, bytes: Uint8Array, own: Partial<FileOwnership> = {}): Promise<void> {
    // A crash mid-write leaves a truncated file: the pipeline must never rely on such a file.
    this.gate('writeFile', path, () => this.put(path, bytes.slice(0, Math.floor(bytes.length / 2)), own));
    if (!this.dirs.has(dirname(path))) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    this.put(path, bytes, own);
  }

  async replaceFile(path: string, bytes: Uint8Array, own: FileOwnership): Promise<void> {
    // Atomic: a crash leaves at most a stray temp file beside the target, never a partial target.
    const tmp = `${path}.sshield-tmp`;
    this.gate('replaceFile', path, () => this.put(tmp, bytes.slice(0, Math.floor(bytes.length / 2)), own));
    if (!this.dirs.has(dirname(path))) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    this.put(path, bytes, own);
  }

  async rename(from: string, to: string): Promise<void> {
    this.gate('rename', `${from} -> ${to}`);
    const f = this.files.get(from);
    if (!f) throw Object.assign(new Error(`ENOENT: ${from}`), { code: 'ENOENT' });
    this.files.delete(from);
    this.files.set(to, f);
  }

  async remove(path: string): Promise<void> {
    this.gate('remove', path);
    this.files.delete(path);
  }

  async removeTree(path: string): Promise<void> {
    this.gate('removeTree', path);
    for (const p of [...this.files.keys()]) if (p === path || p.startsWith(`${path}/`)) this.files.delete(p);
    for (const d of [...this.dirs]) if (d === path || d.startsWith(`${path}/`)) (this.dirs.delete(d), this.dirMeta.delete(d));
  }

  async mkdirp(path: string): Promise<void> {
    this.gate('mkdirp', path);
    this.mkdirSync(path);
  }

  async makeDir(path: string, own: FileOwnership): Promise<void> {
    this.gate('makeDir', path);
    if (this.dirs.has(path) || this.files.has(path)) throw Object.assign(new Error(`EEXIST: ${path}`), { code: 'EEXIST' });
    if (!this.dirs.has(dirname(path))) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    this.dirs.add(path);
    this.dirMeta.set(path, { ...own });
  }

  async removeDir(path: string): Promise<'ok' | 'missing' | 'not-empty'> {
    this.gate('removeDir', path);
    if (!this.dirs.has(path)) return 'missing';
    if ([...this.files.keys(), ...this.dirs].some((p) => p !== path && p.startsWith(`${path}/`))) return 'not-empty';
    this.dirs.delete(path);
    this.dirMeta.delete(path);
    return 'ok';
  }

  async setOwnership(path: string, own: Partial<FileOwnership>): Promise<void> {
    this.gate('setOwnership', path);
    const f = this.files.get(path);
    if (f) {
      Object.assign(f, own);
      return;
    }
    if (!this.dirs.has(path)) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    this.dirMeta.set(path, { ...(this.dirMeta.get(path) ?? { mode: 0o755, uid: 0, gid: 0 }), ...own });
  }

  async run(cmd: string, args: readonly string[]): Promise<RunResult> {
    this.gate('run', [cmd, ...args].join(' '));
    const r = this.onRun(cmd, args, this) ?? { code: 0, stdout: '', stderr: '' };
    return { ...r, signal: r.signal ?? null };
  }

  async signal(pid: number, signal: 'SIGHUP' | 'SIGTERM' | 0): Promise<boolean> {
    this.gate('signal', `${signal} ${pid}`);
    if (signal === 0) return this.alive.has(pid);
    return this.onSignal(pid, signal, this);
  }

  async probe(address: string, port: number, user: string): Promise<ProbeResult> {
    this.gate('probe', `${address}:${port} ${user}`);
    return this.onProbe(address, port, user, this);
  }

  async spawnDetached(args: readonly string[]): Promise<number> {
    this.gate('spawnDetached', args.join(' '));
    this.spawned.push([...args]);
    const pid = 5000 + this.spawned.length;
    this.alive.add(pid);
    return pid;
  }

  async tempDir(prefix: string): Promise<string> {
    const d = `/tmp/${prefix}${++this.tmpCounter}`;
    this.mkdirSync(d);
    return d;
  }

  now(): number {
    return this.clock;
  }

  async sleep(ms: number): Promise<void> {
    this.clock += ms;
  }

  readonly fs: ReadOnlyFs = {
    label: 'fake',
    readFile: async (path: string): Promise<ReadResult> => {
      if (this.dead) throw new SimulatedCrash(`readFile ${path} (process already dead)`);
      const f = this.files.get(path);
      if (f) return { ok: true, bytes: f.bytes };
      if (this.dirs.has(path)) return { ok: false, reason: 'not-a-file', detail: `${path} is a directory` };
      return { ok: false, reason: 'missing', detail: `${path}: no such file` };
    },
    readDir: async (path: string) => {
      if (!this.dirs.has(path)) return undefined;
      const names = new Set<string>();
      for (const p of [...this.files.keys(), ...this.dirs]) if (p !== path && dirname(p) === path) names.add(p.slice(path === '/' ? 1 : path.length + 1));
      return [...names];
    },
    lstat: async (path: string) => this.statOf(path),
    stat: async (path: string) => this.statOf(path),
    readLink: async (path: string) => this.links.get(path),
    realPath: async (path: string) => (this.files.has(path) || this.dirs.has(path) ? path : undefined),
  };

  private statOf(path: string): FileStat | undefined {
    const f = this.files.get(path);
    if (f) return { kind: 'file', size: f.bytes.length, mode: f.mode, uid: f.uid, gid: f.gid, mtimeMs: 0 };
    if (this.dirs.has(path)) return { kind: 'directory', size: 0, mode: 0o755, uid: 0, gid: 0, ...this.dirMeta.get(path), mtimeMs: 0 };
    return undefined;
  }
}

function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}
