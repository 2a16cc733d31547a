// Key analysis from the base64 blob of an authorized_keys line: a hand-written reader of the SSH
// wire format (RFC 4251 string/mpint/uint32/uint64) for every key type OpenSSH 9.2 reads, plain
// and *-cert-v01@openssh.com, FIDO (sk-*) included. Gives type, size in bits as `ssh-keygen -l`
// prints it (sshkey_size), ECDSA curve, certificate fields and the SHA256 fingerprint, which for a
// certificate is computed over the embedded plain key (sshkey_fingerprint_raw uses to_blob with
// force_plain=1). What it does not check, and sshd does: that an ECDSA point is on its curve and
// that a certificate's CA signature verifies (cert_parse). Pure: no I/O, never throws on input.
import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';

/** crypto.hash (Node >= 20.12): one call, no Hash object per key; createHash otherwise. */
const oneShotHash = (crypto as unknown as { hash?: (alg: string, data: Buffer, enc: 'base64') => string }).hash;
import { keyTypeByName, sameKeyType, type KeyTypeInfo } from './key-types.js';

export interface CertificateInfo {
  readonly serial: bigint;
  readonly certType: 'user' | 'host' | 'unknown';
  readonly keyId: string;
  readonly principals: readonly string[];
  /** Seconds since the epoch; 0 and 2^64-1 mean unbounded. */
  readonly validAfter: bigint;
  readonly validBefore: bigint;
  readonly criticalOptions: readonly { readonly name: string; readonly value: string }[];
  readonly extensions: readonly string[];
  readonly caType: string;
  readonly caFingerprint: string;
}

export interface KeyInfo {
  readonly type: KeyTypeInfo;
  readonly bits: number;
  readonly curve?: string;
  /** FIDO application string (sk-* keys), e.g. "ssh:". */
  readonly application?: string;
  /** "SHA256:..." exactly as ssh-keygen -l prints it. */
  readonly fingerprint: string;
  /** The plain key's wire blob (for comparing keys across files; certificates: the embedded key). */
  readonly plainBlob: Buffer;
  readonly certificate?: CertificateInfo;
}

