// The CA directory on disk: creating it (`ca init`: the user and host CA keys made by the real
// ssh-keygen, 0600, settings and an empty ledger), opening it (refused when unsafe: ca-dir.ts),
// and the one way a serial is handed out: under the CA's lock (an O_EXCL file with the owner's
// pid, taken over only from a dead process: src/apply/lock.ts), read the ledger, sign with
// `ssh-keygen -s ... -z SERIAL` in a private work directory, write the ledger back atomically
// (temp file beside it, fsync, rename, fsync of the directory), then release. Two concurrent
// `ca sign` runs therefore never share a serial, and a run killed at any point leaves the old or
// the new ledger, never a partial one. Every file and program goes through the ApplyHost
// (executor), so tests can drive it on a fake; nothing here reads `process`.
import { randomBytes } from 'node:crypto';
import type { ApplyHost } from '../apply/host.js';
import { acquireLock } from '../apply/lock.js';
import type { FileStat } from '../host/fs.js';
import { ancestors, CA_FILES, caPath, unsafeCaDirReason } from './ca-dir.js';
import { generateArgs, krlArgs, parseFingerprint, SSH_KEYGEN, type KeyInfo } from './keygen.js';
import { CA_FORMAT_VERSION, DEFAULT_POLICY, EMPTY_LEDGER, parseLedger, parseSettings, serialiseJson, type CaKeyType, type CaPolicy, type CaSettings, type Ledger, type Parsed, krlSpec } from './ledger.js';

export interface Owner {
  readonly uid: number;
  readonly gid: number;
}

export interface OpenCa {
  readonly dir: string;
  readonly settings: CaSettings;
  readonly ledger: Ledger;
}

const LOCK_WAIT_MS = 60_000;
const enc = (s: string) => Buffer.from(s, 'utf8');

async function readText(host: ApplyHost, path: string): Promise<string | undefined> {
  const r = await host.fs.readFile(path, 16 << 20);
  return r.ok ? Buffer.from(r.bytes).toString('utf8') : undefined;
}

/** Why `dir` is not a safe CA directory (ca-dir.ts), from lstat of it and of every directory above it. */
export async function caDirProblem(host: ApplyHost, dir: string, uid: number, mayBeMissing: boolean): Promise<string | undefined> {
  const stats = new Map<string, FileStat | undefined>();
  for (const p of [...ancestors(dir), dir]) stats.set(p, await host.fs.lstat(p));
  return unsafeCaDirReason(dir, stats, uid, mayBeMissing);
}

async function run(host: ApplyHost, args: readonly string[]): Promise<Parsed<string>> {
  const r = await host.run(SSH_KEYGEN, args, { timeoutMs: 60_000 });
  if (r.code === 0) return { ok: true, value: r.stdout };
  return { ok: false, message: `ssh-keygen ${args.filter((a) => a !== '-q').join(' ')}: ${(r.error ?? r.stderr.trim()) || `exit ${r.code}`}` };
}

/** `ssh-keygen -l -f FILE`. */
export async function fingerprintOf(host: ApplyHost, file: string): Promise<Parsed<KeyInfo>> {
  const r = await run(host, ['-l', '-f', file]);
  if (!r.ok) return r;
  const k = parseFingerprint(r.value);
  return k ? { ok: true, value: k } : { ok: false, message: `ssh-keygen -l -f ${file}: unexpected output "${r.value.trim()}"` };
}

export interface InitRequest {
  readonly dir: string;
  readonly type: CaKeyType;
  readonly now: string;
  readonly owner: Owner;
  readonly policy?: CaPolicy;
  readonly label: string;
}

/** Creates the CA: DIR 0700, user_ca and host_ca (0600, .pub 0644), ca.json, an empty ledger. */
export async function initCa(host: ApplyHost, r: InitRequest): Promise<Parsed<OpenCa>> {
  const problem = await caDirProblem(host, r.dir, r.owner.uid, true);
  if (problem) return { ok: false, message: problem };
  if (await host.fs.lstat(caPath(r.dir, CA_FILES.settings))) return { ok: false, message: `${r.dir} already holds a CA (${CA_FILES.settings}); nothing changed` };
  for (const f of [CA_FILES.userKey, CA_FILES.hostKey, CA_FILES.ledger]) {
    if (await host.fs.lstat(caPath(r.dir, f))) return { ok: false, message: `${caPath(r.dir, f)} already exists; refusing to overwrite it` };
  }
  await host.mkdirp(r.dir, 0o700);
  const again = await caDirProblem(host, r.dir, r.owner.uid, false);
  if (again) return { ok: false, message: again };
  const keys: Record<'userCa' | 'hostCa', { file: string; fingerprint: string }> = { userCa: { file: CA_FILES.userKey, fingerprint: '' }, hostCa: { file: CA_FILES.hostKey, fingerprint: '' } };
  for (const [k, file, what] of [['userCa', CA_FILES.userKey, 'user'], ['hostCa', CA_FILES.hostKey, 'host']] as const) {
    const path = caPath(r.dir, file);
    const g = await run(host, generateArgs(r.type, path, `sshield ${what} CA ${r.label}`));
    if (!g.ok) return g;
    // ssh-keygen creates the private key 0600 already; say so explicitly whatever its umask did.
    await host.setOwnership(path, { mode: 0o600 });
    await host.setOwnership(`${path}.pub`, { mode: 0o644 });
    const fp = await fingerprintOf(host, `${path}.pub`);
    if (!fp.ok) return fp;
    keys[k] = { file, fingerprint: fp.value.fingerprint };
  }
  const settings: CaSettings = { version: CA_FORMAT_VERSION, type: r.type, created: r.now, userCa: keys.userCa, hostCa: keys.hostCa, policy: r.policy ?? DEFAULT_POLICY };
  await host.replaceFile(caPath(r.dir, CA_FILES.ledger), enc(serialiseJson(EMPTY_LEDGER)), { mode: 0o600, ...r.owner });
  await host.replaceFile(caPath(r.dir, CA_FILES.settings), enc(serialiseJson(settings)), { mode: 0o600, ...r.owner });
  return { ok: true, value: { dir: r.dir, settings, ledger: EMPTY_LEDGER } };
}

