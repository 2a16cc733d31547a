// Public host key blobs (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709): type, size in bits and the
// SHA256 fingerprint as ssh-keygen -l prints it (base64 of SHA-256 over the blob, no padding).
// Pure; a malformed blob gives bits null, never a throw. (src/keys/ owns the full key parser;
// this is the small subset a scan needs.)
import { createHash } from 'node:crypto';
import { WireReader } from './wire.js';

export interface KeyBlobInfo {
  readonly type: string;
  readonly bits: number | null;
  readonly sha256: string;
}

function mpintBits(b: Buffer): number {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  if (i === b.length) return 0;
  return (b.length - i - 1) * 8 + (32 - Math.clz32(b[i]!));
}

export function fingerprintSha256(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

export function describeKeyBlob(blob: Buffer): KeyBlobInfo {
  const r = new WireReader(blob);
  const type = r.string()?.toString('latin1') ?? 'unknown';
  let bits: number | null = null;
  if (type === 'ssh-rsa') {
    r.string(); // e
    const n = r.string();
    bits = n ? mpintBits(n) : null;
  } else if (type === 'ssh-dss') {
    const p = r.string();
    bits = p ? mpintBits(p) : null;
  } else if (type === 'ssh-ed25519') {
    bits = 256;
  } else if (type === 'ssh-ed448') {
    bits = 456;
  } else if (type.startsWith('ecdsa-sha2-nistp')) {
    bits = Number(type.slice('ecdsa-sha2-nistp'.length)) || null;
  }
  return { type, bits, sha256: fingerprintSha256(blob) };
}
