// The server's host keys: for each effective HostKey path, whether the private file exists (and
// its owner/mode) and the type and size read from "<path>.pub". The public blob is decoded just
// enough (RFC 4253 §6.6 ssh-rsa e,n and ssh-dss p,q,g,y as mpints; RFC 5656 §3.1 ecdsa curve
// name; RFC 8709 ed25519): full key parsing lives in src/keys. When no HostKey is configured,
// sshd 9.2 loads rsa, ecdsa and ed25519 from /etc/ssh (servconf.c fill_default_server_options).
import type { FileStat, ReadOnlyFs } from '../fs.js';
import { readText } from './types.js';

export const DEFAULT_HOST_KEYS: readonly string[] = [
  '/etc/ssh/ssh_host_rsa_key', '/etc/ssh/ssh_host_ecdsa_key', '/etc/ssh/ssh_host_ed25519_key',
];

export interface PublicKeyInfo {
  /** Key type name from the blob, e.g. "ssh-rsa", "ecdsa-sha2-nistp256", "ssh-ed25519". */
  readonly type: string;
  /** Short family: rsa, dsa, ecdsa, ed25519, sk-ecdsa, sk-ed25519, other. */
  readonly family: 'rsa' | 'dsa' | 'ecdsa' | 'ed25519' | 'sk-ecdsa' | 'sk-ed25519' | 'other';
  /** Modulus bits (rsa, dsa p), curve bits (ecdsa), 256 (ed25519). */
  readonly bits?: number;
  readonly curve?: string;
  readonly comment?: string;
}

export interface HostKeyInfo {
  readonly path: string;
  readonly privateExists: boolean;
  readonly privateStat?: FileStat;
  readonly publicPath: string;
  readonly public?: PublicKeyInfo;
  /** Why the public part is missing or unreadable. */
  readonly problem?: string;
}

class Reader {
  private o = 0;
  constructor(private readonly b: Buffer) {}
  bytes(): Buffer | undefined {
    if (this.o + 4 > this.b.length) return undefined;
    const n = this.b.readUInt32BE(this.o);
    if (this.o + 4 + n > this.b.length) return undefined;
    const out = this.b.subarray(this.o + 4, this.o + 4 + n);
    this.o += 4 + n;
    return out;
  }
}

/** Bit length of an SSH mpint (big-endian two's complement, leading 0x00 for positive). */
function mpintBits(m: Buffer): number {
  let i = 0;
  while (i < m.length && m[i] === 0) i++;
  if (i === m.length) return 0;
  return (m.length - i - 1) * 8 + (32 - Math.clz32(m[i]!));
}

const CURVE_BITS: Record<string, number> = { nistp256: 256, nistp384: 384, nistp521: 521 };

/** Decodes a base64 public key blob; undefined when it is not a well-formed key of a known kind. */
export function describePublicKeyBlob(base64: string, comment?: string): PublicKeyInfo | undefined {
  const b = Buffer.from(base64, 'base64');
  const r = new Reader(b);
  const t = r.bytes()?.toString('latin1');
  if (!t) return undefined;
  const c = comment ? { comment } : {};
  if (t === 'ssh-rsa') {
    r.bytes();
    const n = r.bytes();
    return n ? { type: t, family: 'rsa', bits: mpintBits(n), ...c } : undefined;
  }
  if (t === 'ssh-dss') {
    const p = r.bytes();
    return p ? { type: t, family: 'dsa', bits: mpintBits(p), ...c } : undefined;
  }
  if (t.startsWith('ecdsa-sha2-') || t.startsWith('sk-ecdsa-sha2-')) {
    const curve = r.bytes()?.toString('latin1');
    if (!curve) return undefined;
    const bits = CURVE_BITS[curve];
    return { type: t, family: t.startsWith('sk-') ? 'sk-ecdsa' : 'ecdsa', curve, ...(bits ? { bits } : {}), ...c };
  }
  if (t === 'ssh-ed25519' || t === 'sk-ssh-ed25519@openssh.com') {
    const k = r.bytes();
    return k?.length === 32 ? { type: t, family: t === 'ssh-ed25519' ? 'ed25519' : 'sk-ed25519', bits: 256, ...c } : undefined;
  }
  return { type: t, family: 'other', ...c };
}

/** Parses one .pub line "type base64 [comment]"; the blob's own type wins over the text label. */
export function parsePublicKeyLine(line: string): PublicKeyInfo | undefined {
  const m = /^\s*(\S+)\s+([A-Za-z0-9+/=]+)(?:\s+(.*?))?\s*$/.exec(line);
  if (!m) return undefined;
  return describePublicKeyBlob(m[2]!, m[3] || undefined);
}

export async function inspectHostKeys(fs: ReadOnlyFs, paths: readonly string[] = DEFAULT_HOST_KEYS): Promise<HostKeyInfo[]> {
  const out: HostKeyInfo[] = [];
  for (const path of paths) {
    const st = await fs.stat(path).catch(() => undefined);
    const publicPath = `${path}.pub`;
    const t = await readText(fs, publicPath, 1 << 20);
    let pub: PublicKeyInfo | undefined;
    let problem: string | undefined;
    if (t.status === 'known') {
      const first = t.value.split('\n').find((l) => l.trim() !== '' && !l.startsWith('#')) ?? '';
      pub = parsePublicKeyLine(first);
      if (!pub) problem = `${publicPath}: not a public key line`;
    } else problem = t.reason;
    out.push({
      path,
      privateExists: st?.kind === 'file',
      ...(st ? { privateStat: st } : {}),
      publicPath,
      ...(pub ? { public: pub } : {}),
      ...(problem ? { problem } : {}),
    });
  }
  return out;
}
