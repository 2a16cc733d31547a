// The `ssh-keygen` command lines the CA runs and the reading of what it prints: key generation
// (ca init), fingerprints (`-l`), signing (`-s`, user or host with `-h`) and KRLs (`-k`). Pure:
// argument lists and parsers only; the store (store.ts) runs them through the executor. Flags as
// in ssh-keygen(1), OpenSSH 9.2p1: -I key id, -n principals, -V validity, -z serial, -O option.
import type { CaKeyType } from './ledger.js';

export const SSH_KEYGEN = 'ssh-keygen';

export function generateArgs(type: CaKeyType, file: string, comment: string): string[] {
  return ['-q', '-N', '', '-t', type, ...(type === 'rsa' ? ['-b', '4096'] : type === 'ecdsa' ? ['-b', '384'] : []), '-C', comment, '-f', file];
}

export interface KeyInfo {
  readonly bits: number;
  readonly fingerprint: string;
  readonly comment: string;
  /** ED25519, RSA, ECDSA, ED25519-CERT... as ssh-keygen -l prints it. */
  readonly type: string;
}

/** Parses `ssh-keygen -l -f FILE`: "256 SHA256:... comment (ED25519)". */
export function parseFingerprint(stdout: string): KeyInfo | undefined {
  const m = /^(\d+) (SHA256:[A-Za-z0-9+/=]+) (.*) \(([A-Z0-9-]+)\)\s*$/.exec(stdout.split('\n')[0] ?? '');
  return m ? { bits: Number(m[1]), fingerprint: m[2]!, comment: m[3]!, type: m[4]! } : undefined;
}

export interface SignArgs {
  readonly caKey: string;
  readonly keyId: string;
  readonly principals: readonly string[];
  /** `ssh-keygen -V` form (validity.ts validityArg). */
  readonly validity: string;
  readonly serial: number;
  /** `-O` options (user certificates only). */
  readonly options: readonly string[];
  readonly host: boolean;
  readonly keyFile: string;
  /** Sign with the CA key held by ssh-agent (-U): caKey is then its public half. */
  readonly agent?: boolean;
}

export function signArgs(a: SignArgs): string[] {
  return ['-q', ...(a.agent ? ['-U'] : []), '-s', a.caKey, '-I', a.keyId, ...(a.host ? ['-h'] : []), '-n', a.principals.join(','), '-V', a.validity, '-z', String(a.serial), ...a.options.flatMap((o) => ['-O', o]), a.keyFile];
}

/** A KRL made from a specification file, signed by nothing, scoped to the user CA for serials. */
export function krlArgs(krlFile: string, caPub: string, specFile: string): string[] {
  return ['-q', '-k', '-f', krlFile, '-s', caPub, specFile];
}

/** `ssh-keygen -Q -f KRL KEY`: 0 not revoked, 1 revoked, anything else: the KRL cannot be read. */
export function queryArgs(krlFile: string, keyFile: string): string[] {
  return ['-Q', '-f', krlFile, keyFile];
}

/** The first bytes of a binary KRL (krl.h KRL_MAGIC "SSHKRL\n\0"). */
const KRL_MAGIC = 'SSHKRL\n\0';

/**
 * Whether sshd can read a revocation list, from `ssh-keygen -Q -f LIST KEY` (0 or 1: a KRL it
 * read) and the list's bytes: a file without the KRL magic is read by sshd as a text list of
 * public keys (krl.c ssh_krl_file_contains_key -> sshkey_in_file), which ssh-keygen -Q does not
 * accept ("invalid magic number"). sshd skips a line it cannot parse, so a mangled file would
 * quietly revoke nothing: a text list counts only when every line is blank, a comment or a key.
 * true, or why not.
 */
export function revocationListReadable(q: { code: number | null; stderr: string; error?: string }, bytes: Uint8Array): true | string {
  if (q.code === 0 || q.code === 1) return true;
  const head = Buffer.from(bytes.subarray(0, KRL_MAGIC.length)).toString('latin1');
  if (q.error === undefined && head !== KRL_MAGIC) {
    const text = Buffer.from(bytes).toString('utf8');
    const lines = text.split('\n');
    const bad = lines.findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#') && publicKeyLine(l) === undefined);
    if (bad < 0 && !text.includes('\0')) return true;
    return `neither a KRL nor a text list of public keys (line ${bad < 0 ? 1 : bad + 1} is not a key)`;
  }
  return (q.error ?? q.stderr.trim()) || `ssh-keygen -Q exit ${q.code}`;
}

/** One public key line: `type base64 [comment]`, without options; undefined when it is not one. */
export function publicKeyLine(text: string): { type: string; blob: string; comment: string } | undefined {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() && !l.startsWith('#'));
  if (lines.length !== 1) return undefined;
  const m = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com|ssh-dss|[a-z0-9-]+-cert-v01@openssh\.com)\s+([A-Za-z0-9+/]+=*)(?:\s+(.*))?$/.exec(lines[0]!.trim());
  return m ? { type: m[1]!, blob: m[2]!, comment: m[3] ?? '' } : undefined;
}

/** Why this public key must not be signed, or undefined. */
export function unsignableReason(text: string, info?: KeyInfo): string | undefined {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) return 'this is a PRIVATE key: give the .pub file (the private key never leaves its owner)';
  const k = publicKeyLine(text);
  if (!k) return 'not one OpenSSH public key line (expected e.g. "ssh-ed25519 AAAA... comment")';
  if (k.type.endsWith('-cert-v01@openssh.com')) return 'this is already a certificate: sign the plain public key';
  if (k.type === 'ssh-dss') return 'DSA keys are refused by OpenSSH since 7.0: use ed25519';
  if (info && info.type === 'RSA' && info.bits < 3072) return `an RSA key of ${info.bits} bits is too weak: use ed25519 (or RSA of at least 3072 bits)`;
  return undefined;
}
