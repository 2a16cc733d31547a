// The scan's rules as documented data: one entry per ScanRuleId with its title, the SARIF
// severity, the profile settings that set its level, and the text of docs/rules/scan-*.md (the
// single source, like the audit rules' metadata; a test regenerates the pages with UPDATE_DOCS=1).
// Grading (grade.ts) decides *whether* a rule fires; this file says what it means and how to fix it.
import type { Severity } from '../rules/types.js';
import { docSections, referenceLines } from '../rules/docs.js';
import type { ScanRuleId } from './types.js';
import { BUILTIN_PROFILES, type ScanProfile } from './profiles.js';

export interface ScanRuleMeta {
  readonly id: ScanRuleId;
  readonly title: string;
  /** For SARIF consumers' ranking; the finding's level comes from the profile. */
  readonly severity: Severity;
  readonly tags: readonly string[];
  /** The profile settings that decide this rule's level, shown per built-in profile in the docs. */
  readonly levelSettings: (p: ScanProfile) => string;
  readonly docs: { readonly what: string; readonly why: string; readonly fix: string; readonly whenNot: string };
  readonly references: readonly { readonly source: string; readonly item: string; readonly url?: string }[];
}

const algorithmLevels = (p: ScanProfile) => `broken: ${p.levels.broken}, weak: ${p.levels.weak}, unknown: ${p.levels.unknown}`;
const RFC9142 = { source: 'IETF', item: 'RFC 9142: Key Exchange (KEX) Method Updates and Recommendations for SSH', url: 'https://www.rfc-editor.org/rfc/rfc9142' };
const OPENSSH_RELEASES = { source: 'OpenSSH', item: 'Release notes', url: 'https://www.openssh.com/releasenotes.html' };
const SSHD_CONFIG_MAN = { source: 'OpenSSH', item: 'sshd_config(5)', url: 'https://man.openbsd.org/sshd_config' };
const ALGORITHM_FIX = 'Set the list in sshd_config to the good names only (a `-` prefix removes names from the default list, e.g. `Ciphers -aes128-cbc`), check with `sshd -T | grep -i <keyword>`, reload sshd and scan again. The finding names each offered algorithm and why it is weak.';

