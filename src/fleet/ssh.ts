// The fleet's transport: the system OpenSSH client, so the admin's ~/.ssh/config, agent,
// certificates, FIDO keys, ProxyJump and known_hosts work exactly as with `ssh` itself. One
// connection per host is shared by every command of the run (ControlMaster=auto, its socket in a
// private 0700 directory with a short path: sun_path holds 108 bytes), BatchMode (never a prompt),
// ConnectTimeout, forwardings cleared, a short ControlPersist as the backstop, and every master
// told to exit when the run ends (`close`, or `closeSync` from an exit/signal handler). Each call
// has a deadline and an output cap; past either the client is killed. The remote command is one
// string for the remote login shell: build it with shellQuote/commandLine, never by concatenation.
// A call may send bytes on stdin (`input`: the copied executable), and may be `fresh`: its own
// new connection, never a shared master (ControlMaster=no, ControlPath=none), the way the remote
// change proves that a new login still works after a change.
import { spawn, spawnSync } from 'node:child_process';
import type { Readable } from 'node:stream';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FleetTarget } from './target.js';

export interface SshOptions {
  /** The ssh binary (default "ssh" on PATH). */
  readonly ssh?: string;
  /** `-F FILE`: an ssh_config instead of ~/.ssh/config. */
  readonly configFile?: string;
  /** Extra `-o KEY=VALUE` options, after sshield's own (ssh takes the first value: the user's cannot weaken BatchMode). */
  readonly options?: readonly string[];
  /** ConnectTimeout in seconds (default 10). */
  readonly connectTimeoutSec?: number;
  /** ControlPersist in seconds (default 15): how long a master outlives a run that could not close it. */
  readonly controlPersistSec?: number;
}

export interface SshResult {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: Buffer;
  readonly stderr: string;
  /** Why the call did not complete: timeout, output over the cap, or ssh could not start. */
  readonly error?: string;
}

export interface SshCallOptions {
  /** Kill the client after this many ms. */
  readonly timeoutMs: number;
  /** Kill the client when stdout exceeds this many bytes. */
  readonly maxStdout: number;
  readonly signal?: AbortSignal;
  /** Bytes (or a stream) sent on the remote command's stdin, then EOF; default: none. */
  readonly input?: Buffer | Readable;
  /** A new connection of its own: no shared master, none made. */
  readonly fresh?: boolean;
  /** Extra `-o KEY=VALUE` for this call only, after the pool's (ssh takes the first value). */
  readonly options?: readonly string[];
}

/** How a call connects (see SshCallOptions). */
export interface ConnectOptions {
  readonly fresh?: boolean;
  readonly options?: readonly string[];
}

