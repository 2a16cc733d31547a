// Whether sshd would let a key line log its account in, judged from the line alone and the
// effective values for that account, by the credential model's one per-line judgment
// (src/access/keys.ts keyLineVerdict: options sshd accepts, not a cert-authority line, no
// expiry-time in the past, a type PubkeyAcceptedAlgorithms offers, RequiredRSASize). What the
// line cannot tell (from= against the client's address, RevokedKeys, StrictModes, the file
// itself) is the model's waysIn (src/access) on the whole host. Pure.
import { keyLineVerdict } from '../access/keys.js';
import type { KeyLine } from './parser.js';
import type { KeyTypeInfo } from './key-types.js';

export interface KeyAcceptance {
  /** PubkeyAcceptedAlgorithms (sshd -T, comma list); undefined: not known, not judged. */
  readonly acceptedAlgorithms?: string;
  /** RequiredRSASize; undefined: not known (OpenSSH before 9.1 has none). */
  readonly requiredRsaSize?: number;
  /** PubkeyAuthentication. */
  readonly pubkeyAuthentication?: boolean;
}

/** Signature algorithms a key type can be used with (RSA keys sign with rsa-sha2-*). */
export function algorithmsFor(t: KeyTypeInfo): string[] {
  if (t.family === 'rsa') return t.certificate ? ['ssh-rsa-cert-v01@openssh.com', 'rsa-sha2-256-cert-v01@openssh.com', 'rsa-sha2-512-cert-v01@openssh.com'] : ['ssh-rsa', 'rsa-sha2-256', 'rsa-sha2-512'];
  return [t.name];
}

/**
 * Why sshd would not accept this key for a login, or undefined when it would: the credential
 * model's per-line judgment (src/access/keys.ts keyLineVerdict, the same code waysIn uses), with
 * the client unknown (from= is judged where the address is known: own-key-guard.ts), and a
 * cert-authority line, which logs no one in by itself.
 */
export function keyNotWorking(k: KeyLine, acc: KeyAcceptance, nowMs: number): string | undefined {
  if (acc.pubkeyAuthentication === false) return 'PubkeyAuthentication no';
  const v = keyLineVerdict(k, { ...(acc.acceptedAlgorithms !== undefined ? { algs: acc.acceptedAlgorithms } : {}), ...(acc.requiredRsaSize !== undefined ? { rsaMin: acc.requiredRsaSize } : {}) }, undefined, Math.floor(nowMs / 1000));
  if (v.kind === 'refused') return v.why;
  if (v.kind === 'cert-authority') return 'a cert-authority line (it trusts certificates, it logs no one in by itself)';
  return undefined;
}