/** Reads a CA directory after checking it is safe. */
export async function openCa(host: ApplyHost, dir: string, uid: number): Promise<Parsed<OpenCa>> {
  const problem = await caDirProblem(host, dir, uid, false);
  if (problem) return { ok: false, message: problem };
  const sPath = caPath(dir, CA_FILES.settings);
  const sText = await readText(host, sPath);
  if (sText === undefined) return { ok: false, message: `${dir} is not an sshield CA (no readable ${CA_FILES.settings}); create one with \`sshield ca init --dir ${dir}\`` };
  const settings = parseSettings(sText, sPath);
  if (!settings.ok) return settings;
  for (const f of [settings.value.userCa.file, settings.value.hostCa.file]) {
    const st = await host.fs.lstat(caPath(dir, f));
    if (!st || st.kind !== 'file') return { ok: false, message: `${caPath(dir, f)}: missing or not a regular file` };
    if ((st.mode & 0o077) !== 0) return { ok: false, message: `${caPath(dir, f)} has mode ${st.mode.toString(8).padStart(4, '0')}: a CA private key must be 0600; fix: chmod 0600 ${caPath(dir, f)}` };
  }
  const ledger = await readLedger(host, dir);
  return ledger.ok ? { ok: true, value: { dir, settings: settings.value, ledger: ledger.value } } : ledger;
}

async function readLedger(host: ApplyHost, dir: string): Promise<Parsed<Ledger>> {
  const path = caPath(dir, CA_FILES.ledger);
  const text = await readText(host, path);
  if (text === undefined) return { ok: false, message: `${path}: missing or unreadable; refusing to hand out serials without it` };
  return parseLedger(text, path);
}

/** A private scratch directory in the CA directory (0700), removed after `fn` whatever happens. */
export async function withWorkDir<T>(host: ApplyHost, dir: string, owner: Owner, fn: (work: string) => Promise<T>): Promise<T> {
  const base = caPath(dir, CA_FILES.work);
  if (!(await host.fs.lstat(base))) await host.makeDir(base, { mode: 0o700, ...owner });
  const work = `${base}/${randomBytes(6).toString('hex')}`;
  await host.makeDir(work, { mode: 0o700, ...owner });
  try {
    return await fn(work);
  } finally {
    await host.removeTree(work).catch(() => undefined);
  }
}

/**
 * Runs `fn` on the current ledger under the CA's lock; when it returns a new ledger, that is
 * written atomically before the lock is released. `fn`'s failure leaves the ledger untouched.
 */
export async function withLedger<T>(host: ApplyHost, dir: string, owner: Owner, fn: (l: Ledger) => Promise<Parsed<{ ledger?: Ledger; result: T }>>): Promise<Parsed<T>> {
  const lock = await acquireLock(host, caPath(dir, CA_FILES.lock), LOCK_WAIT_MS);
  try {
    const l = await readLedger(host, dir);
    if (!l.ok) return l;
    const r = await fn(l.value);
    if (!r.ok) return r;
    if (r.value.ledger && r.value.ledger !== l.value) await host.replaceFile(caPath(dir, CA_FILES.ledger), enc(serialiseJson(r.value.ledger)), { mode: 0o600, ...owner });
    return { ok: true, value: r.value.result };
  } finally {
    await lock.release().catch(() => undefined);
  }
}

/** Runs ssh-keygen in the work directory (signing, KRL); its output files are read back by the caller. */
export async function keygen(host: ApplyHost, args: readonly string[]): Promise<Parsed<string>> {
  return run(host, args);
}

/** Rebuilds DIR/revoked_keys.krl from the ledger (atomically), returning its bytes. */
export async function writeKrl(host: ApplyHost, ca: OpenCa, ledger: Ledger, owner: Owner): Promise<Parsed<Uint8Array>> {
  return withWorkDir(host, ca.dir, owner, async (work) => {
    await host.writeFile(`${work}/spec`, enc(krlSpec(ledger)), { mode: 0o600 });
    const out = `${work}/krl`;
    const k = await run(host, krlArgs(out, `${caPath(ca.dir, ca.settings.userCa.file)}.pub`, `${work}/spec`));
    if (!k.ok) return k;
    const r = await host.fs.readFile(out);
    if (!r.ok) return { ok: false, message: `ssh-keygen made no KRL: ${r.detail}` };
    await host.replaceFile(caPath(ca.dir, CA_FILES.krl), r.bytes, { mode: 0o644, ...owner });
    return { ok: true, value: r.bytes };
  });
}

export async function readPublic(host: ApplyHost, path: string): Promise<Parsed<string>> {
  const t = await readText(host, path);
  return t === undefined ? { ok: false, message: `${path}: cannot read it` } : { ok: true, value: t };
}
