// The one SARIF 2.1.0 shape every sshield command emits (audit, scan): the same driver, rule
// descriptors with the same help (the rule's own docs inline, and a helpUri to the rule page that
// ships with sshield when the caller knows where it is installed) and GitHub `security-severity`
// scores, and the same level mapping, so a code-scanning dashboard sees one tool whichever
// command fed it. Every result has a location: callers give a file or a logical one. Callers map
// their own report to SarifRunInput; this module owns the format. Pure.
import type { Invocation, Location, Log, PropertyBag, ReportingDescriptor, Result } from 'sarif';
import type { Severity } from '../rules/types.js';

/** Where the .deb installs the rule pages (docs/rules/ of the npm package holds the same files). */
export const DEB_DOCS_BASE = 'file:///usr/share/doc/sshield/rules/';

/** The page of a rule under a docs base URI ending in "/": <domain>-<name>.md, one per rule id. */
export function ruleHelpUri(ruleId: string, docsBase: string): string {
  return `${docsBase}${ruleId.replace('/', '-')}.md`;
}

/** SARIF level for a failing result of this severity. */
export const SEVERITY_LEVEL: Readonly<Record<Severity, Result.level>> = { info: 'note', low: 'note', medium: 'warning', high: 'error', critical: 'error' };

/** GitHub code scanning reads `security-severity` (CVSS-like, 0.0–10.0) to rank results. */
export const SEVERITY_SCORE: Readonly<Record<Severity, string>> = { info: '0.0', low: '3.0', medium: '5.5', high: '8.0', critical: '9.5' };

export interface SarifRuleInput {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly tags?: readonly string[];
  /** The rule's documentation (what, why, fix), given to dashboards as help text. */
  readonly docs?: { readonly what: string; readonly why: string; readonly fix: string; readonly whenNot: string };
}

export interface SarifResultInput {
  readonly ruleId: string;
  readonly level: Result.level;
  readonly message: string;
  /** At least one: a file (fileLocation) or a logical place (endpointLocation, logicalLocation). */
  readonly locations: readonly Location[];
  /** Stable identity across runs, so dashboards track one problem instead of a new one per run. */
  readonly fingerprint?: string;
  readonly properties?: PropertyBag;
  /** A waiver: shown as suppressed, not dropped. */
  readonly suppression?: string;
}

export interface SarifRunInput {
  readonly toolVersion: string;
  readonly rules: readonly SarifRuleInput[];
  readonly results: readonly SarifResultInput[];
  readonly invocation?: Invocation;
  readonly originalUriBaseIds?: Record<string, { uri: string }>;
  readonly properties?: PropertyBag;
  /** A base URI ending in "/" under which the rule pages are installed (e.g. DEB_DOCS_BASE). */
  readonly docsBase?: string;
}

/** A file location relative to the ROOT base id (`/etc/ssh/sshd_config:12:3`). */
export function fileLocation(file: string, line: number, column?: number): Location {
  return {
    physicalLocation: {
      artifactLocation: { uri: file.replace(/^\//, ''), uriBaseId: 'ROOT' },
      ...(line > 0 ? { region: { startLine: line, ...(column ? { startColumn: column } : {}) } } : {}),
    },
  };
}

/** A network endpoint has no file: a logical location named host:port. */
export function endpointLocation(name: string, fullyQualifiedName: string): Location {
  return { logicalLocations: [{ name, fullyQualifiedName, kind: 'resource' }] };
}

/** Something that is neither a file nor an endpoint, e.g. the installed openssh-server package. */
export function logicalLocation(name: string, fullyQualifiedName: string, kind: 'module' | 'resource'): Location {
  return { logicalLocations: [{ name, fullyQualifiedName, kind }] };
}

function helpOf(r: SarifRuleInput): Pick<ReportingDescriptor, 'fullDescription' | 'help'> {
  if (!r.docs) return {};
  const d = r.docs;
  return {
    fullDescription: { text: d.what },
    help: {
      text: `${d.what}\n\nWhy: ${d.why}\n\nHow to fix: ${d.fix}\n\nWhen not to use it: ${d.whenNot}`,
      markdown: `${d.what}\n\n**Why.** ${d.why}\n\n**How to fix.** ${d.fix}\n\n**When not to use it.** ${d.whenNot}`,
    },
  };
}

export function sarifLog(input: SarifRunInput): Log {
  const index = new Map(input.rules.map((r, i) => [r.id, i]));
  const rules: ReportingDescriptor[] = input.rules.map((r) => ({
    id: r.id,
    name: r.id.replace(/[/-](\w)/g, (_, x: string) => x.toUpperCase()),
    shortDescription: { text: r.title },
    ...helpOf(r),
    ...(input.docsBase ? { helpUri: ruleHelpUri(r.id, input.docsBase) } : {}),
    defaultConfiguration: { level: SEVERITY_LEVEL[r.severity] },
    properties: { tags: [...(r.tags ?? [])], 'security-severity': SEVERITY_SCORE[r.severity] },
  }));
  const results: Result[] = input.results.map((r) => {
    const ruleIndex = index.get(r.ruleId);
    if (ruleIndex === undefined) throw new Error(`SARIF result for undeclared rule ${r.ruleId}`);
    if (r.locations.length === 0) throw new Error(`SARIF result for ${r.ruleId} without a location`);
    return {
      ruleId: r.ruleId,
      ruleIndex,
      level: r.level,
      message: { text: r.message },
      locations: [...r.locations],
      ...(r.fingerprint ? { partialFingerprints: { 'sshield/v1': r.fingerprint } } : {}),
      ...(r.properties ? { properties: r.properties } : {}),
      ...(r.suppression ? { suppressions: [{ kind: 'external' as const, justification: r.suppression }] } : {}),
    };
  });
  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      {
        tool: { driver: { name: 'sshield', version: input.toolVersion, ...(input.docsBase ? { informationUri: input.docsBase } : {}), rules } },
        ...(input.invocation ? { invocations: [input.invocation] } : {}),
        ...(input.originalUriBaseIds ? { originalUriBaseIds: input.originalUriBaseIds } : {}),
        results,
        ...(input.properties ? { properties: input.properties } : {}),
      },
    ],
  };
}
