// What sshield knows about SSH algorithm names: for each name, a verdict in the default stance
// and the reason, in words an admin can check. Data only; profiles (profiles.ts) may override a
// verdict, and grading (grade.ts) turns offered names into findings. Deliberately not ssh-audit's
// stance: NIST curves are acceptable (FIPS sites need them), curve25519 is good (lacking PQ is a
// preference, reported once per server by `scan/require-pq-kex`, not a flaw of each algorithm).

export type AlgorithmCategory = 'kex' | 'hostKey' | 'cipher' | 'mac';
export type Verdict = 'good' | 'weak' | 'broken';

export interface AlgorithmInfo {
  readonly verdict: Verdict;
  readonly reason?: string;
  /** Post-quantum hybrid key exchange. */
  readonly pq?: boolean;
}

const SHA1_KEX = 'uses SHA-1 for the exchange hash; SHA-1 collisions are practical (SHAttered 2017, Shambles 2020) and OpenSSH 8.2+ no longer offers it by default';
const CBC = 'CBC mode in SSH allows plaintext recovery (CVE-2008-5161) and, with an -etm MAC and no strict KEX, the Terrapin attack; OpenSSH removed CBC from its defaults in 6.7';
const EAM = 'encrypt-and-MAC: the MAC covers the plaintext, not the ciphertext; prefer the -etm@openssh.com variant (only used with non-AEAD ciphers)';

export const KEX: Readonly<Record<string, AlgorithmInfo>> = {
  'mlkem768x25519-sha256': { verdict: 'good', pq: true },
  'sntrup761x25519-sha512': { verdict: 'good', pq: true },
  'sntrup761x25519-sha512@openssh.com': { verdict: 'good', pq: true },
  'mlkem1024nistp384-sha384': { verdict: 'good', pq: true },
  'mlkem768nistp256-sha256': { verdict: 'good', pq: true },
  'curve25519-sha256': { verdict: 'good' },
  'curve25519-sha256@libssh.org': { verdict: 'good' },
  'ecdh-sha2-nistp256': { verdict: 'good' },
  'ecdh-sha2-nistp384': { verdict: 'good' },
  'ecdh-sha2-nistp521': { verdict: 'good' },
  'diffie-hellman-group16-sha512': { verdict: 'good' },
  'diffie-hellman-group18-sha512': { verdict: 'good' },
  'diffie-hellman-group-exchange-sha256': { verdict: 'good' },
  'diffie-hellman-group14-sha256': { verdict: 'weak', reason: '2048-bit MODP group: about 112-bit security, below the 128 bits of the other offered exchanges' },
  'diffie-hellman-group15-sha512': { verdict: 'good' },
  'diffie-hellman-group17-sha512': { verdict: 'good' },
  'diffie-hellman-group1-sha1': { verdict: 'broken', reason: `1024-bit group breakable by a nation state (Logjam, 2015) and ${SHA1_KEX}` },
  'diffie-hellman-group14-sha1': { verdict: 'broken', reason: SHA1_KEX },
  'diffie-hellman-group-exchange-sha1': { verdict: 'broken', reason: SHA1_KEX },
  'rsa1024-sha1': { verdict: 'broken', reason: `1024-bit RSA key transport and ${SHA1_KEX}` },
  'rsa2048-sha256': { verdict: 'weak', reason: 'RSA key transport (RFC 4432) has no forward secrecy' },
  'gss-gex-sha1-': { verdict: 'broken', reason: SHA1_KEX },
  'gss-group1-sha1-': { verdict: 'broken', reason: `1024-bit group and ${SHA1_KEX}` },
  'gss-group14-sha1-': { verdict: 'broken', reason: SHA1_KEX },
  'gss-group14-sha256-': { verdict: 'weak', reason: '2048-bit MODP group: about 112-bit security' },
  'gss-group16-sha512-': { verdict: 'good' },
  'gss-curve25519-sha256-': { verdict: 'good' },
  'gss-nistp256-sha256-': { verdict: 'good' },
};

