// Who runs sshield, for an ordinary (non-root) user managing their own keys: which account they
// are, where their backups, journal and locks live ($XDG_STATE_HOME/sshield, default
// ~/.local/state/sshield, made 0700 by the writer), and which account a keys command may act on
// (their own; --user defaults to them). As root nothing changes: /var/backups/sshield and
// /run/lock/sshield, --user required. Only src/cli reads the process; the planners get names.
import { userInfo } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { DEFAULT_BACKUP_ROOT } from '../apply/backup.js';

export interface Caller {
  readonly root: boolean;
  readonly uid: number;
  /** The account name of the effective uid (getpwuid), when it has one. */
  readonly name?: string;
  /** Its home directory as passwd has it. */
  readonly home?: string;
}

let known: Caller | undefined;

/** This process's own identity, looked up once (command registration asks for it a dozen times). */
export function caller(): Caller {
  if (known) return known;
  const uid = process.geteuid?.() ?? 0;
  try {
    const u = userInfo();
    known = { root: uid === 0, uid, name: u.username, home: u.homedir };
  } catch {
    known = { root: uid === 0, uid };
  }
  return known;
}

/** $XDG_STATE_HOME/sshield (only an absolute value counts, as the XDG spec says), else <home>/.local/state/sshield. */
export function userStateDir(env: NodeJS.ProcessEnv = process.env, who: Caller = caller()): string {
  const xdg = env.XDG_STATE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(who.home ?? env.HOME ?? '/nonexistent', '.local', 'state');
  return join(base, 'sshield');
}

/** Where backups and the journal live by default: root's /var/backups/sshield, a user's own state directory. */
export function defaultBackupDir(env: NodeJS.ProcessEnv = process.env, who: Caller = caller()): string {
  return who.root ? DEFAULT_BACKUP_ROOT : userStateDir(env, who);
}

/** The lock directory of a user's own runs (root's is the pipeline's default, /run/lock/sshield). */
export function defaultLockDir(env: NodeJS.ProcessEnv = process.env, who: Caller = caller()): string | undefined {
  return who.root ? undefined : join(userStateDir(env, who), 'lock');
}

export const WITHOUT_ROOT = 'Without root, `keys list|add|remove|restrict|unrestrict`, `backups` and `restore` work on your own authorized_keys only (--user defaults to you; backups, journal and lock in $XDG_STATE_HOME/sshield, default ~/.local/state/sshield).';

/** The account a keys command acts on, or why not: root names one; a user acts on their own only. */
export function keysUser(given: string | undefined, who: Caller = caller()): { ok: true; user: string } | { ok: false; message: string } {
  if (who.root) return given ? { ok: true, user: given } : { ok: false, message: 'name the account with --user (as root any account; without root, your own is the default)' };
  if (!who.name) return { ok: false, message: `uid ${who.uid} has no account name: sshield cannot tell whose keys are yours` };
  if (given === undefined || given === who.name) return { ok: true, user: who.name };
  return { ok: false, message: `you are ${who.name}, not root: without root sshield changes only your own keys, so --user ${given} is refused (nothing was read or changed); run it as root (e.g. sudo) for another account` };
}

/** "EACCES: permission denied, open '/x'" -> a sentence that says who lacked the permission and what to do. */
export function plainErrno(reason: string, who: Caller = caller()): string {
  const m = /\b(EACCES|EPERM)\b:? ?([^,]*),? ?(\w+)? ?'?([^']*)'?/.exec(reason);
  const path = m?.[4] ? ` ${m[4]}` : '';
  const what = m?.[1] === 'EPERM' ? 'is not allowed' : 'has no permission';
  const as = who.root ? 'root' : `${who.name ?? `uid ${who.uid}`} (not root)`;
  const hint = who.root ? 'check the file system (read-only, immutable attribute, another owner\'s FUSE mount)' : 'without root sshield changes only what you own; run it as root (e.g. sudo) for the rest';
  return `${reason.slice(0, m?.index ?? 0)}${as} ${what} to ${m?.[3] ?? 'do that'}${path}: ${hint}`.trim();
}
