// rootFs: an offline root directory (a mounted image, a debootstrap tree, a backup) seen as
// "/". Every path is resolved inside the root component by component; symlinks are followed
// by us, never by the kernel, with absolute targets taken relative to the root and ".." stopping
// at the root, so nothing can escape it. Reads are capped like localFs. Nothing here writes.
import { lstat, readdir, readlink } from 'node:fs/promises';
import { resolve as resolveHostPath } from 'node:path';
import type { FileStat, ReadOnlyFs } from './fs.js';
import { DEFAULT_MAX_FILE_BYTES, walkPath, type WalkOps } from './fs-paths.js';
import { readCapped, toFileStat } from './local-fs.js';

export function rootFs(dir: string): ReadOnlyFs {
  const root = resolveHostPath(dir);
  const host = (p: string): string => (p === '/' ? root : root + p);
  const ops: WalkOps = {
    async lookup(p) {
      try {
        const s = await lstat(host(p));
        if (s.isSymbolicLink()) return { kind: 'symlink', target: await readlink(host(p)) };
        return s.isDirectory() ? { kind: 'dir' } : { kind: 'other' };
      } catch {
        return undefined;
      }
    },
  };
  const inside = async (path: string, followLast: boolean): Promise<string | undefined> => {
    const r = await walkPath(ops, path, followLast);
    return r.ok ? r.path : undefined;
  };
  const statAt = async (path: string, followLast: boolean): Promise<FileStat | undefined> => {
    const p = await inside(path, followLast);
    if (p === undefined) return undefined;
    try {
      return toFileStat(await lstat(host(p)));
    } catch {
      return undefined;
    }
  };
  return {
    label: `root:${root}`,
    async readFile(path, maxBytes = DEFAULT_MAX_FILE_BYTES) {
      const r = await walkPath(ops, path, true);
      if (!r.ok) return { ok: false, reason: 'missing', detail: `${path}: ${r.reason === 'loop' ? 'too many levels of symbolic links' : 'no such file or directory'} (in ${root})` };
      // The final component was resolved by us; lstat it again to refuse a symlink swapped in since.
      try {
        if ((await lstat(host(r.path))).isSymbolicLink()) return { ok: false, reason: 'unreadable', detail: `${path}: changed while reading` };
      } catch {
        return { ok: false, reason: 'missing', detail: `${path}: no such file or directory (in ${root})` };
      }
      return readCapped(host(r.path), path, maxBytes);
    },
    async readDir(path) {
      const p = await inside(path, true);
      if (p === undefined) return undefined;
      try {
        return await readdir(host(p));
      } catch {
        return undefined;
      }
    },
    lstat: (path) => statAt(path, false),
    stat: (path) => statAt(path, true),
    async readLink(path) {
      const p = await inside(path, false);
      if (p === undefined) return undefined;
      try {
        return await readlink(host(p));
      } catch {
        return undefined;
      }
    },
    async realPath(path) {
      const p = await inside(path, true);
      if (p === undefined) return undefined;
      return (await ops.lookup(p)) === undefined ? undefined : p;
    },
  };
}