export const HOST_KEY: Readonly<Record<string, AlgorithmInfo>> = {
  'ssh-ed25519': { verdict: 'good' },
  'ssh-ed25519-cert-v01@openssh.com': { verdict: 'good' },
  'sk-ssh-ed25519@openssh.com': { verdict: 'good' },
  'sk-ssh-ed25519-cert-v01@openssh.com': { verdict: 'good' },
  'rsa-sha2-512': { verdict: 'good' },
  'rsa-sha2-256': { verdict: 'good' },
  'rsa-sha2-512-cert-v01@openssh.com': { verdict: 'good' },
  'rsa-sha2-256-cert-v01@openssh.com': { verdict: 'good' },
  'ecdsa-sha2-nistp256': { verdict: 'good' },
  'ecdsa-sha2-nistp384': { verdict: 'good' },
  'ecdsa-sha2-nistp521': { verdict: 'good' },
  'ecdsa-sha2-nistp256-cert-v01@openssh.com': { verdict: 'good' },
  'ecdsa-sha2-nistp384-cert-v01@openssh.com': { verdict: 'good' },
  'ecdsa-sha2-nistp521-cert-v01@openssh.com': { verdict: 'good' },
  'sk-ecdsa-sha2-nistp256@openssh.com': { verdict: 'good' },
  'sk-ecdsa-sha2-nistp256-cert-v01@openssh.com': { verdict: 'good' },
  'ssh-rsa': { verdict: 'broken', reason: 'RSA signatures with SHA-1 (chosen-prefix collisions, Shambles 2020); OpenSSH 8.8 disabled ssh-rsa signatures by default' },
  'ssh-rsa-cert-v01@openssh.com': { verdict: 'broken', reason: 'certificate signatures with SHA-1; disabled by default since OpenSSH 8.8' },
  'ssh-dss': { verdict: 'broken', reason: 'DSA is limited to 1024-bit keys with SHA-1; disabled by default since OpenSSH 7.0 and removed in 10.0' },
  'ssh-dss-cert-v01@openssh.com': { verdict: 'broken', reason: 'DSA certificates: 1024-bit keys with SHA-1; removed in OpenSSH 10.0' },
};

export const CIPHER: Readonly<Record<string, AlgorithmInfo>> = {
  'chacha20-poly1305@openssh.com': { verdict: 'good' },
  'aes256-gcm@openssh.com': { verdict: 'good' },
  'aes128-gcm@openssh.com': { verdict: 'good' },
  'aes256-ctr': { verdict: 'good' },
  'aes192-ctr': { verdict: 'good' },
  'aes128-ctr': { verdict: 'good' },
  'aes128-cbc': { verdict: 'weak', reason: CBC },
  'aes192-cbc': { verdict: 'weak', reason: CBC },
  'aes256-cbc': { verdict: 'weak', reason: CBC },
  'rijndael-cbc@lysator.liu.se': { verdict: 'weak', reason: CBC },
  '3des-cbc': { verdict: 'broken', reason: `64-bit block cipher (Sweet32, CVE-2016-2183) in CBC mode; removed from OpenSSH's defaults in 7.4` },
  '3des-ctr': { verdict: 'broken', reason: '64-bit block cipher (Sweet32, CVE-2016-2183)' },
  'blowfish-cbc': { verdict: 'broken', reason: '64-bit block cipher (Sweet32) in CBC mode; removed in OpenSSH 7.4' },
  'blowfish-ctr': { verdict: 'broken', reason: '64-bit block cipher (Sweet32)' },
  'cast128-cbc': { verdict: 'broken', reason: '64-bit block cipher (Sweet32) in CBC mode; removed in OpenSSH 7.4' },
  'arcfour': { verdict: 'broken', reason: 'RC4 has exploitable keystream biases (RFC 7465 prohibits it in TLS); removed in OpenSSH 7.4' },
  'arcfour128': { verdict: 'broken', reason: 'RC4 has exploitable keystream biases; removed in OpenSSH 7.4' },
  'arcfour256': { verdict: 'broken', reason: 'RC4 has exploitable keystream biases; removed in OpenSSH 7.4' },
  'none': { verdict: 'broken', reason: 'no encryption at all' },
};

