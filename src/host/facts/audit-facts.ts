// The facts an audit gathers about a host, as plain data the rules read (src/rules imports these
// types; nothing here imports rules): the OpenSSH build, accounts, host keys, file modes, PVE
// cluster, vulnerabilities, chroot components and every user's authorized_keys. A fact that
// could not be gathered is { missing: reason } (Missing<T>); rules skip with that reason.
import type { CertificateFacts } from './certificates.js';
import type { KeyOption, Permission } from '../../keys/options.js';
import type { CveSeverity } from '../../vulns/severity.js';

/** A place in a config file (1-based line); the same shape as the rules' Location. */
export interface FileLocation {
  readonly file: string;
  readonly line: number;
  readonly column?: number;
}

export interface OpenSshBuildFact {
  /** Upstream version, e.g. "9.2p1". */
  readonly upstream: string;
  /** Debian/Ubuntu package version, e.g. "1:9.2p1-2+deb12u3", when known. */
  readonly packageVersion?: string;
  readonly distro?: 'debian' | 'ubuntu' | 'other';
  readonly source: 'dpkg' | 'sshd -V' | 'override' | 'example';
}

export interface UserFact {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
  readonly shell: string;
  readonly groups: readonly string[];
}

export interface HostKeyFact {
  readonly path: string;
  /** "ed25519", "rsa", "ecdsa", "dsa", ... */
  readonly type: string;
  readonly bits?: number;
}

