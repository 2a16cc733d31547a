// cachingFs: a ReadOnlyFs that asks the one below it at most once per path and question during
// one run. A loaded host (loaded-host.ts) reads through it, so the audit, the planner, the guards
// and every candidate tree see the same bytes, and a config file is read from the host once
// however many times it is parsed or overlaid. Only for planning: the writer re-reads and
// re-checks every file itself (sha256) right before it changes anything.
import type { ReadOnlyFs, ReadResult, FileStat } from './fs.js';

export function cachingFs(base: ReadOnlyFs): ReadOnlyFs {
  const memo = <T>(f: (path: string) => Promise<T>): ((path: string) => Promise<T>) => {
    const seen = new Map<string, Promise<T>>();
    return (path) => {
      let p = seen.get(path);
      if (!p) seen.set(path, (p = f(path)));
      return p;
    };
  };
  const reads = new Map<string, Promise<ReadResult>>();
  return {
    label: base.label,
    readFile(path, maxBytes) {
      const key = `${maxBytes ?? ''}\0${path}`;
      let r = reads.get(key);
      if (!r) reads.set(key, (r = base.readFile(path, maxBytes)));
      return r;
    },
    readDir: memo((p) => base.readDir(p)),
    lstat: memo<FileStat | undefined>((p) => base.lstat(p)),
    stat: memo<FileStat | undefined>((p) => base.stat(p)),
    readLink: memo((p) => base.readLink(p)),
    realPath: memo((p) => base.realPath(p)),
  };
}
