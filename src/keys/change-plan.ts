// The planner of `keys restrict|unrestrict`: picks the keys of one account (by fingerprint or
// all), plans one text edit per chosen line (restrict.ts), judges the own-session-key guard,
// refuses files it must not write (symlink to someone else's file, a file owned by someone else),
// checks that every edit keeps the same keys in the same order, and returns a Plan of kind 'keys'
// for the one writer. Reads only through ReadOnlyFs; decides, never writes.
import { join } from 'node:path';
import { PLAN_VERSION, sha256, type FileChange, type GuardVerdict, type Plan } from '../apply/plan.js';
import type { Accounts } from '../host/facts/accounts.js';
import type { LoadedHost } from '../host/loaded-host.js';
import type { ReadOnlyFs } from '../host/fs.js';
import { bytesToText, type ByteString } from '../text/bytes.js';
import { applyEdits, type TextEdit } from '../text/edit.js';
import { unifiedDiff } from '../text/diff.js';
import { writeTarget } from './inventory.js';
import { selectKeys, userKeys, type Chosen, type KeySelector } from './select.js';
import { effectivePermissions } from './options.js';
import { keyLines, parseAuthorizedKeys } from './parser.js';
import { planKeyLine, type KeyChangeRequest } from './restrict.js';
import { ownKeyGuard } from './own-key-guard.js';
import { acceptanceFor } from './add-plan.js';
import { sessionKeyFromAuthLog, sessionKeyFromExposeAuthInfo, type SessionKey } from './session.js';

export const SESSION_KEY_OVERRIDE = '--force';

/** The live session of the admin running the command (undefined under --root or outside SSH). */
export interface KeysSession {
  /** SUDO_USER / USER / LOGNAME. */
  readonly me?: string;
  readonly sshConnection: string;
  /** ExposeAuthInfo's file (SSH_USER_AUTH), if any. */
  readonly sshUserAuth?: string;
  /** The live host's files, for SSH_USER_AUTH and the auth log. */
  readonly hostFs: ReadOnlyFs;
}

/** What every keys planner (restrict/unrestrict, add, remove) reads: the host and the account whose keys change. */
export interface KeysHostInput {
  readonly fs: ReadOnlyFs;
  /** The loaded host `fs` belongs to (its config, build and accounts), when the caller has it. */
  readonly loaded?: LoadedHost;
  readonly root?: string;
  readonly mainConfig: string;
  readonly accounts: Accounts;
  readonly user: string;
}

export interface KeysChangeInput extends KeysHostInput {
  /** Which keys (select.ts): exactly one of fingerprint, line, comment, all. */
  readonly select: KeySelector;
  readonly request: KeyChangeRequest;
  readonly force?: boolean;
  readonly session?: KeysSession;
  /** The person running this is the account itself (an ordinary user on their own keys): keep them a way in (own-key-guard.ts). */
  readonly protectOwn?: boolean;
  /** For expiry-time (ms since the epoch); default now. */
  readonly now?: number;
}

export type KeysChangeResult =
  | { readonly kind: 'error'; readonly reason: string }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'plan'; readonly plan: Plan; readonly details: Readonly<Record<string, unknown>>; readonly summary: string; readonly notes: readonly string[] };

async function readText(fs: ReadOnlyFs, path: string): Promise<string> {
  const r = await fs.readFile(path);
  return r.ok ? bytesToText(r.bytes) : '';
}

export async function detectSession(s: KeysSession, user: string): Promise<SessionKey> {
  if (s.sshUserAuth) {
    const fp = sessionKeyFromExposeAuthInfo(await readText(s.hostFs, s.sshUserAuth));
    if (fp) return { inSession: true, fingerprint: fp, source: 'SSH_USER_AUTH' };
  }
  for (const log of ['/var/log/auth.log', '/var/log/secure']) {
    const text = await readText(s.hostFs, log);
    const fp = text ? sessionKeyFromAuthLog(text, user, s.sshConnection) : undefined;
    if (fp) return { inSession: true, fingerprint: fp, source: 'auth-log' };
  }
  return { inSession: true };
}

/** The own-session-key guard: restricting the key this session used, with no other unrestricted key left. */
async function sessionGuard(inp: KeysChangeInput, chosen: readonly Chosen[], all: readonly Chosen[]): Promise<GuardVerdict | undefined> {
  const s = inp.session;
  if (inp.request.mode !== 'restrict' || inp.root !== undefined || !s || s.me !== inp.user) return undefined;
  const key = await detectSession(s, inp.user);
  const chosenFps = new Set(chosen.map((c) => c.k.key.fingerprint));
  const others = all.filter((c) => !chosenFps.has(c.k.key.fingerprint));
  const hit = key.fingerprint ? chosenFps.has(key.fingerprint) && !others.some((c) => c.k.options && effectivePermissions(c.k.options).pty) : others.length === 0;
  const what = key.fingerprint ? `the key your current SSH session used (${key.fingerprint}, from ${key.source})` : 'every key of the account you are logged in as';
  return { id: 'session-key', ok: !hit, overridden: hit && Boolean(inp.force), overrideFlag: SESSION_KEY_OVERRIDE, message: hit ? `this would restrict ${what} and leave ${inp.user} no other unrestricted key; re-run with --force if you have another way in` : 'your current SSH session keeps an unrestricted key' };
}

