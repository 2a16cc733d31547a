// host/no-known-vulnerabilities: no known sshd-relevant CVE is open in the installed build
// (distro revision aware); CVEs mitigated by the configuration are warnings.
import { defineRule } from '../define-rule.js';
import { buildLabel } from '../build-facts.js';
import { guide } from '../references.js';
import { isMissing, severityRank, type Severity } from '../types.js';

export default defineRule({
  meta: {
    id: 'host/no-known-vulnerabilities',
    title: 'The installed OpenSSH has no known open vulnerabilities',
    severity: 'high',
    tags: ['version'],
    profile: 'baseline',
    keywords: [],
    references: [guide('Security issues'), { source: 'Debian security tracker', item: 'openssh', url: 'https://security-tracker.debian.org/tracker/source-package/openssh' }],
    remediable: 'manual',
    docs: {
      what: 'Looks up the installed build in sshield\'s CVE table (affected upstream ranges and the fixed Debian 12/13 and Ubuntu 22.04/24.04 revisions, each with its source) and reports every CVE still open; a configuration mitigation (e.g. `LoginGraceTime 0` for regreSSHion) turns a failure into a warning. Says whether it judged by package revision or by upstream version.',
      why: 'Known vulnerabilities are what mass scanners exploit first.',
      fix: 'Upgrade openssh-server; apply the listed mitigation until you can.',
      whenNot: 'Never ignore silently: waive a specific accepted risk with a reason and an expiry date.',
    },
  },
  check(ctx) {
    if (isMissing(ctx.facts.vulns)) return ctx.skip(`no vulnerability assessment: ${ctx.facts.vulns?.missing ?? 'OpenSSH build unknown'}`);
    const open = ctx.facts.vulns.findings.filter((f) => f.status === 'vulnerable' || f.status === 'mitigated');
    if (open.length === 0) return ctx.pass(`no known open CVE for ${buildLabel(ctx.facts)}`);
    for (const f of open) {
      const sev: Severity = severityRank(f.severity) > severityRank('critical') ? 'critical' : f.severity;
      ctx.report({
        status: f.status === 'vulnerable' ? 'fail' : 'warn',
        severity: sev,
        cves: [f.cve],
        message: `${f.cve}: ${f.summary} — ${f.reason}${f.status === 'mitigated' ? ` (mitigated: ${f.mitigation ?? 'by configuration'})` : f.mitigation ? ` (mitigation: ${f.mitigation})` : ''} [judged by ${f.basis === 'package' ? 'package revision' : 'upstream version'}]`,
        remediation: [{ kind: 'manual', description: 'upgrade openssh-server', command: 'apt-get update && apt-get install --only-upgrade openssh-server' }],
      });
    }
  },
});
