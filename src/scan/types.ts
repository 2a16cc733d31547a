// The scan result model: what one target gave and what we found, in a shape that is the JSON
// output (schemaVersion below). Types only.
import type { AlgorithmCategory } from './algorithms.js';
import type { Level } from './profiles.js';
import type { ScanError } from './transport.js';
import type { KexinitNameLists } from './wire.js';

export const SCAN_SCHEMA_VERSION = 1;

export type ScanRuleId =
  | 'scan/restrict-kex-algorithms'
  | 'scan/restrict-host-key-algorithms'
  | 'scan/restrict-ciphers'
  | 'scan/restrict-macs'
  | 'scan/require-pq-kex'
  | 'scan/no-terrapin'
  | 'scan/no-password-auth'
  | 'scan/no-known-vulnerabilities'
  | 'scan/limit-host-key-size';

export type FindingLevel = Exclude<Level, 'off'>;

export interface ScanFinding {
  readonly ruleId: ScanRuleId;
  readonly level: FindingLevel;
  readonly message: string;
  /** Why it matters (the algorithm's reason, the CVE summary...). */
  readonly reason?: string;
  readonly category?: AlgorithmCategory;
  readonly algorithm?: string;
  readonly cve?: string;
}

export interface ScanAlgorithms extends KexinitNameLists {
  /** Markers in the kex list that are not algorithms. */
  readonly strictKex: boolean;
  readonly extInfo: boolean;
}

export interface ScanBanner {
  /** The identification line, control bytes escaped. */
  readonly raw: string;
  readonly protoVersion: string;
  readonly softwareVersion: string;
  readonly comments: string | null;
  /** Lines the server sent before it (RFC 4253 §4.2), escaped. */
  readonly preamble: readonly string[];
}

export interface ScanSoftware {
  readonly product: string;
  readonly version: string | null;
  /** e.g. "debian", "ubuntu", when the banner names a distribution build. */
  readonly distro: string | null;
  /** The distro package revision the banner names, e.g. "1:9.2p1-2+deb12u10" (Debian) */
  readonly packageVersion: string | null;
}

export interface ScanCve {
  readonly id: string;
  /** Kept for scripts written against schema 1: affected = verdict fix-available or no-fix-yet. */
  readonly status: 'affected' | 'fixed' | 'unknown' | 'mitigated' | 'not-affected';
  /** The verdict (src/vulns/assess.ts): fixed, not-affected, mitigated, fix-available, no-fix-yet, unknown. */
  readonly verdict?: 'fixed' | 'not-affected' | 'mitigated' | 'fix-available' | 'no-fix-yet' | 'unknown';
  readonly severity?: 'critical' | 'high' | 'medium' | 'low';
  /** How the severity was derived: "CVSS 3.1 7.5 (CNA mitre)" (src/vulns/severity.ts). */
  readonly severityBasis?: string;
  readonly cvss?: readonly { readonly source: string; readonly by: string; readonly version: string; readonly score: number; readonly vector?: string }[];
  readonly summary?: string;
  readonly note?: string;
  readonly basis?: 'distro-revision' | 'upstream-version' | 'changelog';
  readonly fixedIn?: string;
  /** How sure: the banner names the exact distro revision ('exact'), only upstream ('upstream'). */
  readonly confidence?: string;
  readonly evidence?: readonly { readonly kind: string; readonly text: string }[];
  readonly mitigations?: readonly string[];
}

export interface ScanHostKey {
  readonly algorithm: string;
  readonly type: string;
  readonly bits: number | null;
  readonly sha256: string;
}

export interface ScanAuth {
  readonly user: string;
  /** Methods the server lists after a 'none' request (RFC 4252 §5.2). */
  readonly methods: readonly string[];
  readonly passwordOffered: boolean;
  readonly keyboardInteractiveOffered: boolean;
  readonly error?: ScanError;
}

export interface ScanTiming {
  connectMs?: number;
  identMs?: number;
  kexinitMs?: number;
  probeMs: number;
  hostKeysMs?: number;
  authMs?: number;
  totalMs: number;
}

export interface ScanTargetResult {
  readonly target: string;
  readonly host: string;
  readonly port: number;
  readonly address?: string;
  readonly status: 'ok' | 'error';
  readonly error?: ScanError;
  readonly banner?: ScanBanner;
  readonly software?: ScanSoftware;
  readonly algorithms?: ScanAlgorithms;
  readonly hostKeys?: readonly ScanHostKey[];
  readonly hostKeyErrors?: readonly { algorithm: string; error: ScanError }[];
  readonly auth?: ScanAuth;
  readonly cves: readonly ScanCve[];
  readonly findings: readonly ScanFinding[];
  readonly timings: ScanTiming;
}

export interface ScanReport {
  readonly schemaVersion: typeof SCAN_SCHEMA_VERSION;
  readonly tool: { readonly name: 'sshield'; readonly version: string };
  readonly command: 'scan';
  readonly startedAt: string;
  readonly profile: { readonly name: string; readonly version: number };
  readonly summary: { readonly targets: number; readonly ok: number; readonly errors: number; readonly fail: number; readonly warn: number; readonly info: number; readonly wallMs: number };
  readonly targets: readonly ScanTargetResult[];
  /** The date of the vulnerability data the CVE verdicts used; stale after 30 days. */
  readonly vulnData?: { readonly date: string; readonly ageDays: number; readonly stale: boolean; readonly message: string };
}
