// Local accounts, the one reader of /etc/passwd, /etc/group, /etc/shadow and /etc/shells
// (passwd(5), group(5), shadow(5), shells(5)). Parsing is lossless: every entry keeps the byte
// span of its line (and of the shell field) so a planner can change one field with a text-range
// edit and leave every other byte identical; lines that are not well-formed entries (comments,
// NIS "+"/"-" lines, garbage) are never entries and are kept verbatim by such edits.
// `groupsOf(user)` returns primary + supplementary group names, the set sshd's Match Group and
// AllowGroups/DenyGroups test (groupaccess.c ga_init uses getgrouplist(3)). The shadow state
// (locked/empty password, account expiry, password ageing) is what auth.c allowed_user and
// auth-shadow.c auth_shadow_acctexpired/auth_shadow_pwexpired read (OpenSSH 9.2p1..10.2p1).
// Only the files are read (no NSS/LDAP): facts from an offline root are what its files say.
// Parsers are pure; `gatherAccounts` reads through the ReadOnlyFs it is given (an overlay works).
import type { ReadOnlyFs } from '../fs.js';
import { type Fact, known, readText, unknown } from './types.js';

export interface PasswdUser {
  readonly name: string;
  /** The passwd password field ("x" when the hash lives in /etc/shadow). */
  readonly password: string;
  readonly uid: number;
  readonly gid: number;
  readonly gecos: string;
  readonly home: string;
  readonly shell: string;
  /** The shell is a real login shell (not empty-defaulted nologin/false/sync). */
  readonly loginShell: boolean;
  /** 1-based line in /etc/passwd. */
  readonly line: number;
  /** Span of the line without its terminator (offsets in the file's text). */
  readonly start: number;
  readonly end: number;
  /** Start of the shell field (it runs to `end`). */
  readonly shellStart: number;
}

export interface GroupEntry {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
  readonly line: number;
}

/** One /etc/shadow entry; day counts are days since 1970-01-01, undefined when the field is empty. */
export interface ShadowEntry {
  readonly name: string;
  readonly hash: string;
  readonly lastChange?: number;
  readonly minDays?: number;
  readonly maxDays?: number;
  readonly warnDays?: number;
  readonly inactiveDays?: number;
  readonly expireDay?: number;
  readonly line: number;
}

export type PasswordState = 'set' | 'locked' | 'none' | 'empty' | 'unknown';

/** What sshd would make of an account's shadow entry on a given day (auth-shadow.c, OpenSSH 9.2p1..10.2p1). */
export interface ShadowState {
  readonly password: PasswordState;
  /** auth_shadow_acctexpired: expiry day set and today past it ("Account %s has expired"). */
  readonly accountExpired: boolean;
  /** auth_shadow_pwexpired: last change 0 (forced) or last change + max < today. */
  readonly passwordExpired: false | 'forced' | 'aged';
}

