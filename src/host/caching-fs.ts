// cachingFs: a ReadOnlyFs that asks the one below it at most once per path and question during
// one run. A loaded host (loaded-host.ts) reads through it, so the audit, the planner, the guards
// and every candidate tree see the same bytes, and a config file is read from the host once
// however many times it is parsed or overlaid. Only for planning: the writer re-reads and
// re-checks every file itself (sha256) right before it changes anything.
import type { ReadOnlyFs, ReadResult, FileStat } from './fs.js';
import { DEFAULT_MAX_FILE_BYTES } from './fs-paths.js';

export function cachingFs(base: ReadOnlyFs): ReadOnlyFs {
  const memo = <T>(f: (path: string) => Promise<T>): ((path: string) => Promise<T>) => {
    const seen = new Map<string, Promise<T>>();
    return (path) => {
      let p = seen.get(path);
      if (!p) seen.set(path, (p = f(path)));
      return p;
    };
  };
  // One read per path whatever cap each reader asks with: a smaller cap is answered from a
  // larger read; only a file found too large under a smaller cap is read again with a larger one.
  const reads = new Map<string, { max: number; result: Promise<ReadResult> }>();
  return {
    label: base.label,
    async readFile(path, maxBytes) {
      const max = maxBytes ?? DEFAULT_MAX_FILE_BYTES;
      const hit = reads.get(path);
      if (hit) {
        const r = await hit.result;
        if (r.ok) return r.bytes.length > max ? { ok: false, reason: 'too-large', detail: `${path}: ${r.bytes.length} bytes, over the ${max}-byte limit` } : r;
        if (r.reason !== 'too-large' || hit.max >= max) return r;
      }
      const result = base.readFile(path, max);
      reads.set(path, { max, result });
      return result;
    },
    readDir: memo((p) => base.readDir(p)),
    lstat: memo<FileStat | undefined>((p) => base.lstat(p)),
    stat: memo<FileStat | undefined>((p) => base.stat(p)),
    readLink: memo((p) => base.readLink(p)),
    realPath: memo((p) => base.realPath(p)),
  };
}
