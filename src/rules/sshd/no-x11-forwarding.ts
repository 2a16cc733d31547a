// sshd/no-x11-forwarding: X11Forwarding must be no (DisableForwarding counts only on builds
// fixed for CVE-2025-32728, where it really disables X11: servconf.c, OpenSSH 10.0).
import { defineRule } from '../define-rule.js';
import { isVulnerable } from '../build-facts.js';
import { checkValue } from '../helpers.js';
import { cis, cve, devsec, guide, lynis, man } from '../references.js';

export default defineRule({
  meta: {
    id: 'sshd/no-x11-forwarding',
    title: 'X11 forwarding is off',
    severity: 'low',
    tags: ['forwarding'],
    profile: 'baseline',
    keywords: ['X11Forwarding', 'DisableForwarding'],
    references: [guide('Hardening in general: X11Forwarding no'), ...cis('5.1.8'), devsec('sshd-42'), lynis(), man('X11Forwarding'), cve('CVE-2025-32728')],
    remediable: 'auto',
    docs: {
      what: 'Checks that `X11Forwarding` is `no` for every identity checked. `DisableForwarding yes` counts only on builds fixed for CVE-2025-32728 (OpenSSH 10.0, Debian 12 from 1:9.2p1-2+deb12u6).',
      why: 'X11 forwarding exposes the client\'s display to the server side and adds code paths (xauth) to every session. Debian\'s shipped sshd_config turns it on.',
      fix: 'Set `X11Forwarding no` (replace Debian\'s `X11Forwarding yes` line).',
      whenNot: 'Hosts where users run graphical programs over SSH.',
    },
  },
  check(ctx) {
    const disableWorks = isVulnerable(ctx.facts, 'CVE-2025-32728', { introduced: '7.4', fixed: '10.0' }) === false;
    checkValue(ctx, {
      key: 'x11forwarding',
      keyword: 'X11Forwarding',
      judge: (v, s) => (v[0] === 'no' || (disableWorks && s.config.value('disableforwarding') === 'yes') ? undefined : `is ${v.join(' ')}, should be no`),
      fixValue: 'no',
    });
  },
});
