// sshd/no-tunnel: PermitTunnel must be no.
import { defineRule } from '../define-rule.js';
import { checkValue, mustBe } from '../helpers.js';
import { cve, devsec, guide, lynis, man } from '../references.js';

export default defineRule({
  meta: {
    id: 'sshd/no-tunnel',
    title: 'tun/tap device forwarding is off',
    severity: 'medium',
    tags: ['forwarding'],
    profile: 'baseline',
    keywords: ['PermitTunnel'],
    references: [guide('Hardening in general: PermitTunnel no'), devsec('sshd-38'), lynis(), man('PermitTunnel'), cve('CVE-2026-59999'), cve('CVE-2026-73283')],
    remediable: 'auto',
    docs: {
      what: 'Checks that `PermitTunnel` is `no` for every identity checked.',
      why: 'Tunnel forwarding gives an SSH user a layer-2/3 VPN into the host\'s networks. Before 10.4/10.5, `DisableForwarding` and the `restrict` key option did not stop it.',
      fix: 'Set `PermitTunnel no` (the default).',
      whenNot: 'Hosts deliberately used as `ssh -w` VPN endpoints.',
    },
  },
  check(ctx) {
    checkValue(ctx, { key: 'permittunnel', keyword: 'PermitTunnel', judge: mustBe('no'), fixValue: 'no' });
  },
});
