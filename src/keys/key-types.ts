// The key type names OpenSSH 9.2 accepts at the start of an authorized_keys key (keyimpls[] in
// sshkey.c, matched exactly and case-sensitively by peek_type_nid), with what they are. No I/O.
// rsa-sha2-256/512 are signature names that sshkey_read still accepts as a key type (KEY_RSA).

export type KeyFamily = 'rsa' | 'dsa' | 'ecdsa' | 'ed25519' | 'ecdsa-sk' | 'ed25519-sk';

export interface KeyTypeInfo {
  /** The name as written in the file. */
  readonly name: string;
  readonly family: KeyFamily;
  readonly certificate: boolean;
  /** The name inside a plain (non-certificate) key blob of this family/curve. */
  readonly plainName: string;
  /** ssh-keygen -l's short name, e.g. ED25519, RSA-CERT, ECDSA-SK. */
  readonly shortName: string;
  /** ECDSA curve identifier (nistp256, ...), for ecdsa and ecdsa-sk. */
  readonly curve?: 'nistp256' | 'nistp384' | 'nistp521';
}

const CERT = '-cert-v01@openssh.com';

function entry(name: string, family: KeyFamily, plainName: string, shortName: string, curve?: KeyTypeInfo['curve']): KeyTypeInfo[] {
  const plain: KeyTypeInfo = { name, family, certificate: false, plainName, shortName, ...(curve ? { curve } : {}) };
  const certName = name.endsWith('@openssh.com') ? name.replace('@openssh.com', CERT) : name + CERT;
  const cert: KeyTypeInfo = { name: certName, family, certificate: true, plainName, shortName: `${shortName}-CERT`, ...(curve ? { curve } : {}) };
  return [plain, cert];
}

const ALL: KeyTypeInfo[] = [
  ...entry('ssh-ed25519', 'ed25519', 'ssh-ed25519', 'ED25519'),
  ...entry('sk-ssh-ed25519@openssh.com', 'ed25519-sk', 'sk-ssh-ed25519@openssh.com', 'ED25519-SK'),
  ...entry('ecdsa-sha2-nistp256', 'ecdsa', 'ecdsa-sha2-nistp256', 'ECDSA', 'nistp256'),
  ...entry('ecdsa-sha2-nistp384', 'ecdsa', 'ecdsa-sha2-nistp384', 'ECDSA', 'nistp384'),
  ...entry('ecdsa-sha2-nistp521', 'ecdsa', 'ecdsa-sha2-nistp521', 'ECDSA', 'nistp521'),
  ...entry('sk-ecdsa-sha2-nistp256@openssh.com', 'ecdsa-sk', 'sk-ecdsa-sha2-nistp256@openssh.com', 'ECDSA-SK', 'nistp256'),
  { name: 'webauthn-sk-ecdsa-sha2-nistp256@openssh.com', family: 'ecdsa-sk', certificate: false, plainName: 'sk-ecdsa-sha2-nistp256@openssh.com', shortName: 'ECDSA-SK', curve: 'nistp256' },
  { name: 'ssh-dss', family: 'dsa', certificate: false, plainName: 'ssh-dss', shortName: 'DSA' },
  { name: 'ssh-dss-cert-v01@openssh.com', family: 'dsa', certificate: true, plainName: 'ssh-dss', shortName: 'DSA-CERT' },
  ...entry('ssh-rsa', 'rsa', 'ssh-rsa', 'RSA'),
  { name: 'rsa-sha2-256', family: 'rsa', certificate: false, plainName: 'ssh-rsa', shortName: 'RSA' },
  { name: 'rsa-sha2-512', family: 'rsa', certificate: false, plainName: 'ssh-rsa', shortName: 'RSA' },
  { name: 'rsa-sha2-256-cert-v01@openssh.com', family: 'rsa', certificate: true, plainName: 'ssh-rsa', shortName: 'RSA-CERT' },
  { name: 'rsa-sha2-512-cert-v01@openssh.com', family: 'rsa', certificate: true, plainName: 'ssh-rsa', shortName: 'RSA-CERT' },
];

const BY_NAME = new Map(ALL.map((t) => [t.name, t]));

/** The type named exactly `name` (case-sensitive, as sshd compares), or undefined. */
export function keyTypeByName(name: string): KeyTypeInfo | undefined {
  return BY_NAME.get(name);
}

export const KEY_TYPE_NAMES: readonly string[] = ALL.map((t) => t.name);

/** Whether a type named in the file and a type found in the blob are the same sshd key type
 * (sshkey_read: k->type != type is a mismatch; rsa-sha2-* names map to KEY_RSA). */
export function sameKeyType(a: KeyTypeInfo, b: KeyTypeInfo): boolean {
  return a.family === b.family && a.certificate === b.certificate && a.curve === b.curve;
}
