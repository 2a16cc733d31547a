// A ReadOnlyFs for a writer that also works on an offline root: host paths under the root DIR are
// read through rootFs(DIR) (resolved inside it, so an image whose `etc` is a symlink out of the
// root cannot make sshield read the host's files in its place), every other path (the backup
// directory, /proc) through the base view. Paths it returns stay host paths. Reads only.
import { resolve } from 'node:path';
import type { ReadOnlyFs } from './fs.js';
import { rootFs } from './root-fs.js';

export function confinedFs(base: ReadOnlyFs, root: string): ReadOnlyFs {
  const dir = resolve(root);
  const inner = rootFs(dir);
  const pick = (p: string): { fs: ReadOnlyFs; path: string; back: (x: string) => string } =>
    p === dir || p.startsWith(`${dir}/`)
      ? { fs: inner, path: p.slice(dir.length) || '/', back: (x) => (x === '/' ? dir : `${dir}${x}`) }
      : { fs: base, path: p, back: (x) => x };
  return {
    label: base.label,
    readFile: (p, max) => {
      const t = pick(p);
      return t.fs.readFile(t.path, max);
    },
    readDir: (p) => {
      const t = pick(p);
      return t.fs.readDir(t.path);
    },
    lstat: (p) => {
      const t = pick(p);
      return t.fs.lstat(t.path);
    },
    stat: (p) => {
      const t = pick(p);
      return t.fs.stat(t.path);
    },
    readLink: (p) => {
      const t = pick(p);
      return t.fs.readLink(t.path);
    },
    realPath: async (p) => {
      const t = pick(p);
      const r = await t.fs.realPath(t.path);
      return r === undefined ? undefined : t.back(r);
    },
  };
}
