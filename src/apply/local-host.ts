// The live machine as an ApplyHost: node:fs writes with fsync, atomicReplace (atomic-write.ts)
// for replacing files, execFile without a shell, signals by pid, a detached `sshield` process
// for the confirm watcher, and the daemon probe: a new SSH connection (ssh2) whose 'none'
// authentication is refused with the list of methods the daemon offers (RFC 4252 §5.2).
import { spawn } from 'node:child_process';
import { constants as C } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, open, rename, rm, rmdir, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type ssh2 from 'ssh2';
import { loadSsh2 } from '../lib/lazy-ssh2.js';
import type { ReadOnlyFs } from '../host/fs.js';
import { localExecutor } from '../host/executor.js';
import { applyOwnership, atomicReplace, writeAllVerified, type WriteSeam } from './atomic-write.js';
import { isSea } from 'node:sea';
import type { ApplyHost, FileOwnership, ProbeResult, RunResult } from './host.js';

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, C.O_RDONLY).catch(() => undefined);
  if (!fh) return;
  await fh.sync().catch(() => undefined);
  await fh.close();
}

/** chown/chmod through a descriptor: O_NOFOLLOW refuses a symlink planted at the path. */
async function setOwnershipAt(path: string, own: Partial<FileOwnership>): Promise<void> {
  const fh = await open(path, C.O_RDONLY | C.O_NOFOLLOW | C.O_NONBLOCK);
  try {
    if (own.uid !== undefined && own.gid !== undefined) await fh.chown(own.uid, own.gid);
    // After chown: chown clears set-id bits, the mode is set last.
    if (own.mode !== undefined) await fh.chmod(own.mode);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export interface LocalHostOptions {
  /** How to start this sshield for the watcher: [node, script] by default. */
  readonly self?: readonly string[];
  /** Whether programs may run (false: an offline root is planned and written, never executed). */
  readonly live?: boolean;
  /** write(2)/fsync(2) of every file written (tests inject short counts and errors here). */
  readonly writeSeam?: WriteSeam;
}

export function localApplyHost(fs: ReadOnlyFs, opts: LocalHostOptions = {}): ApplyHost {
  const exec = localExecutor(fs);
  // execArgv too: run from source (`node --import tsx src/cli/main.ts`) the watcher needs the same loader.
  const self = opts.self ?? selfCommand();
  return {
    kind: 'local',
    label: fs.label,
    fs,
    live: opts.live ?? true,
    pid: process.pid,
    async createExclusive(path, bytes, mode) {
      let fh;
      try {
        fh = await open(path, C.O_RDWR | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, mode);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') return 'exists';
        throw e;
      }
      try {
        await writeAllVerified(fh, bytes, path, opts.writeSeam);
      } catch (e) {
        await fh.close().catch(() => undefined);
        await unlink(path).catch(() => undefined);
        throw e;
      }
      await fh.close();
      await fsyncDir(dirname(path));
      return 'ok';
    },
    async writeFile(path, bytes, own: Partial<FileOwnership> = {}) {
      const fh = await open(path, C.O_RDWR | C.O_CREAT | C.O_TRUNC | C.O_NOFOLLOW, own.mode ?? 0o600);
      try {
        await writeAllVerified(fh, bytes, path, opts.writeSeam);
        if (own.uid !== undefined && own.gid !== undefined && own.mode !== undefined) await applyOwnership(fh, own.uid, own.gid, own.mode);
        else {
          if (own.uid !== undefined && own.gid !== undefined) await fh.chown(own.uid, own.gid);
          if (own.mode !== undefined) await fh.chmod(own.mode);
        }
        await fh.sync();
      } catch (e) {
        // Never leave a partial file behind for someone to mistake for the real one.
        await fh.close().catch(() => undefined);
        await unlink(path).catch(() => undefined);
        throw e;
      }
      await fh.close();
    },
    async replaceFile(path, bytes, own) {
      const r = await atomicReplace(path, bytes, { newFile: own, ...(opts.writeSeam ? { seam: opts.writeSeam } : {}) });
      if (!r.ok) throw new Error(r.message);
      if (r.mode !== own.mode || r.uid !== own.uid || r.gid !== own.gid) {
        await chown(path, own.uid, own.gid);
        await chmod(path, own.mode);
      }
    },
    async rename(from, to) {
      await rename(from, to);
      await fsyncDir(dirname(to));
    },
    async remove(path) {
      await unlink(path).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      });
      await fsyncDir(dirname(path));
    },
    async removeTree(path) {
      await rm(path, { recursive: true, force: true });
    },
    async mkdirp(path, mode = 0o755) {
      await mkdir(path, { recursive: true, mode });
    },
    async makeDir(path, own) {
      await mkdir(path, { mode: 0o700 });
      await setOwnershipAt(path, own);
      await fsyncDir(dirname(path));
    },
    async removeDir(path) {
      try {
        await rmdir(path);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return 'missing';
        if (code === 'ENOTEMPTY' || code === 'EEXIST') return 'not-empty';
        throw e;
      }
      await fsyncDir(dirname(path));
      return 'ok';
    },
    setOwnership: setOwnershipAt,
    async run(cmd, args, o = {}): Promise<RunResult> {
      return (await exec.run(cmd, args, { ...o, timeoutMs: o.timeoutMs ?? 30_000 })) ?? { code: null, signal: null, stdout: '', stderr: '', error: 'cannot run programs here' };
    },
    async signal(pid, sig) {
      try {
        process.kill(pid, sig);
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EPERM') return true;
        return false;
      }
    },
    probe: probeDaemon,
    async spawnDetached(args) {
      const [cmd, ...pre] = self;
      const child = spawn(cmd!, [...pre, ...args], { detached: true, stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
      child.unref();
      if (child.pid === undefined) throw new Error('could not start the confirm watcher');
      return child.pid;
    },
    async tempDir(prefix) {
      return mkdtemp(join(tmpdir(), prefix));
    },
    now: () => Date.now(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
}

/** A new connection: reads the server's identification line and the methods it offers to `user`. */
export async function probeDaemon(address: string, port: number, user: string, timeoutMs: number): Promise<ProbeResult> {
  const { Client } = await loadSsh2();
  return new Promise((resolve) => {
    const client = new Client();
    let ident = '';
    let methods: string[] | undefined;
    let settled = false;
    const finish = (r: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.end();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, error: `no answer within ${timeoutMs} ms` }), timeoutMs);
    client.on('error', (e: Error) => {
      if (methods) finish({ ok: true, ident, methods });
      else finish({ ok: false, error: e.message });
    });
    client.on('ready', () => finish({ ok: true, ident, methods: methods ?? [] }));
    client.on('close', () => finish(methods ? { ok: true, ident, methods } : { ok: false, error: 'connection closed before authentication' }));
    client.connect({
      host: address,
      port,
      username: user,
      readyTimeout: timeoutMs,
      debug: (msg: string) => {
        const m = /Remote ident: '([^']*)'/.exec(msg);
        if (m) ident = m[1]!;
      },
      authHandler: (methodsLeft: string[] | null, _partial: boolean | null, next: (m: unknown) => void) => {
        if (methodsLeft === null) return next({ type: 'none', username: user });
        methods = [...methodsLeft];
        finish({ ok: true, ident, methods });
        return next(false);
      },
    } as unknown as ssh2.ConnectConfig);
  });
}

/**
 * How to start this very program again (the confirm watcher). A single executable (Node SEA,
 * how sshield ships to Proxmox hosts) is its own script: its argv[1] is only the name it was
 * called by, and passing it on would make it the command. From node, keep the loader flags too.
 */
export function selfCommand(sea: boolean = isSea()): string[] {
  return sea ? [process.execPath] : [process.execPath, ...process.execArgv, process.argv[1] ?? 'sshield'];
}
