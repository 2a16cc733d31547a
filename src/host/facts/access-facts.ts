// What deciding "which ways in work" (src/access) needs from a host, gathered once: the
// accounts (passwd/group/shadow), the files sshd opens for each account under each effective
// configuration the caller will ask about (AuthorizedKeysFile after token expansion,
// AuthorizedPrincipalsFile, TrustedUserCAKeys, RevokedKeys), the owner/mode of every path
// component StrictModes walks (misc.c safe_path), each account's shell (auth.c allowed_user
// stats it), ChrootDirectory components, /etc/nologin, the PAM files sshd's stack includes, and
// for a KRL the dump `ssh-keygen -Q -l -f FILE` prints (run through the executor: ssh-keygen is
// the reader of record for the binary KRL format; an offline root cannot run it and says so).
// Texts and stats only: no decision is made here. Reads through the ReadOnlyFs it is given, so the
// same gatherer reads an overlay of predicted files; processes only through the executor.
import type { FileStat, ReadOnlyFs } from '../fs.js';
import type { HostExecutor } from '../executor.js';
import type { ConnectionSpec } from '../../sshd/evaluate/types.js';
import { type Accounts, epochDay } from './accounts.js';
import { expandAuthorizedKeysPath } from './authorized-keys.js';
import { parentsOf } from '../fs-paths.js';

/** One path's owner and mode (stat, following symlinks). */
export interface PathInfo {
  readonly path: string;
  readonly kind: FileStat['kind'];
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
}

/** A file sshd opens for a user (authorized keys, principals), as StrictModes sees it. */
export interface UserFileFact {
  readonly path: string;
  /** realpath(3) of the file, when it exists. */
  readonly realPath?: string;
  /** stat (following symlinks); undefined when missing. */
  readonly stat?: PathInfo;
  /** stat of every directory from the real file's parent up to "/" (nearest first). */
  readonly parents: readonly PathInfo[];
  /** The file's text (latin1), when readable. */
  readonly text?: string;
  /** Why the text could not be read (missing, unreadable, too large). */
  readonly unreadable?: string;
}

export type RevokedKeysFact =
  | { readonly kind: 'list'; readonly path: string; readonly text: string }
  | { readonly kind: 'krl'; readonly path: string; readonly dump: string }
  /** A KRL that could not be read here (offline root, ssh-keygen missing or failed). */
  | { readonly kind: 'krl-unknown'; readonly path: string; readonly reason: string }
  /** Missing or unreadable: sshd refuses every key (auth.c auth_key_is_revoked: any error is "revoked"). */
  | { readonly kind: 'error'; readonly path: string; readonly reason: string };

/** A certificate someone holds, as text (an SSH_USER_AUTH file's lines), judged by src/access/certificates.ts. */
export interface KnownCertificateText {
  readonly source: string;
  readonly text: string;
}

export interface AccessFacts {
  readonly accounts: Accounts;
  /** Days since the epoch (shadow expiry) and seconds (expiry-time options, certificates). */
  readonly today: number;
  readonly nowSeconds: number;
  /** Files opened per user, by expanded path (authorized keys and principals files). */
  readonly userFiles: ReadonlyMap<string, UserFileFact>;
  /** Root-read files by path: TrustedUserCAKeys (text or why not). */
  readonly caFiles: ReadonlyMap<string, { readonly text?: string; readonly reason?: string }>;
  readonly revoked: ReadonlyMap<string, RevokedKeysFact>;
  /** Certificates known to be held, per account (the session's SSH_USER_AUTH); absent: none known. */
  readonly certificates?: ReadonlyMap<string, readonly KnownCertificateText[]>;
  /** stat of each account's shell ("" = /bin/sh), undefined when missing. */
  readonly shells: ReadonlyMap<string, PathInfo | undefined>;
  /** stat of every ChrootDirectory component the configurations name (expanded). */
  readonly chroots: ReadonlyMap<string, PathInfo | undefined>;
  /**
   * The view holds programs at all (/bin or /usr/bin exists). A configuration-only copy of a host
   * (an example root, a backup of /etc) does not: a missing shell there proves nothing.
   */
  readonly binaries: boolean;
  /** /etc/nologin exists (pam_nologin and session.c do_nologin refuse non-root logins). */
  readonly nologinFile: boolean;
  /** /etc/pam.d/sshd and the files it @includes, by path (absent = missing). */
  readonly pam: ReadonlyMap<string, string>;
  /** The host is live (files are this machine's; programs ran). */
  readonly live: boolean;
}

