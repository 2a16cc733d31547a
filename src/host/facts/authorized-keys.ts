// Where each user's authorized_keys files are and what they look like on disk. Path expansion
// follows OpenSSH 9.2: servconf.c tilde-expands each AuthorizedKeysFile value at parse time for
// the uid sshd runs as (root); auth.c expand_authorized_keys() then expands %h (home), %u (user
// name), %U (numeric uid), %% and prepends "<home>/" to a relative result; the value "none"
// (case-insensitive, auth2-pubkey.c) means no file. sshd_config(5) TOKENS lists exactly these.
// Ownership and modes come from lstat/stat so rules can judge StrictModes and symlinks (PVE's
// /root/.ssh/authorized_keys -> /etc/pve/priv/authorized_keys).
import type { FileStat, ReadOnlyFs } from '../fs.js';
import type { Accounts, PasswdUser } from './accounts.js';

/** Debian's compiled-in default (sshd -T: "authorizedkeysfile .ssh/authorized_keys .ssh/authorized_keys2"). */
export const DEFAULT_AUTHORIZED_KEYS_FILES: readonly string[] = ['.ssh/authorized_keys', '.ssh/authorized_keys2'];

export type ExpandResult = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly reason: string };

/**
 * Expands one AuthorizedKeysFile value for a user. `accounts` resolves `~user`; a leading "~/" is
 * the home of root (sshd parses its config as root). Returns ok:false for "none" and bad tokens.
 */
export function expandAuthorizedKeysPath(value: string, user: Pick<PasswdUser, 'name' | 'uid' | 'home'>, accounts?: Pick<Accounts, 'user'>): ExpandResult {
  if (value.toLowerCase() === 'none') return { ok: false, reason: 'none' };
  let v = value;
  if (v.startsWith('~')) {
    const slash = v.indexOf('/');
    const who = slash < 0 ? v.slice(1) : v.slice(1, slash);
    const home = who === '' ? (accounts?.user('root')?.home ?? '/root') : accounts?.user(who)?.home;
    if (home === undefined) return { ok: false, reason: `unknown user in ${value}` };
    v = home.replace(/\/$/, '') + (slash < 0 ? '' : v.slice(slash));
  }
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const t = v[++i];
    if (t === '%') out += '%';
    else if (t === 'h') out += user.home;
    else if (t === 'u') out += user.name;
    else if (t === 'U') out += String(user.uid);
    else return { ok: false, reason: `unknown token %${t ?? ''} in ${value} (sshd would refuse it)` };
  }
  if (out.startsWith('/')) return { ok: true, path: out };
  return { ok: true, path: `${user.home}/${out}` };
}

export interface AuthorizedKeysFileInfo {
  readonly user: string;
  /** The AuthorizedKeysFile value it came from. */
  readonly pattern: string;
  readonly path: string;
  readonly exists: boolean;
  /** lstat of the path itself (a symlink shows as kind "symlink"). */
  readonly lstat?: FileStat;
  /** stat following symlinks (the file sshd reads). */
  readonly stat?: FileStat;
  readonly symlinkTarget?: string;
  readonly realPath?: string;
}

async function safe<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch {
    return undefined;
  }
}

export async function inspectAuthorizedKeys(
  fs: ReadOnlyFs,
  user: PasswdUser,
  values: readonly string[] = DEFAULT_AUTHORIZED_KEYS_FILES,
  accounts?: Accounts,
): Promise<{ files: AuthorizedKeysFileInfo[]; problems: string[] }> {
  const files: AuthorizedKeysFileInfo[] = [];
  const problems: string[] = [];
  for (const pattern of values) {
    const e = expandAuthorizedKeysPath(pattern, user, accounts);
    if (!e.ok) {
      if (e.reason !== 'none') problems.push(`${user.name}: ${e.reason}`);
      continue;
    }
    const l = await safe(fs.lstat(e.path));
    const s = l ? await safe(fs.stat(e.path)) : undefined;
    const target = l?.kind === 'symlink' ? await safe(fs.readLink(e.path)) : undefined;
    const real = l ? await safe(fs.realPath(e.path)) : undefined;
    files.push({
      user: user.name,
      pattern,
      path: e.path,
      exists: s !== undefined,
      ...(l ? { lstat: l } : {}),
      ...(s ? { stat: s } : {}),
      ...(target !== undefined ? { symlinkTarget: target } : {}),
      ...(real !== undefined ? { realPath: real } : {}),
    });
  }
  return { files, problems };
}
