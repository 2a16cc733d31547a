// One target, then many: runs the clear-text probe (one connection), optional host-key and
// auth probes (ssh2, only when asked), grades the result under a profile, and assembles the
// ScanReport in input order with a bounded pool. A target has ONE deadline (timeoutMs) shared by
// all its probes, and a target any of whose requested probes failed or ran out of time is an
// error naming that probe: a server must not hide what it offers by stalling the second
// connection. No process access: options come in, results go out; progress is a callback.
import { probeKexinit, type ProbeOutcome, type ScanError } from './transport.js';
import { applyTerrapinMitigation, gradeAlgorithms, gradeAuth, gradeCves, gradeHostKeys, levelCounts, toScanAlgorithms } from './grade.js';
import { mapPool } from './pool.js';
import { printable } from './ident.js';
import { parseSoftware } from './software.js';
import type { ScanProfile } from './profiles.js';
import type { Target } from './target.js';
import { SCAN_SCHEMA_VERSION, type ScanAuth, type ScanCve, type ScanHostKey, type ScanReport, type ScanSoftware, type ScanTargetResult, type ScanTiming } from './types.js';
import type { ProbeLimits } from './probe.js';

/** Banner -> software and CVE status; the CLI plugs in src/vulns here so audit and scan share data. */
export type BannerAssessor = (banner: { softwareVersion: string; comments: string | null; raw: string }) => { software: ScanSoftware; cves: ScanCve[] };

export interface ScanOptions {
  readonly profile: ScanProfile;
  /** One deadline per target, shared by all of its probes (clear-text, host keys, auth). */
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly user?: string;
  readonly hostKeys?: boolean;
  readonly limits?: ProbeLimits;
  readonly assess?: BannerAssessor;
  readonly toolVersion: string;
  /** Shown in the report: the date of the data behind the CVE verdicts (src/vulns dataFreshness). */
  readonly vulnData?: ScanReport['vulnData'];
  readonly now?: () => Date;
}

function defaultAssess(b: { softwareVersion: string; comments: string | null }): { software: ScanSoftware; cves: ScanCve[] } {
  return { software: parseSoftware(b.softwareVersion, b.comments), cves: [] };
}

/** The error of a target whose extra probe failed: the first failure, with the probe named. */
function probeFailure(probe: string, e: ScanError): ScanError {
  return { code: e.code, probe, message: `${probe} probe failed: ${e.message}` };
}