export type BlobResult = { readonly ok: true; readonly key: KeyInfo } | { readonly ok: false; readonly message: string };

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  get left(): number {
    return this.buf.length - this.pos;
  }
  u32(): number {
    if (this.left < 4) throw new BlobError('truncated');
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  u64(): bigint {
    if (this.left < 8) throw new BlobError('truncated');
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  bytes(): Buffer {
    const n = this.u32();
    if (n > this.left) throw new BlobError('truncated');
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  str(): string {
    return this.bytes().toString('latin1');
  }
  /** An mpint's bit count, as BN_num_bits after sshbuf_get_bignum2 (rejects negatives). */
  mpintBits(): number {
    const b = this.bytes();
    if (b.length > 0 && (b[0]! & 0x80) !== 0) throw new BlobError('negative number');
    let i = 0;
    while (i < b.length && b[i] === 0) i++;
    if (b.length - i > 16384 / 8 + 1) throw new BlobError('number too large');
    if (i === b.length) return 0;
    return (b.length - i - 1) * 8 + (32 - Math.clz32(b[i]!));
  }
}

class BlobError extends Error {}

const CURVE_BITS = { nistp256: 256, nistp384: 384, nistp521: 521 } as const;

function fingerprintOf(blob: Buffer): string {
  // A SHA-256 digest in base64 is always 44 characters with one "=" of padding.
  return `SHA256:${(oneShotHash ? oneShotHash('sha256', blob, 'base64') : createHash('sha256').update(blob).digest('base64')).slice(0, 43)}`;
}

function sshString(s: string): Buffer {
  const b = Buffer.alloc(4 + s.length);
  b.writeUInt32BE(s.length, 0);
  b.write(s, 4, 'latin1');
  return b;
}

/** Reads the public fields of `t` at r.pos; returns bits, curve and application. */
function readPublic(r: Reader, t: KeyTypeInfo): { bits: number; curve?: string; application?: string } {
  switch (t.family) {
    case 'rsa': {
      r.mpintBits(); // e
      const bits = r.mpintBits();
      // sshkey_check_rsa_length: sshd refuses RSA moduli under SSH_RSA_MINIMUM_MODULUS_SIZE (1024).
      if (bits < 1024) throw new BlobError(`RSA modulus of ${bits} bits is below 1024; sshd refuses to read it`);
      return { bits };
    }
    case 'dsa': {
      const bits = r.mpintBits();
      r.mpintBits();
      r.mpintBits();
      r.mpintBits();
      return { bits };
    }
    case 'ecdsa':
    case 'ecdsa-sk': {
      const curve = r.str();
      if (curve !== t.curve) throw new BlobError(`curve ${curve} does not match ${t.name}`);
      const q = r.bytes();
      const bits = CURVE_BITS[t.curve];
      const coord = Math.ceil(bits / 8);
      if (q.length !== 1 + 2 * coord || q[0] !== 4) throw new BlobError('malformed EC point');
      if (t.family === 'ecdsa') return { bits, curve };
      return { bits, curve, application: r.str() };
    }
    case 'ed25519':
    case 'ed25519-sk': {
      const pk = r.bytes();
      if (pk.length !== 32) throw new BlobError('Ed25519 public key is not 32 bytes');
      if (t.family === 'ed25519') return { bits: 256 };
      return { bits: 256, application: r.str() };
    }
  }
}

function parseOptionList(buf: Buffer, withValues: boolean): { name: string; value: string }[] {
  const r = new Reader(buf);
  const out: { name: string; value: string }[] = [];
  while (r.left > 0) {
    const name = r.str();
    const data = r.bytes();
    let value = '';
    if (withValues && data.length > 0) {
      const inner = new Reader(data);
      value = inner.str();
    }
    out.push({ name, value });
  }
  return out;
}

function analyse(blob: Buffer, expected?: KeyTypeInfo): KeyInfo {
  const r = new Reader(blob);
  const name = r.str();
  const t = keyTypeByName(name);
  if (!t || (name.startsWith('rsa-sha2-') && !t.certificate) || name.startsWith('webauthn-')) throw new BlobError(`unknown key type "${name}" in the blob`);
  if (expected && !sameKeyType(expected, t)) throw new BlobError(`the blob holds a ${name} key, not ${expected.name}`);
  if (t.certificate) r.bytes(); // nonce
  const fieldsStart = r.pos;
  const pub = readPublic(r, t);
  const plainBlob = name === t.plainName ? blob.subarray(0, r.pos) : Buffer.concat([sshString(t.plainName), blob.subarray(fieldsStart, r.pos)]);
  let certificate: CertificateInfo | undefined;
  if (t.certificate) {
    const serial = r.u64();
    const ct = r.u32();
    const keyId = r.str();
    const principals: string[] = [];
    const pr = new Reader(r.bytes());
    while (pr.left > 0) principals.push(pr.str());
    const validAfter = r.u64();
    const validBefore = r.u64();
    const critical = parseOptionList(r.bytes(), true);
    const extensions = parseOptionList(r.bytes(), false).map((o) => o.name);
    r.bytes(); // reserved
    const caBlob = r.bytes();
    r.bytes(); // signature (not verified here)
    const ca = analyse(caBlob);
    if (ca.type.certificate) throw new BlobError('certificate signed by a certificate');
    certificate = {
      serial,
      certType: ct === 1 ? 'user' : ct === 2 ? 'host' : 'unknown',
      keyId,
      principals,
      validAfter,
      validBefore,
      criticalOptions: critical,
      extensions,
      caType: ca.type.name,
      caFingerprint: ca.fingerprint,
    };
  }
  if (r.left !== 0) throw new BlobError('trailing data after the key');
  return {
    type: t,
    bits: pub.bits,
    ...(pub.curve !== undefined ? { curve: pub.curve } : {}),
    ...(pub.application !== undefined ? { application: pub.application } : {}),
    fingerprint: fingerprintOf(plainBlob),
    plainBlob,
    ...(certificate ? { certificate } : {}),
  };
}

/** Analyses a decoded key blob; `expected` is the type named before the blob on the line. */
export function analyseBlob(blob: Buffer, expected?: KeyTypeInfo): BlobResult {
  try {
    return { ok: true, key: analyse(blob, expected) };
  } catch (e) {
    if (e instanceof BlobError) return { ok: false, message: e.message };
    throw e;
  }
}

/** 1 for [A-Za-z0-9+/] by char code (a table: one load per character). */
export const B64_CODE = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') B64_CODE[c.charCodeAt(0)] = 1;
const isB64Code = (c: number): boolean => c < 256 && B64_CODE[c] === 1;

/** Decodes base64 as b64_pton does for sshkey_read: whole quanta, padding only at the end.
 * The text must match /^[A-Za-z0-9+/]*={0,2}$/ (checked by char code, no regex, no re-encoding). */
export function decodeBase64Strict(text: string): Buffer | undefined {
  const n = text.length;
  if (n === 0 || n % 4 !== 0) return undefined;
  let end = n;
  if (text.charCodeAt(end - 1) === 61) end--;
  if (end < n && text.charCodeAt(end - 1) === 61) end--;
  for (let i = 0; i < end; i++) if (!isB64Code(text.charCodeAt(i))) return undefined;
  return Buffer.from(text, 'base64');
}
