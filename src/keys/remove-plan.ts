// The planner of `keys remove`: picks keys of one account with the shared selectors (select.ts),
// plans one text edit per chosen line that deletes exactly that line (its terminator included),
// and judges two guards of its own: the key of the current SSH session (--force), and the last
// key sshd would accept for an account that can become root (--allow-no-key-admin). Returns a
// Plan of kind 'keys' for the one writer. Reads only through ReadOnlyFs; decides, never writes.
import { join } from 'node:path';
import { sha256, type FileChange, type GuardVerdict } from '../apply/plan.js';
import type { PasswdUser } from '../host/facts/accounts.js';
import { displayText } from '../text/bytes.js';
import { applyEdits, type TextEdit } from '../text/edit.js';
import { unifiedDiff } from '../text/diff.js';
import { writeTarget } from './inventory.js';
import { keyLines, parseAuthorizedKeys } from './parser.js';
import { selectKeys, userKeys, type Chosen, type KeySelector } from './select.js';
import { detectSession, keysPlan, SESSION_KEY_OVERRIDE, type KeysChangeResult, type KeysHostInput, type KeysSession } from './change-plan.js';
import { acceptanceFor } from './add-plan.js';
import { keyNotWorking } from './working-key.js';
import { ownKeyGuard, OWN_KEY_OVERRIDE } from './own-key-guard.js';
import { ADMIN_GROUPS } from '../access/must-keep.js';

export const ADMIN_KEY_OVERRIDE = '--allow-no-key-admin';

export interface KeysRemoveInput extends KeysHostInput {
  readonly select: KeySelector;
  /** Overrides given (--force, --allow-no-key-admin). */
  readonly overrides: ReadonlySet<string>;
  readonly session?: KeysSession;
  /** For expiry-time (ms since the epoch). */
  readonly now: number;
  /** The person running this is the account itself (an ordinary user on their own keys): keep them a way in (own-key-guard.ts). */
  readonly protectOwn?: boolean;
}

/** Why the account can become root (root itself, or a sudo/wheel/admin member where sudo is installed), or undefined. */
async function adminReason(inp: KeysRemoveInput, u: PasswdUser): Promise<string | undefined> {
  if (u.uid === 0) {
    const prl = inp.loaded?.evaluate({ user: u.name }).value('permitrootlogin');
    return prl === 'no' ? undefined : 'root';
  }
  const groups = inp.accounts.groupsOf(u.name).filter((g) => ADMIN_GROUPS.includes(g));
  if (!u.loginShell || groups.length === 0) return undefined;
  const sudo = await inp.fs.stat('/usr/bin/sudo');
  return sudo ? `in group ${groups.join(', ')}, sudo installed` : undefined;
}

/** The line's bytes with its terminator; the edit that deletes it. */
function deleteLine(c: Chosen): TextEdit {
  return { start: c.k.start, end: c.k.start + c.k.content.length + c.k.eol.length, text: '' };
}

