// localFs: the ReadOnlyFs of the machine sshield runs on (node:fs/promises). Reads are capped
// (default 64 MiB, DEFAULT_MAX_FILE_BYTES): the size is checked on the open handle and at most
// cap+1 bytes are read, so a growing or huge file can neither exhaust memory nor hang us.
// errno values are mapped to ReadResult reasons; nothing here throws or writes.
import { constants } from 'node:fs';
import { lstat, open, readdir, readlink, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import type { FileStat, ReadOnlyFs, ReadResult } from './fs.js';
import { DEFAULT_MAX_FILE_BYTES } from './fs-paths.js';

export function toFileStat(s: Stats): FileStat {
  return {
    kind: s.isFile() ? 'file' : s.isDirectory() ? 'directory' : s.isSymbolicLink() ? 'symlink' : 'other',
    size: s.size,
    mode: s.mode & 0o7777,
    uid: s.uid,
    gid: s.gid,
    mtimeMs: s.mtimeMs,
  };
}

export function errorReason(err: unknown): 'missing' | 'unreadable' | 'not-a-file' {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP' || code === 'ENAMETOOLONG') return 'missing';
  if (code === 'EISDIR') return 'not-a-file';
  return 'unreadable';
}

function describe(path: string, err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  return `${path}: ${e?.code ?? 'error'}${e?.message ? ` (${e.message.replace(/^[A-Z]+: /, '')})` : ''}`;
}

/** Reads a regular file at a real path with a size cap. */
export async function readCapped(realPathToOpen: string, shownPath: string, maxBytes: number): Promise<ReadResult> {
  let fh;
  try {
    fh = await open(realPathToOpen, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    return { ok: false, reason: errorReason(err), detail: describe(shownPath, err) };
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) return { ok: false, reason: 'not-a-file', detail: `${shownPath}: is a directory` };
    if (!st.isFile()) return { ok: false, reason: 'not-a-file', detail: `${shownPath}: not a regular file` };
    if (st.size > maxBytes) {
      return { ok: false, reason: 'too-large', detail: `${shownPath}: ${st.size} bytes, over the ${maxBytes}-byte limit` };
    }
    const chunks: Buffer[] = [];
    let total = 0;
    const bufSize = Math.min(Math.max(st.size + 1, 4096), maxBytes + 1);
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(bufSize, maxBytes + 1 - total));
      if (buf.length === 0) break;
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) {
        return { ok: false, reason: 'too-large', detail: `${shownPath}: more than ${maxBytes} bytes` };
      }
    }
    return { ok: true, bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total) };
  } catch (err) {
    return { ok: false, reason: errorReason(err), detail: describe(shownPath, err) };
  } finally {
    await fh.close().catch(() => undefined);
  }
}

export function localFs(): ReadOnlyFs {
  const quiet = async <T>(f: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await f();
    } catch {
      return undefined;
    }
  };
  return {
    label: 'localhost',
    readFile: (path, maxBytes = DEFAULT_MAX_FILE_BYTES) => readCapped(path, path, maxBytes),
    readDir: (path) => quiet(() => readdir(path)),
    lstat: (path) => quiet(async () => toFileStat(await lstat(path))),
    stat: (path) => quiet(async () => toFileStat(await stat(path))),
    readLink: (path) => quiet(() => readlink(path)),
    realPath: (path) => quiet(() => realpath(path)),
  };
}
