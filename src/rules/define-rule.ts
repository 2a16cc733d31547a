// defineRule: the identity function that gives a rule module its type (ESLint's shape), and
// runRule: runs one rule's check against a RuleInput and folds what it reported into exactly one
// result (fail beats warn beats pass; skip when the rule said so and reported nothing). Pure.
import type { Finding, Location, OptionValues, Remediation, Rule, RuleContext, RuleInput, RuleMeta, Severity, Status } from './types.js';
import { severityRank } from './types.js';

export function defineRule(rule: Rule): Rule {
  return rule;
}

export interface RuleResult {
  readonly ruleId: string;
  readonly title: string;
  readonly status: Status;
  readonly severity: Severity;
  readonly message: string;
  readonly locations: readonly Location[];
  readonly remediation: readonly Remediation[];
  readonly details: readonly string[];
  readonly tags: readonly string[];
  readonly references: RuleMeta['references'];
  readonly cves?: readonly string[];
  /** The highest `failOn` of its findings: `--fail-on` counts the result at this severity even when it only warns. */
  readonly failOnSeverity?: Severity;
  /** Every identity the findings hold for, in full (messages may shorten the list). */
  readonly identities?: readonly string[];
}

/** Fills options with the rule's defaults. */
export function resolveOptions(meta: RuleMeta, given: OptionValues | undefined): OptionValues {
  const out: Record<string, OptionValues[string]> = {};
  for (const [k, spec] of Object.entries(meta.options ?? {})) out[k] = given?.[k] ?? spec.default;
  return out;
}

function sameLocation(a: Location, b: Location): boolean {
  return a.file === b.file && a.line === b.line;
}

export function runRule(rule: Rule, input: RuleInput, opts: { options?: OptionValues; pveAware: boolean }): RuleResult {
  const findings: Finding[] = [];
  let skipReason: string | undefined;
  let passMessage: string | undefined;
  const pveCluster = opts.pveAware ? input.facts.pve?.cluster : undefined;
  const ctx: RuleContext = {
    ...input,
    options: resolveOptions(rule.meta, opts.options),
    pveAware: opts.pveAware,
    pveCluster: pveCluster && pveCluster.nodes.length > 1 ? pveCluster : undefined,
    report: (f) => void findings.push(f),
    skip: (reason) => void (skipReason ??= reason),
    pass: (m) => void (passMessage = m),
  };
  try {
    rule.check(ctx);
  } catch (err) {
    // A rule bug must not hide the other results: it becomes a skip that says so.
    skipReason = `internal error in rule: ${(err as Error).message}`;
    findings.length = 0;
  }
  const base = { ruleId: rule.meta.id, title: rule.meta.title, tags: rule.meta.tags, references: rule.meta.references };
  if (findings.length === 0) {
    if (skipReason !== undefined) return { ...base, status: 'skip', severity: rule.meta.severity, message: skipReason, locations: [], remediation: [], details: [] };
    return { ...base, status: 'pass', severity: rule.meta.severity, message: passMessage ?? `${rule.meta.title}: ok`, locations: [], remediation: [], details: [] };
  }
  const fails = findings.filter((f) => f.status === 'fail');
  const primary = fails.length > 0 ? fails : findings;
  const status: Status = fails.length > 0 ? 'fail' : 'warn';
  let severity = rule.meta.severity;
  for (const f of primary) if (f.severity && severityRank(f.severity) > severityRank(severity)) severity = f.severity;
  const locations: Location[] = [];
  const remediation: Remediation[] = [];
  const seenRem = new Set<string>();
  const details: string[] = [];
  const messages: string[] = [];
  const cves = new Set<string>();
  const identities = new Set<string>();
  let failOnSeverity: Severity | undefined;
  for (const f of findings) {
    if (f.failOn && (!failOnSeverity || severityRank(f.failOn) > severityRank(failOnSeverity))) failOnSeverity = f.failOn;
    if (!messages.includes(f.message)) messages.push(f.message);
    for (const l of f.locations ?? []) if (!locations.some((x) => sameLocation(x, l))) locations.push(l);
    for (const r of f.remediation ?? []) {
      const key = JSON.stringify(r);
      if (!seenRem.has(key)) {
        seenRem.add(key);
        remediation.push(r);
      }
    }
    for (const c of f.cves ?? []) cves.add(c);
    for (const i of f.identities ?? []) identities.add(i);
  }
  const primaryMessages = messages.filter((m) => primary.some((f) => f.message === m));
  details.push(...messages.filter((m) => m !== primaryMessages[0]));
  return {
    ...base,
    status,
    severity,
    message: primaryMessages[0] ?? messages[0]!,
    locations,
    remediation,
    details,
    ...(cves.size > 0 ? { cves: [...cves].sort() } : {}),
    ...(failOnSeverity ? { failOnSeverity } : {}),
    ...(identities.size > 0 ? { identities: [...identities] } : {}),
  };
}
