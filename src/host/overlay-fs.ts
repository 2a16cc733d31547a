// overlayFs: a read-only view of a host in which some files have new text (or are deleted: null),
// without writing anything: the one overlay of planned changes. A candidate tree is the loaded
// tree's files plus a plan's new texts (loaded-host.ts candidate). A replaced file keeps the
// owner and mode of the file it replaces (the writer keeps them); a new one is root's, 0644.
import type { FileStat, ReadOnlyFs, ReadResult } from './fs.js';
import { type ByteString, textToBytes } from '../text/bytes.js';

export function overlayFs(base: ReadOnlyFs, over: ReadonlyMap<string, ByteString | null>): ReadOnlyFs {
  const stat = async (path: string, real: () => Promise<FileStat | undefined>): Promise<FileStat | undefined> => {
    if (!over.has(path)) return real();
    const t = over.get(path);
    if (t === null || t === undefined) return undefined;
    const s = await real();
    return { kind: 'file', size: t.length, mode: s?.kind === 'file' ? s.mode : 0o644, uid: s?.kind === 'file' ? s.uid : 0, gid: s?.kind === 'file' ? s.gid : 0, mtimeMs: s?.mtimeMs ?? 0 };
  };
  return {
    label: base.label,
    async readFile(path, maxBytes): Promise<ReadResult> {
      if (!over.has(path)) return base.readFile(path, maxBytes);
      const t = over.get(path);
      return t === null || t === undefined ? { ok: false, reason: 'missing', detail: `${path}: no such file` } : { ok: true, bytes: textToBytes(t) };
    },
    async readDir(path) {
      const base_ = await base.readDir(path);
      const names = new Set(base_ ?? []);
      let touched = false;
      const dir = path.length > 1 ? path.replace(/\/+$/, '') : path;
      for (const [p, t] of over) {
        const slash = p.lastIndexOf('/');
        if ((p.slice(0, slash) || '/') !== dir) continue;
        touched = true;
        const name = p.slice(slash + 1);
        if (t === null) names.delete(name);
        else names.add(name);
      }
      return base_ || touched ? [...names] : undefined;
    },
    lstat: (path) => stat(path, () => base.lstat(path)),
    stat: (path) => stat(path, () => base.stat(path)),
    readLink: (path) => (over.has(path) ? Promise.resolve(undefined) : base.readLink(path)),
    realPath: async (path) => (over.has(path) ? (over.get(path) === null ? undefined : path) : base.realPath(path)),
  };
}
