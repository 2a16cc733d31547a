// Which IP addresses the other PVE cluster nodes connect from. corosync.conf's ringN_addr may be
// an IP or a host name (pvecm.adoc, "Adding Nodes with Separated Cluster Network"); intra-cluster
// SSH goes to `root@<ip>` with <ip> from pmxcfs's node list (pve-cluster SSHInfo.pm,
// remote_node_ip), which /etc/pve/.members exposes as nodelist.<node>.ip. So a node's addresses
// are: its IP ring addresses, its .members IP, and ring names resolved through /etc/hosts (where
// the PVE installer puts the node's own name, and admins put their peers').
// Names resolved no other way stay unresolved: callers must treat a node without any IP as
// unknown and refuse to take root access away from "everywhere else", never guess. Pure parsers
// plus one reader over ReadOnlyFs; no DNS (offline roots have none, and DNS answers can lie).
import { isIP } from 'node:net';
import type { ReadOnlyFs } from '../fs.js';
import { parseCorosyncConf, type CorosyncCluster } from './corosync.js';
import { readText } from './types.js';

export const COROSYNC_PATHS = ['/etc/pve/corosync.conf', '/etc/corosync/corosync.conf'] as const;

export interface ClusterNodeAddresses {
  readonly node: string;
  /** IPs this node is known by, in discovery order, without duplicates. */
  readonly ips: readonly string[];
  /** Ring addresses that are names no source resolved. */
  readonly unresolved: readonly string[];
}

export interface ClusterAddressView {
  /** The corosync.conf read. */
  readonly source: string;
  readonly nodes: readonly ClusterNodeAddresses[];
  /** Every node's IPs, deduplicated. */
  readonly addresses: readonly string[];
  /** Nodes with no IP at all: their root SSH cannot be proven to survive an address-based change. */
  readonly unknownNodes: readonly string[];
  /** One line per name that could not be resolved, for plans and reports. */
  readonly notes: readonly string[];
}

/** hosts(5): `IP name [alias...]`, '#' comments; names lower-cased. Invalid IPs are skipped. */
export function parseEtcHosts(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [ip, ...names] = line.split(/\s+/);
    if (!ip || isIP(ip.replace(/%.*$/, '')) === 0) continue;
    for (const n of names) {
      const k = n.toLowerCase();
      const list = out.get(k) ?? [];
      if (!list.includes(ip)) list.push(ip);
      out.set(k, list);
    }
  }
  return out;
}

/** pmxcfs's /etc/pve/.members JSON: node name -> ip. Anything malformed yields an empty map. */
export function parsePveMembers(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return out;
  }
  const list = (data as { nodelist?: unknown } | null)?.nodelist;
  if (!list || typeof list !== 'object') return out;
  for (const [name, v] of Object.entries(list as Record<string, unknown>)) {
    const ip = (v as { ip?: unknown } | null)?.ip;
    if (typeof ip === 'string' && isIP(ip) !== 0) out.set(name.toLowerCase(), ip);
  }
  return out;
}

/** The local node's name in /etc/pve/.members ("nodename"); undefined when absent or malformed. */
export function parsePveNodename(text: string): string | undefined {
  try {
    const n = (JSON.parse(text) as { nodename?: unknown } | null)?.nodename;
    return typeof n === 'string' && n !== '' ? n : undefined;
  } catch {
    return undefined;
  }
}

export function resolveClusterAddresses(cluster: CorosyncCluster, source: string, hosts: ReadonlyMap<string, readonly string[]>, members: ReadonlyMap<string, string>): ClusterAddressView {
  const nodes: ClusterNodeAddresses[] = [];
  const notes: string[] = [];
  cluster.nodes.forEach((n, i) => {
    const node = n.name ?? `node${n.nodeid ?? i + 1}`;
    const ips: string[] = [];
    const unresolved: string[] = [];
    const add = (ip: string) => {
      if (!ips.includes(ip)) ips.push(ip);
    };
    for (const a of n.addresses) {
      if (isIP(a) !== 0) add(a);
      else {
        const viaHosts = hosts.get(a.toLowerCase());
        const viaMembers = a.toLowerCase() === node.toLowerCase() ? members.get(a.toLowerCase()) : undefined;
        if (viaHosts?.length) viaHosts.forEach(add);
        if (viaMembers) add(viaMembers);
        if (!viaHosts?.length && !viaMembers) unresolved.push(a);
      }
    }
    const m = members.get(node.toLowerCase());
    if (m) add(m);
    for (const u of unresolved) notes.push(`cluster node ${node}: address "${u}" (${source}) is a name that neither /etc/hosts nor /etc/pve/.members resolves`);
    nodes.push({ node, ips, unresolved });
  });
  const addresses = [...new Set(nodes.flatMap((n) => n.ips))];
  return { source, nodes, addresses, unknownNodes: nodes.filter((n) => n.ips.length === 0).map((n) => n.node), notes };
}

/**
 * Reads corosync.conf (pmxcfs first) and resolves its nodes with /etc/pve/.members and
 * /etc/hosts; undefined when this is not a cluster node.
 */
export async function readCluster(fs: ReadOnlyFs): Promise<{ readonly path: string; readonly cluster: CorosyncCluster; readonly addresses: ClusterAddressView } | undefined> {
  for (const path of COROSYNC_PATHS) {
    const t = await readText(fs, path, 1 << 20);
    if (t.status !== 'known') continue;
    const cluster = parseCorosyncConf(t.value);
    const hosts = await readText(fs, '/etc/hosts', 1 << 20);
    const members = await readText(fs, '/etc/pve/.members', 1 << 20);
    const addresses = resolveClusterAddresses(cluster, path, hosts.status === 'known' ? parseEtcHosts(hosts.value) : new Map(), members.status === 'known' ? parsePveMembers(members.value) : new Map());
    return { path, cluster, addresses };
  }
  return undefined;
}

/** The resolved addresses alone, for the planners (harden, allow). */
export async function readClusterAddresses(fs: ReadOnlyFs): Promise<ClusterAddressView | undefined> {
  return (await readCluster(fs))?.addresses;
}