export interface Accounts {
  readonly users: readonly PasswdUser[];
  readonly groups: readonly GroupEntry[];
  /** /etc/shells entries, or undefined when the file is missing. */
  readonly shells?: readonly string[];
  /** /etc/shadow entries, or undefined when it is unreadable (`shadowUnknown` says why). */
  readonly shadow?: readonly ShadowEntry[];
  readonly shadowUnknown?: string;
  /** The file texts the entries' spans point into (for edits by a planner). */
  readonly passwdText?: string;
  readonly groupText?: string;
  user(name: string): PasswdUser | undefined;
  /** Primary + supplementary group names (primary first), or [] for an unknown user. */
  groupsOf(user: string): string[];
  /** The first shadow entry of the user (getspnam), or undefined (not listed, or shadow unknown). */
  shadowOf(user: string): ShadowEntry | undefined;
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

interface RawLine {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly line: number;
}

/** Lines with their spans (LF or CRLF; the CR is outside the span). */
function rawLines(text: string): RawLine[] {
  const out: RawLine[] = [];
  let pos = 0;
  let n = 0;
  while (pos < text.length) {
    n++;
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    const contentEnd = end > pos && text[end - 1] === '\r' ? end - 1 : end;
    out.push({ text: text.slice(pos, contentEnd), start: pos, end: contentEnd, line: n });
    pos = nl < 0 ? text.length : nl + 1;
  }
  return out;
}

const NUM = /^[0-9]{1,10}$/;
const skipped = (t: string): boolean => t.trim() === '' || t.startsWith('#') || t.startsWith('+') || t.startsWith('-');

export function parsePasswd(text: string, problems: string[] = []): PasswdUser[] {
  const out: PasswdUser[] = [];
  for (const l of rawLines(text)) {
    if (skipped(l.text)) continue; // blank, comment, NIS compat entries
    const f = l.text.split(':');
    if (f.length < 7 || f[0] === '' || !NUM.test(f[2]!) || !NUM.test(f[3]!)) {
      problems.push(`/etc/passwd:${l.line}: malformed entry`);
      continue;
    }
    // The shell is the rest of the line (a colon in it stays in it).
    const shellStart = l.start + f.slice(0, 6).join(':').length + 1;
    const shell = l.text.slice(shellStart - l.start);
    out.push({ name: f[0]!, password: f[1]!, uid: Number(f[2]), gid: Number(f[3]), gecos: f[4]!, home: f[5]!, shell, loginShell: isLoginShell(shell), line: l.line, start: l.start, end: l.end, shellStart });
  }
  return out;
}

export function parseGroup(text: string, problems: string[] = []): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const l of rawLines(text)) {
    if (skipped(l.text)) continue;
    const f = l.text.split(':');
    if (f.length < 4 || f[0] === '' || !NUM.test(f[2]!)) {
      problems.push(`/etc/group:${l.line}: malformed entry`);
      continue;
    }
    out.push({ name: f[0]!, gid: Number(f[2]), members: f[3]!.split(',').map((m) => m.trim()).filter(Boolean), line: l.line });
  }
  return out;
}

const day = (s: string | undefined): number | undefined => (s !== undefined && /^-?[0-9]{1,10}$/.test(s) && Number(s) >= 0 ? Number(s) : undefined);

export function parseShadow(text: string, problems: string[] = []): ShadowEntry[] {
  const out: ShadowEntry[] = [];
  for (const l of rawLines(text)) {
    if (skipped(l.text)) continue;
    const f = l.text.split(':');
    if (f.length < 2 || f[0] === '') {
      problems.push(`/etc/shadow:${l.line}: malformed entry`);
      continue;
    }
    const [lastChange, minDays, maxDays, warnDays, inactiveDays, expireDay] = [2, 3, 4, 5, 6, 7].map((i) => day(f[i]));
    out.push({
      name: f[0]!, hash: f[1]!, line: l.line,
      ...(lastChange !== undefined ? { lastChange } : {}), ...(minDays !== undefined ? { minDays } : {}),
      ...(maxDays !== undefined ? { maxDays } : {}), ...(warnDays !== undefined ? { warnDays } : {}),
      ...(inactiveDays !== undefined ? { inactiveDays } : {}), ...(expireDay !== undefined ? { expireDay } : {}),
    });
  }
  return out;
}

