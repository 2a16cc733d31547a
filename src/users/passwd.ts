// The account databases as files: /etc/passwd, /etc/group and /etc/shadow (passwd(5),
// group(5), shadow(5)), parsed with the byte span of every entry so that a change (a new shell,
// a new account) is a text-range edit and every other byte stays identical. Lines that are not
// well-formed entries (comments, NIS "+" lines, garbage) are kept verbatim and never edited.
// Pure; no I/O.
import type { ByteString } from '../text/bytes.js';
import type { TextEdit } from '../text/edit.js';

export interface PasswdEntry {
  readonly name: string;
  readonly password: string;
  readonly uid: number;
  readonly gid: number;
  readonly gecos: string;
  readonly home: string;
  readonly shell: string;
  readonly line: number;
  /** Span of the line without its terminator. */
  readonly start: number;
  readonly end: number;
  /** Span of the shell field. */
  readonly shellStart: number;
}

export interface GroupEntry {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
}

export interface ShadowEntry {
  readonly name: string;
  readonly hash: string;
}

interface RawLine {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly line: number;
}

function rawLines(text: ByteString): RawLine[] {
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

export function parsePasswd(text: ByteString): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const l of rawLines(text)) {
    const f = l.text.split(':');
    if (f.length !== 7 || f[0] === '' || f[0]!.startsWith('#') || f[0]!.startsWith('+') || f[0]!.startsWith('-')) continue;
    if (!NUM.test(f[2]!) || !NUM.test(f[3]!)) continue;
    const shellStart = l.end - f[6]!.length;
    out.push({ name: f[0]!, password: f[1]!, uid: Number(f[2]), gid: Number(f[3]), gecos: f[4]!, home: f[5]!, shell: f[6]!, line: l.line, start: l.start, end: l.end, shellStart });
  }
  return out;
}

export function parseGroup(text: ByteString): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const l of rawLines(text)) {
    const f = l.text.split(':');
    if (f.length !== 4 || f[0] === '' || f[0]!.startsWith('#') || !NUM.test(f[2]!)) continue;
    out.push({ name: f[0]!, gid: Number(f[2]), members: f[3] === '' ? [] : f[3]!.split(',') });
  }
  return out;
}

export function parseShadow(text: ByteString): ShadowEntry[] {
  const out: ShadowEntry[] = [];
  for (const l of rawLines(text)) {
    const f = l.text.split(':');
    if (f.length < 2 || f[0] === '' || f[0]!.startsWith('#')) continue;
    out.push({ name: f[0]!, hash: f[1]! });
  }
  return out;
}

/** Group names of a user, primary first (what initgroups(3) gives sshd's ga_init). */
export function groupsOf(user: PasswdEntry, groups: readonly GroupEntry[]): string[] {
  const primary = groups.find((g) => g.gid === user.gid)?.name;
  const out = primary !== undefined ? [primary] : [];
  for (const g of groups) if (g.members.includes(user.name) && !out.includes(g.name)) out.push(g.name);
  return out;
}

/** The edit that sets one account's shell; every other byte of the file is untouched. */
export function setShellEdit(entry: PasswdEntry, shell: string): TextEdit {
  return { start: entry.shellStart, end: entry.end, text: shell };
}

/** Password state from the shadow hash (shadow(5)): "!" or "*" prefixes lock password logins. */
export function passwordState(hash: string | undefined): 'set' | 'locked' | 'none' | 'empty' | 'unknown' {
  if (hash === undefined) return 'unknown';
  if (hash === '') return 'empty';
  if (hash === '*' || hash === '!' || hash === '!*' || hash === '!!') return 'none';
  if (hash.startsWith('!')) return 'locked';
  if (hash.startsWith('*')) return 'none';
  return 'set';
}

/** Shells that end a session at once (what `user list` reports as "no shell"). */
export const NOLOGIN_SHELLS: readonly string[] = ['/usr/sbin/nologin', '/sbin/nologin', '/bin/false', '/usr/bin/false'];
export const NOLOGIN = '/usr/sbin/nologin';

/** A user name useradd(8) accepts on Debian (NAME_REGEX default), and not too long. */
export function validUserName(name: string): boolean {
  return /^[a-z_][-a-z0-9_.]{0,30}\$?$/i.test(name) && !/^[0-9.]+$/.test(name);
}
