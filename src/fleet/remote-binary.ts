// sshield's single executable on a remote host, for the changes that run there (remote-change.ts).
// Which file: this very program when it is the single executable (Node SEA), else --remote-binary
// FILE / $SSHIELD_REMOTE_BINARY, else dist/sshield-linux-<arch> of this package for the host's
// arch (scripts/build-sea.sh builds it). Its ELF machine must match the host's `uname -m`.
// Where: /var/lib/sshield/bin, root-only (made 0700 root; refused when it or /var/lib/sshield is a
// symlink, not a directory, not root's, or group/other writable), the file named by its sha256
// (sshield-<sha256>). A cached copy is used only after its sha256 is verified on the host, and
// verified again each time it runs (runCommand: the check and the exec in one remote command).
// Otherwise it is sent over ssh's stdin into a temporary file of that directory, verified, made
// 0700 and renamed into place (atomic); older copies beyond the last few are removed. A remote
// user other than root goes through `sudo -n`: a sudo that wants a password is refused with how
// to fix it (NOPASSWD for that user, or connect as root), never a prompt.
// The decisions (arch, ELF machine, directory facts) are pure functions here; the I/O is a few
// short scripts over the host's shared connection.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isSea } from 'node:sea';
import type { Readable } from 'node:stream';
import { lastLine, shellQuote, type SshPool, type SshResult } from './ssh.js';
import type { FleetTarget } from './target.js';

