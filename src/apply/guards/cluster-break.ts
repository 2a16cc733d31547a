// (d) `PermitRootLogin no` effective for root from a PVE cluster node address on a cluster node:
// migration, replication, the node shell and VM consoles run as root@node over SSH
// (proxmox-cves.md §1.3), so that breaks the cluster. Override: --allow-cluster-break.
import { spec, type Guard } from './types.js';

export const clusterBreak: Guard = {
  id: 'cluster-break',
  flag: '--allow-cluster-break',
  summary: 'root login refused from the PVE cluster nodes',
  check(ctx) {
    const addrs = ctx.facts.clusterAddresses ?? [];
    if (addrs.length === 0) return { ok: true, message: 'not a PVE cluster node' };
    const refused = addrs.filter((a) => ctx.after(spec(ctx, 'root', a)).value('permitrootlogin') === 'no');
    if (refused.length === 0) return { ok: true, message: `root from the ${addrs.length} cluster node addresses keeps key login` };
    return { ok: false, message: `PermitRootLogin no for root from the cluster node addresses ${refused.join(', ')} would break migration, replication and node shells; use the proxmox profile (it keeps a Match Address exception)` };
  },
};
