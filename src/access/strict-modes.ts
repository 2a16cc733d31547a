// StrictModes as Debian's sshd applies it to a file it opens for a user (authorized keys,
// principals): misc.c safe_path (OpenSSH 9.2p1..10.2p1) with Debian's user-group-modes patch
// (secure_permissions: group-writable is accepted when the group's only member is the owner).
// The file must be regular, owned by root or the user, not other-writable; so must every
// directory from the real file's parent up to the user's home directory (or "/"). Also whether
// the user can read the file at all: sshd opens it with the user's uid (auth2-pubkey.c
// user_key_allowed2 temporarily_use_uid), StrictModes or not. Pure.
import type { PathInfo } from '../host/facts/access-facts.js';

export interface StrictModesSubject {
  readonly uid: number;
  readonly home: string;
  /** Group ids the user is in (primary + supplementary), for readability. */
  readonly gids: readonly number[];
}

export interface StrictModesHost {
  /** Names of a group's members (supplementary members and users whose primary group it is). */
  groupMembers(gid: number): readonly string[];
  /** Name of the account with this uid. */
  userName(uid: number): string | undefined;
}

function securePermissions(st: PathInfo, uid: number, host: StrictModesHost): boolean {
  if (st.uid !== 0 && st.uid !== uid) return false;
  if ((st.mode & 0o002) !== 0) return false;
  if ((st.mode & 0o020) !== 0) {
    const members = host.groupMembers(st.gid);
    const owner = host.userName(st.uid);
    if (members.length !== 1 || members[0] !== owner) return false;
  }
  return true;
}

/** Why StrictModes would refuse the file, or undefined when it accepts it (misc.c safe_path). */
export function strictModesProblem(f: { readonly realPath?: string; readonly stat?: PathInfo; readonly parents: readonly PathInfo[] }, user: StrictModesSubject, host: StrictModesHost): string | undefined {
  if (!f.stat) return 'missing';
  const real = f.realPath ?? f.stat.path;
  if (f.stat.kind !== 'file') return `${real} is not a regular file`;
  if (!securePermissions(f.stat, user.uid, host)) return `bad ownership or modes for file ${real} (StrictModes)`;
  const home = user.home.replace(/\/+$/, '') || '/';
  for (const p of f.parents) {
    if (!securePermissions(p, user.uid, host)) return `bad ownership or modes for directory ${p.path} (StrictModes)`;
    if (p.path === home) break;
  }
  return undefined;
}

/** Unix permission check for the user: read on the file, search on every parent directory. */
export function readableBy(f: { readonly realPath?: string; readonly stat?: PathInfo; readonly parents: readonly PathInfo[] }, user: StrictModesSubject): string | undefined {
  if (user.uid === 0 || !f.stat) return undefined;
  const may = (st: PathInfo, bit: 4 | 1): boolean =>
    st.uid === user.uid ? (st.mode & (bit << 6)) !== 0 : user.gids.includes(st.gid) ? (st.mode & (bit << 3)) !== 0 : (st.mode & bit) !== 0;
  for (const p of f.parents) if (!may(p, 1)) return `${p.path} is not searchable by the user (sshd reads the file as the user)`;
  if (!may(f.stat, 4)) return `${f.realPath ?? f.stat.path} is not readable by the user (sshd reads it as the user)`;
  return undefined;
}
