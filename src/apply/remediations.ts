// From an audit report to what the planner applies (pure): every failing rule that is not waived
// contributes its remediations: `set` becomes a Desired setting (global or in its Match scope),
// `comment-out` a directive to neutralise, `filter-moduli` a filtered moduli file to write,
// `manual` a note for the admin. Warnings are not
// applied (they are advice, and some name keywords the build may not have). The first setting
// for a keyword and scope wins when two rules ask for it.
import type { Report } from '../report/types.js';
import type { Desired } from './settings.js';

export interface RemediationPlan {
  readonly desired: Desired[];
  readonly commentOut: { file: string; line: number; why: string; rule: string }[];
  readonly notes: string[];
  /** Rules whose remediation is (at least partly) applied. */
  readonly rules: string[];
  /** Filtered moduli files to write (moduli-file.ts). */
  readonly moduli: { from: string; to: string; minBits: number; rule: string }[];
}

export function remediationsOf(report: Report, only?: ReadonlySet<string>): RemediationPlan {
  const out: RemediationPlan = { desired: [], commentOut: [], notes: [], rules: [], moduli: [] };
  const seen = new Set<string>();
  for (const r of report.results) {
    if (r.status !== 'fail' || r.waived || (only && !only.has(r.ruleId))) continue;
    let applied = false;
    for (const m of r.remediation) {
      if (m.kind === 'set') {
        const scope = m.scope === 'global' ? 'global' : { match: m.scope.match };
        const k = `${m.keyword.toLowerCase()}|${scope === 'global' ? '' : scope.match}`;
        applied = true;
        if (seen.has(k)) continue;
        seen.add(k);
        out.desired.push({ keyword: m.keyword, value: m.value, rule: r.ruleId, scope });
      } else if (m.kind === 'comment-out') {
        applied = true;
        for (const d of m.directives) out.commentOut.push({ file: d.file, line: d.line, why: `${r.ruleId}: ${m.description}`, rule: r.ruleId });
      } else if (m.kind === 'filter-moduli') {
        applied = true;
        if (!out.moduli.some((x) => x.to === m.to)) out.moduli.push({ from: m.from, to: m.to, minBits: m.minBits, rule: r.ruleId });
      } else {
        out.notes.push(`${r.ruleId}: ${m.description}${m.command ? ` (${m.command})` : ''}`);
      }
    }
    if (applied) out.rules.push(r.ruleId);
    else if (r.remediation.length === 0) out.notes.push(`${r.ruleId}: ${r.message} (no automatic fix)`);
  }
  return out;
}