export function parseShells(text: string): string[] {
  return rawLines(text).map((l) => l.text.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

/** Password state from the shadow hash (shadow(5)): "!" or "*" prefixes lock password logins. */
export function passwordState(hash: string | undefined): PasswordState {
  if (hash === undefined) return 'unknown';
  if (hash === '') return 'empty';
  if (hash === '*' || hash === '!' || hash === '!*' || hash === '!!') return 'none';
  if (hash.startsWith('!')) return 'locked';
  if (hash.startsWith('*')) return 'none';
  return 'set';
}

/** Days since the epoch, as sshd computes "today" (time(NULL) / DAY). */
export function epochDay(ms: number): number {
  return Math.floor(ms / 86_400_000);
}

/**
 * The shadow state on `today` (auth-shadow.c: auth_shadow_acctexpired expires when
 * sp_expire - today < 0, i.e. the day after the one named; auth_shadow_pwexpired: sp_lstchg 0
 * is "root forced", else sp_lstchg + sp_max - today < 0 unless sp_max is -1/empty).
 */
export function shadowState(e: ShadowEntry | undefined, today: number): ShadowState {
  if (!e) return { password: 'unknown', accountExpired: false, passwordExpired: false };
  const accountExpired = e.expireDay !== undefined && e.expireDay - today < 0;
  const passwordExpired = e.lastChange === 0 ? 'forced' : e.lastChange !== undefined && e.maxDays !== undefined && e.lastChange + e.maxDays - today < 0 ? 'aged' : false;
  return { password: passwordState(e.hash), accountExpired, passwordExpired };
}

/** Group names of a user, primary first (what initgroups(3) gives sshd's ga_init). */
export function groupsOfEntry(user: PasswdUser, groups: readonly GroupEntry[]): string[] {
  const primary = groups.find((g) => g.gid === user.gid)?.name;
  const out = primary !== undefined ? [primary] : [];
  for (const g of groups) if (g.members.includes(user.name) && !out.includes(g.name)) out.push(g.name);
  return out;
}

export interface AccountsExtra {
  readonly shadow?: readonly ShadowEntry[];
  readonly shadowUnknown?: string;
  readonly passwdText?: string;
  readonly groupText?: string;
}

export function makeAccounts(users: PasswdUser[], groups: GroupEntry[], shells: string[] | undefined, problems: string[] = [], extra: AccountsExtra = {}): Accounts {
  const byName = new Map<string, PasswdUser>();
  for (const u of users) if (!byName.has(u.name)) byName.set(u.name, u); // getpwnam: first wins
  const byGid = new Map<number, GroupEntry>();
  for (const g of groups) if (!byGid.has(g.gid)) byGid.set(g.gid, g);
  const shadowBy = new Map<string, ShadowEntry>();
  for (const s of extra.shadow ?? []) if (!shadowBy.has(s.name)) shadowBy.set(s.name, s);
  return {
    users,
    groups,
    ...(shells ? { shells } : {}),
    ...extra,
    problems,
    user: (name) => byName.get(name),
    shadowOf: (name) => shadowBy.get(name),
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

/** Accounts from file texts (undefined = unreadable); what `gatherAccounts` does after reading. */
export function accountsFromTexts(t: { passwd: string; group?: string; groupUnknown?: string; shadow?: string; shadowUnknown?: string; shells?: string }): Accounts {
  const problems: string[] = [];
  const users = parsePasswd(t.passwd, problems);
  if (t.group === undefined) problems.push(`groups unknown: ${t.groupUnknown ?? '/etc/group: not read'}`);
  const groups = t.group !== undefined ? parseGroup(t.group, problems) : [];
  const shadow = t.shadow !== undefined ? parseShadow(t.shadow, problems) : undefined;
  return makeAccounts(users, groups, t.shells !== undefined ? parseShells(t.shells) : undefined, problems, {
    ...(shadow ? { shadow } : { shadowUnknown: t.shadowUnknown ?? '/etc/shadow: not read' }),
    passwdText: t.passwd,
    ...(t.group !== undefined ? { groupText: t.group } : {}),
  });
}

export async function gatherAccounts(fs: ReadOnlyFs): Promise<Fact<Accounts>> {
  const [p, g, sh, s] = await Promise.all([readText(fs, '/etc/passwd'), readText(fs, '/etc/group'), readText(fs, '/etc/shadow'), readText(fs, '/etc/shells', 1 << 20)]);
  if (p.status === 'unknown') return unknown(p.reason);
  return known(accountsFromTexts({
    passwd: p.value,
    ...(g.status === 'known' ? { group: g.value } : { groupUnknown: g.reason }),
    ...(sh.status === 'known' ? { shadow: sh.value } : { shadowUnknown: sh.reason }),
    ...(s.status === 'known' ? { shells: s.value } : {}),
  }));
}