export async function planKeysChange(inp: KeysChangeInput): Promise<KeysChangeResult> {
  const uk = await userKeys(inp.fs, inp.loaded, inp.accounts, inp.user, inp.mainConfig);
  if (typeof uk === 'string') return { kind: 'error', reason: uk };
  const { user, files } = uk;
  const notes = uk.notes;
  const all = uk.keys;
  const sel = selectKeys(uk, inp.select);
  if (!sel.ok) return { kind: 'error', reason: sel.message };
  const chosen = sel.chosen;
  const guard = await sessionGuard(inp, chosen, all);
  const refusals: string[] = [];
  const changes: FileChange[] = [];
  const summary: Record<string, unknown>[] = [];
  for (const f of files) {
    if (!f.parsed) continue;
    const edits: TextEdit[] = [];
    const lines: number[] = [];
    for (const c of chosen.filter((c) => c.f === f)) {
      const p = planKeyLine(c.k, inp.request);
      if (p.kind === 'refused') refusals.push(`${f.info.path}:${p.message}`);
      else if (p.kind === 'change') {
        edits.push(p.edit);
        lines.push(c.k.line);
      }
    }
    if (edits.length === 0) continue;
    const t = await writeTarget(inp.fs, f, inp.accounts.users);
    if (!t.ok) return { kind: 'refused', reason: t.message };
    const before = f.parsed.text;
    const after = applyEdits(before, edits);
    // Pure check before anything is written: an options edit never adds, drops or reorders a key.
    const same = sameKeys(before, after, t.path);
    if (same) return { kind: 'error', reason: `${same}; nothing written` };
    const hostPath = inp.root ? join(inp.root, t.path) : t.path;
    changes.push({ path: t.path, hostPath, action: 'write', beforeSha256: sha256(before), before, after, edits, diff: unifiedDiff(t.path, before, after), newFileMode: 0o600, reasons: [`keys ${inp.request.mode} ${user.name}: line${lines.length > 1 ? 's' : ''} ${lines.join(', ')}`] });
    summary.push({ file: f.info.path, writes: hostPath, viaSymlink: t.viaSymlink, lines });
  }
  if (refusals.length) return { kind: 'refused', reason: refusals.join('; ') };
  const guards = guard ? [guard] : [];
  if (inp.protectOwn && inp.request.mode === 'restrict') {
    // The account's keys as they will be: each written file's new text (changes and summary are pushed together), the others as read.
    const after = files.flatMap((f) => {
      const written = summary.findIndex((x) => x.file === f.info.path);
      const text = written >= 0 ? changes[written]!.after : f.parsed?.text;
      return text === undefined ? [] : keyLines(parseAuthorizedKeys(text, f.info.path));
    });
    const now = inp.now ?? Date.now();
    const ctx = { user: user.name, shell: user.shell, acceptance: acceptanceFor(inp.loaded, user.name), now, ...(inp.session?.sshConnection ? { addr: inp.session.sshConnection.split(' ')[0]! } : {}) };
    const g = ownKeyGuard(all.map((c) => c.k), after, ctx, Boolean(inp.force));
    if (g) guards.push(g);
  }
  const plan = { ...keysPlan(inp.root, changes, inp.mainConfig), guards, notes };
  const text = changes.length ? '' : `Nothing to change: ${chosen.length} key(s) of ${user.name} already ${inp.request.mode === 'restrict' ? 'have these restrictions' : 'lack these restrictions'}.`;
  return { kind: 'plan', plan, details: { user: user.name, keys: chosen.length, files: summary }, summary: text, notes };
}

/** Undefined when `after` holds the same keys as `before`, in the same order; else why not. */
export function sameKeys(before: ByteString, after: ByteString, path: string): string | undefined {
  const fps = (text: ByteString) => keyLines(parseAuthorizedKeys(text, path)).map((k) => k.key.fingerprint).join(',');
  return fps(before) === fps(after) ? undefined : `the planned ${path} does not hold the same keys in the same order`;
}

/**
 * The pipeline's plan for authorized_keys edits. No config tree: sshd reads these files at each
 * public-key login (auth2-pubkey.c user_key_allowed -> auth_authorized_keys_file, OpenSSH 9.2p1),
 * never at start, so `sshd -t` has nothing to check and there is nothing to reload or verify.
 */
export function keysPlan(root: string | undefined, files: readonly FileChange[], mainConfig = '/etc/ssh/sshd_config'): Plan {
  return {
    version: PLAN_VERSION,
    kind: 'keys',
    configPath: mainConfig,
    ...(root !== undefined ? { root } : {}),
    files,
    tree: [],
    predicted: [],
    guards: [],
    remediated: [],
    notes: [],
    reload: { kind: 'none', why: 'sshd reads authorized_keys at every login: nothing to reload' },
  };
}
