// Small helpers shared by rule modules: where a value came from (the winning directive, or the
// compiled-in default), the remediation scope that fixes it there, and the common "this keyword
// must have an acceptable value for every relevant identity" check, grouped by winning origin so
// one bad directive is one finding, whichever identities it affects. Pure.
import type { EffectiveEntry, Origin } from '../sshd/evaluate/types.js';
import type { DirectiveInfo, Location, Remediation, RemediationScope, RuleContext, Severity, SpecEvaluation, SpecRole } from './types.js';

export function locationOf(origin: Origin): Location | undefined {
  return origin.kind === 'directive' ? { file: origin.file, line: origin.line, column: origin.column } : undefined;
}

export function matchDirective(ctx: Pick<RuleContext, 'directives'>, origin: Origin): DirectiveInfo | undefined {
  if (origin.kind !== 'directive' || !origin.match) return undefined;
  const m = origin.match;
  return ctx.directives.find((d) => d.file === m.file && d.line === m.line);
}

export function describeOrigin(ctx: Pick<RuleContext, 'directives'>, origin: Origin): string {
  if (origin.kind === 'default') return 'compiled-in default';
  const m = origin.match ? ` inside "Match ${matchDirective(ctx, origin)?.args.join(' ') ?? '?'}" (${origin.match.file}:${origin.match.line})` : '';
  return `set at ${origin.file}:${origin.line}${m}`;
}

/** Where a fix for a value with this origin belongs: the same Match block, or global. */
export function scopeOf(ctx: Pick<RuleContext, 'directives'>, origin: Origin): RemediationScope {
  const m = matchDirective(ctx, origin);
  return m ? { match: m.args.join(' ') } : 'global';
}

export function setFix(ctx: Pick<RuleContext, 'directives'>, origin: Origin, keyword: string, value: string, why?: string): Remediation {
  const scope = scopeOf(ctx, origin);
  const where = scope === 'global' ? 'globally (before any Match block, in a file read before the current winner)' : `in "Match ${scope.match}"`;
  return { kind: 'set', keyword, value, scope, description: `set ${keyword} ${value} ${where}${why ? `: ${why}` : ''}` };
}

export function entryOf(spec: SpecEvaluation, key: string): EffectiveEntry | undefined {
  return spec.config.get(key);
}

export function originKey(o: Origin): string {
  return o.kind === 'default' ? 'default' : `${o.file}:${o.line}`;
}

export interface ValueCheck {
  /** `sshd -T` key (lower case). */
  readonly key: string;
  /** Canonical keyword to write in a fix. */
  readonly keyword: string;
  /** The identities that matter; default all. */
  readonly roles?: readonly SpecRole[];
  /** Exclude some identities (e.g. PVE peers on a cluster node). */
  readonly exclude?: (s: SpecEvaluation) => boolean;
  /** Returns undefined when acceptable, else what is wrong (a short phrase). */
  readonly judge: (values: readonly string[], spec: SpecEvaluation) => string | undefined;
  /** The value a fix writes. */
  readonly fixValue: string;
  readonly severity?: Severity;
  readonly status?: 'fail' | 'warn';
  /** Message prefix; default `${keyword}`. */
  readonly subject?: string;
}

/** One finding per winning origin, naming the identities it affects. Returns the number of findings. */
export function checkValue(ctx: RuleContext, c: ValueCheck): number {
  const groups = new Map<string, { origin: Origin; problem: string; labels: string[]; values: readonly string[] }>();
  let seen = 0;
  for (const s of ctx.specs) {
    if (c.roles && !c.roles.includes(s.role)) continue;
    if (c.exclude?.(s)) continue;
    const e = s.config.get(c.key);
    if (!e) continue;
    seen++;
    const problem = c.judge(e.values, s);
    if (problem === undefined) continue;
    const k = originKey(e.origin);
    const g = groups.get(k);
    if (g) g.labels.push(s.label);
    else groups.set(k, { origin: e.origin, problem, labels: [s.label], values: e.values });
  }
  if (seen === 0) {
    ctx.skip(`${c.keyword} is not known to this OpenSSH build's effective configuration`);
    return 0;
  }
  for (const g of groups.values()) {
    const loc = locationOf(g.origin);
    ctx.report({
      status: c.status ?? 'fail',
      ...(c.severity ? { severity: c.severity } : {}),
      message: `${c.subject ?? c.keyword} ${g.problem} for ${summariseLabels(g.labels)} (${describeOrigin(ctx, g.origin)})`,
      identities: [...new Set(g.labels)],
      ...(loc ? { locations: [loc] } : {}),
      remediation: [setFix(ctx, g.origin, c.keyword, c.fixValue)],
    });
  }
  return groups.size;
}

export function summariseLabels(labels: readonly string[]): string {
  const uniq = [...new Set(labels)];
  return uniq.length <= 3 ? uniq.join(', ') : `${uniq.slice(0, 3).join(', ')} and ${uniq.length - 3} more`;
}

/** A yes/no keyword that must be off (`no`) for every relevant identity. */
export function mustBe(expected: string, ...alsoOk: string[]): (values: readonly string[]) => string | undefined {
  const ok = new Set([expected, ...alsoOk]);
  return (v) => (v.length > 0 && v.every((x) => ok.has(x.toLowerCase())) ? undefined : `is ${v.join(' ') || '(empty)'}, should be ${expected}`);
}

export function isPeer(s: SpecEvaluation): boolean {
  return s.role === 'pve-peer';
}

/** On a PVE-aware audit of a cluster node: does this connection come from a node's address? */
export function fromClusterNode(ctx: Pick<RuleContext, 'pveCluster'>, s: SpecEvaluation): boolean {
  if (!ctx.pveCluster) return false;
  return s.role === 'pve-peer' || (s.spec.addr !== undefined && ctx.pveCluster.nodes.some((n) => n.addresses.includes(s.spec.addr!)));
}

/** Seconds from an `sshd -T` time value (it prints plain seconds; accept units defensively). */
export function parseSeconds(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+)([smhdw]?)$/i.exec(v.trim());
  if (!m) return undefined;
  const mult: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  return Number(m[1]) * (mult[m[2]!.toLowerCase()] ?? 1);
}

export function directivesNamed(ctx: Pick<RuleContext, 'directives'>, canonical: string): DirectiveInfo[] {
  return ctx.directives.filter((d) => d.canonical === canonical);
}
