// What `sshield allow list` shows of one host: the IP allowlists sshield manages (one DenyUsers
// line each, src/allow/managed.ts) and the other access lists in effect (AllowUsers, DenyUsers,
// AllowGroups, DenyGroups, as the effective global config has them). Reads only, through the
// executor it is given: this machine, an offline root, or a host gathered over SSH
// (src/fleet/remote-host.ts), so the local and the remote listing are this one function.
// Rendering is the caller's (src/report/lists.ts allowListView).
import type { HostExecutor } from '../host/executor.js';
import { evaluateWith, loadConfig } from './engine.js';
import { currentAllowlist } from './planner.js';

/** The body of `allow list --json` (without schemaVersion/command). */
export interface AllowListing {
  /** The main sshd_config, as sshd names it. */
  readonly config: string;
  readonly restricted: boolean;
  readonly lists: readonly { readonly user: string; readonly addresses: readonly string[]; readonly file: string; readonly line: number }[];
  readonly otherAccessLists: { readonly allowusers: readonly string[]; readonly denyusers: readonly string[]; readonly allowgroups: readonly string[]; readonly denygroups: readonly string[] };
}

/** The listing, or a message (the main config cannot be read). */
export async function listAllow(exec: HostExecutor, o: { readonly mainPath: string }): Promise<AllowListing | string> {
  const loaded = await loadConfig(exec, o.mainPath);
  if (!loaded.ok) return loaded.message;
  const cfg = loaded.value;
  const lists = currentAllowlist(cfg.main);
  const eff = await evaluateWith(cfg, new Map(), undefined);
  // The managed lists' own DenyUsers entries (USER@!ADDR...) are shown as lists, not again here.
  const denyusers = (eff.get('denyusers')?.values ?? []).filter((v) => !lists.some((l) => v.startsWith(`${l.user}@!`)));
  return {
    config: o.mainPath,
    restricted: lists.length > 0,
    lists,
    otherAccessLists: { allowusers: eff.get('allowusers')?.values ?? [], denyusers, allowgroups: eff.get('allowgroups')?.values ?? [], denygroups: eff.get('denygroups')?.values ?? [] },
  };
}
