// Every user's authorized_keys files, read through a ReadOnlyFs (local host or an offline root)
// and parsed. Paths come from host facts (AuthorizedKeysFile expansion, default Debian list);
// what sshield may write is judged here too (writeTarget): never through a symlink whose target
// is owned by someone other than root or the account, never a file owned by someone else.
// Reads only; writing is src/apply/atomic-write.ts, called by the CLI.
import type { ReadOnlyFs } from '../host/fs.js';
import { DEFAULT_AUTHORIZED_KEYS_FILES, inspectAuthorizedKeys, type AuthorizedKeysFileInfo } from '../host/facts/authorized-keys.js';
import type { Accounts, PasswdUser } from '../host/facts/accounts.js';
import { bytesToText } from '../text/bytes.js';
import { parseAuthorizedKeys, type AuthorizedKeysFile } from './parser.js';

export interface UserKeyFile {
  readonly user: PasswdUser;
  readonly info: AuthorizedKeysFileInfo;
  /** Undefined when the file exists but cannot be read (see readError). */
  readonly parsed?: AuthorizedKeysFile;
  readonly readError?: string;
}

export async function collectUserKeys(fs: ReadOnlyFs, accounts: Accounts, opts: { user?: string; authorizedKeysFiles?: readonly string[]; authorizedKeysFilesFor?: (user: string) => readonly string[] | undefined } = {}): Promise<{ files: UserKeyFile[]; problems: string[] }> {
  const users = opts.user ? [accounts.user(opts.user)].filter((u): u is PasswdUser => u !== undefined) : accounts.users;
  const files: UserKeyFile[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const user of users) {
    if (seen.has(user.name)) continue; // getpwnam: first entry wins
    seen.add(user.name);
    const patterns = opts.authorizedKeysFilesFor?.(user.name) ?? opts.authorizedKeysFiles ?? DEFAULT_AUTHORIZED_KEYS_FILES;
    const r = await inspectAuthorizedKeys(fs, user, patterns, accounts);
    problems.push(...r.problems);
    for (const info of r.files) {
      if (!info.exists) continue;
      const read = await fs.readFile(info.path);
      if (!read.ok) files.push({ user, info, readError: `${info.path}: ${read.reason}: ${read.detail}` });
      else files.push({ user, info, parsed: parseAuthorizedKeys(bytesToText(read.bytes), info.path) });
    }
  }
  return { files, problems };
}

export type WriteTarget = { readonly ok: true; readonly path: string; readonly viaSymlink: boolean } | { readonly ok: false; readonly message: string };

/**
 * Where an edit of this file may be written (the final target of a symlink, so the link is kept),
 * or why not. Owner must be root or the account, for the link's target as for a plain file:
 * that is also what sshd's StrictModes accepts (auth.c auth_secure_path, OpenSSH 9.2).
 */
export async function writeTarget(fs: ReadOnlyFs, f: Pick<UserKeyFile, 'user' | 'info'>, others: readonly Pick<PasswdUser, 'name' | 'home'>[] = []): Promise<WriteTarget> {
  const { user, info } = f;
  const l = await fs.lstat(info.path);
  if (!l) return { ok: false, message: `${info.path} does not exist` };
  const viaSymlink = l.kind === 'symlink';
  const real = viaSymlink ? await fs.realPath(info.path) : info.path;
  const st = await fs.stat(info.path);
  if (!real || !st) return { ok: false, message: `${info.path} is a dangling symlink; not following it` };
  const owners = new Set([0, user.uid]);
  if (st.kind !== 'file') return { ok: false, message: `${real} is not a regular file; not touching it` };
  if (!owners.has(st.uid)) {
    return viaSymlink
      ? { ok: false, message: `${info.path} is a symlink to ${real}, owned by uid ${st.uid} (neither root nor ${user.name}); not following it` }
      : { ok: false, message: `${info.path} is owned by uid ${st.uid} (neither root nor ${user.name}); refusing to edit a file owned by someone else` };
  }
  if (viaSymlink) {
    // A link into another account's home would make us edit that account's keys (and list them
    // as this account's): refused whoever owns the file. Outside the account's own home only
    // root's link may lead (PVE keeps root's keys in /etc/pve/priv/authorized_keys).
    const inside = (dir: string) => dir !== '' && dir !== '/' && (real === dir || real.startsWith(`${dir.replace(/\/+$/, '')}/`));
    const ownHome = (await fs.realPath(user.home)) ?? user.home;
    for (const o of others) {
      if (o.name === user.name || !o.home || inside(ownHome)) continue;
      const home = (await fs.realPath(o.home)) ?? o.home;
      if (home !== ownHome && inside(home)) return { ok: false, message: `${info.path} is a symlink to ${real}, a file of the account ${o.name}; not following it` };
    }
    if (user.uid !== 0 && !inside(ownHome)) return { ok: false, message: `${info.path} is a symlink to ${real}, outside ${user.name}'s home ${user.home}; not following it` };
  }
  return { ok: true, path: real, viaSymlink };
}