export async function scanTarget(target: Target, opts: ScanOptions): Promise<ScanTargetResult> {
  const t0 = performance.now();
  const deadline = t0 + opts.timeoutMs;
  const left = () => Math.max(0, Math.floor(deadline - performance.now()));
  const outOfTime = (): ScanError => ({ code: 'TIMEOUT', message: `the target's ${opts.timeoutMs} ms deadline passed before this probe could start` });
  const probe: ProbeOutcome = await probeKexinit(target.host, target.port, { timeoutMs: opts.timeoutMs, ...(opts.limits ? { limits: opts.limits } : {}) });
  const timings: ScanTiming = { ...probe.timings, probeMs: probe.timings.totalMs, totalMs: 0 };
  delete (timings as { totalMs?: number }).totalMs;
  const base = { target: target.spec, host: target.host, port: target.port, ...(probe.address ? { address: probe.address } : {}) };
  const banner = probe.ident
    ? {
        raw: printable(probe.ident.raw),
        protoVersion: printable(probe.ident.protoVersion),
        softwareVersion: printable(probe.ident.softwareVersion),
        comments: probe.ident.comments === null ? null : printable(probe.ident.comments),
        preamble: probe.preamble.slice(0, 20).map((l) => printable(l.slice(0, 200))),
      }
    : undefined;
  const assessed = banner ? (opts.assess ?? defaultAssess)(banner) : undefined;
  if (assessed && probe.kexinit) assessed.cves = applyTerrapinMitigation(assessed.cves, toScanAlgorithms(probe.kexinit));
  const findings = [];
  if (assessed) findings.push(...gradeCves(assessed.cves, opts.profile));
  if (!probe.kexinit) {
    return {
      ...base,
      status: 'error',
      error: probe.error ?? { code: 'CLOSED_EARLY', message: 'no KEXINIT' },
      ...(banner ? { banner } : {}),
      ...(assessed ? { software: assessed.software } : {}),
      cves: assessed?.cves ?? [],
      findings,
      timings: { ...timings, totalMs: round(performance.now() - t0) },
    };
  }
  const algorithms = toScanAlgorithms(probe.kexinit);
  findings.push(...gradeAlgorithms(algorithms, opts.profile));

  const failures: ScanError[] = [];
  let hostKeys: ScanHostKey[] | undefined;
  let hostKeyErrors: { algorithm: string; error: ScanError }[] | undefined;
  // ssh2 is loaded only when a probe needs it: a default scan never pays for its start-up.
  const needSsh2 = opts.hostKeys || opts.user !== undefined;
  const { hostKeyProbePlan, probeAuthMethods, probeHostKey } = needSsh2 ? await import('./ssh2-probes.js') : ({} as typeof import('./ssh2-probes.js'));
  if (opts.hostKeys) {
    const h0 = performance.now();
    const plan = hostKeyProbePlan(algorithms.hostKey);
    const got = await Promise.all(
      plan.probe.map((alg) => (left() > 0 ? probeHostKey(target.host, target.port, alg, left()) : Promise.resolve({ kind: 'error' as const, algorithm: alg, error: outOfTime() }))),
    );
    hostKeys = [];
    hostKeyErrors = plan.unsupported.map((algorithm) => ({ algorithm, error: { code: 'BAD_KEXINIT' as const, message: 'host-key algorithm not supported by the ssh2 key exchange; not fetched' } }));
    for (const g of got) {
      if (g.kind === 'ok') hostKeys.push({ algorithm: g.algorithm, type: g.key.type, bits: g.key.bits, sha256: g.key.sha256 });
      else {
        hostKeyErrors.push({ algorithm: g.algorithm, error: g.error });
        failures.push(probeFailure(`host-key (${g.algorithm})`, g.error));
      }
    }
    findings.push(...gradeHostKeys(hostKeys, opts.profile));
    timings.hostKeysMs = round(performance.now() - h0);
  }

  let auth: ScanAuth | undefined;
  if (opts.user !== undefined) {
    const a0 = performance.now();
    const r = left() > 0 ? await probeAuthMethods(target.host, target.port, opts.user, left()) : { kind: 'error' as const, error: outOfTime() };
    if (r.kind === 'error') failures.push(probeFailure(`auth (--user ${opts.user})`, r.error));
    auth =
      r.kind === 'ok'
        ? { user: opts.user, methods: r.methods, passwordOffered: r.methods.includes('password'), keyboardInteractiveOffered: r.methods.includes('keyboard-interactive') }
        : { user: opts.user, methods: [], passwordOffered: false, keyboardInteractiveOffered: false, error: r.error };
    findings.push(...gradeAuth(auth, opts.profile));
    timings.authMs = round(performance.now() - a0);
  }

  return {
    ...base,
    ...(failures.length ? { status: 'error' as const, error: failures[0]! } : { status: 'ok' as const }),
    ...(banner ? { banner } : {}),
    ...(assessed ? { software: assessed.software } : {}),
    algorithms,
    ...(hostKeys ? { hostKeys } : {}),
    ...(hostKeyErrors?.length ? { hostKeyErrors } : {}),
    ...(auth ? { auth } : {}),
    cves: assessed?.cves ?? [],
    findings,
    timings: { ...timings, totalMs: round(performance.now() - t0) },
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

export async function scanTargets(targets: readonly Target[], opts: ScanOptions, onProgress?: (done: number, total: number, last: ScanTargetResult) => void): Promise<ScanReport> {
  const t0 = performance.now();
  const startedAt = (opts.now ?? (() => new Date()))().toISOString();
  const results = await mapPool(targets, opts.concurrency, (t) => scanTarget(t, opts), (done, _i, r) => onProgress?.(done, targets.length, r));
  const counts = levelCounts(results.flatMap((r) => r.findings));
  return {
    schemaVersion: SCAN_SCHEMA_VERSION,
    tool: { name: 'sshield', version: opts.toolVersion },
    command: 'scan',
    startedAt,
    profile: { name: opts.profile.name, version: opts.profile.version },
    summary: { targets: results.length, ok: results.filter((r) => r.status === 'ok').length, errors: results.filter((r) => r.status === 'error').length, ...counts, wallMs: round(performance.now() - t0) },
    targets: results,
    ...(opts.vulnData ? { vulnData: opts.vulnData } : {}),
  };
}
