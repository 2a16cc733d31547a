// The planner of `keys add`: reads the offered key line(s) with the authorized_keys parser, judges
// each (a known plain key type; DSA refused; RSA at least the policy minimum and RequiredRSASize;
// options sshd accepts; not already one of the account's keys), gives it the asked restrictions
// with the same line planner as `keys restrict` (restrict.ts), and appends it to the account's
// first effective AuthorizedKeysFile. A missing file is a new file owned by the account, mode
// 0600, and missing directories between the home and it are typed make-dir steps (0700, owned by
// the account), so the one writer creates, journals and undoes them. Decides, never writes.
import { dirname, join } from 'node:path';
import { PLAN_VERSION, sha256, type FileChange, type PlanStep } from '../apply/plan.js';
import type { Accounts, PasswdUser } from '../host/facts/accounts.js';
import { DEFAULT_AUTHORIZED_KEYS_FILES, expandAuthorizedKeysPath } from '../host/facts/authorized-keys.js';
import type { LoadedHost } from '../host/loaded-host.js';
import type { ReadOnlyFs } from '../host/fs.js';
import { displayText, type ByteString } from '../text/bytes.js';
import { applyEdits } from '../text/edit.js';
import { unifiedDiff } from '../text/diff.js';
import { writeTarget } from './inventory.js';
import { keyLines, parseAuthorizedKeys, type KeyLine } from './parser.js';
import { planKeyLine, type RestrictRequest } from './restrict.js';
import { userKeys, type UserKeys } from './select.js';
import { keysPlan, type KeysChangeResult, type KeysHostInput } from './change-plan.js';
import { algorithmsFor, type KeyAcceptance } from './working-key.js';

/**
 * The smallest RSA key `keys add` takes unless told otherwise: 3072 bits is NIST SP 800-57 Part 1
 * (Table 2)'s size for 128-bit security, the strength of ed25519 and of the rest of a modern
 * configuration; keys/restrict-key-types warns below it. Shorter RSA keys are refused, not warned.
 */
export const DEFAULT_MIN_RSA_BITS = 3072;

export interface KeysAddInput extends KeysHostInput {
  /** The offered key line(s), as bytes (latin1 byte string). */
  readonly text: ByteString;
  /** Where the text came from, for file:line messages ("--key", a path, "stdin"). */
  readonly source: string;
  /** Restrictions to give the new key(s) (restrict.ts), as `keys restrict` takes them. */
  readonly request?: RestrictRequest;
  readonly minRsaBits?: number;
}

/** Effective values that decide whether sshd accepts a key for `user`. */
export function acceptanceFor(loaded: LoadedHost | undefined, user: string): KeyAcceptance {
  if (!loaded) return {};
  const cfg = loaded.evaluate({ user });
  const rsa = Number(cfg.value('requiredrsasize'));
  const alg = cfg.value('pubkeyacceptedalgorithms');
  return { ...(alg ? { acceptedAlgorithms: alg } : {}), ...(Number.isInteger(rsa) && rsa > 0 ? { requiredRsaSize: rsa } : {}), pubkeyAuthentication: cfg.value('pubkeyauthentication') !== 'no' };
}

/** Why this offered key is not added (or undefined when it may be). */
export function offeredKeyProblem(k: KeyLine, minRsaBits: number, acc: KeyAcceptance): string | undefined {
  const t = k.key.type;
  if (t.certificate) return `${k.typeName} is a certificate: sshd does not match certificates listed as keys; trust its CA instead (a cert-authority line or TrustedUserCAKeys)`;
  if (t.family === 'dsa') return 'DSA (ssh-dss) keys are refused: 1024 bits and SHA-1, off by default since OpenSSH 7.0 and removed in 10.0; make an ed25519 key (ssh-keygen -t ed25519)';
  if (k.options === undefined) return `sshd would ignore this key: bad options (${k.optionsError})`;
  if (t.family === 'rsa') {
    const required = acc.requiredRsaSize ?? 0;
    if (k.key.bits < Math.max(minRsaBits, required)) {
      const why = k.key.bits < required ? `sshd's RequiredRSASize is ${required}` : `sshield's minimum is ${minRsaBits} bits (NIST SP 800-57: 3072-bit RSA for 128-bit security, the strength of ed25519; --min-rsa-bits changes it)`;
      return `RSA key of ${k.key.bits} bits is too short: ${why}; make an ed25519 key (ssh-keygen -t ed25519) or RSA of at least ${Math.max(minRsaBits, required)} bits`;
    }
  }
  if (acc.acceptedAlgorithms !== undefined) {
    const offered = new Set(acc.acceptedAlgorithms.split(','));
    if (!algorithmsFor(t).some((a) => offered.has(a))) return `sshd would not accept it: PubkeyAcceptedAlgorithms does not offer ${k.typeName}`;
  }
  return undefined;
}

