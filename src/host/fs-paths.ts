// Path helpers shared by the ReadOnlyFs views: POSIX normalisation and a symlink-following
// walk that can be confined to a root (an offline root directory or the in-memory fake).
// Pure: the caller supplies lstat/readlink for one absolute path.

export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;

/** Linux MAXSYMLINKS (40): more links than this while resolving one path is ELOOP. */
export const MAX_SYMLINKS = 40;

/** Absolute, normalised components ('.' and '' dropped; '..' kept for the walker). */
export function splitPath(path: string): string[] {
  return path.split('/').filter((c) => c !== '' && c !== '.');
}

export function joinPath(parts: readonly string[]): string {
  return '/' + parts.join('/');
}

export function dirname(path: string): string {
  const parts = splitPath(path);
  parts.pop();
  return joinPath(parts);
}

export interface WalkOps {
  /** 'symlink' with its target, 'dir', 'other' (file etc.) or undefined when missing. */
  lookup(path: string): Promise<{ kind: 'symlink'; target: string } | { kind: 'dir' } | { kind: 'other' } | undefined>;
}

export type WalkResult = { ok: true; path: string } | { ok: false; reason: 'missing' | 'loop' | 'not-dir' };

/**
 * Resolves `path` component by component, following symlinks (an absolute target restarts
 * from the root, '..' never climbs above the root). With followLast=false the last component
 * is not followed (lstat semantics). Returned paths are absolute within the root.
 */
export async function walkPath(ops: WalkOps, path: string, followLast: boolean): Promise<WalkResult> {
  let pending = splitPath(path);
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const comp = pending[0]!;
    pending = pending.slice(1);
    if (comp === '..') {
      done.pop();
      continue;
    }
    const candidate = joinPath([...done, comp]);
    const isLast = pending.length === 0;
    const info = await ops.lookup(candidate);
    if (info === undefined) {
      if (isLast) return { ok: true, path: candidate }; // caller reports "missing" for the final component
      return { ok: false, reason: 'missing' };
    }
    if (info.kind === 'symlink' && (!isLast || followLast)) {
      if (++links > MAX_SYMLINKS) return { ok: false, reason: 'loop' };
      const target = splitPath(info.target);
      if (info.target.startsWith('/')) done.length = 0;
      pending = [...target, ...pending];
      continue;
    }
    if (!isLast && info.kind !== 'dir') return { ok: false, reason: 'not-dir' };
    done.push(comp);
  }
  return { ok: true, path: joinPath(done) };
}

/** Every ancestor directory of an absolute path, nearest first, ending with "/". */
export function parentsOf(p: string): string[] {
  const out: string[] = [];
  let cur = p;
  while (cur !== '/' && cur !== '') {
    cur = cur.slice(0, cur.lastIndexOf('/')) || '/';
    out.push(cur);
  }
  return out;
}
