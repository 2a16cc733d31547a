// The allowlist as it lives in sshd_config: one `DenyUsers USER@!ADDR1,!ADDR2,...,*` line per
// restricted user pattern ("*" = everyone), in the global section of the main file under a
// marker comment. Why DenyUsers: auth.c allowed_user (OpenSSH 9.2p1) refuses a user as soon as
// one DenyUsers pattern matches, before and independently of AllowUsers/AllowGroups/DenyGroups,
// so the restriction composes with any existing list; an existing `AllowUsers alice` cannot
// leave alice open from elsewhere. The host part is an addrmatch.c pattern list: a listed
// address hits a negated entry, which makes match_host_and_ip return 0 (not denied); any other
// address hits the trailing "*" (denied). With UseDNS yes the host name fails the negated
// address entries too and hits "*", so the result is the same. This module reads and renders
// those lines; it decides nothing about policy.
import type { ByteString } from '../text/bytes.js';
import type { TextEdit } from '../text/edit.js';
import type { ConfigFile, DirectiveLine } from '../sshd/cst.js';
import { findKeyword } from '../sshd/keywords/index.js';
import { type AllowAddress, parseAllowAddress } from './address.js';

export const MARKER = '# sshield allow: logins only from the "!" addresses below; DenyUsers refuses all others (sshield allow list)';

export interface ManagedEntry {
  /** "*" for everyone, else a user name. */
  readonly user: string;
  readonly addresses: readonly AllowAddress[];
  readonly line: DirectiveLine;
}

export interface ManagedState {
  readonly entries: readonly ManagedEntry[];
  /** The marker comment line's span, if present. */
  readonly marker?: { readonly start: number; readonly end: number; readonly line: number };
  /** Where new lines go: after the last managed line, else after the last global directive before the first Match, else EOF. */
  readonly insertAt: number;
  /** Whether the byte before insertAt is a line end (or insertAt is 0). */
  readonly atLineStart: boolean;
  readonly eol: ByteString;
  /**
   * DenyUsers lines inside Match blocks of this file. A Match that sets DenyUsers replaces the
   * global list for the connections it matches (servconf.c copy_set_server_options,
   * M_CP_STRARRAYOPT), which would drop the allowlist there; the managed patterns are therefore
   * also kept on these lines.
   */
  readonly matchDenyLines: readonly DirectiveLine[];
}

const ENTRY = /^([^@!,*\s][^@\s]*|\*)@((?:![^,!*\s]+,)+)\*$/;

/** Parses one managed pattern; undefined when it is not of the managed shape. */
export function parseManagedPattern(arg: string): { user: string; addresses: AllowAddress[] } | undefined {
  const m = ENTRY.exec(arg);
  if (!m) return undefined;
  const addresses: AllowAddress[] = [];
  for (const part of m[2]!.split(',')) {
    if (part === '') continue;
    const r = parseAllowAddress(part.slice(1));
    if (!r.ok) return undefined;
    addresses.push(r.value);
  }
  return { user: m[1]!, addresses };
}

export function renderPattern(user: string, addresses: readonly AllowAddress[]): string {
  return `${user}@${addresses.map((a) => `!${a.text}`).join(',')},*`;
}

function kw(line: DirectiveLine): string | undefined {
  return findKeyword(line.keyword.value)?.name;
}

