// The rule framework's types: what a rule declares (metadata, the single source for the registry,
// docs, policy schema and profiles), what it reads (RuleContext: effective configs per connection
// spec, parsed directives, host facts) and what it reports (findings with locations and a
// machine-usable remediation the harden planner can apply). Pure types: no I/O, no evaluation.
import type { ConnectionSpec, EffectiveConfig } from '../sshd/evaluate/types.js';
import type { Diagnostic } from '../sshd/diagnostics.js';

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
  | { readonly kind: 'manual'; readonly description: string; readonly command?: string }
  /**
   * A filtered copy of a moduli file (moduli(5): field 5 is the size minus one): the groups of
   * `minBits` and more of `from`, written to `to` through the writer (with a `set ModuliFile`
   * beside it, sshd uses it).
   */
  | { readonly kind: 'filter-moduli'; readonly from: string; readonly to: string; readonly minBits: number; readonly description: string };

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

// The facts the rules read are the host's (src/host/facts/audit-facts.ts); re-exported here so a
// rule imports everything it needs from one place. The arrow points down: rules -> host facts.
export type {
  AuditFacts, AuthorizedKeyFact, AuthorizedKeysFact, AuthorizedKeysFileFact, FileModeFact, HostKeyFact, Missing,
  OpenSshBuildFact, PathModeFact, PveFact, UserFact, VulnFacts, VulnFinding,
} from '../host/facts/audit-facts.js';
export { isMissing } from '../host/facts/audit-facts.js';
import type { AuditFacts, PveFact } from '../host/facts/audit-facts.js';

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
