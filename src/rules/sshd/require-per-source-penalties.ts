// sshd/require-per-source-penalties: on OpenSSH 9.8+ PerSourcePenalties stay on (the default);
// on a PVE cluster node the other nodes must be in PerSourcePenaltyExemptList, or bursts of
// cluster SSH get "drop connection ... penalty" (seen with PVE 9 management tools).
import { defineRule } from '../define-rule.js';
import { describeOrigin, locationOf, setFix } from '../helpers.js';
import { matchAddressList } from '../patterns.js';
import { man } from '../references.js';

export default defineRule({
  meta: {
    id: 'sshd/require-per-source-penalties',
    title: 'Per-source penalties are on (and exempt PVE cluster nodes)',
    severity: 'low',
    tags: ['limits', 'pve'],
    profile: 'baseline',
    keywords: ['PerSourcePenalties', 'PerSourcePenaltyExemptList'],
    references: [man('PerSourcePenalties'), { source: 'OpenSSH', item: 'release-9.8' }],
    remediable: 'planned',
    docs: {
      what: 'On OpenSSH 9.8 and later checks that `PerSourcePenalties` is not `no`; on a PVE cluster node (proxmox profile) also that every node address is in `PerSourcePenaltyExemptList`. Skips builds without the feature (Debian 12 / PVE 8).',
      why: 'Penalties throttle addresses that fail authentication or crash sessions, blunting brute force and pre-auth DoS (CVE-2025-26466). But cluster nodes make bursts of root connections and must not be penalised.',
      fix: 'Remove `PerSourcePenalties no`. On PVE 9: `PerSourcePenaltyExemptList <node addresses>`.',
      whenNot: 'Behind a load balancer or NAT where all clients share one address: exempt that address.',
    },
  },
  check(ctx) {
    const s = ctx.specs[0];
    const e = s?.config.get('persourcepenalties');
    if (!s || !e) return ctx.skip('this OpenSSH build has no PerSourcePenalties (9.8 and later)');
    const loc = locationOf(e.origin);
    if ((e.values[0] ?? '').trim() === 'no') {
      ctx.report({ status: 'fail', message: `PerSourcePenalties is off (${describeOrigin(ctx, e.origin)})`, ...(loc ? { locations: [loc] } : {}), remediation: [setFix(ctx, e.origin, 'PerSourcePenalties', 'yes')] });
    }
    if (ctx.pveCluster) {
      const ex = s.config.get('persourcepenaltyexemptlist');
      const list = (ex?.values.join(',') ?? 'none').trim();
      const addrs = ctx.pveCluster.nodes.filter((n) => !n.local).flatMap((n) => n.addresses);
      const missing = addrs.filter((a) => list === 'none' || matchAddressList(a, list.replace(/\s+/g, ',')) !== 1);
      if (missing.length > 0) {
        ctx.report({
          status: 'warn',
          message: `PVE cluster node addresses ${missing.join(', ')} are not exempt from PerSourcePenalties: bursts of cluster SSH may be dropped`,
          remediation: [{ kind: 'set', keyword: 'PerSourcePenaltyExemptList', value: [...new Set([...(list === 'none' ? [] : list.split(/[\s,]+/)), ...missing])].join(','), scope: 'global', description: 'exempt the cluster nodes from penalties' }],
        });
      }
    }
  },
});