export function readManaged(file: ConfigFile): ManagedState {
  const entries: ManagedEntry[] = [];
  const matchDenyLines: DirectiveLine[] = [];
  let marker: ManagedState['marker'];
  let inMatch = false;
  let lastGlobalDirectiveEnd = -1;
  let lastManagedEnd = -1;
  const eol: ByteString = file.lines.find((l) => l.eol !== '')?.eol ?? '\n';
  for (const l of file.lines) {
    if (l.kind === 'comment' && !inMatch && l.comment.value.startsWith('# sshield allow:')) marker = { start: l.start, end: l.end, line: l.line };
    if (l.kind !== 'directive') continue;
    const k = kw(l);
    if (k === 'Match') {
      inMatch = true;
      continue;
    }
    if (inMatch) {
      if (k === 'DenyUsers') matchDenyLines.push(l);
      continue;
    }
    lastGlobalDirectiveEnd = l.end;
    if (k !== 'DenyUsers' || l.args.length !== 1 || l.trailingComment) continue;
    const p = parseManagedPattern(l.args[0]!.value);
    if (!p) continue;
    entries.push({ user: p.user, addresses: p.addresses, line: l });
    lastManagedEnd = l.end;
  }
  let insertAt: number;
  if (lastManagedEnd >= 0) insertAt = lastManagedEnd;
  else if (inMatch && lastGlobalDirectiveEnd >= 0) insertAt = lastGlobalDirectiveEnd;
  else if (inMatch) insertAt = firstMatchStart(file);
  else insertAt = file.text.length;
  const atLineStart = insertAt === 0 || file.text[insertAt - 1] === '\n';
  return { entries, ...(marker ? { marker } : {}), insertAt, atLineStart, eol, matchDenyLines };
}

function firstMatchStart(file: ConfigFile): number {
  for (const l of file.lines) if (l.kind === 'directive' && kw(l) === 'Match') return l.start;
  return file.text.length;
}

/** The desired allowlist: user pattern -> addresses ("*" first). */
export type AllowMap = ReadonlyMap<string, readonly AllowAddress[]>;

export function toMap(state: ManagedState): Map<string, AllowAddress[]> {
  const m = new Map<string, AllowAddress[]>();
  for (const e of state.entries) {
    const cur = m.get(e.user) ?? [];
    for (const a of e.addresses) if (!cur.some((c) => c.text === a.text)) cur.push(a);
    m.set(e.user, cur);
  }
  return m;
}

/**
 * Edits that turn the managed lines of `file` into `desired`: existing lines are rewritten in
 * place (or removed), new users are inserted after them (with the marker comment when there was
 * none), and the marker goes when no managed line is left. Nothing else is touched.
 */
export function managedEdits(file: ConfigFile, state: ManagedState, desired: AllowMap): TextEdit[] {
  const edits: TextEdit[] = [];
  const done = new Set<string>();
  for (const e of state.entries) {
    const want = desired.get(e.user);
    if (!want || want.length === 0 || done.has(e.user)) {
      edits.push({ start: e.line.start, end: e.line.end, text: '' });
      continue;
    }
    done.add(e.user);
    const text = `DenyUsers ${renderPattern(e.user, want)}`;
    const lineText = file.text.slice(e.line.start, e.line.end - e.line.eol.length);
    if (lineText !== text) edits.push({ start: e.line.start, end: e.line.end - e.line.eol.length, text });
  }
  const fresh = [...desired].filter(([u, a]) => a.length > 0 && !done.has(u)).sort(([a], [b]) => (a === '*' ? -1 : b === '*' ? 1 : a < b ? -1 : a > b ? 1 : 0));
  const remaining = [...desired.values()].some((a) => a.length > 0);
  if (fresh.length > 0) {
    const { eol } = state;
    let text = state.atLineStart ? '' : eol;
    if (!state.marker) text += MARKER + eol;
    for (const [u, a] of fresh) text += `DenyUsers ${renderPattern(u, a)}${eol}`;
    edits.push({ start: state.insertAt, end: state.insertAt, text });
  }
  const patterns = [...desired].filter(([, a]) => a.length > 0).map(([u, a]) => renderPattern(u, a));
  for (const l of state.matchDenyLines) {
    const own = l.args.filter((a) => !parseManagedPattern(a.value)).map((a) => a.raw);
    const want = [...own, ...patterns];
    const last = l.args[l.args.length - 1];
    if (!last) continue;
    if (want.length === 0) {
      edits.push({ start: l.start, end: l.end, text: '' });
      continue;
    }
    const text = want.join(' ');
    if (file.text.slice(l.args[0]!.start, last.end) !== text) edits.push({ start: l.args[0]!.start, end: last.end, text });
  }
  if (!remaining && state.marker) {
    const m = state.marker;
    const line = file.lines.find((l) => l.start === m.start);
    edits.push({ start: m.start, end: line ? line.end : m.end, text: '' });
  }
  return edits;
}
