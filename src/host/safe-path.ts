// Safe paths for a writer that runs as root: every path sshield writes, renames, removes, creates,
// chowns or chmods is resolved here component by component inside its root ("/", or the --root
// DIR of an offline image), and nothing is ever followed by the kernel. Each directory is opened
// with O_DIRECTORY|O_NOFOLLOW relative to the descriptor of its parent (through the
// /proc/self/fd/N/<name> magic link, which Linux resolves to exactly the open directory: Node has
// no openat(2)), so a symlink planted or swapped in by another user is never crossed. A symlink
// is followed only when the link itself and what it leads to are owned by root, and its target is
// taken inside the root (an absolute target restarts at the root, ".." stops there): an image
// whose `etc` points at the host's /etc resolves to the image's own /etc, and a user's
// `~/upload -> /etc` is refused. Owner and mode changes go through a descriptor (fchown/fchmod),
// never a path. The result of a resolution is a directory descriptor plus a final name; callers
// act on `/proc/self/fd/N/<name>` with O_NOFOLLOW semantics (rename and unlink never follow the
// final component). Linux only, like the rest of the writer. No policy lives here.
import { constants as C, type Stats } from 'node:fs';
import { lstat, mkdir, open, readlink, type FileHandle } from 'node:fs/promises';
import { resolve as resolveHostPath } from 'node:path';
import { MAX_SYMLINKS, splitPath } from './fs-paths.js';

export class UnsafePathError extends Error {
  readonly code = 'UNSAFE_PATH';
}

/** An open directory inside a root. `at(name)` names an entry of it for path-taking calls. */
export interface SafeDir {
  readonly fh: FileHandle;
  /** The directory's path as resolved (host path, for messages). */
  readonly path: string;
  at(name: string): string;
}

export interface SafeParent {
  readonly dir: SafeDir;
  readonly name: string;
  /** The resolved host path of the final component (links in the middle taken). */
  readonly path: string;
  /** lstat of the final component; undefined when it does not exist. */
  readonly stat: Stats | undefined;
  /** Closes every descriptor the resolution holds. */
  close(): Promise<void>;
}

export interface ResolveOptions {
  /** Follow a root-owned final symlink whose target is root-owned (default false: act on the link's own name). */
  readonly followLast?: boolean;
  /** Create missing directories on the way, with this mode and owner (set through the new directory's descriptor). */
  readonly createDirs?: { readonly mode: number; readonly uid: number; readonly gid: number };
}

type Frame = { readonly name: string; readonly fh: FileHandle; readonly path: string };
type Token = { readonly kind: 'name'; readonly name: string } | { readonly kind: 'check'; readonly link: string };

const at = (fh: FileHandle, name: string): string => `/proc/self/fd/${fh.fd}/${name}`;
const join = (dir: string, name: string): string => (dir === '/' ? `/${name}` : `${dir}/${name}`);

