// --cluster HOST: the members of a Proxmox VE cluster, read through one node. The node's
// corosync.conf (pmxcfs first), /etc/pve/.members and /etc/hosts are gathered like any remote
// read (remote-host.ts) and resolved by the one cluster reader (host/facts/cluster-addresses.ts):
// each member is reached at the address PVE's own SSH uses (its .members IP), else its first ring
// IP or a name /etc/hosts resolves; a member with no address is an error naming it, never
// skipped silently. The user and port of HOST apply to every member (PVE nodes share them).
// Also which member HOST itself is (`seedNode`: .members' "nodename", pmxcfs's own node name),
// for the node-by-node order of changes (cluster-rollout.ts).
import { readCluster, parsePveMembers, parsePveNodename } from '../host/facts/cluster-addresses.js';
import { readText } from '../host/facts/types.js';
import { judgeRemote, type RemoteOptions } from './remote-host.js';
import type { SshPool } from './ssh.js';
import { validAddress, type FleetTarget, type Parsed } from './target.js';

export interface ClusterView {
  /** The members, in corosync.conf's node order. */
  readonly members: FleetTarget[];
  /** The member HOST is, when known (.members "nodename", else the member at HOST's address). */
  readonly seedNode?: string;
}

export async function clusterMembers(pool: SshPool, seed: FleetTarget, opts: RemoteOptions = {}): Promise<Parsed<FleetTarget[]>> {
  const v = await clusterView(pool, seed, opts);
  return v.ok ? { ok: true, value: v.value.members } : v;
}

export async function clusterView(pool: SshPool, seed: FleetTarget, opts: RemoteOptions = {}): Promise<Parsed<ClusterView>> {
  const r = await judgeRemote(
    pool,
    seed,
    async (exec) => {
      const c = await readCluster(exec.fs);
      const m = await readText(exec.fs, '/etc/pve/.members', 1 << 20);
      return { cluster: c, members: m.status === 'known' ? parsePveMembers(m.value) : new Map<string, string>(), nodename: m.status === 'known' ? parsePveNodename(m.value) : undefined };
    },
    opts,
  );
  if (!r.ok) return { ok: false, message: `--cluster ${seed.name}: ${r.error}` };
  const { cluster, members, nodename } = r.value;
  if (!cluster) return { ok: false, message: `--cluster ${seed.name}: not a PVE cluster node (no /etc/pve/corosync.conf or /etc/corosync/corosync.conf)` };
  const out: FleetTarget[] = [];
  const missing: string[] = [];
  for (const n of cluster.addresses.nodes) {
    const address = members.get(n.node.toLowerCase()) ?? n.ips[0];
    if (address === undefined || !validAddress(address)) {
      missing.push(n.node);
      continue;
    }
    out.push({ name: n.node, address, ...(seed.user ? { user: seed.user } : {}), ...(seed.port !== undefined ? { port: seed.port } : {}), groups: ['all', cluster.cluster.clusterName ?? 'cluster'].sort(), source: `cluster ${seed.name} (${cluster.path})` });
  }
  if (missing.length) return { ok: false, message: `--cluster ${seed.name}: no address for node${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (${cluster.addresses.notes.join('; ') || 'not in .members, ring names unresolved'})` };
  if (out.length === 0) return { ok: false, message: `--cluster ${seed.name}: the cluster lists no nodes` };
  const seedNode = out.find((t) => t.name.toLowerCase() === nodename?.toLowerCase())?.name ?? out.find((t) => t.address === seed.address || t.name.toLowerCase() === seed.address.toLowerCase())?.name;
  return { ok: true, value: { members: out, ...(seedNode !== undefined ? { seedNode } : {}) } };
}