export interface FileModeFact {
  readonly path: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

export interface PveFact {
  readonly version?: string;
  readonly nodeName?: string;
  /**
   * Cluster nodes with the IP addresses they connect from (ring IPs, /etc/pve/.members, ring
   * names resolved through /etc/hosts) and the ring names nothing resolved.
   */
  readonly cluster?: { readonly name: string; readonly nodes: readonly { readonly name: string; readonly addresses: readonly string[]; readonly unresolved: readonly string[]; readonly local: boolean }[] };
}

export interface VulnFinding {
  readonly cve: string;
  /** Derived from the published CVSS scores by src/vulns/severity.ts (one rule everywhere). */
  readonly severity: CveSeverity;
  readonly severityBasis?: string;
  readonly summary: string;
  /** Kept for rules written before verdicts: vulnerable = fix-available or no-fix-yet. */
  readonly status: 'vulnerable' | 'mitigated' | 'fixed' | 'not-affected' | 'unknown';
  readonly verdict: 'fixed' | 'not-affected' | 'mitigated' | 'fix-available' | 'no-fix-yet' | 'unknown';
  /** Why: "package 1:9.2p1-2+deb12u2 < fixed 1:9.2p1-2+deb12u3 (Debian 12)". */
  readonly reason: string;
  readonly mitigation?: string;
  /** Every known configuration mitigation (what to do while no fix exists). */
  readonly mitigations?: readonly string[];
  readonly basis: 'package' | 'upstream' | 'changelog';
  readonly fixedIn?: string;
  readonly evidence?: readonly { readonly kind: string; readonly text: string }[];
  /** A policy waiver for this single CVE (applied by the audit runner). */
  readonly waived?: { readonly reason: string; readonly expires: string };
}

export interface VulnFacts {
  readonly findings: readonly VulnFinding[];
  /** Newest upstream release known to the data, and date. */
  readonly newestUpstream: { readonly version: string; readonly date: string };
  /** Is the installed build the newest of its distro's stable series? undefined when unknown. */
  readonly currency?: { readonly current: boolean; readonly message: string };
  /** The vulnerability data's date (reports warn when it is older than 30 days). */
  readonly dataDate?: string;
  /** The installed changelog the verdicts used, or why none was read. */
  readonly changelog?: string;
  /** The apt candidate for openssh-server, when known. */
  readonly candidate?: string;
  /** Release end of life / support window. */
  readonly lifecycle?: string;
  /** The running sshd still executes a binary replaced on disk (upgraded, not restarted). */
  readonly staleDaemon?: { readonly pid: number; readonly exe: string };
}

/** One key line of an authorized_keys file (src/keys parser output, reduced to plain data). */
export interface AuthorizedKeyFact {
  readonly line: number;
  /** The key type as written ("ssh-ed25519", "ssh-rsa-cert-v01@openssh.com", ...). */
  readonly type: string;
  readonly family: 'rsa' | 'dsa' | 'ecdsa' | 'ed25519' | 'ecdsa-sk' | 'ed25519-sk';
  readonly bits: number;
  readonly certificate: boolean;
  /** "SHA256:..." as ssh-keygen -l prints it (certificates: the embedded key). */
  readonly fingerprint: string;
  readonly comment: string;
  /** Parsed options (empty when none); undefined when sshd rejects them and ignores the key. */
  readonly options: readonly KeyOption[] | undefined;
  /** A certificate's valid_before (seconds since the epoch); absent for plain keys and "forever". */
  readonly certValidBefore?: number;
}

/** One path auth.c safe_path (OpenSSH 9.2) checks: the file, then each directory upwards. */
export interface PathModeFact {
  readonly path: string;
  /** undefined: stat failed (sshd then refuses the file under StrictModes). */
  readonly stat?: { readonly kind: 'file' | 'directory' | 'symlink' | 'other'; readonly uid: number; readonly gid: number; readonly mode: number };
  /** Debian's user-group-modes patch (secure_permissions, misc.c): group write is accepted when
   * the group's only member (primary or supplementary) is the account itself. */
  readonly privateGroup?: boolean;
}

/** An existing file named by a user's EFFECTIVE AuthorizedKeysFile (sshd -T -C user=U). */
export interface AuthorizedKeysFileFact {
  readonly user: string;
  readonly uid: number;
  readonly home: string;
  readonly shell: string;
  readonly loginShell: boolean;
  /** The AuthorizedKeysFile value it came from (".ssh/authorized_keys2", "%h/.ssh/keys", ...). */
  readonly pattern: string;
  readonly path: string;
  readonly symlinkTarget?: string;
  readonly realPath?: string;
  /** Where AuthorizedKeysFile was set for this user; undefined: the compiled-in default. */
  readonly setBy?: FileLocation;
  /** The file (followed), then every directory of its real path up to the real home or "/". */
  readonly chain: readonly PathModeFact[];
  /** What the effective sshd_config still grants this user (PermitTTY, AllowTcpForwarding,
   * AllowAgentForwarding, X11Forwarding, PermitUserRC, DisableForwarding), before key options. */
  readonly serverGrants: readonly Permission[];
  readonly keys: readonly AuthorizedKeyFact[];
  readonly readError?: string;
}

export interface AuthorizedKeysFact {
  readonly files: readonly AuthorizedKeysFileFact[];
  /** Effective StrictModes (a global-only keyword). */
  readonly strictModes: boolean;
  /** Expansion problems ("%x unknown token") per user. */
  readonly problems: readonly string[];
}

/** A fact that could not be gathered: rules that need it skip with this reason. */
export type Missing<T> = T | { readonly missing: string };

export function isMissing<T>(f: Missing<T> | undefined): f is { readonly missing: string } | undefined {
  return f === undefined || (typeof f === 'object' && f !== null && 'missing' in (f as object) && Object.keys(f as object).length === 1);
}

export interface AuditFacts {
  readonly openssh: Missing<OpenSshBuildFact>;
  readonly users: Missing<readonly UserFact[]>;
  readonly hostKeys: Missing<readonly HostKeyFact[]>;
  /** Smallest DH group size in bits (field 5 + 1) of the moduli file sshd uses. */
  readonly moduli: Missing<{ readonly path: string; readonly minBits: number; readonly weakCount: number; readonly total: number }>;
  /** sshd_config, drop-ins, /etc/ssh, private host keys. */
  readonly fileModes: Missing<readonly FileModeFact[]>;
  /** undefined: not a PVE host. */
  readonly pve: PveFact | undefined;
  readonly vulns: Missing<VulnFacts>;
  /** Ownership/mode of each component of each ChrootDirectory path (expanded). */
  readonly chroot?: Missing<readonly { readonly user: string; readonly path: string; readonly problems: readonly string[] }[]>;
  /** Every user's authorized_keys files per the effective AuthorizedKeysFile (src/keys). */
  readonly authorizedKeys?: Missing<AuthorizedKeysFact>;
  /** TrustedUserCAKeys, principals control and RevokedKeys (src/host/facts/certificates.ts). */
  readonly certificates?: Missing<CertificateFacts>;
  /** Who must keep a way in and whether they have one now (the credential model, src/access). */
  readonly adminAccess?: Missing<readonly AdminAccessFact[]>;
}

/** One account that must keep a way in (src/access mustKeep) and the model's verdict for it now. */
export interface AdminAccessFact {
  readonly account: string;
  /** Why it must keep a way in (can become root, runs this, PVE peers...). */
  readonly why: readonly string[];
  /** Its known addresses, or 'any-admitted' (then some address the configuration admits counts). */
  readonly addresses: readonly string[] | 'any-admitted';
  /** A PVE peer (root from the cluster node addresses). */
  readonly peer: boolean;
  /** works: a proven way in to a shell from every known address (or some admitted one); none: refused; unknown: cannot be proven. */
  readonly verdict: 'works' | 'none' | 'unknown';
  /** The way in, or every reason it is refused / unproven, with the address. */
  readonly detail: string;
}