async function lstatOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await lstat(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Opens a directory entry without following it, and checks it is the object lstat saw. */
async function openDirEntry(parent: FileHandle, name: string, seen: Stats, shown: string): Promise<FileHandle> {
  const fh = await open(at(parent, name), C.O_RDONLY | C.O_DIRECTORY | C.O_NOFOLLOW);
  const st = await fh.stat();
  if (st.ino !== seen.ino || st.dev !== seen.dev) {
    await fh.close();
    throw new UnsafePathError(`${shown} changed while it was being opened; nothing done`);
  }
  return fh;
}

/**
 * Resolves `path` (absolute, as seen inside `root`) to its parent directory's descriptor and
 * final name. Throws UnsafePathError for a link that may not be followed, ENOENT/ENOTDIR as the
 * system would.
 */
export async function resolveParent(root: string, path: string, opts: ResolveOptions = {}): Promise<SafeParent> {
  const rootPath = resolveHostPath(root);
  const rootFh = await open(rootPath, C.O_RDONLY | C.O_DIRECTORY);
  const stack: Frame[] = [{ name: '', fh: rootFh, path: rootPath }];
  const closeAll = async () => {
    for (const f of stack.splice(0)) await f.fh.close().catch(() => undefined);
  };
  const shownOf = (name: string) => join(stack[stack.length - 1]!.path, name);
  try {
    let pending: Token[] = splitPath(path).map((name) => ({ kind: 'name', name }));
    let links = 0;
    let lastViaLink = false;
    if (!pending.some((t) => t.kind === 'name' && t.name !== '..')) throw new UnsafePathError(`${path}: no file name inside ${rootPath}`);
    for (;;) {
      const tok = pending.shift();
      if (tok === undefined) throw new UnsafePathError(`${path}: resolves to a directory of the root itself`);
      const top = stack[stack.length - 1]!;
      if (tok.kind === 'check') {
        const st = await top.fh.stat();
        if (st.uid !== 0) throw new UnsafePathError(`${tok.link} leads to ${top.path}, owned by uid ${st.uid}, not root: not followed`);
        continue;
      }
      if (tok.name === '..') {
        if (stack.length > 1) await stack.pop()!.fh.close();
        continue;
      }
      const isLast = !pending.some((t) => t.kind === 'name');
      const shown = shownOf(tok.name);
      let st = await lstatOrUndefined(at(top.fh, tok.name));
      if (st?.isSymbolicLink() && (!isLast || opts.followLast)) {
        if (st.uid !== 0) throw new UnsafePathError(`${shown} is a symbolic link owned by uid ${st.uid}, not root: not followed`);
        if (++links > MAX_SYMLINKS) throw Object.assign(new Error(`${path}: too many levels of symbolic links`), { code: 'ELOOP' });
        const target = await readlink(at(top.fh, tok.name));
        if (target.startsWith('/')) while (stack.length > 1) await stack.pop()!.fh.close();
        const rest = pending;
        pending = [...splitPath(target).map((name): Token => ({ kind: 'name', name })), ...(isLast ? [] : [{ kind: 'check', link: shown } as Token]), ...rest];
        if (isLast) lastViaLink = true;
        continue;
      }
      if (isLast) {
        if (lastViaLink && st && st.uid !== 0) throw new UnsafePathError(`a root-owned link leads to ${shown}, owned by uid ${st.uid}, not root: not followed`);
        const frames = [...stack];
        return {
          dir: { fh: top.fh, path: top.path, at: (name) => at(top.fh, name) },
          name: tok.name,
          path: shown,
          stat: st,
          close: async () => {
            for (const f of frames) await f.fh.close().catch(() => undefined);
          },
        };
      }
      if (!st) {
        if (!opts.createDirs) throw Object.assign(new Error(`${shown}: no such directory`), { code: 'ENOENT' });
        await mkdir(at(top.fh, tok.name), { mode: 0o700 }).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'EEXIST') throw e;
        });
        st = await lstat(at(top.fh, tok.name));
        if (!st.isDirectory()) throw new UnsafePathError(`${shown} appeared as something other than a directory; nothing done`);
        const fh = await openDirEntry(top.fh, tok.name, st, shown);
        await fh.chown(opts.createDirs.uid, opts.createDirs.gid);
        await fh.chmod(opts.createDirs.mode);
        await fh.sync().catch(() => undefined);
        await top.fh.sync().catch(() => undefined);
        stack.push({ name: tok.name, fh, path: shown });
        continue;
      }
      if (!st.isDirectory()) throw Object.assign(new Error(`${shown}: not a directory`), { code: 'ENOTDIR' });
      stack.push({ name: tok.name, fh: await openDirEntry(top.fh, tok.name, st, shown), path: shown });
    }
  } catch (e) {
    await closeAll();
    throw e;
  }
}

/** Runs `fn` on the resolved parent and always closes its descriptors. */
export async function withParent<T>(root: string, path: string, opts: ResolveOptions, fn: (p: SafeParent) => Promise<T>): Promise<T> {
  const p = await resolveParent(root, path, opts);
  try {
    return await fn(p);
  } finally {
    await p.close();
  }
}

/** Opens the object at `path` itself (a file or a directory) without following a final link it may not follow. */
export async function openSafely(root: string, path: string, flags: number, opts: ResolveOptions & { readonly mode?: number } = {}): Promise<{ fh: FileHandle; path: string }> {
  return withParent(root, path, opts, async (p) => {
    const target = p.stat?.isSymbolicLink() ? undefined : p.name;
    if (target === undefined) throw new UnsafePathError(`${p.path} is a symbolic link: not followed`);
    const fh = await open(p.dir.at(target), flags | C.O_NOFOLLOW, opts.mode);
    if (p.stat) {
      const st = await fh.stat();
      if (st.ino !== p.stat.ino || st.dev !== p.stat.dev) {
        await fh.close();
        throw new UnsafePathError(`${p.path} changed while it was being opened; nothing done`);
      }
    }
    return { fh, path: p.path };
  });
}

