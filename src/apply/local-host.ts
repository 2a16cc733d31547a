// The live machine as an ApplyHost: node:fs writes with fsync, atomicReplace (atomic-write.ts)
// for replacing files, execFile without a shell, signals by pid, a detached `sshield` process
// for the confirm watcher, and the daemon probe: a new SSH connection (ssh2) whose 'none'
// authentication is refused with the list of methods the daemon offers (RFC 4252 §5.2).
import { spawn } from 'node:child_process';
import { constants as C } from 'node:fs';
import { link, mkdir, mkdtemp, open, rename, rm, rmdir, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type ssh2 from 'ssh2';
import { loadSsh2 } from '../lib/lazy-ssh2.js';
import type { ReadOnlyFs } from '../host/fs.js';
import { localExecutor } from '../host/executor.js';
import { mkdirSafely, rootOf, setOwnershipSafely, untrustedDirReason, withParent, type SafeParent } from '../host/safe-path.js';
import { confinedFs } from '../host/confined-fs.js';
import { applyOwnership, atomicReplace, writeAllVerified, type WriteSeam } from './atomic-write.js';
import { isSea } from 'node:sea';
import type { ApplyHost, FileOwnership, ProbeResult, RunResult } from './host.js';

export interface LocalHostOptions {
  /** How to start this sshield for the watcher: [node, script] by default. */
  readonly self?: readonly string[];
  /** Whether programs may run (false: an offline root is planned and written, never executed). */
  readonly live?: boolean;
  /** Offline roots whose paths are confined to them (see within()). */
  readonly roots?: readonly string[];
  /** write(2)/fsync(2) of every file written (tests inject short counts and errors here). */
  readonly writeSeam?: WriteSeam;
}

export function localApplyHost(fs: ReadOnlyFs, opts: LocalHostOptions = {}): ApplyHost {
  const exec = localExecutor(fs);
  // Offline roots (--root DIR) whose files this host writes: a path under one is resolved inside
  // it, every other path inside "/"; either way through safe-path.ts, never followed by the kernel.
  const roots = opts.roots ?? [];
  const inParent = <T>(hostPath: string, fn: (p: SafeParent) => Promise<T>): Promise<T> => {
    const { root, path } = rootOf(roots, hostPath);
    return withParent(root, path, {}, fn);
  };
  // execArgv too: run from source (`node --import tsx src/cli/main.ts`) the watcher needs the same loader.
  const self = opts.self ?? selfCommand();
  return {
    kind: 'local',
    label: fs.label,
    fs,
    live: opts.live ?? true,
    pid: process.pid,
    ...(process.geteuid && process.geteuid() !== 0 ? { self: { uid: process.geteuid(), gid: process.getegid?.() ?? process.geteuid() } } : {}),
    async createExclusive(path, bytes, mode) {
      // The name appears only with its whole content: written under a private temporary name,
      // then hard-linked to the name (link(2) fails with EEXIST when it exists). With open(O_EXCL)
      // on the name itself, another run could read it empty between the create and the write and
      // take it for a crashed run's lock (lock.ts), so two runs would both hold it.
      return inParent(path, async (p) => {
        const tmp = p.dir.at(`.${p.name}.${randomBytes(6).toString('hex')}.new`);
        const fh = await open(tmp, C.O_RDWR | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, mode);
        try {
          try {
            await writeAllVerified(fh, bytes, path, opts.writeSeam);
          } finally {
            await fh.close().catch(() => undefined);
          }
          try {
            await link(tmp, p.dir.at(p.name));
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code === 'EEXIST') return 'exists';
            throw e;
          }
        } finally {
          await unlink(tmp).catch(() => undefined);
        }
        await p.dir.fh.sync().catch(() => undefined);
        return 'ok';
      });
    },
    async writeFile(path, bytes, own: Partial<FileOwnership> = {}) {
      await inParent(path, async (p) => {
        const fh = await open(p.dir.at(p.name), C.O_RDWR | C.O_CREAT | C.O_TRUNC | C.O_NOFOLLOW, own.mode ?? 0o600);
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
          await unlink(p.dir.at(p.name)).catch(() => undefined);
          throw e;
        }
        await fh.close();
      });
    },
    async replaceFile(path, bytes, own) {
      await inParent(path, async (p) => {
        const r = await atomicReplace(p.dir.at(p.name), bytes, { newFile: own, label: path, ...(opts.writeSeam ? { seam: opts.writeSeam } : {}) });
        if (!r.ok) throw new Error(r.message);
        if (r.mode !== own.mode || r.uid !== own.uid || r.gid !== own.gid) {
          const fh = await open(p.dir.at(p.name), C.O_RDONLY | C.O_NOFOLLOW | C.O_NONBLOCK);
          try {
            await applyOwnership(fh, own.uid, own.gid, own.mode);
          } finally {
            await fh.close();
          }
        }
      });
    },
    async rename(from, to) {
      await inParent(from, (a) =>
        inParent(to, async (b) => {
          await rename(a.dir.at(a.name), b.dir.at(b.name));
          await b.dir.fh.sync().catch(() => undefined);
        }),
      );
    },
    async remove(path) {
      await inParent(path, async (p) => {
        await unlink(p.dir.at(p.name)).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'ENOENT') throw e;
        });
        await p.dir.fh.sync().catch(() => undefined);
      }).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e; // a missing parent: nothing to remove
      });
    },
    async removeTree(path) {
      await inParent(path, async (p) => {
        // rm never follows links inside the tree; the tree's own path was resolved above.
        await rm(p.dir.at(p.name), { recursive: true, force: true });
      }).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      });
    },
    async mkdirp(path, mode = 0o755) {
      const { root, path: inner } = rootOf(roots, path);
      if (inner === '/') return;
      await mkdirSafely(root, inner, { mode, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 });
    },
    untrustedDir: untrustedDirReason,
    within(root) {
      return localApplyHost(confinedFs(fs, root), { ...opts, roots: [...roots, root] });
    },
    async canonical(path) {
      const { root, path: inner } = rootOf(roots, path);
      try {
        return await withParent(root, inner, { followLast: true }, async (p) => p.path);
      } catch (e) {
        // Not there yet (a new drop-in in a directory to be made): the writes resolve it safely later.
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return path;
        throw e;
      }
    },
    async makeDir(path, own) {
      await inParent(path, async (p) => {
        await mkdir(p.dir.at(p.name), { mode: 0o700 });
        const fh = await open(p.dir.at(p.name), C.O_RDONLY | C.O_DIRECTORY | C.O_NOFOLLOW);
        try {
          await fh.chown(own.uid, own.gid);
          await fh.chmod(own.mode); // after chown, which clears set-id bits
          await fh.sync().catch(() => undefined);
        } finally {
          await fh.close();
        }
        await p.dir.fh.sync().catch(() => undefined);
      });
    },
    async removeDir(path) {
      return inParent(path, async (p): Promise<'ok' | 'missing' | 'not-empty'> => {
        try {
          await rmdir(p.dir.at(p.name));
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') return 'missing';
          if (code === 'ENOTEMPTY' || code === 'EEXIST') return 'not-empty';
          throw e;
        }
        await p.dir.fh.sync().catch(() => undefined);
        return 'ok';
      }).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return 'missing' as const;
        throw e;
      });
    },
    async setOwnership(path, own) {
      const { root, path: inner } = rootOf(roots, path);
      await setOwnershipSafely(root, inner, own);
    },
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
