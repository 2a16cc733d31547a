// The CA's serial ledger and settings, as data: what `ca init` writes (ca.json: key type, the two
// CA keys' fingerprints, the validity policy) and what every `ca sign`, `ca sign-host` and
// `ca revoke` appends to (ledger.json: the next serial, one entry per certificate: who signed it
// for which key, principals, validity, options; and the revocations). Parsing never throws: a
// damaged file is a message naming it, so a command stops before it could hand out a serial twice.
// Serials only grow: a ledger whose nextSerial is not above every recorded serial is refused.
// Pure: the store (store.ts) reads and writes the files.

export const CA_FORMAT_VERSION = 1;

export type CaKeyType = 'ed25519' | 'ecdsa' | 'rsa';
export const CA_KEY_TYPES: readonly CaKeyType[] = ['ed25519', 'ecdsa', 'rsa'];

export interface CaPolicy {
  /** Longest user certificate `ca sign` issues without --allow-long-validity (seconds). */
  readonly userMaxValidity: number;
  /** Longest host certificate `ca sign-host` issues without --allow-long-validity (seconds). */
  readonly hostMaxValidity: number;
}

export const DEFAULT_POLICY: CaPolicy = { userMaxValidity: 24 * 3600, hostMaxValidity: 366 * 86400 };

export interface CaSettings {
  readonly version: typeof CA_FORMAT_VERSION;
  readonly type: CaKeyType;
  readonly created: string;
  readonly userCa: { readonly file: string; readonly fingerprint: string };
  readonly hostCa: { readonly file: string; readonly fingerprint: string };
  readonly policy: CaPolicy;
}

export interface LedgerEntry {
  readonly serial: number;
  readonly kind: 'user' | 'host';
  readonly keyId: string;
  readonly principals: readonly string[];
  /** ISO 8601 UTC. */
  readonly validFrom: string;
  readonly validTo: string;
  /** The signed public key: SHA256 fingerprint and type as `ssh-keygen -l` prints them. */
  readonly keyFingerprint: string;
  readonly keyType: string;
  /** ssh-keygen -O options (source-address=..., force-command=..., no-pty...). */
  readonly options: readonly string[];
  readonly signedAt: string;
  /** The account that ran the command (SUDO_USER, else the login user). */
  readonly signedBy: string;
  /** Set by `ca revoke --serial`. */
  readonly revoked?: { readonly at: string; readonly by: string };
}

export interface RevokedKey {
  readonly fingerprint: string;
  /** The public key line (type and base64), which the KRL lists. */
  readonly key: string;
  readonly at: string;
  readonly by: string;
}

export interface Ledger {
  readonly version: typeof CA_FORMAT_VERSION;
  readonly nextSerial: number;
  readonly certificates: readonly LedgerEntry[];
  readonly revokedKeys: readonly RevokedKey[];
}

export const EMPTY_LEDGER: Ledger = { version: CA_FORMAT_VERSION, nextSerial: 1, certificates: [], revokedKeys: [] };

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function json(text: string, file: string): Parsed<Record<string, unknown>> {
  try {
    const v = JSON.parse(text) as unknown;
    return isObj(v) ? { ok: true, value: v } : { ok: false, message: `${file}: not a JSON object` };
  } catch (e) {
    return { ok: false, message: `${file}: not valid JSON (${(e as Error).message})` };
  }
}

export function parseSettings(text: string, file: string): Parsed<CaSettings> {
  const j = json(text, file);
  if (!j.ok) return j;
  const v = j.value;
  if (v.version !== CA_FORMAT_VERSION) return { ok: false, message: `${file}: version ${String(v.version)} is not one this sshield reads (${CA_FORMAT_VERSION})` };
  const pol = v.policy;
  const keyOk = (k: unknown) => isObj(k) && typeof k.file === 'string' && typeof k.fingerprint === 'string';
  if (!CA_KEY_TYPES.includes(v.type as CaKeyType) || typeof v.created !== 'string' || !keyOk(v.userCa) || !keyOk(v.hostCa) || !isObj(pol) || !Number.isInteger(pol.userMaxValidity) || !Number.isInteger(pol.hostMaxValidity)) {
    return { ok: false, message: `${file}: missing or malformed fields (type, created, userCa, hostCa, policy)` };
  }
  return { ok: true, value: v as unknown as CaSettings };
}

