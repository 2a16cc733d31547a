// Parses what a host sent back for the gather script (gather-script.ts). The sender is untrusted:
// a compromised or hostile server can answer anything. So the parser is strict and total: the
// magic line first (a login banner or shell noise before it is allowed, bounded), then only known
// record kinds with strict base64, only normalised absolute paths (no '.', '..', '//', NUL, over-
// long names) and plain entry names, numbers in range, and an END line whose count matches; any
// deviation is one error for that host, never an exception and never a partial answer. Nothing
// here touches a file system: the result is data for snapshot.ts.
import { GATHER_MAGIC, TAIL_BYTES } from './gather-script.js';

export interface StatRecord {
  readonly kind: 'file' | 'directory' | 'symlink' | 'other';
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly target?: string;
}

export interface GatherAnswer {
  /** lstat of paths (as the script named them). */
  readonly stats: ReadonlyMap<string, StatRecord>;
  /** Contents by the path requested (maybe through a symlink); `tail`: only the file's last TAIL_BYTES. */
  readonly contents: ReadonlyMap<string, { readonly bytes: Buffer; readonly tail?: true } | { readonly unreadable: true }>;
  /** Directory entries (name -> lstat) by the path requested. */
  readonly listings: ReadonlyMap<string, ReadonlyMap<string, StatRecord>>;
  /** Program output (stdout and stderr together) and exit code, by command line. */
  readonly commands: ReadonlyMap<string, { readonly output: Buffer; readonly code: number | null }>;
}

export type GatherParse = { readonly ok: true; readonly answer: GatherAnswer } | { readonly ok: false; readonly error: string };

const MAX_PREAMBLE = 64 * 1024;
const MAX_PATH = 4096;
const MAX_NAME = 255;

export function validPath(p: string): boolean {
  if (p.length === 0 || p.length > MAX_PATH || p[0] !== '/' || p.includes('\0')) return false;
  if (p === '/') return true;
  return p.slice(1).split('/').every((c) => c !== '' && c !== '.' && c !== '..' && c.length <= MAX_NAME);
}

export function validName(n: string): boolean {
  return n.length > 0 && n.length <= MAX_NAME && n !== '.' && n !== '..' && !n.includes('/') && !n.includes('\0');
}

function b64(s: string): Buffer | undefined {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return undefined;
  return Buffer.from(s, 'base64');
}

/** `r:plain` or `b:base64` (the script's enc()); bytes are kept one char per byte (latin1). */
function word(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  if (s.startsWith('r:')) return /^[A-Za-z0-9._/@:+,=-]+$/.test(s.slice(2)) ? s.slice(2) : undefined;
  if (s.startsWith('b:')) return b64(s.slice(2))?.toString('latin1');
  return undefined;
}

const KIND: Record<string, StatRecord['kind']> = { f: 'file', d: 'directory', l: 'symlink', b: 'other', c: 'other', p: 'other', s: 'other', D: 'other' };

/** `find -printf '%y %m %U %G %s %T@\0NAME\0TARGET\0'` triples. */
function statTriples(blob: Buffer, isName: boolean): Map<string, StatRecord> | string {
  const parts = blob.toString('latin1').split('\0');
  if (parts.pop() !== '') return 'a stat list does not end with NUL';
  if (parts.length % 3 !== 0) return 'a stat list is not made of triples';
  const out = new Map<string, StatRecord>();
  for (let i = 0; i < parts.length; i += 3) {
    const m = /^([fdlbcpsD]) ([0-7]{1,4}) (\d{1,10}) (\d{1,10}) (\d{1,15}) (\d{1,12})(?:\.\d{0,10})?$/.exec(parts[i]!);
    const name = parts[i + 1]!;
    const target = parts[i + 2]!;
    if (!m) return `bad stat fields "${parts[i]!.slice(0, 60)}"`;
    if (isName ? !validName(name) : !validPath(name)) return `bad ${isName ? 'name' : 'path'} ${JSON.stringify(name.slice(0, 100))}`;
    const kind = KIND[m[1]!]!;
    if (kind === 'symlink' && (target.length === 0 || target.length > MAX_PATH)) return `bad symlink target for ${JSON.stringify(name.slice(0, 100))}`;
    if (kind !== 'symlink' && target !== '') return `a link target on a non-link ${JSON.stringify(name.slice(0, 100))}`;
    out.set(name, { kind, mode: parseInt(m[2]!, 8), uid: Number(m[3]), gid: Number(m[4]), size: Number(m[5]), mtimeMs: Number(m[6]) * 1000, ...(kind === 'symlink' ? { target } : {}) });
  }
  return out;
}