/** One POSIX-shell word: single quotes, a quote inside as '\''. NUL cannot be passed at all. */
export function shellQuote(s: string): string {
  if (s.includes('\0')) throw new TypeError('a NUL byte cannot be passed to a remote command');
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A program and its arguments as one remote command line, in the C locale. */
export function commandLine(cmd: string, args: readonly string[]): string {
  return `LC_ALL=C LANG=C exec ${[cmd, ...args].map(shellQuote).join(' ')}`;
}

const MAX_STDERR = 64 * 1024;

/** The last non-blank line of a program's output, trimmed and cut to `max` (ssh's own errors end with the reason); undefined when there is none. */
export function lastLine(s: string, max = 300): string | undefined {
  return s.split('\n').map((l) => l.trim()).filter(Boolean).pop()?.slice(0, max);
}

export class SshPool {
  private dir: string | undefined;
  private closed = false;

  constructor(private readonly opts: SshOptions = {}) {}

  /** The private directory for the control sockets, made on first use (mkdtemp: 0700). */
  private controlDir(): string {
    if (!this.dir) {
      // sun_path holds 107 bytes: BASE/sshield-XXXXXX/ + ssh's 40-hex %C + the 17-byte suffix of
      // the socket ssh creates and renames must fit.
      const base = tmpdir().length <= 34 ? tmpdir() : '/tmp';
      this.dir = mkdtempSync(join(base, 'sshield-'));
    }
    return this.dir;
  }

  /** The ssh program this pool runs. */
  get program(): string {
    return this.opts.ssh ?? 'ssh';
  }

  /** ssh's arguments up to and including the destination. */
  argsFor(t: FleetTarget, c: ConnectOptions = {}): string[] {
    const o = this.opts;
    const sharing = c.fresh ? ['-o', 'ControlMaster=no', '-o', 'ControlPath=none'] : ['-o', 'ControlMaster=auto', '-o', `ControlPath=${join(this.controlDir(), '%C')}`, '-o', `ControlPersist=${o.controlPersistSec ?? 15}`];
    return [
      ...(o.configFile ? ['-F', o.configFile] : []),
      '-o', 'BatchMode=yes',
      '-o', `ConnectTimeout=${o.connectTimeoutSec ?? 10}`,
      ...sharing,
      '-o', 'ClearAllForwardings=yes',
      '-o', 'LogLevel=ERROR',
      ...(o.options ?? []).flatMap((x) => ['-o', x]),
      ...(c.options ?? []).flatMap((x) => ['-o', x]),
      '-a', '-x', '-T',
      ...(t.user ? ['-l', t.user] : []),
      ...(t.port !== undefined ? ['-p', String(t.port)] : []),
      '--', t.address,
    ];
  }

  /** Runs one remote command line on the host through its shared connection. */
  exec(t: FleetTarget, remote: string, call: SshCallOptions): Promise<SshResult> {
    if (this.closed) return Promise.resolve({ code: null, signal: null, stdout: Buffer.alloc(0), stderr: '', error: 'the SSH pool is closed' });
    const args = [...this.argsFor(t, { ...(call.fresh ? { fresh: true } : {}), ...(call.options ? { options: call.options } : {}) }), remote];
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let stderr = '';
      let error: string | undefined;
      let settled = false;
      const child = spawn(this.program, args, { stdio: [(call.input ? 'pipe' : 'ignore') as 'pipe', 'pipe', 'pipe'] });
      const kill = (why: string) => {
        error ??= why;
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      };
      if (call.input) {
        // A client that exits early (the remote side refused) closes the pipe: EPIPE is its exit's to report.
        child.stdin.on('error', () => undefined);
        if (Buffer.isBuffer(call.input)) child.stdin.end(call.input);
        else {
          call.input.on('error', (e) => kill(`cannot read the input: ${e.message}`));
          call.input.pipe(child.stdin);
        }
      }
      const timer = setTimeout(() => kill(`no answer within ${Math.round(call.timeoutMs / 1000)} s`), call.timeoutMs);
      const onAbort = () => kill(String(call.signal?.reason ?? 'aborted'));
      call.signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (d: Buffer) => {
        size += d.length;
        if (size > call.maxStdout) return kill(`sent more than ${call.maxStdout} bytes`);
        chunks.push(d);
      });
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (d: string) => {
        if (stderr.length < MAX_STDERR) stderr += d.slice(0, MAX_STDERR - stderr.length);
      });
      const finish = (code: number | null, signal: string | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        call.signal?.removeEventListener('abort', onAbort);
        resolve({ code, signal, stdout: Buffer.concat(chunks), stderr, ...(error ? { error } : {}) });
      };
      child.on('error', (e) => {
        error ??= `cannot run ssh: ${e.message}`;
        finish(null, null);
      });
      child.on('close', (code, signal) => finish(code, signal));
      // A killed client's master may still hold our pipes (the client passed them to it), so
      // after a kill the exit is the end: the pipes are dropped, and the master is told to exit
      // when the run closes.
      child.on('exit', (code, signal) => {
        if (error === undefined) return;
        child.stdout.destroy();
        child.stderr.destroy();
        finish(code, signal);
      });
    });
  }

  /**
   * The command that tells every master of this run to exit: one `sh` running `ssh -O exit` on each
   * control socket at once (one process spawned from here, not one per host: Node's spawn is the
   * costly part of a big fleet run). `-F none`: only the socket matters, no config is read.
   */
  private exitCommand(): { cmd: string; args: string[] } | undefined {
    if (!this.dir) return undefined;
    let sockets: string[];
    try {
      sockets = readdirSync(this.dir).map((n) => join(this.dir!, n));
    } catch {
      return undefined;
    }
    if (sockets.length === 0) return undefined;
    const ssh = this.opts.ssh ?? 'ssh';
    return { cmd: 'sh', args: ['-c', 'ssh=$1; shift; for s in "$@"; do "$ssh" -F none -o ControlPath="$s" -O exit sshield-close 2>/dev/null & done; wait', 'sh', ssh, ...sockets] };
  }

  /** Tells every master of this run to exit and removes the socket directory. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const x = this.exitCommand();
    if (x) {
      await new Promise<void>((r) => {
        const c = spawn(x.cmd, x.args, { stdio: 'ignore' });
        const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
        c.on('error', () => (clearTimeout(timer), r()));
        c.on('close', () => (clearTimeout(timer), r()));
      });
    }
    this.removeDir();
  }

  /** The same from an exit or signal handler, where nothing asynchronous runs any more. */
  closeSync(): void {
    if (this.closed) return;
    this.closed = true;
    const x = this.exitCommand();
    if (x) spawnSync(x.cmd, x.args, { stdio: 'ignore', timeout: 5000 });
    this.removeDir();
  }

  private removeDir(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
