// Where a CA lives and when sshield trusts that place. The directory holds the two private CA
// keys: it must be a real directory (not a symbolic link), owned by the account running sshield,
// with no access for group or others (0700), and no directory above it may let someone else swap
// it (owned by root or that account, not group/other-writable unless sticky, like /tmp). Pure:
// the stats come from the caller's file view (lstat semantics, never following a link).
import type { FileStat } from '../host/fs.js';

export const CA_FILES = {
  settings: 'ca.json',
  ledger: 'ledger.json',
  userKey: 'user_ca',
  hostKey: 'host_ca',
  krl: 'revoked_keys.krl',
  lock: '.lock',
  work: 'work',
} as const;

export function caPath(dir: string, name: string): string {
  return `${dir.replace(/\/+$/, '')}/${name}`;
}

/** The directories from "/" down to `dir` (absolute, normalised). */
export function ancestors(dir: string): string[] {
  const parts = dir.split('/').filter(Boolean);
  return ['/', ...parts.slice(0, -1).map((_, i) => `/${parts.slice(0, i + 1).join('/')}`)];
}

const octal = (m: number) => m.toString(8).padStart(4, '0');

/**
 * Why `dir` must not hold CA keys, or undefined. `stats` maps each path (the directory and every
 * ancestor) to its lstat; a missing directory is fine when `mayBeMissing` (init creates it 0700).
 */
export function unsafeCaDirReason(dir: string, stats: ReadonlyMap<string, FileStat | undefined>, uid: number, mayBeMissing: boolean): string | undefined {
  const own = stats.get(dir);
  if (!own) return mayBeMissing ? undefined : `${dir}: no such directory (create the CA with \`sshield ca init --dir ${dir}\`)`;
  if (own.kind === 'symlink') return `${dir} is a symbolic link: give the real directory (a link can be re-pointed by whoever owns it)`;
  if (own.kind !== 'directory') return `${dir} is not a directory`;
  if (own.uid !== uid) return `${dir} is owned by uid ${own.uid}, not by you (uid ${uid}): the CA's private keys must be yours alone`;
  if ((own.mode & 0o077) !== 0) return `${dir} has mode ${octal(own.mode)}: others could read or change the CA's private keys; fix: chmod 0700 ${dir}`;
  for (const a of ancestors(dir)) {
    const st = stats.get(a);
    if (!st) continue;
    if (st.kind === 'symlink') {
      if (st.uid !== 0 && st.uid !== uid) return `${a} (above ${dir}) is a symbolic link owned by uid ${st.uid}: someone else could re-point it`;
      continue;
    }
    const writable = (st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0;
    if ((st.uid !== 0 && st.uid !== uid) || writable) return `${a} (above ${dir}) is owned by uid ${st.uid} with mode ${octal(st.mode)}: someone else could replace ${dir}; keep the CA under a directory only you and root can change`;
  }
  return undefined;
}
