// sshd/no-tcp-forwarding: AllowTcpForwarding must be no, except for PVE cluster peers on a
// PVE-aware profile (secure migration tunnels with -L; sshd/require-pve-peer-access checks them).
import { defineRule } from '../define-rule.js';
import { checkValue, fromClusterNode } from '../helpers.js';
import { devsec, guide, lynis, man, pve } from '../references.js';

export default defineRule({
  meta: {
    id: 'sshd/no-tcp-forwarding',
    title: 'TCP port forwarding is off',
    severity: 'medium',
    tags: ['forwarding'],
    profile: 'baseline',
    keywords: ['AllowTcpForwarding', 'DisableForwarding'],
    references: [guide('Hardening in general: AllowTcpForwarding no'), devsec('sshd-39'), lynis(), man('AllowTcpForwarding'), pve('Role of SSH in PVE clusters')],
    remediable: 'planned',
    docs: {
      what: 'Checks that `AllowTcpForwarding` is `no` (or `DisableForwarding yes`) for every identity checked. With the proxmox profile on a cluster node, root from the other nodes\' addresses is exempt: migration needs forwarding there.',
      why: 'Port forwarding turns any SSH account into a pivot into networks the host can reach, bypassing firewalls.',
      fix: 'Set `AllowTcpForwarding no` globally. On a PVE cluster node add `Match Address <node addresses>` with `AllowTcpForwarding yes` and `AllowStreamLocalForwarding yes` at the end of the file.',
      whenNot: 'Jump hosts and hosts whose users tunnel database or web consoles on purpose.',
    },
  },
  check(ctx) {
    checkValue(ctx, {
      key: 'allowtcpforwarding',
      keyword: 'AllowTcpForwarding',
      exclude: (s) => fromClusterNode(ctx, s),
      judge: (v, s) => (v[0] === 'no' || s.config.value('disableforwarding') === 'yes' ? undefined : `is ${v.join(' ')}, should be no`),
      fixValue: 'no',
    });
  },
});