/** The file a new key goes to: the first effective AuthorizedKeysFile of the account. */
function targetPath(uk: UserKeys, accounts: Accounts): { ok: true; path: string } | { ok: false; message: string } {
  const patterns = uk.patterns ?? DEFAULT_AUTHORIZED_KEYS_FILES;
  for (const p of patterns) {
    const e = expandAuthorizedKeysPath(p, uk.user, accounts);
    if (e.ok) return { ok: true, path: e.path };
  }
  return { ok: false, message: `AuthorizedKeysFile for ${uk.user.name} names no file (${patterns.join(' ') || 'none'}): sshd reads keys from nowhere sshield can write (AuthorizedKeysCommand?)` };
}

const inside = (dir: string, p: string): boolean => p.startsWith(`${dir.replace(/\/+$/, '')}/`);

/** make-dir steps for the missing directories between the account's home and `path`'s parent. */
async function directorySteps(fs: ReadOnlyFs, user: PasswdUser, path: string, root: string | undefined): Promise<PlanStep[] | string> {
  const missing: string[] = [];
  for (let d = dirname(path); d !== '/' && !(await fs.lstat(d)); d = dirname(d)) missing.unshift(d);
  if (missing.length === 0) return [];
  const home = user.home.replace(/\/+$/, '');
  if (!(await fs.stat(home))) return `${user.name}'s home ${user.home} does not exist; nothing to put ${path} in`;
  const outside = missing.find((d) => !inside(home, d));
  if (outside) return `${outside} does not exist and is outside ${user.name}'s home: create it first (sshield only creates directories inside the home, owned by the account)`;
  return missing.map((d) => ({
    kind: 'make-dir' as const,
    path: d,
    hostPath: root !== undefined ? join(root, d) : d,
    mode: 0o700,
    owner: { uid: user.uid, gid: user.gid },
    describe: `mkdir -m 0700 ${d}, owned by ${user.name}`,
    stage: 'before-files' as const,
    ...(root !== undefined ? { root } : {}),
    before: { exists: false as const },
  }));
}