export function parseLedger(text: string, file: string): Parsed<Ledger> {
  const j = json(text, file);
  if (!j.ok) return j;
  const v = j.value;
  if (v.version !== CA_FORMAT_VERSION) return { ok: false, message: `${file}: version ${String(v.version)} is not one this sshield reads (${CA_FORMAT_VERSION})` };
  if (!Number.isSafeInteger(v.nextSerial) || (v.nextSerial as number) < 1 || !Array.isArray(v.certificates) || !Array.isArray(v.revokedKeys)) {
    return { ok: false, message: `${file}: missing or malformed nextSerial, certificates or revokedKeys` };
  }
  const certs = v.certificates as unknown[];
  for (const [i, c] of certs.entries()) {
    if (!isObj(c) || !Number.isSafeInteger(c.serial) || (c.kind !== 'user' && c.kind !== 'host') || !Array.isArray(c.principals) || typeof c.keyFingerprint !== 'string') {
      return { ok: false, message: `${file}: certificates[${i}] is malformed` };
    }
  }
  const max = Math.max(0, ...certs.map((c) => (c as { serial: number }).serial));
  if ((v.nextSerial as number) <= max) return { ok: false, message: `${file}: nextSerial ${String(v.nextSerial)} is not above the highest serial issued (${max}); refusing to issue a serial twice` };
  return { ok: true, value: v as unknown as Ledger };
}

export function serialiseJson(v: CaSettings | Ledger): string {
  return `${JSON.stringify(v, null, 2)}\n`;
}

/** The ledger with one more certificate, its serial taken from nextSerial. */
export function recordCertificate(l: Ledger, e: Omit<LedgerEntry, 'serial'>): { ledger: Ledger; entry: LedgerEntry } {
  const entry: LedgerEntry = { serial: l.nextSerial, ...e };
  return { ledger: { ...l, nextSerial: l.nextSerial + 1, certificates: [...l.certificates, entry] }, entry };
}

export type RevokeRequest = { readonly kind: 'serial'; readonly serial: number } | { readonly kind: 'key'; readonly fingerprint: string; readonly key: string };

/** The ledger with a revocation recorded; `changed` false when it already was. */
export function recordRevocation(l: Ledger, r: RevokeRequest, at: string, by: string): Parsed<{ ledger: Ledger; changed: boolean }> {
  if (r.kind === 'serial') {
    const e = l.certificates.find((c) => c.serial === r.serial);
    if (!e) return { ok: false, message: `serial ${r.serial} was not issued by this CA (the ledger's serials run 1..${l.nextSerial - 1})` };
    if (e.revoked) return { ok: true, value: { ledger: l, changed: false } };
    return { ok: true, value: { ledger: { ...l, certificates: l.certificates.map((c) => (c === e ? { ...c, revoked: { at, by } } : c)) }, changed: true } };
  }
  if (l.revokedKeys.some((k) => k.fingerprint === r.fingerprint)) return { ok: true, value: { ledger: l, changed: false } };
  return { ok: true, value: { ledger: { ...l, revokedKeys: [...l.revokedKeys, { fingerprint: r.fingerprint, key: r.key, at, by }] }, changed: true } };
}

/**
 * The KRL specification `ssh-keygen -k -s USER_CA.pub` reads (ssh-keygen(1) "KEY REVOCATION
 * LISTS"): one `serial:` line per revoked user certificate, one `key:` line per revoked key.
 * Host certificates are signed by the host CA, so their serials are not in the user KRL.
 */
export function krlSpec(l: Ledger): string {
  const serials = l.certificates.filter((c) => c.revoked && c.kind === 'user').map((c) => `serial: ${c.serial}\n`);
  const keys = l.revokedKeys.map((k) => `key: ${k.key}\n`);
  return `# sshield ca: revoked user certificates and keys\n${serials.join('')}${keys.join('')}`;
}
