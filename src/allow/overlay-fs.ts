// A read-only file view with some files replaced by candidate contents: what the evaluator
// reads to predict the configuration a plan would produce, without writing anything.
import type { FileStat, ReadOnlyFs, ReadResult } from '../host/fs.js';
import { type ByteString, textToBytes } from '../text/bytes.js';

export function overlayFs(base: ReadOnlyFs, files: ReadonlyMap<string, ByteString>): ReadOnlyFs {
  const stat = async (path: string, real: Promise<FileStat | undefined>): Promise<FileStat | undefined> => {
    const t = files.get(path);
    if (t === undefined) return real;
    const s = await real;
    return { kind: 'file', size: t.length, mode: s?.mode ?? 0o644, uid: s?.uid ?? 0, gid: s?.gid ?? 0, mtimeMs: s?.mtimeMs ?? 0 };
  };
  return {
    label: base.label,
    async readFile(path: string, maxBytes?: number): Promise<ReadResult> {
      const t = files.get(path);
      if (t === undefined) return base.readFile(path, maxBytes);
      return { ok: true, bytes: textToBytes(t) };
    },
    async readDir(path: string): Promise<string[] | undefined> {
      const names = new Set((await base.readDir(path)) ?? []);
      let added = false;
      const prefix = path.endsWith('/') ? path : `${path}/`;
      for (const p of files.keys()) {
        if (p.startsWith(prefix) && !p.slice(prefix.length).includes('/')) {
          names.add(p.slice(prefix.length));
          added = true;
        }
      }
      return names.size || added ? [...names] : base.readDir(path);
    },
    lstat: (path) => stat(path, base.lstat(path)),
    stat: (path) => stat(path, base.stat(path)),
    readLink: (path) => base.readLink(path),
    realPath: async (path) => (files.has(path) ? path : base.realPath(path)),
  };
}
