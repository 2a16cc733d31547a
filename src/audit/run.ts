// runAudit: runs the enabled rules of a profile/policy over gathered input and builds the
// Report (one result per rule evaluated, waivers applied; expired waivers reported). Pure.
import { runRule } from '../rules/define-rule.js';
import { RULES } from '../rules/registry.js';
import type { Policy } from '../policy/policy-file.js';
import { waiverActive } from '../policy/policy-file.js';
import type { Report, ReportResult, WaiverNote } from '../report/types.js';
import { summarise } from '../report/types.js';
import type { AuditInput } from './gather.js';
import { isMissing, type RuleInput } from '../rules/types.js';
import { dataFreshness } from '../vulns/data.js';

const RUN_ON_BROKEN_CONFIG = new Set(['sshd/no-config-errors', 'sshd/no-client-only-keywords', 'sshd/no-deprecated-keywords', 'sshd/no-debian-banner']);

export function runAudit(a: AuditInput, policy: Policy, opts: { version: string; today: string }): Report {
  const results: ReportResult[] = [];
  const waivers: WaiverNote[] = policy.waivers.map((w) => ({ ruleId: w.rule, ...(w.cve ? { cve: w.cve } : {}), reason: w.reason, expires: w.expires, state: waiverActive(w, opts.today) ? 'active' : 'expired' }));
  const input = withCveWaivers(a.input, waivers);
  for (const rule of RULES) {
    const setting = policy.profile.rules[rule.meta.id];
    if (!setting?.enabled) continue;
    let r: ReportResult;
    if (!a.configOk && rule.meta.id.startsWith('sshd/') && !RUN_ON_BROKEN_CONFIG.has(rule.meta.id)) {
      r = { ruleId: rule.meta.id, title: rule.meta.title, status: 'skip', severity: rule.meta.severity, message: 'sshd would refuse this configuration (see sshd/no-config-errors); fix that first', locations: [], remediation: [], details: [], tags: rule.meta.tags, references: rule.meta.references };
    } else {
      r = runRule(rule, input, { ...(setting.options ? { options: setting.options } : {}), pveAware: policy.profile.pveAware });
    }
    const w = waivers.find((x) => x.ruleId === rule.meta.id && !x.cve && x.state === 'active');
    if (w && (r.status === 'fail' || r.status === 'warn')) r = { ...r, waived: { reason: w.reason, expires: w.expires } };
    results.push(r);
  }
  return {
    schemaVersion: 1,
    tool: { name: 'sshield', version: opts.version },
    target: a.target,
    profile: { name: policy.profile.name, ...(policy.source !== 'builtin' ? { source: policy.source } : {}) },
    specs: a.specsUsed,
    results,
    waivers,
    summary: summarise(results),
    ...(isMissing(input.facts.vulns) || !input.facts.vulns.dataDate ? {} : { vulns: { data: dataFreshness({ date: input.facts.vulns.dataDate }, opts.today), verdicts: input.facts.vulns.findings } }),
  };
}

/** Marks the CVE findings an active policy waiver covers, so the CVE rule leaves them out. */
function withCveWaivers(input: RuleInput, waivers: readonly WaiverNote[]): RuleInput {
  const active = waivers.filter((w) => w.cve && w.state === 'active');
  const vulns = input.facts.vulns;
  if (active.length === 0 || isMissing(vulns)) return input;
  const findings = vulns.findings.map((f) => {
    const w = active.find((x) => x.cve === f.cve);
    return w ? { ...f, waived: { reason: w.reason, expires: w.expires } } : f;
  });
  return { ...input, facts: { ...input.facts, vulns: { ...vulns, findings } } };
}
