// The user planner's view of an account's shell and name: the nologin shell it sets, the shells
// `user list` reports as "no shell", the text-range edit that changes one account's shell (the
// entry's spans come from the one passwd reader, src/host/facts/accounts.ts), and the names
// useradd(8) accepts. Pure; no I/O.
import type { TextEdit } from '../text/edit.js';
import type { PasswdUser } from '../host/facts/accounts.js';

/** The edit that sets one account's shell; every other byte of the file is untouched. */
export function setShellEdit(entry: PasswdUser, shell: string): TextEdit {
  return { start: entry.shellStart, end: entry.end, text: shell };
}

/** Shells that end a session at once (what `user list` reports as "no shell"). */
export const NOLOGIN_SHELLS: readonly string[] = ['/usr/sbin/nologin', '/sbin/nologin', '/bin/false', '/usr/bin/false'];
export const NOLOGIN = '/usr/sbin/nologin';

/** A user name useradd(8) accepts on Debian (NAME_REGEX default), and not too long. */
export function validUserName(name: string): boolean {
  return /^[a-z_][-a-z0-9_.]{0,30}\$?$/i.test(name) && !/^[0-9.]+$/.test(name);
}