export const SCAN_RULES: Readonly<Record<ScanRuleId, ScanRuleMeta>> = {
  'scan/restrict-kex-algorithms': {
    id: 'scan/restrict-kex-algorithms',
    title: 'Only strong key exchange algorithms are offered',
    severity: 'high',
    tags: ['crypto', 'network'],
    levelSettings: algorithmLevels,
    docs: {
      what: "Every key exchange method in the server's KEXINIT (markers such as `ext-info-s` and `kex-strict-s-v00@openssh.com` excluded) is graded: SHA-1 exchanges and 1024-bit groups are broken, the 2048-bit group14-sha256 is weak, unknown names are reported unknown. Set semantics: order never matters.",
      why: 'A client that supports only the weak method is silently downgraded to it; an attacker who can break the exchange reads and changes the whole session.',
      fix: `\`KexAlgorithms\` in sshd_config. ${ALGORITHM_FIX}`,
      whenNot: 'Old clients (network gear, embedded devices) that speak only group14-sha1: use the `compat` profile or a profile file with a `verdicts` override for that name, and plan the client upgrade.',
    },
    references: [RFC9142, { source: 'Adrian et al.', item: 'Imperfect Forward Secrecy: How Diffie-Hellman Fails in Practice (Logjam), 2015', url: 'https://weakdh.org/' }, OPENSSH_RELEASES],
  },
  'scan/restrict-host-key-algorithms': {
    id: 'scan/restrict-host-key-algorithms',
    title: 'Only strong host key algorithms are offered',
    severity: 'medium',
    tags: ['crypto', 'network'],
    levelSettings: algorithmLevels,
    docs: {
      what: "Every host key signature algorithm in the server's KEXINIT is graded: `ssh-rsa` (RSA with SHA-1 signatures) and `ssh-dss` are broken; certificates inherit the verdict of their key type.",
      why: 'Host key signatures are what stops a man in the middle. SHA-1 signatures can be forged with chosen-prefix collisions (SHA-1 is a Shambles, 2020), and OpenSSH 8.8 disabled `ssh-rsa` by default.',
      fix: `\`HostKeyAlgorithms\` (and remove DSA \`HostKey\` files). ${ALGORITHM_FIX}`,
      whenNot: 'Clients older than OpenSSH 7.2 that cannot do rsa-sha2-256/512: upgrade them rather than keep SHA-1 signatures.',
    },
    references: [{ source: 'IETF', item: 'RFC 8332: Use of RSA Keys with SHA-256 and SHA-512', url: 'https://www.rfc-editor.org/rfc/rfc8332' }, { source: 'Leurent, Peyrin', item: 'SHA-1 is a Shambles, 2020', url: 'https://sha-mbles.github.io/' }, OPENSSH_RELEASES],
  },
  'scan/restrict-ciphers': {
    id: 'scan/restrict-ciphers',
    title: 'Only strong ciphers are offered',
    severity: 'high',
    tags: ['crypto', 'network'],
    levelSettings: algorithmLevels,
    docs: {
      what: 'Every cipher offered in either direction is graded: CBC modes, arcfour, 3DES, blowfish and cast128 are broken or weak; AES-GCM, AES-CTR and chacha20-poly1305 are good.',
      why: 'CBC in SSH allows plaintext recovery (CVE-2008-5161) and, with an -etm MAC and no strict KEX, the Terrapin attack; RC4 and 64-bit block ciphers leak plaintext (Sweet32).',
      fix: `\`Ciphers\` in sshd_config. ${ALGORITHM_FIX}`,
      whenNot: 'Never for CBC/arcfour on a server reachable from untrusted networks.',
    },
    references: [{ source: 'CVE', item: 'CVE-2008-5161 (SSH CBC plaintext recovery)', url: 'https://nvd.nist.gov/vuln/detail/CVE-2008-5161' }, { source: 'Bhargavan, Leurent', item: 'Sweet32, 2016', url: 'https://sweet32.info/' }, SSHD_CONFIG_MAN],
  },
  'scan/restrict-macs': {
    id: 'scan/restrict-macs',
    title: 'Only strong MACs are offered',
    severity: 'medium',
    tags: ['crypto', 'network'],
    levelSettings: algorithmLevels,
    docs: {
      what: 'Every MAC offered in either direction is graded: MD5, 96-bit truncated and 64-bit UMAC tags are broken or weak; encrypt-and-MAC variants of good MACs are weak next to their -etm@openssh.com forms.',
      why: 'Short or MD5-based tags make forgery cheaper, and encrypt-and-MAC authenticates the plaintext, which has enabled padding-oracle style attacks on SSH.',
      fix: `\`MACs\` in sshd_config, e.g. \`MACs hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,umac-128-etm@openssh.com\`. ${ALGORITHM_FIX}`,
      whenNot: 'Only AEAD ciphers (GCM, chacha20-poly1305) negotiated? MACs are then unused, but clients may still pick a non-AEAD cipher, so keep the list clean.',
    },
    references: [{ source: 'IETF', item: 'RFC 6668: SHA-2 Data Integrity Verification for SSH', url: 'https://www.rfc-editor.org/rfc/rfc6668' }, SSHD_CONFIG_MAN],
  },
  'scan/require-pq-kex': {
    id: 'scan/require-pq-kex',
    title: 'A post-quantum hybrid key exchange is offered',
    severity: 'low',
    tags: ['crypto', 'network', 'post-quantum'],
    levelSettings: (p) => `noPqKex: ${p.noPqKex}`,
    docs: {
      what: 'Reported once per server when its KEXINIT offers no post-quantum hybrid exchange (`mlkem768x25519-sha256`, `sntrup761x25519-sha512[@openssh.com]`, …).',
      why: 'Traffic recorded today could be decrypted once a large quantum computer exists ("store now, decrypt later"). OpenSSH 9.0 made sntrup761x25519 the default and 10.0 made mlkem768x25519 the default; classical exchanges are not weak today.',
      fix: 'Upgrade OpenSSH (Debian 12 ships 9.2p1 with sntrup761x25519, Debian 13 10.0p1 with mlkem768x25519), or put the hybrid method first in `KexAlgorithms` if a custom list removed it.',
      whenNot: 'FIPS-only deployments that may not use non-approved primitives.',
    },
    references: [OPENSSH_RELEASES, { source: 'OpenSSH', item: 'Post-quantum cryptography', url: 'https://www.openssh.com/pq.html' }],
  },
  'scan/no-terrapin': {
    id: 'scan/no-terrapin',
    title: 'Not exposed to the Terrapin attack (CVE-2023-48795)',
    severity: 'medium',
    tags: ['crypto', 'network', 'cve'],
    levelSettings: (p) => `terrapin: ${p.terrapin}`,
    docs: {
      what: 'Fires when the server offers chacha20-poly1305@openssh.com, or a CBC cipher together with an -etm MAC, without announcing strict key exchange (`kex-strict-s-v00@openssh.com`) in its KEXINIT. When the banner names a build that is affected by version but nothing exposed is offered, the CVE is reported as mitigated instead.',
      why: 'A man in the middle can drop packets at the start of the encrypted session without detection, e.g. the extension negotiation that turns on keystroke-timing obfuscation.',
      fix: 'Upgrade to OpenSSH 9.6+ or a distro build with strict KEX (Debian 12: 1:9.2p1-2+deb12u2 and later), or remove chacha20-poly1305 and the CBC ciphers / -etm MACs from the lists. Both sides need strict KEX for the fix to apply.',
      whenNot: 'Never on servers reachable through untrusted networks.',
    },
    references: [{ source: 'Bäumer, Brinkmann, Schwenk', item: 'Terrapin Attack: Breaking SSH Channel Integrity By Sequence Number Manipulation, 2023', url: 'https://terrapin-attack.com/' }, { source: 'CVE', item: 'CVE-2023-48795', url: 'https://nvd.nist.gov/vuln/detail/CVE-2023-48795' }, { source: 'Debian', item: 'DSA-5586-1 openssh', url: 'https://www.debian.org/security/2023/dsa-5586' }],
  },
  'scan/no-password-auth': {
    id: 'scan/no-password-auth',
    title: 'Password login is not offered',
    severity: 'high',
    tags: ['authentication', 'network'],
    levelSettings: (p) => `passwordOffered: ${p.passwordOffered}`,
    docs: {
      what: "With `--user NAME`, sshield completes a key exchange and sends an SSH 'none' authentication request for NAME (RFC 4252 §5.2); the server answers with the methods it would accept. The rule fires when `password` or `keyboard-interactive` is among them. No password is ever sent.",
      why: 'Anyone who can reach the port can guess passwords; keys (and certificates) cannot be guessed. keyboard-interactive usually asks for the same password through PAM.',
      fix: '`PasswordAuthentication no` and `KbdInteractiveAuthentication no` (the `sshield harden` plan does this after checking that key login works), reload sshd, scan again with the same `--user`.',
      whenNot: 'Match blocks may allow passwords for some users or source addresses only: the answer is for the user name and the source address of the scan, so scan with the names that matter.',
    },
    references: [{ source: 'IETF', item: 'RFC 4252 §5.2: The "none" Authentication Request', url: 'https://www.rfc-editor.org/rfc/rfc4252#section-5.2' }, SSHD_CONFIG_MAN],
  },
  'scan/no-known-vulnerabilities': {
    id: 'scan/no-known-vulnerabilities',
    title: 'The software version has no known unfixed vulnerability',
    severity: 'high',
    tags: ['cve', 'network', 'version'],
    levelSettings: (p) => `knownCve: ${p.knownCve} (medium/low CVEs one step lower)`,
    docs: {
      what: 'The banner names the software and, for Debian and Ubuntu builds, the package revision (`OpenSSH_9.2p1 Debian-2+deb12u10` is `1:9.2p1-2+deb12u10`). Each CVE in sshield\'s data (the same data and dpkg version ordering as `sshield audit`) is judged against the revision when the banner names one, else against the upstream version, and reported affected, fixed, mitigated or unknown with its confidence.',
      why: 'Distributions backport fixes without changing the upstream number: judging `9.2p1` alone would call every patched Debian 12 server vulnerable to regreSSHion. Judging the revision is what makes the verdict worth acting on.',
      fix: 'Upgrade the package (`apt update && apt install openssh-server`) and restart sshd so the new binary serves connections; on hosts you control, `sshield audit` reads the installed package directly.',
      whenNot: 'A banner can be changed or hidden: the finding is only as good as what the server says about itself.',
    },
    references: [{ source: 'Debian', item: 'Security Tracker: openssh', url: 'https://security-tracker.debian.org/tracker/source-package/openssh' }, { source: 'Ubuntu', item: 'CVE tracker', url: 'https://ubuntu.com/security/cves' }, OPENSSH_RELEASES],
  },
  'scan/limit-host-key-size': {
    id: 'scan/limit-host-key-size',
    title: 'Host keys are large enough',
    severity: 'medium',
    tags: ['crypto', 'network'],
    levelSettings: (p) => `minRsaBits: ${p.minRsaBits} (below it: ${p.levels.weak}; below 2048: fail)`,
    docs: {
      what: "With `--host-keys`, sshield completes a key exchange per host key type and reads each key; an RSA key below the profile's `minRsaBits` is reported.",
      why: 'NIST SP 800-57 rates 2048-bit RSA at 112-bit security and 3072-bit at 128; below 2048 bits RSA is within reach of a determined attacker.',
      fix: 'Generate a new key (`ssh-keygen -t ed25519 -f /etc/ssh/ssh_host_ed25519_key`, or `-t rsa -b 4096`), point `HostKey` at it, reload sshd, and tell clients the new fingerprint before they see a changed-key warning.',
      whenNot: 'Never below 2048 bits.',
    },
    references: [{ source: 'NIST', item: 'SP 800-57 Part 1 Rev. 5, Table 2', url: 'https://csrc.nist.gov/pubs/sp/800/57/pt1/r5/final' }],
  },
};

export function scanDocPath(id: ScanRuleId): string {
  return `docs/rules/${id.replace('/', '-')}.md`;
}

/** The documentation page of a scan rule, with its level under each built-in profile. */
export function renderScanRuleDoc(meta: ScanRuleMeta): string {
  const out: string[] = [`# ${meta.id}`, '', `**${meta.title}**`, ''];
  out.push(`- Command: \`sshield scan\``, `- Severity (SARIF ranking): ${meta.severity}`, `- Tags: ${meta.tags.join(', ')}`, '');
  out.push(...docSections(meta.docs));
  out.push('## Level by profile', '', '| Profile | Setting |', '|---|---|');
  for (const p of Object.values(BUILTIN_PROFILES)) out.push(`| \`${p.name}\` | ${meta.levelSettings(p)} |`);
  out.push('', 'A profile file (`--profile FILE`, YAML or JSON, `extends: default|strict|compat`) changes these settings; `off` drops the finding.', '');
  out.push(...referenceLines(meta.references));
  return `${out.join('\n')}\n`;
}
