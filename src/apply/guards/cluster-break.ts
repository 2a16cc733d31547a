// (d) `PermitRootLogin no` effective for root from a PVE cluster node address on a cluster node:
// migration, replication, the node shell and VM consoles run as root@node over SSH
// (proxmox-cves.md §1.3), so that breaks the cluster. A node whose address nothing resolves
// could connect from anywhere: then root refused from an arbitrary outside address (that was
// allowed before) is a break too, since the change cannot be proven to spare that node. Any
// other loss of root's way in from a node address (its key made unusable, an access list) is a
// break as well (lost-way-in.ts, judged from each node address).
// Override: --allow-cluster-break.
import { lossesOf, lostWayIn } from './lost-way-in.js';
import { spec, type Guard } from './types.js';

/** TEST-NET-3 (RFC 5737): stands for "some address not named anywhere in the config". */
const ELSEWHERE = '203.0.113.77';

export const clusterBreak: Guard = {
  id: 'cluster-break',
  flag: '--allow-cluster-break',
  summary: 'root login refused from the PVE cluster nodes',
  check(ctx) {
    const addrs = ctx.facts.clusterAddresses ?? [];
    const unknown = ctx.facts.clusterUnknownNodes ?? [];
    if (addrs.length === 0 && unknown.length === 0) return { ok: true, message: 'not a PVE cluster node' };
    const refused = addrs.filter((a) => ctx.after(spec(ctx, 'root', a)).value('permitrootlogin') === 'no');
    const problems: string[] = [];
    if (refused.length) problems.push(`PermitRootLogin no for root from the cluster node addresses ${refused.join(', ')} would break migration, replication and node shells; use the proxmox profile (it keeps a Match Address exception)`);
    if (ctx.model) {
      for (const l of lossesOf(ctx, 'cluster').filter((x) => !refused.includes(x.addr))) problems.push(`root would lose its way in from the cluster node address ${l.addr === 'any-admitted' ? '(a node without a known address)' : l.addr} (${l.message}): migration, replication and node shells need it`);
    } else {
      for (const a of addrs.filter((x) => !refused.includes(x))) {
        const r = lostWayIn(ctx, 'root', [a]);
        if (r.kind === 'lost') problems.push(`root from the cluster node address ${a} would lose its way in (today ${r.how}; after: ${r.why}): migration, replication and node shells need it`);
      }
    }
    if (unknown.length && ctx.after(spec(ctx, 'root', ELSEWHERE)).value('permitrootlogin') === 'no' && ctx.before(spec(ctx, 'root', ELSEWHERE)).value('permitrootlogin') !== 'no') {
      problems.push(`cluster node(s) ${unknown.join(', ')} have no address sshield can resolve (corosync.conf names them, /etc/hosts and /etc/pve/.members do not), and root would now be refused from addresses outside the known ones: add those nodes' IPs to /etc/hosts and plan again`);
    }
    if (problems.length === 0) return { ok: true, message: `root from the ${addrs.length} cluster node addresses keeps key login` };
    return { ok: false, message: problems.join('; ') };
  },
};
