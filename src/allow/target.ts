// What the allow and user planners need to know about the daemon behind a config: the PVE
// cluster node addresses they keep, and the daemon's reload target and verify expectation (the
// host itself is opened by src/apply/open-host.ts). Reads only through ReadOnlyFs.
import type { ReadOnlyFs } from '../host/fs.js';
import { readClusterAddresses } from '../host/facts/cluster-addresses.js';
import type { EffectiveConfig } from '../sshd/evaluate/types.js';
import type { Plan } from '../apply/plan.js';
import { parseAllowAddress, type AllowAddress } from './address.js';
import { evaluateWith, reloadTargetFor, type LoadedConfig } from './engine.js';

/** Where the config is, as the host factory (src/apply/open-host.ts) opened it. */
export interface Target {
  /** The offline root, if any. */
  readonly root?: string;
  /** True for `-f FILE` naming another file than the default: the daemon is not the system unit. */
  readonly customFile: boolean;
}

/** PVE cluster node IPs (host/facts/cluster-addresses.ts), nodes without any, and why. */
export async function clusterAddresses(fs: ReadOnlyFs): Promise<{ addresses: AllowAddress[]; unknownNodes: readonly string[]; notes: readonly string[] }> {
  const view = await readClusterAddresses(fs);
  if (!view) return { addresses: [], unknownNodes: [], notes: [] };
  const addresses: AllowAddress[] = [];
  for (const a of view.addresses) {
    const p = parseAllowAddress(a);
    if (p.ok && !addresses.some((x) => x.text === p.value.text)) addresses.push(p.value);
  }
  return { addresses, unknownNodes: view.unknownNodes, notes: view.notes };
}

/** Where a new connection reaches the daemon of this config (a wildcard listen address: loopback). */
export function listenOf(eff: EffectiveConfig): { address: string; port: number } {
  const l = eff.get('listenaddress')?.values[0] ?? '0.0.0.0:22';
  const m = /^\[?(.*?)\]?:(\d+)$/.exec(l);
  let address = m?.[1] ?? '127.0.0.1';
  if (address === '0.0.0.0') address = '127.0.0.1';
  if (address === '::') address = '::1';
  return { address, port: Number(m?.[2] ?? eff.value('port') ?? 22) };
}

/** Reload target and verify expectation for the daemon that runs this config. */
export async function daemonOf(cfg: LoadedConfig, t: Target, systemd: boolean): Promise<{ reload: Plan['reload']; verify?: Plan['verify'] }> {
  const eff = await evaluateWith(cfg, new Map(), undefined);
  const reload = reloadTargetFor({ ...(t.root !== undefined ? { root: t.root } : {}), customFile: t.customFile, systemd, pidFile: eff.value('pidfile') });
  if (reload.kind === 'none') return { reload };
  const { address, port } = listenOf(eff);
  return { reload, verify: { address, port, user: 'root' } };
}