export const MAC: Readonly<Record<string, AlgorithmInfo>> = {
  'hmac-sha2-256-etm@openssh.com': { verdict: 'good' },
  'hmac-sha2-512-etm@openssh.com': { verdict: 'good' },
  'umac-128-etm@openssh.com': { verdict: 'good' },
  'hmac-sha2-256': { verdict: 'weak', reason: EAM },
  'hmac-sha2-512': { verdict: 'weak', reason: EAM },
  'umac-128@openssh.com': { verdict: 'weak', reason: EAM },
  'hmac-sha1-etm@openssh.com': { verdict: 'weak', reason: 'HMAC-SHA1 is not broken as a MAC, but SHA-1 is deprecated (NIST SP 800-131A rev. 3 retires it by 2030); prefer HMAC-SHA2' },
  'hmac-sha1': { verdict: 'weak', reason: `SHA-1 based and ${EAM}` },
  'umac-64-etm@openssh.com': { verdict: 'weak', reason: '64-bit tag: a forgery succeeds with probability 2^-64 per attempt, below the 128-bit margin of the other MACs' },
  'umac-64@openssh.com': { verdict: 'weak', reason: `64-bit tag and ${EAM}` },
  'hmac-sha1-96': { verdict: 'broken', reason: 'truncated 96-bit SHA-1 MAC; removed from OpenSSH in 7.2' },
  'hmac-sha1-96-etm@openssh.com': { verdict: 'broken', reason: 'truncated 96-bit SHA-1 MAC; removed from OpenSSH in 7.2' },
  'hmac-md5': { verdict: 'broken', reason: 'MD5 based; removed from OpenSSH in 7.2' },
  'hmac-md5-etm@openssh.com': { verdict: 'broken', reason: 'MD5 based; removed from OpenSSH in 7.2' },
  'hmac-md5-96': { verdict: 'broken', reason: 'truncated MD5 MAC; removed from OpenSSH in 7.2' },
  'hmac-md5-96-etm@openssh.com': { verdict: 'broken', reason: 'truncated MD5 MAC; removed from OpenSSH in 7.2' },
  'hmac-ripemd160': { verdict: 'broken', reason: 'RIPEMD-160 MAC removed from OpenSSH in 7.6' },
  'hmac-ripemd160@openssh.com': { verdict: 'broken', reason: 'RIPEMD-160 MAC removed from OpenSSH in 7.6' },
  'hmac-ripemd160-etm@openssh.com': { verdict: 'broken', reason: 'RIPEMD-160 MAC removed from OpenSSH in 7.6' },
  'umac-32@openssh.com': { verdict: 'broken', reason: '32-bit tag' },
  'none': { verdict: 'broken', reason: 'no integrity protection' },
};

const TABLES: Readonly<Record<AlgorithmCategory, Readonly<Record<string, AlgorithmInfo>>>> = { kex: KEX, hostKey: HOST_KEY, cipher: CIPHER, mac: MAC };

/**
 * Names in the kex list that are protocol markers, not algorithms: ext-info (RFC 8308) and
 * OpenSSH's strict-KEX markers (PROTOCOL, "kex-strict-*-v00@openssh.com", added in 9.6 and
 * backported by Debian to 9.2p1-2+deb12u2). Never graded.
 */
export function isKexMarker(name: string): boolean {
  return name === 'ext-info-s' || name === 'ext-info-c' || name.startsWith('kex-strict-') || name === 'ext-info-in-auth@openssh.com';
}

/** GSSAPI kex names end in a base64 mechanism OID hash (RFC 4462 §2.6); we key on the prefix. */
function gssKey(name: string): string | undefined {
  if (!name.startsWith('gss-')) return undefined;
  const dash = name.lastIndexOf('-');
  return dash > 0 ? name.slice(0, dash + 1) : undefined;
}

export function lookupAlgorithm(category: AlgorithmCategory, name: string): AlgorithmInfo | undefined {
  const t = TABLES[category];
  return Object.hasOwn(t, name) ? t[name] : category === 'kex' && gssKey(name) !== undefined && Object.hasOwn(t, gssKey(name)!) ? t[gssKey(name)!] : undefined;
}

export const CATEGORY_LABEL: Readonly<Record<AlgorithmCategory, string>> = { kex: 'key exchange', hostKey: 'host key', cipher: 'cipher', mac: 'MAC' };