export async function planKeysRemove(inp: KeysRemoveInput): Promise<KeysChangeResult> {
  const uk = await userKeys(inp.fs, inp.loaded, inp.accounts, inp.user, inp.mainConfig);
  if (typeof uk === 'string') return { kind: 'error', reason: uk };
  const sel = selectKeys(uk, inp.select);
  if (!sel.ok) return { kind: 'error', reason: sel.message };
  const chosen = sel.chosen;
  const user = uk.user;
  const left = uk.keys.filter((c) => !chosen.includes(c));
  const guards: GuardVerdict[] = [];

  // The key this very session logged in with (or, when it cannot be told, every key of the account it logged in as).
  const s = inp.session;
  if (s && inp.root === undefined && s.me === user.name) {
    const key = await detectSession(s, user.name);
    const hit = key.fingerprint ? chosen.some((c) => c.k.key.fingerprint === key.fingerprint) : left.length === 0;
    const what = key.fingerprint ? `the key your current SSH session used (${key.fingerprint}, from ${key.source})` : `every key of ${user.name}, the account you are logged in as`;
    guards.push({ id: 'session-key', ok: !hit, overridden: hit && inp.overrides.has(SESSION_KEY_OVERRIDE), overrideFlag: SESSION_KEY_OVERRIDE, message: hit ? `this would remove ${what}; override only if you have another way in` : 'your current SSH session keeps its key' });
  }

  // The last key sshd would accept for an account that can become root.
  const admin = await adminReason(inp, user);
  if (admin) {
    const acc = acceptanceFor(inp.loaded, user.name);
    const working = (cs: readonly Chosen[]) => cs.filter((c) => keyNotWorking(c.k, acc, inp.now) === undefined);
    const before = working(uk.keys);
    const after = working(left);
    const hit = before.length > 0 && after.length === 0;
    guards.push({
      id: 'last-admin-key',
      ok: !hit,
      overridden: hit && inp.overrides.has(ADMIN_KEY_OVERRIDE),
      overrideFlag: ADMIN_KEY_OVERRIDE,
      message: hit ? `${user.name} (${admin}) would have no key sshd accepts left: ${before.map((c) => `${c.k.key.fingerprint} (${c.f.info.path}:${c.k.line})`).join(', ')} would be gone; add another first (sshield keys add --user ${user.name} --key '...')` : after.length ? `${user.name} keeps ${after.length} key(s) sshd accepts` : `${user.name} had no key sshd accepts before either`,
    });
  }

  if (inp.protectOwn) {
    const ctx = { user: user.name, shell: user.shell, acceptance: acceptanceFor(inp.loaded, user.name), now: inp.now, ...(s?.sshConnection ? { addr: s.sshConnection.split(' ')[0]! } : {}) };
    const g = ownKeyGuard(uk.keys.map((c) => c.k), left.map((c) => c.k), ctx, inp.overrides.has(OWN_KEY_OVERRIDE));
    if (g) guards.push(g);
  }

  const changes: FileChange[] = [];
  const summary: Record<string, unknown>[] = [];
  for (const f of uk.files) {
    const mine = chosen.filter((c) => c.f === f);
    if (!f.parsed || mine.length === 0) continue;
    const t = await writeTarget(inp.fs, f, inp.accounts.users);
    if (!t.ok) return { kind: 'refused', reason: t.message };
    const before = f.parsed.text;
    const edits = mine.map(deleteLine);
    const after = applyEdits(before, edits);
    // Pure check: exactly the chosen keys are gone, the others stay in order.
    const gone = new Set(mine.map((c) => c.k.line));
    const want = keyLines(f.parsed).filter((k) => !gone.has(k.line)).map((k) => k.key.fingerprint).join(',');
    if (keyLines(parseAuthorizedKeys(after, t.path)).map((k) => k.key.fingerprint).join(',') !== want) return { kind: 'error', reason: `the planned ${t.path} does not hold the other keys in the same order (sshield bug); nothing written` };
    const lines = mine.map((c) => c.k.line);
    changes.push({ path: t.path, hostPath: inp.root !== undefined ? join(inp.root, t.path) : t.path, action: 'write', beforeSha256: sha256(before), before, after, edits, diff: unifiedDiff(t.path, before, after), newFileMode: 0o600, reasons: [`keys remove ${user.name}: line${lines.length > 1 ? 's' : ''} ${lines.join(', ')}`] });
    summary.push({ file: f.info.path, writes: changes.at(-1)!.hostPath, viaSymlink: t.viaSymlink, lines });
  }
  const removed = chosen.map((c) => ({ fingerprint: c.k.key.fingerprint, type: c.k.typeName, bits: c.k.key.bits, comment: displayText(c.k.comment), file: c.f.info.path, line: c.k.line }));
  const plan = { ...keysPlan(inp.root, changes, inp.mainConfig), guards, notes: uk.notes };
  return { kind: 'plan', plan, details: { user: user.name, keys: chosen.length, removed, files: summary }, summary: '', notes: uk.notes };
}
