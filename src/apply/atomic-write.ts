// The atomic-write primitive: the one way sshield replaces a live file. A temp file is created
// beside the target (same directory, so rename(2) is atomic on the same file system) with O_EXCL
// and a random name, written to the last byte (a short write(2) count is continued, a write that
// makes no progress is an error), given the original's owner/group/mode, fsynced, read back and
// compared by sha256 with the intended content, optionally validated, renamed over the target,
// and the directory is fsynced. The temp file is removed on any failure; the target is untouched
// unless the rename happened, so ENOSPC, EDQUOT or EIO at any point, or a kill at any moment,
// leaves the old or the new content, never a partial file (a crash may leave a stray temp file,
// named `.<name>.sshield-<hex>.tmp`, never the target itself). It does not follow symlinks on
// its own: callers pass the resolved path of the file they mean to replace. Every write goes
// through a WriteSeam so tests can make write(2) return short counts and errors at any offset.
// Also a backup copy helper (bytes, owner, mode and sha256). No policy lives here.
import { createHash, randomBytes } from 'node:crypto';
import { constants as C, type Stats } from 'node:fs';
import { lstat, open, readFile, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The two system calls whose partial success matters: tests replace them to inject short counts and errors. */
export interface WriteSeam {
  /** One write(2) at `position`: may write fewer than `length` bytes, or throw (ENOSPC, EDQUOT, EIO). */
  write(fh: FileHandle, buf: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  sync(fh: FileHandle): Promise<void>;
}

export const SYSTEM_WRITES: WriteSeam = {
  write: async (fh, buf, offset, length, position) => (await fh.write(buf, offset, length, position)).bytesWritten,
  sync: (fh) => fh.sync(),
};

function ioError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

/**
 * Writes all of `bytes` at offset 0 of an open, empty file, fsyncs it, then reads it back and
 * compares length and sha256 with what was meant: a short count is continued, a write that
 * makes no progress fails, and a file system that lost bytes is caught before anyone renames
 * the file into place. Throws (with the path and the reason) on any shortfall.
 */
export async function writeAllVerified(fh: FileHandle, bytes: Uint8Array, path: string, seam: WriteSeam = SYSTEM_WRITES): Promise<void> {
  const total = bytes.byteLength;
  let off = 0;
  while (off < total) {
    const n = await seam.write(fh, bytes, off, total - off, off);
    if (!Number.isSafeInteger(n) || n <= 0 || n > total - off) throw ioError('EIO', `writing ${path}: write made no progress at byte ${off} of ${total}`);
    off += n;
  }
  await seam.sync(fh);
  await verifyHandle(fh, bytes, path);
}

/** Reads an open file back from offset 0 and checks it holds exactly `bytes`. */
export async function verifyHandle(fh: FileHandle, bytes: Uint8Array, path: string): Promise<void> {
  const st = await fh.stat();
  if (st.size !== bytes.byteLength) throw ioError('EIO', `${path} holds ${st.size} bytes after writing ${bytes.byteLength}; not used`);
  const buf = Buffer.alloc(bytes.byteLength + 1);
  let got = 0;
  for (;;) {
    const { bytesRead } = await fh.read(buf, got, buf.length - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
    if (got === buf.length) break;
  }
  if (got !== bytes.byteLength || sha256Hex(buf.subarray(0, got)) !== sha256Hex(bytes)) {
    throw ioError('EIO', `${path} read back differs from what was written (${got} of ${bytes.byteLength} bytes, sha256 mismatch); not used`);
  }
}

export interface AtomicReplaceOptions {
  /** The path shown in messages, when `path` is a descriptor-relative one (/proc/self/fd/N/name). */
  readonly label?: string;
  /** Where write(2) and fsync(2) go (tests inject faults here). */
  readonly seam?: WriteSeam;
  /** Runs on the finished temp file before the rename; a string (or a throw) refuses the replace. */
  readonly validate?: (tmpPath: string) => Promise<void | string>;
  /** sha256 (hex) the target must still have (refuse if it changed since the change was planned). */
  readonly expectSha256?: string;
  /** Owner/group/mode for a target that does not exist yet (default: 0600, the caller's ids). */
  readonly newFile?: { readonly mode: number; readonly uid?: number; readonly gid?: number };
}

export type AtomicReplaceResult =
  | { readonly ok: true; readonly path: string; readonly sha256Before: string | null; readonly sha256After: string; readonly mode: number; readonly uid: number; readonly gid: number }
  | { readonly ok: false; readonly path: string; readonly reason: 'changed' | 'validation' | 'io'; readonly message: string };

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function currentHash(path: string): Promise<string | null> {
  try {
    return sha256Hex(await readFile(path));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Name of a temp file beside `path`: hidden, random, recognisable. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.sshield-${randomBytes(6).toString('hex')}.tmp`);
}

/** Sets owner/group and mode on an open file; tolerates file systems that refuse chown/chmod
 * (pmxcfs under /etc/pve) when the result already is what we asked for. */
/**
 * chown + chmod that accept a refusal when the file already has what was asked: pmxcfs (/etc/pve,
 * where PVE keeps root's authorized_keys) fixes owner and mode itself and refuses changes.
 */
export async function applyOwnership(fh: FileHandle, uid: number, gid: number, mode: number): Promise<void> {
  try {
    await fh.chown(uid, gid);
  } catch (e) {
    const s = await fh.stat();
    if (s.uid !== uid || s.gid !== gid) throw e;
  }
  try {
    await fh.chmod(mode);
  } catch (e) {
    const s = await fh.stat();
    if ((s.mode & 0o7777) !== mode) throw e;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, C.O_RDONLY | C.O_DIRECTORY);
    await fh.sync();
  } catch {
    // Some file systems (FUSE, e.g. pmxcfs) refuse fsync on a directory; the rename stands.
  } finally {
    await fh?.close().catch(() => {});
  }
}

/**
 * Atomically replaces `path` with `bytes`, keeping the original's owner, group and mode.
 * Never throws for I/O problems: the result says what happened.
 */
export async function atomicReplace(path: string, bytes: Uint8Array, opts: AtomicReplaceOptions = {}): Promise<AtomicReplaceResult> {
  const shown = opts.label ?? path;
  const fail = (reason: 'changed' | 'validation' | 'io', message: string): AtomicReplaceResult => ({ ok: false, path: shown, reason, message: message.replaceAll(path, shown).replaceAll(`${dirname(path)}/`, `${dirname(shown)}/`) });
  let before: Stats | undefined;
  try {
    // lstat: a symlink at the target is never followed here (nor replaced by a file).
    before = await lstat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return fail('io', `cannot stat ${path}: ${(e as Error).message}`);
  }
  if (before && !before.isFile()) return fail('io', `${path} is not a regular file${before.isSymbolicLink() ? ' (a symbolic link: not followed)' : ''}`);
  const mode = before ? before.mode & 0o7777 : (opts.newFile?.mode ?? 0o600);
  const uid = before ? before.uid : (opts.newFile?.uid ?? process.getuid?.() ?? 0);
  const gid = before ? before.gid : (opts.newFile?.gid ?? process.getgid?.() ?? 0);

  let sha256Before: string | null;
  try {
    sha256Before = await currentHash(path);
  } catch (e) {
    return fail('io', `cannot read ${path}: ${(e as Error).message}`);
  }
  if (opts.expectSha256 !== undefined && sha256Before !== opts.expectSha256) {
    return fail('changed', `${path} changed since the change was planned; nothing written (run the command again)`);
  }

  const tmp = tempPathFor(path);
  let fh: FileHandle | undefined;
  let created = false;
  try {
    fh = await open(tmp, C.O_RDWR | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, 0o600);
    created = true;
    await applyOwnership(fh, uid, gid, mode);
    await writeAllVerified(fh, bytes, tmp, opts.seam);
    await fh.close();
    fh = undefined;
    if (opts.validate) {
      let verdict: void | string;
      try {
        verdict = await opts.validate(tmp);
      } catch (e) {
        verdict = (e as Error).message || String(e);
      }
      if (typeof verdict === 'string') {
        await unlink(tmp).catch(() => {});
        return fail('validation', verdict);
      }
    }
    // Last look just before the rename: someone may have edited the file meanwhile.
    if (opts.expectSha256 !== undefined && (await currentHash(path)) !== opts.expectSha256) {
      await unlink(tmp).catch(() => {});
      return fail('changed', `${path} changed while the new content was being prepared; nothing written`);
    }
    await rename(tmp, path);
  } catch (e) {
    await fh?.close().catch(() => {});
    if (created) await unlink(tmp).catch(() => {});
    return fail('io', `cannot replace ${path}: ${(e as Error).message}`);
  }
  await fsyncDir(dirname(path));
  return { ok: true, path: shown, sha256Before, sha256After: sha256Hex(bytes), mode, uid, gid };
}

export type BackupResult =
  | { readonly ok: true; readonly source: string; readonly path: string; readonly sha256: string; readonly mode: number; readonly uid: number; readonly gid: number }
  | { readonly ok: false; readonly source: string; readonly message: string };

/**
 * Copies `source` to a new file (O_EXCL) in `dir` (default: beside the source) named
 * `<name>.sshield-backup-<UTC stamp>-<hex>`, with the source's owner, group and mode, fsynced.
 */
export async function backupCopy(source: string, dir: string = dirname(source), now: Date = new Date()): Promise<BackupResult> {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const target = join(dir, `${basename(source)}.sshield-backup-${stamp}-${randomBytes(3).toString('hex')}`);
  let fh: FileHandle | undefined;
  let created = false;
  try {
    const st = await stat(source);
    const bytes = await readFile(source);
    fh = await open(target, C.O_RDWR | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, 0o600);
    created = true;
    await writeAllVerified(fh, bytes, target);
    await applyOwnership(fh, st.uid, st.gid, st.mode & 0o7777);
    await fh.sync();
    await fh.close();
    fh = undefined;
    await fsyncDir(dir);
    return { ok: true, source, path: target, sha256: sha256Hex(bytes), mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  } catch (e) {
    await fh?.close().catch(() => {});
    if (created) await unlink(target).catch(() => {});
    return { ok: false, source, message: `cannot back up ${source}: ${(e as Error).message}` };
  }
}
