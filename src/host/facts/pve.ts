// Proxmox VE detection and cluster membership. A host is PVE when dpkg lists pve-manager or
// proxmox-ve as installed, or (live only) `pveversion` answers; /etc/pve present is recorded as
// evidence. The major version comes from pve-manager's version (8.x = Debian 12, 9.x = Debian 13,
// pve-docs pve-faq.adoc). Cluster membership: /etc/pve/corosync.conf (pmxcfs), else
// /etc/corosync/corosync.conf; node addresses are the ringN_addr values (names or IPs).
import type { HostExecutor } from '../executor.js';
import type { CorosyncCluster } from './corosync.js';
import { readCluster, type ClusterAddressView } from './cluster-addresses.js';
import type { DpkgDatabase } from './dpkg-status.js';
import { type Fact, known, readText } from './types.js';

export interface PveInfo {
  readonly isPve: boolean;
  /** pve-manager version, e.g. "8.2.4". */
  readonly managerVersion?: string;
  /** 8, 9, ... */
  readonly major?: number;
  /** What the detection rests on, e.g. ["dpkg:pve-manager 9.0.3", "/etc/pve"]. */
  readonly evidence: readonly string[];
  readonly etcPvePresent: boolean;
  /** Present when a corosync.conf was found. */
  readonly cluster?: CorosyncCluster & { readonly path: string };
  /** Every node's IPs (ring IPs, /etc/pve/.members, names via /etc/hosts) and what stayed unresolved. */
  readonly clusterAddresses?: ClusterAddressView;
  /** Cluster node entry whose name equals this host's /etc/hostname, if any. */
  readonly localNodeName?: string;
  /** Why the cluster view is missing on a PVE host (e.g. /etc/pve not mounted in an image). */
  readonly clusterUnknownReason?: string;
}

export function parsePveversion(text: string): string | undefined {
  return /pve-manager\/(\d+(?:\.\d+)*)/.exec(text)?.[1];
}

export async function gatherPve(exec: HostExecutor, dpkg: Fact<DpkgDatabase>): Promise<Fact<PveInfo>> {
  const fs = exec.fs;
  const evidence: string[] = [];
  let managerVersion: string | undefined;
  if (dpkg.status === 'known') {
    for (const name of ['pve-manager', 'proxmox-ve']) {
      const p = dpkg.value.installed(name);
      if (p) {
        evidence.push(`dpkg:${name} ${p.version}`);
        if (name === 'pve-manager') managerVersion = p.version;
      }
    }
  }
  const etcPve = await fs.stat('/etc/pve').catch(() => undefined);
  const etcPvePresent = etcPve?.kind === 'directory';
  if (etcPvePresent) evidence.push('/etc/pve');
  const pending = evidence.length || etcPvePresent ? exec.run('pveversion', [], { timeoutMs: 10_000 }) : undefined;
  if (pending) {
    const r = await pending.catch(() => undefined);
    const v = r && r.code === 0 ? parsePveversion(r.stdout) : undefined;
    if (v) {
      evidence.push(`pveversion ${v}`);
      managerVersion ??= v;
    }
  }
  const isPve = evidence.some((e) => e.startsWith('dpkg:') || e.startsWith('pveversion'));
  const major = managerVersion ? Number(/^(\d+)/.exec(managerVersion)?.[1]) : undefined;
  let cluster: PveInfo['cluster'];
  let clusterUnknownReason: string | undefined;
  const read = await readCluster(fs);
  if (read) cluster = { ...read.cluster, path: read.path };
  const clusterAddresses = read?.addresses;
  if (!cluster && isPve && !etcPvePresent) clusterUnknownReason = '/etc/pve is not present (pmxcfs not mounted?): cluster membership unknown';
  let localNodeName: string | undefined;
  if (cluster) {
    const h = await readText(fs, '/etc/hostname', 4096);
    const host = h.status === 'known' ? h.value.trim().split('.')[0] : undefined;
    if (host && cluster.nodes.some((n) => n.name === host)) localNodeName = host;
  }
  return known({
    isPve,
    evidence,
    etcPvePresent,
    ...(managerVersion ? { managerVersion } : {}),
    ...(major !== undefined && !Number.isNaN(major) ? { major } : {}),
    ...(cluster ? { cluster } : {}),
    ...(clusterAddresses ? { clusterAddresses } : {}),
    ...(localNodeName ? { localNodeName } : {}),
    ...(clusterUnknownReason ? { clusterUnknownReason } : {}),
  });
}