export interface GatherAccessInput {
  readonly exec: Pick<HostExecutor, 'fs' | 'run' | 'live'>;
  readonly accounts: Accounts;
  /** The accounts to judge. */
  readonly users: readonly string[];
  /**
   * Every effective configuration the caller will ask `waysIn` about (before and after a change,
   * for every address it will try): their file names are what is read.
   */
  readonly configs: Iterable<{ readonly spec: ConnectionSpec | undefined; get(key: string): { readonly values: readonly string[] } | undefined }>;
  /** Clock (ms since the epoch); default Date.now(). */
  readonly now?: number;
  /** Certificates known to be held, per account (passed through to AccessFacts.certificates). */
  readonly certificates?: ReadonlyMap<string, readonly KnownCertificateText[]>;
}

const toInfo = (path: string, s: FileStat): PathInfo => ({ path, kind: s.kind, uid: s.uid, gid: s.gid, mode: s.mode });

async function safe<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch {
    return undefined;
  }
}

async function statInfo(fs: ReadOnlyFs, path: string): Promise<PathInfo | undefined> {
  const s = await safe(fs.stat(path));
  return s ? toInfo(path, s) : undefined;
}

async function readLatin1(fs: ReadOnlyFs, path: string, max = 16 << 20): Promise<{ text?: string; reason?: string }> {
  const r = await safe(fs.readFile(path, max));
  if (!r) return { reason: `${path}: unreadable` };
  if (!r.ok) return { reason: `${path}: ${r.reason}${r.detail ? ` (${r.detail})` : ''}` };
  return { text: Buffer.from(r.bytes).toString('latin1') };
}