export async function planKeysAdd(inp: KeysAddInput): Promise<KeysChangeResult> {
  const uk = await userKeys(inp.fs, inp.loaded, inp.accounts, inp.user, inp.mainConfig);
  if (typeof uk === 'string') return { kind: 'error', reason: uk };
  const unreadable = uk.files.find((f) => f.readError);
  if (unreadable) return { kind: 'error', reason: `cannot read ${unreadable.readError}` };
  const offered = parseAuthorizedKeys(inp.text, inp.source);
  if (offered.diagnostics.length) {
    const d = offered.diagnostics[0]!;
    return { kind: 'error', reason: `${d.file}:${d.line}:${d.column}: ${d.message.replace(/; sshd ignores (this|the) (line|key)$/, '')}` };
  }
  const lines = keyLines(offered);
  if (lines.length === 0) return { kind: 'error', reason: `${inp.source}: no public key (an authorized_keys line is [options] keytype base64-key [comment])` };
  const acc = acceptanceFor(inp.loaded, uk.user.name);
  const min = inp.minRsaBits ?? DEFAULT_MIN_RSA_BITS;
  const problems = lines.flatMap((k) => {
    const p = offeredKeyProblem(k, min, acc);
    return p ? [`${inp.source}:${k.line}: ${p}`] : [];
  });
  if (problems.length) return { kind: 'error', reason: problems.join('; ') };

  const already: { fingerprint: string; file: string; line: number }[] = [];
  const fresh: KeyLine[] = [];
  for (const k of lines) {
    const have = uk.keys.find((c) => c.k.key.fingerprint === k.key.fingerprint);
    if (have) already.push({ fingerprint: k.key.fingerprint, file: have.f.info.path, line: have.k.line });
    else if (!fresh.some((x) => x.key.fingerprint === k.key.fingerprint)) fresh.push(k);
  }
  const target = targetPath(uk, inp.accounts);
  if (!target.ok) return { kind: 'refused', reason: target.message };
  const details = (file: string, added: readonly { fingerprint: string; type: string; bits: number; comment: string; line: number }[], created: readonly string[]) => ({ user: uk.user.name, file, added, already, created });
  if (fresh.length === 0) {
    const where = already.map((a) => `${a.fingerprint} at ${a.file}:${a.line}`).join(', ');
    return { kind: 'plan', plan: { ...keysPlan(inp.root, [], inp.mainConfig), notes: uk.notes }, details: details(target.path, [], []), summary: `Nothing to add: ${uk.user.name} already has ${where} (\`sshield keys restrict\` changes a key's options).`, notes: uk.notes };
  }

  // Each new line: the offered line as given (its own options kept), then the asked restrictions.
  const newLines: ByteString[] = [];
  for (const k of fresh) {
    let line = k.content.replace(/^[ \t]+/, '').replace(/[ \t]+$/, '');
    if (inp.request) {
      const re = keyLines(parseAuthorizedKeys(line, inp.source))[0]!;
      const p = planKeyLine(re, inp.request);
      if (p.kind === 'refused') return { kind: 'error', reason: `${inp.source}:${k.line}: ${p.message}` };
      if (p.kind === 'change') line = p.after;
    }
    newLines.push(line);
  }

  const existing = uk.files.find((f) => f.info.path === target.path);
  const hostPath = (p: string) => (inp.root !== undefined ? join(inp.root, p) : p);
  let change: FileChange;
  let steps: PlanStep[] = [];
  if (existing?.parsed) {
    const t = await writeTarget(inp.fs, existing, inp.accounts.users);
    if (!t.ok) return { kind: 'refused', reason: t.message };
    const before = existing.parsed.text;
    const sep = before.length && !before.endsWith('\n') ? '\n' : '';
    const text = `${sep}${newLines.join('\n')}\n`;
    const after = applyEdits(before, [{ start: before.length, end: before.length, text }]);
    change = { path: t.path, hostPath: hostPath(t.path), action: 'write', beforeSha256: sha256(before), before, after, edits: [{ start: before.length, end: before.length, text }], diff: unifiedDiff(t.path, before, after), newFileMode: 0o600, reasons: [`keys add ${uk.user.name}: ${fresh.length} key(s)`] };
  } else {
    if (await inp.fs.lstat(target.path)) return { kind: 'refused', reason: `${target.path} exists but is not a file sshield can read as authorized_keys; not touching it` };
    const d = await directorySteps(inp.fs, uk.user, target.path, inp.root);
    if (typeof d === 'string') return { kind: 'refused', reason: d };
    steps = d;
    const after = `${newLines.join('\n')}\n`;
    change = { path: target.path, hostPath: hostPath(target.path), action: 'write', beforeSha256: null, before: '', after, edits: [], diff: unifiedDiff(target.path, '', after), newFileMode: 0o600, newFileOwner: { uid: uk.user.uid, gid: uk.user.gid }, reasons: [`keys add ${uk.user.name}: ${fresh.length} key(s), new file owned by ${uk.user.name}, mode 0600`] };
  }
  // Pure check before anything is written: the old keys stay as they were and the new ones follow, all read by sshd.
  const check = parseAuthorizedKeys(change.after, change.path);
  const got = keyLines(check);
  const want = [...uk.keys.filter((c) => c.f.info.path === target.path).map((c) => c.k.key.fingerprint), ...fresh.map((k) => k.key.fingerprint)];
  if (got.map((k) => k.key.fingerprint).join(',') !== want.join(',') || got.slice(-fresh.length).some((k) => k.options === undefined)) {
    return { kind: 'error', reason: `the planned ${change.path} does not hold the old keys followed by the new ones (sshield bug); nothing written` };
  }
  const added = got.slice(-fresh.length).map((k) => ({ fingerprint: k.key.fingerprint, type: k.typeName, bits: k.key.bits, comment: displayText(k.comment), line: k.line }));
  const plan = { ...keysPlan(inp.root, [change], inp.mainConfig), ...(steps.length ? { steps } : {}), notes: uk.notes };
  const skipped = already.length ? `Already authorized, left as they are: ${already.map((a) => `${a.fingerprint} (${a.file}:${a.line})`).join(', ')}.\n` : '';
  return { kind: 'plan', plan, details: details(change.path, added, steps.map((s) => ('path' in s ? s.path : '')).concat(change.beforeSha256 === null ? [change.path] : [])), summary: skipped, notes: uk.notes };
}