/** chown and/or chmod of `path` through a descriptor: a link the rules refuse is never followed. */
export async function setOwnershipSafely(root: string, path: string, own: { readonly uid?: number; readonly gid?: number; readonly mode?: number }, opts: { readonly followLast?: boolean } = {}): Promise<void> {
  const { fh } = await openSafely(root, path, C.O_RDONLY | C.O_NONBLOCK, opts);
  try {
    if (own.uid !== undefined && own.gid !== undefined) await fh.chown(own.uid, own.gid);
    if (own.mode !== undefined) await fh.chmod(own.mode); // after chown, which clears set-id bits
    await fh.sync().catch(() => undefined);
  } finally {
    await fh.close();
  }
}

/** mkdir -p inside the root: missing components are created root-owned (or as given) through descriptors. */
export async function mkdirSafely(root: string, path: string, own: { readonly mode: number; readonly uid: number; readonly gid: number }): Promise<void> {
  // Every component of `path` is a directory on the way to a (never created) entry inside it.
  await withParent(root, `${path.replace(/\/+$/, '')}/.sshield-mkdir`, { createDirs: own }, async () => undefined);
}

/** Where a host path lies: inside the offline root when it is under it, else in "/". */
export function rootOf(roots: readonly string[], given: string): { root: string; path: string } {
  // A relative path means the caller's working directory, never the root's top.
  const hostPath = resolveHostPath(given);
  for (const r of roots) {
    const base = resolveHostPath(r);
    if (hostPath === base) return { root: base, path: '/' };
    if (hostPath.startsWith(`${base}/`)) return { root: base, path: hostPath.slice(base.length) };
  }
  return { root: '/', path: hostPath };
}

/**
 * Why a directory sshield keeps its backups, journals or lock in is not trusted, or undefined
 * when it is: the directory itself must be a real directory (not a link) owned by root with no
 * group/other access (0700), and every directory above it owned by root and not writable by group
 * or others, unless sticky (/tmp: others cannot replace root's entries there). Anyone who can
 * write into it could plant a journal that a later run "recovers" as root. The message names the
 * exact fix.
 */
export async function untrustedDirReason(dir: string): Promise<string | undefined> {
  const abs = resolveHostPath(dir);
  const parts = splitPath(abs);
  const fix = `or choose another --backup-dir`;
  // An ordinary user managing their own keys keeps these in their own state directory: trusted
  // when only they (and root) can write it, as root's is when only root can.
  const me = process.geteuid?.() ?? 0;
  const owner = me === 0 ? 'root' : `you (uid ${me})`;
  const chown = me === 0 ? 'chown root:root' : `chown ${me}`;
  for (let i = 0; i <= parts.length; i++) {
    const p = `/${parts.slice(0, i).join('/')}`;
    const last = i === parts.length;
    let st: Stats;
    try {
      st = await lstat(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // created 0700 by the caller, owned by whoever runs sshield
      if ((e as NodeJS.ErrnoException).code === 'EACCES') return `${p} cannot be read by ${owner}, ${fix}`;
      throw e;
    }
    if (st.isSymbolicLink()) {
      if (last) return `${p} is a symbolic link (owned by uid ${st.uid}); use the directory itself: --backup-dir ${resolveHostPath(p, '..', await readlink(p))}, ${fix}`;
      if (st.uid !== 0) return `${p} (above ${abs}) is a symbolic link owned by uid ${st.uid}, not root: replace it by a root-owned directory, ${fix}`;
      continue; // a root-owned link: its target's components are checked when the path is resolved
    }
    if (!st.isDirectory()) return `${p} is not a directory`;
    const mode = st.mode & 0o7777;
    const octal = mode.toString(8).padStart(4, '0');
    if (last) {
      if (st.uid !== me || (mode & 0o077) !== 0) return `${abs} is owned by uid ${st.uid} with mode ${octal}, so someone other than ${owner} could plant a journal there; fix: ${chown} ${abs} && chmod 0700 ${abs} (after checking what is inside), ${fix}`;
    } else if ((st.uid !== 0 && st.uid !== me) || ((mode & 0o022) !== 0 && (mode & 0o1000) === 0)) {
      return `${p} (above ${abs}) is owned by uid ${st.uid} with mode ${octal}, so someone other than ${owner} could replace ${abs}; fix: ${chown} ${p} && chmod go-w ${p}, ${fix}`;
    }
  }
  return undefined;
}
