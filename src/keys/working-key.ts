// Whether sshd would let a key line log its account in, judged from the line alone and the
// effective values for that account: options sshd accepts (auth2-pubkeyfile.c: a bad option makes
// sshd ignore the key), not a cert-authority line (that trusts certificates, it is no key),
// no expiry-time in the past (auth_authorise_keyopts), a type PubkeyAcceptedAlgorithms offers
// and, for RSA, at least RequiredRSASize bits (sshkey_check_rsa_length, OpenSSH 9.1+). DSA is
// judged by PubkeyAcceptedAlgorithms like any type (OpenSSH 10.0 has no ssh-dss at all). What
// the line cannot tell (from= against the client's address, RevokedKeys, StrictModes, the file
// itself) is the guards' (src/apply/guards). Pure.
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

/** `expiry-time="YYYYMMDD[HHMM[SS]]"` (local time, as parse_absolute_time reads it) in ms, or undefined. */
export function expiryOf(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?(Z)?$/i.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1).map((x) => x ?? undefined) as string[];
  const args = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)] as const;
  return m[7] ? Date.UTC(...args) : new Date(...args).getTime();
}

/** Why sshd would not accept this key for a login, or undefined when it would. */
export function keyNotWorking(k: KeyLine, acc: KeyAcceptance, nowMs: number): string | undefined {
  if (acc.pubkeyAuthentication === false) return 'PubkeyAuthentication no';
  if (k.options === undefined) return `sshd ignores the line (bad options: ${k.optionsError})`;
  for (const o of k.options) {
    if (o.kind === 'flag' && o.flag === 'cert-authority' && !o.negated) return 'a cert-authority line (it trusts certificates, it logs no one in by itself)';
    if (o.kind === 'value' && o.name === 'expiry-time') {
      const at = expiryOf(o.value);
      if (at !== undefined && at <= nowMs) return `expired (expiry-time="${o.value}")`;
    }
  }
  if (acc.acceptedAlgorithms !== undefined) {
    const offered = new Set(acc.acceptedAlgorithms.split(','));
    if (!algorithmsFor(k.key.type).some((a) => offered.has(a))) return `PubkeyAcceptedAlgorithms does not offer ${k.typeName}`;
  }
  if (k.key.type.family === 'rsa' && acc.requiredRsaSize !== undefined && k.key.bits < acc.requiredRsaSize) return `RSA ${k.key.bits} bits, below RequiredRSASize ${acc.requiredRsaSize}`;
  return undefined;
}
