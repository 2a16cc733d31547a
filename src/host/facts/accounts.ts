// Local accounts: passwd(5) users, group(5) groups with members, shells(5). Pure parsers plus
// a gatherer. `groupsOf(user)` returns primary + supplementary group names, the set sshd's
// Match Group and AllowGroups/DenyGroups test (groupaccess.c ga_init uses getgrouplist(3)).
// Only the files are read (no NSS/LDAP): facts from an offline root are what its files say.
import type { ReadOnlyFs } from '../fs.js';
import { type Fact, known, lines, readText, unknown } from './types.js';

export interface PasswdUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly gecos: string;
  readonly home: string;
  readonly shell: string;
  /** The shell is a real login shell (not empty-defaulted nologin/false/sync). */
  readonly loginShell: boolean;
  /** 1-based line in /etc/passwd. */
  readonly line: number;
}

export interface GroupEntry {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
  readonly line: number;
}

export interface Accounts {
  readonly users: readonly PasswdUser[];
  readonly groups: readonly GroupEntry[];
  /** /etc/shells entries, or undefined when the file is missing. */
  readonly shells?: readonly string[];
  user(name: string): PasswdUser | undefined;
  /** Primary + supplementary group names (primary first), or [] for an unknown user. */
  groupsOf(user: string): string[];
  /** Malformed lines skipped, "file:line: message". */
  readonly problems: readonly string[];
}

/** Shells that refuse interactive login (login(1) still "succeeds"; the shell exits). */
export const NON_LOGIN_SHELLS: ReadonlySet<string> = new Set([
  '/usr/sbin/nologin', '/sbin/nologin', '/bin/false', '/usr/bin/false', '/bin/sync', '/usr/bin/sync',
]);

export function isLoginShell(shell: string): boolean {
  // passwd(5): an empty shell field means /bin/sh.
  return !NON_LOGIN_SHELLS.has(shell === '' ? '/bin/sh' : shell) && !/\/(nologin|false)$/.test(shell);
}

export function parsePasswd(text: string, problems: string[] = []): PasswdUser[] {
  const out: PasswdUser[] = [];
  lines(text).forEach((l, i) => {
    if (l.trim() === '' || l.startsWith('#')) return;
    if (l.startsWith('+') || l.startsWith('-')) return; // NIS compat entries
    const f = l.split(':');
    if (f.length < 7 || !/^\d+$/.test(f[2]!) || !/^\d+$/.test(f[3]!)) {
      problems.push(`/etc/passwd:${i + 1}: malformed entry`);
      return;
    }
    const shell = f.slice(6).join(':');
    out.push({ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), gecos: f[4]!, home: f[5]!, shell, loginShell: isLoginShell(shell), line: i + 1 });
  });
  return out;
}

export function parseGroup(text: string, problems: string[] = []): GroupEntry[] {
  const out: GroupEntry[] = [];
  lines(text).forEach((l, i) => {
    if (l.trim() === '' || l.startsWith('#') || l.startsWith('+') || l.startsWith('-')) return;
    const f = l.split(':');
    if (f.length < 4 || !/^\d+$/.test(f[2]!)) {
      problems.push(`/etc/group:${i + 1}: malformed entry`);
      return;
    }
    out.push({ name: f[0]!, gid: Number(f[2]), members: f[3]!.split(',').map((m) => m.trim()).filter(Boolean), line: i + 1 });
  });
  return out;
}

export function parseShells(text: string): string[] {
  return lines(text).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

export function makeAccounts(users: PasswdUser[], groups: GroupEntry[], shells: string[] | undefined, problems: string[] = []): Accounts {
  const byName = new Map<string, PasswdUser>();
  for (const u of users) if (!byName.has(u.name)) byName.set(u.name, u); // getpwnam: first wins
  const byGid = new Map<number, GroupEntry>();
  for (const g of groups) if (!byGid.has(g.gid)) byGid.set(g.gid, g);
  return {
    users,
    groups,
    ...(shells ? { shells } : {}),
    problems,
    user: (name) => byName.get(name),
    groupsOf: (name) => {
      const u = byName.get(name);
      if (!u) return [];
      const out: string[] = [];
      const primary = byGid.get(u.gid);
      if (primary) out.push(primary.name);
      for (const g of groups) if (g.members.includes(name) && !out.includes(g.name)) out.push(g.name);
      return out;
    },
  };
}

export async function gatherAccounts(fs: ReadOnlyFs): Promise<Fact<Accounts>> {
  const p = await readText(fs, '/etc/passwd');
  if (p.status === 'unknown') return unknown(p.reason);
  const problems: string[] = [];
  const users = parsePasswd(p.value, problems);
  const g = await readText(fs, '/etc/group');
  if (g.status === 'unknown') problems.push(`groups unknown: ${g.reason}`);
  const groups = g.status === 'known' ? parseGroup(g.value, problems) : [];
  const s = await readText(fs, '/etc/shells', 1 << 20);
  return known(makeAccounts(users, groups, s.status === 'known' ? parseShells(s.value) : undefined, problems));
}
