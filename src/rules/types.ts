// The rule framework's types: what a rule declares (metadata, the single source for the registry,
// docs, policy schema and profiles), what it reads (RuleContext: effective configs per connection
// spec, parsed directives, host facts) and what it reports (findings with locations and a
// machine-usable remediation the harden planner can apply). Pure types: no I/O, no evaluation.
import type { ConnectionSpec, EffectiveConfig } from '../sshd/evaluate/types.js';
import type { Diagnostic } from '../sshd/diagnostics.js';
import type { KeyOption, Permission } from '../keys/options.js';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export type RuleTag = 'auth' | 'crypto' | 'forwarding' | 'logging' | 'hygiene' | 'access' | 'limits' | 'version' | 'pve';
export type RuleDomain = 'sshd' | 'keys' | 'host' | 'scan';
/** The lowest built-in profile that enables the rule (proxmox = baseline + PVE awareness; strict = all). */
export type RuleProfileLevel = 'baseline' | 'strict';

export interface Reference {
  /** e.g. "guide", "CIS Debian 12", "CIS Debian 13", "Lynis", "Mozilla", "dev-sec", "sshd_config(5)", "CVE". */
  readonly source: string;
  /** Item within the source: "5.1.20", "SSH-7408", "sshd-06", "PermitRootLogin". */
  readonly item: string;
  readonly url?: string;
}

export type OptionSpec =
  | { readonly kind: 'integer'; readonly default: number; readonly min?: number; readonly max?: number; readonly description: string }
  | { readonly kind: 'boolean'; readonly default: boolean; readonly description: string }
  | { readonly kind: 'string-list'; readonly default: readonly string[]; readonly description: string }
  | { readonly kind: 'enum'; readonly default: string; readonly values: readonly string[]; readonly description: string };

export type OptionValues = Readonly<Record<string, number | boolean | string | readonly string[]>>;

export interface RuleDocs {
  /** What the rule checks, for people (one paragraph, markdown). */
  readonly what: string;
  /** Why it matters. */
  readonly why: string;
  /** How to fix it by hand (the harden command applies the remediation). */
  readonly fix: string;
  /** When not to use it / known legitimate exceptions. */
  readonly whenNot: string;
}

export interface RuleMeta {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly tags: readonly RuleTag[];
  readonly profile: RuleProfileLevel;
  /** Keywords (canonical sshd_config case) the rule reads; empty for host rules. */
  readonly keywords: readonly string[];
  readonly references: readonly Reference[];
  readonly options?: Readonly<Record<string, OptionSpec>>;
  /** 'auto' when the remediation cannot cut access, 'planned' when harden applies it behind guards, 'manual' otherwise. */
  readonly remediable: 'auto' | 'planned' | 'manual' | 'none';
  readonly docs: RuleDocs;
}

/** A place in a config file (1-based line). */
export interface Location {
  readonly file: string;
  readonly line: number;
  readonly column?: number;
}

export type RemediationScope = 'global' | { readonly match: string };

/** What the harden planner can apply. Pure data; never text edits of a specific file here. */
export type Remediation =
  | { readonly kind: 'set'; readonly keyword: string; readonly value: string; readonly scope: RemediationScope; readonly description: string }
  | { readonly kind: 'comment-out'; readonly directives: readonly Location[]; readonly description: string }
  | { readonly kind: 'manual'; readonly description: string; readonly command?: string };

export type Status = 'pass' | 'fail' | 'warn' | 'skip';

export interface Finding {
  readonly status: 'fail' | 'warn';
  readonly message: string;
  readonly locations?: readonly Location[];
  readonly remediation?: readonly Remediation[];
  /** Overrides the rule's severity for this finding (e.g. a broken cluster is worse). */
  readonly severity?: Severity;
  readonly cves?: readonly string[];
  /** Counts toward `--fail-on` at this severity even as a warning (an exposed CVE with no fix yet). */
  readonly failOn?: Severity;
  /** Every identity (spec label) the finding holds for; the message may shorten the list ("and 2 more"). */
  readonly identities?: readonly string[];
}

/** Which identity a connection spec stands for; rules pick the ones that matter to them. */
export type SpecRole = 'admin' | 'root' | 'unknown-user' | 'pve-peer' | 'sftp-user' | 'match-probe';

export interface SpecEvaluation {
  readonly role: SpecRole;
  /** For people: "root from 10.0.0.2 (PVE node pve2)". */
  readonly label: string;
  readonly spec: ConnectionSpec;
  readonly config: EffectiveConfig;
  /** The address is a stand-in (the admin's real one is unknown): no verdict or advice may rest on it. */
  readonly addrAssumed?: boolean;
}

/** One directive of the loaded config tree, in sshd's reading order. */
export interface DirectiveInfo {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** As written (compare through `canonical`). */
  readonly keyword: string;
  /** Canonical sshd_config spelling from the keyword table, undefined when unknown. */
  readonly canonical: string | undefined;
  readonly args: readonly string[];
  /** The enclosing Match line, when inside a Match block. */
  readonly match?: { readonly file: string; readonly line: number; readonly criteria: readonly string[] };
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
  readonly severity: Severity;
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
  readonly setBy?: Location;
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
}

export interface RuleInput {
  /** Effective configuration per relevant identity; specs[0] is the admin (or a generic user). */
  readonly specs: readonly SpecEvaluation[];
  readonly directives: readonly DirectiveInfo[];
  readonly diagnostics: readonly Diagnostic[];
  readonly facts: AuditFacts;
  /** The main config file path (for "insert here" locations). */
  readonly mainConfig: string;
}

export interface RuleContext extends RuleInput {
  readonly options: OptionValues;
  /** PVE facts when the profile is PVE-aware and the host is a PVE node; else undefined. */
  readonly pveCluster: PveFact['cluster'] | undefined;
  readonly pveAware: boolean;
  report(finding: Finding): void;
  /** Marks the rule as not applicable / not checkable, with the reason. */
  skip(reason: string): void;
  /** Overrides the message of a passing result. */
  pass(message: string): void;
}

export interface Rule {
  readonly meta: RuleMeta;
  check(ctx: RuleContext): void;
}
