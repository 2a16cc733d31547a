// host/no-known-vulnerabilities: no known sshd-relevant CVE is open in the installed build, judged
// from the package's own changelog first, then the data (src/vulns/assess.ts). A CVE with a fix on
// offer fails at its CVSS-derived severity; one with no fix yet warns and names what mitigates it
// (`--fail-on` still counts it at its severity); fixed, mitigated, not-affected and waived CVEs are
// summed up in one line (every verdict stays in the JSON report).
import { defineRule } from '../define-rule.js';
import { buildLabel } from '../build-facts.js';
import { guide } from '../references.js';
import { isMissing, type Severity, type VulnFinding } from '../types.js';

const UPGRADE = 'apt-get update && apt-get install --only-upgrade openssh-server';

function evidence(f: VulnFinding): string {
  const e = f.evidence?.find((x) => x.kind === 'changelog' || x.kind === 'apt' || x.kind === 'data') ?? f.evidence?.[0];
  return e ? ` [${e.kind}: ${e.text}]` : '';
}

export function summaryLine(findings: readonly VulnFinding[]): string {
  const n = (v: VulnFinding['verdict']) => findings.filter((f) => f.verdict === v && !f.waived).length;
  const waived = findings.filter((f) => f.waived);
  const mitigated = findings.filter((f) => f.verdict === 'mitigated' && !f.waived).map((f) => f.cve);
  const unknown = findings.filter((f) => f.verdict === 'unknown' && !f.waived).map((f) => f.cve);
  const parts = [`${n('fixed')} fixed`, `${n('mitigated')} mitigated by the configuration${mitigated.length ? ` (${mitigated.join(', ')})` : ''}`, `${n('not-affected')} not affected`];
  if (unknown.length) parts.push(`${unknown.length} unknown (${unknown.join(', ')})`);
  if (waived.length) parts.push(`${waived.length} waived (${waived.map((f) => `${f.cve} until ${f.waived!.expires}`).join(', ')})`);
  return `${parts.join(', ')}; every verdict with its evidence: --format json`;
}

export default defineRule({
  meta: {
    id: 'host/no-known-vulnerabilities',
    title: 'The installed OpenSSH has no known open vulnerabilities',
    severity: 'low',
    tags: ['version'],
    profile: 'baseline',
    keywords: [],
    references: [guide('Security issues'), { source: 'Debian security tracker', item: 'openssh', url: 'https://security-tracker.debian.org/tracker/source-package/openssh' }],
    remediable: 'manual',
    docs: {
      what: "Judges every server-side OpenSSH CVE for the installed build: first from the package's own changelog (`/usr/share/doc/openssh-server/changelog.Debian.gz`, also inside `--root` images: a CVE named at or below the installed revision is fixed), then from sshield's data (fixed Debian 11/12/13 and Ubuntu 22.04/24.04/26.04 revisions, each checked against that release's changelog, upstream ranges, scores, mitigations). Verdicts: fixed, not-affected, mitigated (the effective configuration closes it), fix-available (the apt candidate or a published revision fixes it), no-fix-yet (exposed, nothing to install: the finding names what mitigates it), unknown. Severity is the highest published CVSS base score on the CVSS v3.1 scale, the same rule as `sshield scan`.",
      why: 'Known vulnerabilities are what mass scanners exploit first; judging the upstream number alone is wrong both ways (Debian backports fixes, and the newest Debian package may still lack a fix).',
      fix: '`fix-available`: `apt-get update && apt-get install --only-upgrade openssh-server`, then restart sshd so the new binary serves. `no-fix-yet`: apply the listed mitigation until the distribution ships a fix; `--fail-on` counts these at their severity.',
      whenNot: 'Never ignore silently: waive a single accepted CVE in the policy file (`waivers: [{cve: CVE-..., reason, expires}]`).',
    },
  },
  check(ctx) {
    if (isMissing(ctx.facts.vulns)) return ctx.skip(`no vulnerability assessment: ${ctx.facts.vulns?.missing ?? 'OpenSSH build unknown'}`);
    const all = ctx.facts.vulns.findings;
    const open = all.filter((f) => !f.waived && (f.verdict === 'fix-available' || f.verdict === 'no-fix-yet'));
    const summary = summaryLine(all);
    if (open.length === 0) return ctx.pass(`no open CVE for ${buildLabel(ctx.facts)}: ${summary}`);
    for (const f of open) {
      const sev: Severity = f.severity;
      if (f.verdict === 'fix-available') {
        ctx.report({
          status: 'fail',
          severity: sev,
          cves: [f.cve],
          message: `${f.cve} (${sev}, fix available${f.fixedIn ? `: ${f.fixedIn}` : ''}): ${f.summary} — ${f.reason}${evidence(f)}`,
          remediation: [{ kind: 'manual', description: 'upgrade openssh-server and restart sshd', command: UPGRADE }],
        });
      } else {
        ctx.report({
          status: 'warn',
          severity: sev,
          failOn: sev,
          cves: [f.cve],
          message: `${f.cve} (${sev}, no fix yet): ${f.summary} — ${f.reason}${evidence(f)}`,
          ...(f.mitigations?.length ? { remediation: [{ kind: 'manual' as const, description: `until a fix ships: ${f.mitigations.join(' / ')}` }] } : {}),
        });
      }
    }
    ctx.report({ status: 'warn', message: `the rest: ${summary}` });
  },
});