/** Path components of a directory, "/" first (session.c safely_chroot walks them in this order). */
export function pathComponents(p: string): string[] {
  const parts = p.split('/').filter(Boolean);
  return ['/', ...parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}`)];
}

/** ChrootDirectory tokens (sshd_config(5): %% %h %u %U), as session.c expands them. */
export function expandChrootPath(v: string, u: { name: string; uid: number; home: string }): string {
  return v.replace(/%([%hUu])/g, (_m, c: string) => (c === '%' ? '%' : c === 'h' ? u.home : c === 'u' ? u.name : String(u.uid)));
}

async function userFile(fs: ReadOnlyFs, path: string): Promise<UserFileFact> {
  const st = await statInfo(fs, path);
  if (!st) return { path, parents: [], unreadable: `${path}: missing` };
  const real = (await safe(fs.realPath(path))) ?? path;
  const parents: PathInfo[] = [];
  for (const p of parentsOf(real)) {
    const s = await statInfo(fs, p);
    if (s) parents.push(s);
  }
  const r = st.kind === 'file' ? await readLatin1(fs, path) : { reason: `${path}: not a regular file` };
  return { path, realPath: real, stat: { ...st, path: real }, parents, ...(r.text !== undefined ? { text: r.text } : { unreadable: r.reason ?? 'unreadable' }) };
}

const KRL_MAGIC = 'SSHKRL\n\0';

export async function revokedFact(exec: GatherAccessInput['exec'], path: string): Promise<RevokedKeysFact> {
  const r = await readLatin1(exec.fs, path);
  if (r.text === undefined) return { kind: 'error', path, reason: r.reason ?? `${path}: unreadable` };
  if (!r.text.startsWith(KRL_MAGIC)) return { kind: 'list', path, text: r.text };
  // ssh-keygen(1) -Q -l -f KRL: prints the KRL's contents (krl.c krl_dump) and checks no key. It
  // reads the bytes this view holds through its stdin, never the path: under a predicted view (a
  // plan's new KRL overlaid) the file on disk is the old one, or none. The child's stdin is a
  // socket, which open("/dev/stdin") refuses (ENXIO): a fixed `cat |` gives ssh-keygen a pipe.
  const run = exec.live ? exec.run('sh', ['-c', 'cat | ssh-keygen -Q -l -f /dev/stdin'], { timeoutMs: 20_000, encoding: 'latin1', input: Buffer.from(r.text, 'latin1') }) : undefined;
  if (!run) return { kind: 'krl-unknown', path, reason: `${path} is a KRL and this host cannot run ssh-keygen to read it (offline root)` };
  const res = await run;
  if (res.code !== 0 || res.error) return { kind: 'krl-unknown', path, reason: `ssh-keygen -Q -l -f ${path} failed: ${(res.error ?? res.stderr).trim().split('\n')[0] ?? `exit ${res.code}`}` };
  return { kind: 'krl', path, dump: res.stdout };
}

/** Files a PAM file pulls in (pam.d(5): "@include name", and the "include"/"substack" controls), relative to /etc/pam.d. */
function pamIncludes(text: string): string[] {
  const out: string[] = [];
  for (const l of text.split('\n')) {
    const m = /^\s*@include\s+(\S+)/.exec(l) ?? /^\s*-?\S+\s+(?:include|substack)\s+(\S+)/.exec(l);
    if (m) out.push(m[1]!.startsWith('/') ? m[1]! : `/etc/pam.d/${m[1]}`);
  }
  return out;
}

const words = (vals: readonly string[] | undefined): string[] => (vals ?? []).flatMap((v) => v.split(/\s+/)).filter((v) => v !== '');

export async function gatherAccessFacts(i: GatherAccessInput): Promise<AccessFacts> {
  const fs = i.exec.fs;
  const now = i.now ?? Date.now();
  const acc = i.accounts;
  const userFiles = new Map<string, UserFileFact>();
  const caFiles = new Map<string, { text?: string; reason?: string }>();
  const revoked = new Map<string, RevokedKeysFact>();
  const shells = new Map<string, PathInfo | undefined>();
  const chroots = new Map<string, PathInfo | undefined>();
  const users = [...new Set(i.users)].map((n) => acc.user(n)).filter((u) => u !== undefined);
  const configs = [...i.configs];
  const forUser = new Map<string | undefined, typeof configs>();
  for (const c of configs) forUser.set(c.spec?.user, [...(forUser.get(c.spec?.user) ?? []), c]);
  const seenValue = new Set<string>();
  const addUserFile = async (p: string) => {
    if (!userFiles.has(p)) userFiles.set(p, await userFile(fs, p));
  };
  for (const u of users) {
    const shell = u.shell === '' ? '/bin/sh' : u.shell;
    if (!shells.has(shell)) shells.set(shell, await statInfo(fs, shell));
    for (const c of [...(forUser.get(undefined) ?? []), ...(forUser.get(u.name) ?? [])]) {
      for (const key of ['authorizedkeysfile', 'authorizedprincipalsfile']) {
        for (const v of words(c.get(key)?.values)) {
          if (seenValue.has(`${u.name}\0${v}`)) continue;
          seenValue.add(`${u.name}\0${v}`);
          const e = expandAuthorizedKeysPath(v, u, acc);
          if (e.ok) await addUserFile(e.path);
        }
      }
      const chroot = c.get('chrootdirectory')?.values[0];
      if (chroot !== undefined && chroot.toLowerCase() !== 'none' && !seenValue.has(`${u.name}\0chroot\0${chroot}`)) {
        seenValue.add(`${u.name}\0chroot\0${chroot}`);
        for (const p of pathComponents(expandChrootPath(chroot, u))) if (!chroots.has(p)) chroots.set(p, await statInfo(fs, p));
      }
    }
  }
  for (const c of configs) {
    const ca = c.get('trustedusercakeys')?.values[0];
    if (ca !== undefined && ca.toLowerCase() !== 'none' && !caFiles.has(ca)) caFiles.set(ca, await readLatin1(fs, ca));
    const rk = c.get('revokedkeys')?.values[0];
    if (rk !== undefined && rk.toLowerCase() !== 'none' && !revoked.has(rk)) revoked.set(rk, await revokedFact(i.exec, rk));
  }
  const pam = new Map<string, string>();
  const queue = ['/etc/pam.d/sshd'];
  while (queue.length > 0 && pam.size < 32) {
    const p = queue.shift()!;
    if (pam.has(p)) continue;
    const r = await readLatin1(fs, p, 1 << 20);
    if (r.text === undefined) continue;
    pam.set(p, r.text);
    queue.push(...pamIncludes(r.text));
  }
  return {
    accounts: acc,
    today: epochDay(now),
    nowSeconds: Math.floor(now / 1000),
    userFiles,
    caFiles,
    revoked,
    ...(i.certificates ? { certificates: i.certificates } : {}),
    shells,
    chroots,
    binaries: (await statInfo(fs, '/usr/bin'))?.kind === 'directory' || (await statInfo(fs, '/bin'))?.kind === 'directory',
    nologinFile: (await safe(fs.stat('/etc/nologin'))) !== undefined,
    pam,
    live: i.exec.live,
  };
}
