// sshd/no-root-login: root must not log in over SSH. On a PVE cluster node (PVE-aware profile)
// the right state is `no` (or at least no root login) from everywhere except the other nodes'
// addresses, where `prohibit-password` must hold: intra-cluster SSH is root@<node ip> with keys
// (pve-cluster PVE::SSHInfo), so `no` there breaks migration, replication and remote shells.
import { defineRule } from '../define-rule.js';
import { describeOrigin, locationOf, originKey, summariseLabels, setFix } from '../helpers.js';
import { cis, devsec, guide, lynis, man, mozilla, pve } from '../references.js';
import type { Origin } from '../../sshd/evaluate/types.js';
import type { Remediation, RuleContext, SpecEvaluation } from '../types.js';

const KEY_ONLY = new Set(['prohibit-password', 'without-password']);

function clusterMatch(ctx: RuleContext): string {
  const addrs = (ctx.pveCluster?.nodes ?? []).flatMap((n) => n.addresses);
  return `Address ${[...new Set(addrs)].join(',')}`;
}

function clusterFix(ctx: RuleContext): Remediation[] {
  return [
    { kind: 'set', keyword: 'PermitRootLogin', value: 'no', scope: 'global', description: 'set PermitRootLogin no globally' },
    { kind: 'set', keyword: 'PermitRootLogin', value: 'prohibit-password', scope: { match: clusterMatch(ctx) }, description: 'allow root with keys only from the cluster nodes (migration, replication, node shells)' },
  ];
}

export default defineRule({
  meta: {
    id: 'sshd/no-root-login',
    title: 'root cannot log in over SSH (PVE: only from cluster nodes, keys only)',
    severity: 'high',
    tags: ['auth', 'access', 'pve'],
    profile: 'baseline',
    keywords: ['PermitRootLogin', 'Match'],
    references: [guide('Hardening in general: PermitRootLogin no'), ...cis('5.1.20', '5.1.21'), devsec('sshd-06'), lynis(), mozilla('PermitRootLogin No'), man('PermitRootLogin'), pve('Cluster SSH setup')],
    remediable: 'planned',
    docs: {
      what: 'Evaluates `PermitRootLogin` for root connecting from the admin\'s address, from an unknown address, from every Match block\'s addresses and, on a Proxmox VE cluster node, from every other node\'s address. Root must be refused everywhere; on a cluster node (proxmox profile) root from the node addresses must be allowed with keys only (`prohibit-password`).',
      why: 'root is the one account every attacker tries; logging in as a named user and escalating leaves an audit trail. Proxmox VE nodes, however, talk to each other as root over SSH: a global `PermitRootLogin no` breaks migration, replication, the node shell and the console of VMs on other nodes.',
      fix: 'Plain hosts: `PermitRootLogin no`. PVE cluster nodes: `PermitRootLogin no` globally and, at the end of the file, `Match Address <all node addresses>` with `PermitRootLogin prohibit-password` (plus what migration needs, see `sshd/require-pve-peer-access`). Make sure a non-root sudo admin can log in with a key first.',
      whenNot: 'Appliances administered only as root with keys (then `prohibit-password` and waive with a reason).',
    },
  },
  check(ctx) {
    const rootSpecs = ctx.specs.filter((s) => s.spec.user === 'root');
    if (rootSpecs.length === 0) return ctx.skip('no connection spec for root was evaluated');
    const groups = new Map<string, { origin: Origin; value: string; labels: string[]; peer: boolean }>();
    const add = (s: SpecEvaluation, origin: Origin, value: string, peer: boolean) => {
      const k = `${peer}|${originKey(origin)}`;
      const g = groups.get(k);
      if (g) g.labels.push(s.label);
      else groups.set(k, { origin, value, labels: [s.label], peer });
    };
    for (const s of rootSpecs) {
      const e = s.config.get('permitrootlogin');
      if (!e) continue;
      const v = (e.values[0] ?? '').toLowerCase();
      const peer = ctx.pveCluster !== undefined && s.role === 'pve-peer';
      if (peer ? !KEY_ONLY.has(v) : v !== 'no') add(s, e.origin, v, peer);
    }
    for (const g of groups.values()) {
      const loc = locationOf(g.origin);
      const where = describeOrigin(ctx, g.origin);
      if (g.peer) {
        const broken = g.value === 'no' || g.value === 'forced-commands-only';
        ctx.report({
          status: 'fail',
          severity: broken ? 'high' : 'medium',
          message: broken
            ? `PermitRootLogin ${g.value} for ${summariseLabels(g.labels)} breaks the PVE cluster (migration, replication, node shells need root@node with keys) (${where})`
            : `PermitRootLogin ${g.value} lets root log in with a password from the cluster nodes ${summariseLabels(g.labels)}; keys are enough (${where})`,
          identities: [...new Set(g.labels)],
          ...(loc ? { locations: [loc] } : {}),
          remediation: [{ kind: 'set', keyword: 'PermitRootLogin', value: 'prohibit-password', scope: { match: clusterMatch(ctx) }, description: 'allow root with keys only from the cluster nodes' }],
        });
      } else {
        const what = g.value === 'yes' ? 'root can log in with a password' : KEY_ONLY.has(g.value) ? 'root can log in with a key' : `root login is ${g.value}`;
        ctx.report({
          status: 'fail',
          severity: g.value === 'yes' ? 'high' : 'medium',
          message: `PermitRootLogin ${g.value}: ${what} for ${summariseLabels(g.labels)} (${where})`,
          identities: [...new Set(g.labels)],
          ...(loc ? { locations: [loc] } : {}),
          remediation: ctx.pveCluster ? clusterFix(ctx) : [setFix(ctx, g.origin, 'PermitRootLogin', 'no')],
        });
      }
    }
  },
});