export const CACHE_ROOT = '/var/lib/sshield';
export const CACHE_DIR = '/var/lib/sshield/bin';
/** Copies kept besides the one in use (the previous versions, for hosts of a fleet being upgraded). */
export const KEEP_OLD = 2;
/** The exit status and marker of the remote run wrapper when the cached copy no longer matches. */
export const TAMPERED_EXIT = 126;
export const TAMPERED_MARK = 'sshield-remote: the cached executable does not have the expected sha256';
/** The PATH the copied sshield runs with (Debian's root and sudo secure_path). */
export const ROOT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The sshield architecture name (build-sea.sh's x64/arm64) of a `uname -m` answer. */
export function archOfUname(machine: string): 'x64' | 'arm64' | undefined {
  const m = machine.trim();
  if (m === 'x86_64' || m === 'amd64') return 'x64';
  if (m === 'aarch64' || m === 'arm64') return 'arm64';
  return undefined;
}

/** ELF e_machine values (elf.h): EM_X86_64, EM_AARCH64. */
const ELF_MACHINE: Readonly<Record<number, 'x64' | 'arm64'>> = { 62: 'x64', 183: 'arm64' };

/** The architecture of an ELF file's first 20 bytes, or why it is not a usable executable. */
export function archOfElf(head: Uint8Array): { readonly arch: 'x64' | 'arm64' } | { readonly error: string } {
  if (head.length < 20 || head[0] !== 0x7f || head[1] !== 0x45 || head[2] !== 0x4c || head[3] !== 0x46) return { error: 'not an ELF executable' };
  if (head[4] !== 2) return { error: 'not a 64-bit ELF executable' };
  const little = head[5] === 1;
  const machine = little ? head[18]! | (head[19]! << 8) : (head[18]! << 8) | head[19]!;
  const arch = ELF_MACHINE[machine];
  return arch ? { arch } : { error: `an ELF executable for machine ${machine}, neither x86-64 nor aarch64` };
}

/** What `stat -c '%F|%u|%a'` (lstat) said of one directory of the cache path. */
export interface DirFact {
  readonly path: string;
  /** undefined: it does not exist. */
  readonly stat?: { readonly type: string; readonly uid: number; readonly mode: number };
}

/** Parses the facts script's `sshield-dir PATH TYPE|UID|MODE` / `sshield-dir PATH missing` lines (other lines: a login shell's noise). */
export function parseDirFacts(text: string): DirFact[] | string {
  const out: DirFact[] = [];
  for (const line of text.split('\n')) {
    const m = /^sshield-dir (\S+) (?:missing|(.+)\|(\d+)\|([0-7]{3,4}))$/.exec(line);
    if (!m) continue;
    out.push(m[2] === undefined ? { path: m[1]! } : { path: m[1]!, stat: { type: m[2], uid: Number(m[3]), mode: parseInt(m[4]!, 8) } });
  }
  const want = [CACHE_ROOT, CACHE_DIR];
  if (out.length !== 2 || out.some((f, i) => f.path !== want[i])) return `unexpected answer about ${CACHE_DIR}: ${JSON.stringify(text.slice(0, 200))}`;
  return out;
}

/** Why the cache directories must not be used (nothing is written then), or undefined. */
export function judgeCacheDirs(facts: readonly DirFact[]): string | undefined {
  for (const f of facts) {
    if (!f.stat) continue;
    const { type, uid, mode } = f.stat;
    if (type === 'symbolic link') return `${f.path} is a symlink; sshield keeps its executable only in a root-only directory (remove the link)`;
    if (type !== 'directory') return `${f.path} is not a directory (${type})`;
    if (uid !== 0) return `${f.path} is owned by uid ${uid}, not root; sshield keeps its executable only in a root-only directory`;
    if ((mode & 0o022) !== 0) return `${f.path} is group- or other-writable (mode ${mode.toString(8).padStart(4, '0')}); sshield keeps its executable only in a root-only directory`;
  }
  return undefined;
}

/** The executable to copy for a host of `arch`, or a message saying how to get one. */
export function localBinaryFor(arch: 'x64' | 'arm64', o: { readonly given?: string; readonly sea: boolean; readonly execPath: string; readonly packageDirs: readonly string[]; readonly exists: (p: string) => boolean }): { readonly path: string; readonly how: string } | { readonly error: string } {
  if (o.sea) return { path: o.execPath, how: 'this single executable' };
  if (o.given !== undefined) return o.exists(o.given) ? { path: o.given, how: '--remote-binary / SSHIELD_REMOTE_BINARY' } : { error: `the remote binary ${o.given} does not exist` };
  const name = `sshield-linux-${arch}`;
  for (const d of o.packageDirs) if (o.exists(resolve(d, name))) return { path: resolve(d, name), how: `${name} of this package` };
  return { error: `no single executable for linux-${arch} to copy to the host: build it with \`scripts/build-sea.sh ${arch}\` (dist/${name}), or name one with --remote-binary FILE (or SSHIELD_REMOTE_BINARY)` };
}

/** Where this package keeps dist/ (the bundle is dist/sshield.cjs; from source, src/fleet/). */
function packageDirs(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  return [here, resolve(here, '..', 'dist'), resolve(here, '..', '..', 'dist')];
}

const shaCache = new Map<string, Promise<string>>();

/** The sha256 of a local file (hex), computed once per path, size and mtime (hosts in parallel share it). */
export function sha256File(path: string): Promise<string> {
  const st = statSync(path);
  const key = `${path}\0${st.size}\0${st.mtimeMs}`;
  let p = shaCache.get(key);
  if (!p) {
    p = (async () => {
      const h = createHash('sha256');
      for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
      return h.digest('hex');
    })();
    shaCache.set(key, p);
    p.catch(() => shaCache.delete(key));
  }
  return p;
}

function elfHead(path: string): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(20);
    const n = readSync(fd, b, 0, 20, 0);
    return b.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

export interface RemoteBinary {
  /** The verified copy on the host. */
  readonly path: string;
  readonly sha256: string;
  /** The remote user is not root: every command goes through `sudo -n`. */
  readonly sudo: boolean;
  /** A copy was sent this time (none cached, or the cached one failed its check). */
  readonly uploaded: boolean;
  /** The cached copy did not match its sha256 and was replaced. */
  readonly replaced: boolean;
  readonly arch: 'x64' | 'arm64';
}

export type EnsureOutcome =
  | { readonly ok: true; readonly value: RemoteBinary }
  /** unreachable: ssh never got in; refused: a check said no and nothing was written; failed: anything else. */
  | { readonly ok: false; readonly kind: 'unreachable' | 'refused' | 'failed'; readonly reason: string };

export interface RemoteBinaryOptions {
  /** --remote-binary FILE (else $SSHIELD_REMOTE_BINARY, read by the caller). */
  readonly binary?: string;
  /** Deadline of each short call, ms (default 60 000); the copy gets this plus 1 s per MiB. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Test seam: whether this process is the single executable. */
  readonly sea?: boolean;
}

/** ssh's own failure, said once: "ssh: <its last line>" (its messages often start with "ssh:" already). */
export function sshFailure(stderr: string): string {
  const l = lastLine(stderr);
  return l === undefined ? 'ssh: exit 255' : l.startsWith('ssh: ') ? l : `ssh: ${l}`;
}

/** A short sh script as one remote command line, as root (through `sudo -n` when not root). */
export function rootScript(script: string, args: readonly string[], sudo: boolean): string {
  return `LC_ALL=C LANG=C exec ${sudo ? 'sudo -n ' : ''}sh -c ${shellQuote(script)} sh ${args.map(shellQuote).join(' ')}`.trimEnd();
}

/** The remote command that verifies the cached copy and runs it with `args` (one command: nothing runs unverified). */
export function runCommand(bin: Pick<RemoteBinary, 'path' | 'sha256' | 'sudo'>, args: readonly string[]): string {
  // root's PATH whoever logged in: a sudo without secure_path keeps the user's, without the sbin
  // directories where usermod, useradd and sshd live.
  const script = `PATH=${ROOT_PATH}; export PATH; f=$1; want=$2; shift 2; got=$(sha256sum < "$f" 2>/dev/null | cut -c1-64); if [ "$got" != "$want" ]; then echo "${TAMPERED_MARK} ($f): not run" >&2; exit ${TAMPERED_EXIT}; fi; exec "$f" "$@"`;
  return rootScript(script, [bin.path, bin.sha256, ...args], bin.sudo);
}

// Every answer is a line with its own marker: a login shell may print lines of its own first (a
// chatty .bashrc, which Debian's bash reads for ssh commands too).
const FACTS = `for d in ${CACHE_ROOT} ${CACHE_DIR}; do s=$(stat -c '%F|%u|%a' -- "$d" 2>/dev/null) && echo "sshield-dir $d $s" || echo "sshield-dir $d missing"; done`;
const MKDIRS = `umask 077; for d in ${CACHE_ROOT} ${CACHE_DIR}; do [ -e "$d" ] || [ -L "$d" ] || mkdir -m 0700 -- "$d" || exit 3; done; ${FACTS}`;
/** $1 = the file's sha256: ok (verified, its time touched so pruning keeps it), missing, or bad. */
const VERIFY = `f=${CACHE_DIR}/sshield-$1; if [ -L "$f" ] || { [ -e "$f" ] && [ ! -f "$f" ]; }; then s=bad; elif [ ! -e "$f" ]; then s=missing; elif [ "$(sha256sum < "$f" | cut -c1-64)" = "$1" ]; then touch -c -- "$f"; s=ok; else s=bad; fi; echo "sshield-cache $s"`;
/** stdin -> a temp file in the cache dir, verified, 0700, renamed over sshield-$1. */
const UPLOAD = `set -eu; umask 077; d=${CACHE_DIR}; t=$(mktemp "$d/.upload.XXXXXXXX"); trap 'rm -f -- "$t"' EXIT; cat > "$t"; got=$(sha256sum < "$t" | cut -c1-64); if [ "$got" != "$1" ]; then echo "the copy's sha256 is $got, expected $1" >&2; exit 3; fi; chmod 0700 -- "$t"; if [ -d "$d/sshield-$1" ] && [ ! -L "$d/sshield-$1" ]; then rm -rf -- "$d/sshield-$1"; fi; mv -f -T -- "$t" "$d/sshield-$1"; trap - EXIT; echo sshield-upload-done`;
/** Keeps sshield-$1 and the KEEP_OLD most recently used others; drops uploads left by a killed copy. */
const PRUNE = `cd ${CACHE_DIR} || exit 0; ls -1t | grep -E '^sshield-[0-9a-f]{64}$' | grep -vx "sshield-$1" | tail -n +${KEEP_OLD + 1} | while read -r f; do rm -f -- "$f"; done; find . -maxdepth 1 -name '.upload.*' -mmin +60 -exec rm -f -- {} + 2>/dev/null; true`;

/**
 * Makes sure the host has this sshield (see the top of this file). Every failure is an outcome with
 * the reason, never a throw.
 */
export async function ensureRemoteBinary(pool: SshPool, target: FleetTarget, opts: RemoteBinaryOptions = {}): Promise<EnsureOutcome> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const call = (remote: string, more: { input?: Readable; timeoutMs?: number } = {}): Promise<SshResult> =>
    pool.exec(target, remote, { timeoutMs: more.timeoutMs ?? timeoutMs, maxStdout: 64 << 10, ...(opts.signal ? { signal: opts.signal } : {}), ...(more.input ? { input: more.input } : {}) });
  const broken = (r: SshResult, what: string): EnsureOutcome | undefined => {
    if (r.error) return { ok: false, kind: 'failed', reason: `${what}: ${r.error}` };
    if (r.code === 255) return { ok: false, kind: 'failed', reason: `${what}: ${sshFailure(r.stderr)}` };
    return undefined;
  };

  const who = await call(`LC_ALL=C LANG=C exec sh -c ${shellQuote('echo "sshield-host $(uname -m) $(id -u)"')}`);
  if (who.error || who.code === 255) return { ok: false, kind: 'unreachable', reason: who.error ?? sshFailure(who.stderr) };
  const wm = /^sshield-host (\S*) (\d+)$/m.exec(who.stdout.toString('utf8'));
  const [machine = '', uidText = ''] = wm ? [wm[1]!, wm[2]!] : [];
  if (who.code !== 0 || !wm) return { ok: false, kind: 'failed', reason: `cannot tell the host's machine and user (uname -m; id -u): exit ${who.code}${lastLine(who.stderr) ? `: ${lastLine(who.stderr)}` : ''}` };
  const arch = archOfUname(machine);
  if (!arch) return { ok: false, kind: 'refused', reason: `the host's machine is ${JSON.stringify(machine.slice(0, 40))}; sshield's single executable exists for x86_64 and aarch64 only` };
  const sudo = uidText.trim() !== '0';
  if (sudo) {
    const s = await call('LC_ALL=C LANG=C exec sudo -n true');
    const b = broken(s, 'sudo -n true');
    if (b) return b;
    if (s.code !== 0) {
      const why = lastLine(s.stderr) || `exit ${s.code}`;
      const what = /password/i.test(why) ? 'does not run without a password' : 'cannot run';
      return { ok: false, kind: 'refused', reason: `${target.user ?? 'the remote user'} is not root and \`sudo -n\` ${what} (${why}): connect as root, or give that user passwordless sudo (NOPASSWD) for sshield's commands` };
    }
  }

  const env = process.env.SSHIELD_REMOTE_BINARY;
  const local = localBinaryFor(arch, { ...(opts.binary !== undefined ? { given: opts.binary } : env ? { given: env } : {}), sea: opts.sea ?? isSea(), execPath: process.execPath, packageDirs: packageDirs(), exists: existsSync });
  if ('error' in local) return { ok: false, kind: 'failed', reason: local.error };
  let elf;
  try {
    elf = archOfElf(elfHead(local.path));
  } catch (e) {
    return { ok: false, kind: 'failed', reason: `cannot read ${local.path}: ${(e as Error).message}` };
  }
  if ('error' in elf) return { ok: false, kind: 'failed', reason: `${local.path} (${local.how}): ${elf.error}` };
  if (elf.arch !== arch) return { ok: false, kind: 'refused', reason: `the host is ${machine.trim()} but ${local.path} (${local.how}) is built for ${elf.arch === 'x64' ? 'x86_64' : 'aarch64'}: give the host's build with --remote-binary (scripts/build-sea.sh ${arch})` };
  let sha: string;
  try {
    sha = await sha256File(local.path);
  } catch (e) {
    return { ok: false, kind: 'failed', reason: `cannot read ${local.path}: ${(e as Error).message}` };
  }

  // The directories: judged before anything is written, made when missing, judged again.
  const facts = await call(rootScript(FACTS, [], sudo));
  const fb = broken(facts, `checking ${CACHE_DIR}`);
  if (fb) return fb;
  let dirs = parseDirFacts(facts.stdout.toString('utf8'));
  if (typeof dirs === 'string') return { ok: false, kind: 'failed', reason: dirs };
  let bad = judgeCacheDirs(dirs);
  if (bad) return { ok: false, kind: 'refused', reason: bad };
  if (dirs.some((d) => !d.stat)) {
    const made = await call(rootScript(MKDIRS, [], sudo));
    const mb = broken(made, `making ${CACHE_DIR}`);
    if (mb) return mb;
    if (made.code !== 0) return { ok: false, kind: 'failed', reason: `cannot make ${CACHE_DIR}: ${lastLine(made.stderr) || `exit ${made.code}`}` };
    dirs = parseDirFacts(made.stdout.toString('utf8'));
    if (typeof dirs === 'string') return { ok: false, kind: 'failed', reason: dirs };
    bad = judgeCacheDirs(dirs) ?? (dirs.some((d) => !d.stat) ? `${CACHE_DIR} was not made` : undefined);
    if (bad) return { ok: false, kind: 'refused', reason: bad };
  }

  const v = await call(rootScript(VERIFY, [sha], sudo));
  const vb = broken(v, 'checking the cached executable');
  if (vb) return vb;
  const state = /^sshield-cache (ok|missing|bad)$/m.exec(v.stdout.toString('utf8'))?.[1] ?? '';
  if (v.code !== 0 || state === '') return { ok: false, kind: 'failed', reason: `checking the cached executable: exit ${v.code}${lastLine(v.stderr) ? `: ${lastLine(v.stderr)}` : ''}` };
  const path = `${CACHE_DIR}/sshield-${sha}`;
  if (state !== 'ok') {
    const size = statSync(local.path).size;
    const input = createReadStream(local.path);
    let up: SshResult;
    try {
      up = await call(rootScript(UPLOAD, [sha], sudo), { input, timeoutMs: timeoutMs + Math.ceil(size / (1 << 20)) * 1000 });
    } finally {
      input.destroy();
    }
    const ub = broken(up, `copying ${local.path} to ${path}`);
    if (ub) return ub;
    if (up.code !== 0 || !/^sshield-upload-done$/m.test(up.stdout.toString('utf8'))) return { ok: false, kind: 'failed', reason: `copying ${local.path} to ${path}: ${lastLine(up.stderr) || `exit ${up.code}`}` };
  }
  // Pruning is housekeeping: its failure never fails the change.
  await call(rootScript(PRUNE, [sha], sudo));
  return { ok: true, value: { path, sha256: sha, sudo, uploaded: state !== 'ok', replaced: state === 'bad', arch } };
}
