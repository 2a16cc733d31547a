// sshd/no-agent-forwarding: AllowAgentForwarding must be no (DisableForwarding counts only on
// builds fixed for CVE-2025-32728).
import { defineRule } from '../define-rule.js';
import { isVulnerable } from '../build-facts.js';
import { checkValue } from '../helpers.js';
import { cve, devsec, guide, lynis, man } from '../references.js';

export default defineRule({
  meta: {
    id: 'sshd/no-agent-forwarding',
    title: 'Agent forwarding is off',
    severity: 'medium',
    tags: ['forwarding'],
    profile: 'baseline',
    keywords: ['AllowAgentForwarding', 'DisableForwarding'],
    references: [guide('Hardening in general: AllowAgentForwarding no'), devsec('sshd-40'), lynis(), man('AllowAgentForwarding'), cve('CVE-2023-38408'), cve('CVE-2025-32728')],
    remediable: 'auto',
    docs: {
      what: 'Checks that `AllowAgentForwarding` is `no` for every identity checked (or `DisableForwarding yes` on a build where it covers agents).',
      why: 'A forwarded agent lets root (or an attacker) on this host use the connecting admin\'s keys to reach other hosts (and reach agent bugs such as CVE-2023-38408).',
      fix: 'Set `AllowAgentForwarding no`. Users who need a jump host should use `ssh -J` instead.',
      whenNot: 'Bastion hosts where users knowingly forward agents (prefer ProxyJump).',
    },
  },
  check(ctx) {
    const disableWorks = isVulnerable(ctx.facts, 'CVE-2025-32728', { introduced: '7.4', fixed: '10.0' }) === false;
    checkValue(ctx, {
      key: 'allowagentforwarding',
      keyword: 'AllowAgentForwarding',
      judge: (v, s) => (v[0] === 'no' || (disableWorks && s.config.value('disableforwarding') === 'yes') ? undefined : `is ${v.join(' ')}, should be no`),
      fixValue: 'no',
    });
  },
});