/** Parses the whole answer; `cap` is the per-file cap the script was given (a longer payload is a lie). */
export function parseGatherStream(data: Buffer, cap: number): GatherParse {
  const fail = (error: string): GatherParse => ({ ok: false, error });
  const text = data.toString('latin1');
  const magicAt = text.startsWith(`${GATHER_MAGIC}\n`) ? 0 : text.indexOf(`\n${GATHER_MAGIC}\n`) + 1;
  if (magicAt <= 0 && !text.startsWith(`${GATHER_MAGIC}\n`)) return fail(data.length === 0 ? 'no answer from the gather script (is the login shell a POSIX shell?)' : 'the answer is not from the gather script (no magic line)');
  if (magicAt > MAX_PREAMBLE) return fail('more than 64 KiB before the gather answer');
  const lines = text.slice(magicAt + GATHER_MAGIC.length + 1).split('\n');
  const stats = new Map<string, StatRecord>();
  const contents = new Map<string, { bytes: Buffer; tail?: true } | { unreadable: true }>();
  const listings = new Map<string, Map<string, StatRecord>>();
  const commands = new Map<string, { output: Buffer; code: number | null }>();
  let records = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const at = `line ${i + 2}`;
    const f = line.split(' ');
    const tag = f[0];
    if (line === '' && i === lines.length - 1) break;
    if (tag === 'END') {
      if (f.length !== 2 || !/^\d{1,9}$/.test(f[1]!) || Number(f[1]) !== records) return fail(`${at}: END count does not match (${records} records)`);
      if (lines.slice(i + 1).some((l) => l !== '')) return fail(`${at}: data after END`);
      return { ok: true, answer: { stats, contents, listings, commands } };
    }
    records++;
    if (tag === 'F') {
      if (f.length !== 2) return fail(`${at}: bad F record`);
      const blob = b64(f[1]!);
      if (!blob) return fail(`${at}: bad base64`);
      const t = statTriples(blob, false);
      if (typeof t === 'string') return fail(`${at}: ${t}`);
      for (const [k, v] of t) stats.set(k, v);
    } else if (tag === 'C' || tag === 'T' || tag === 'E' || tag === 'D' || tag === 'X') {
      if (f.length !== 3) return fail(`${at}: bad ${tag} record`);
      const name = word(f[1]);
      if (name === undefined) return fail(`${at}: bad name encoding`);
      if (tag !== 'X' && !validPath(name)) return fail(`${at}: bad path ${JSON.stringify(name.slice(0, 100))}`);
      if (tag === 'E') {
        if (f[2] !== 'unreadable') return fail(`${at}: bad E record`);
        contents.set(name, { unreadable: true });
        continue;
      }
      const payload = b64(f[2]!);
      if (!payload) return fail(`${at}: bad base64`);
      if (tag === 'C') {
        if (payload.length > cap + 1) return fail(`${at}: ${name}: more bytes than asked for`);
        contents.set(name, { bytes: payload });
      } else if (tag === 'T') {
        if (payload.length > TAIL_BYTES) return fail(`${at}: ${name}: a longer tail than asked for`);
        contents.set(name, { bytes: payload, tail: true });
      } else if (tag === 'D') {
        const t = statTriples(payload, true);
        if (typeof t === 'string') return fail(`${at}: ${name}: ${t}`);
        listings.set(name, t);
      } else {
        if (payload.length > cap + 1) return fail(`${at}: command output longer than asked for`);
        const nl = payload.lastIndexOf(10);
        const code = nl >= 0 && /^\d{1,3}$/.test(payload.subarray(nl + 1).toString('latin1')) ? Number(payload.subarray(nl + 1).toString('latin1')) : null;
        commands.set(name, { output: code === null ? payload : payload.subarray(0, nl), code });
      }
    } else return fail(`${at}: unknown record ${JSON.stringify(String(tag).slice(0, 20))}`);
  }
  return fail('the answer ended before END (cut off?)');
}
