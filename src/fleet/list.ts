// The read-only listings (`keys list`, `user list`, `backups`, `allow list`) over many hosts: each
// host gathered and judged by judge-fleet.ts with the very listing function the command runs on
// this machine or an offline root (src/keys/listing.ts, src/users/list.ts,
// src/apply/backup-list.ts, src/allow/listing.ts), nothing installed. A host's result is exactly
// what `sshield COMMAND --json` prints for one host; a host that could not be reached or read, or
// whose listing refused (no such user, unreadable accounts), is an error with the reason, never an
// empty listing. The envelope is FleetListReport (schemas/<command>-fleet.schema.json).
import type { HostExecutor } from '../host/executor.js';
import { versioned, type Versioned } from '../report/document.js';
import { judgeFleet, type FleetHostBase, type FleetJudgeOptions } from './judge-fleet.js';
import type { FleetTarget } from './target.js';

export type ListCommand = 'keys list' | 'user list' | 'backups' | 'allow list';

export type FleetListHost<C extends ListCommand, B extends object> = FleetHostBase &
  ({ readonly status: 'listed'; readonly notes: readonly string[]; readonly listing: Versioned<C, B> } | { readonly status: 'error'; readonly error: string; readonly notes: readonly string[] });

export interface FleetListReport<C extends ListCommand, B extends object> {
  readonly schemaVersion: 1;
  readonly command: C;
  readonly tool: { readonly name: 'sshield'; readonly version: string };
  readonly hosts: readonly FleetListHost<C, B>[];
  readonly summary: { readonly hosts: number; readonly listed: number; readonly errors: number; readonly wallMs: number };
}

export async function listFleet<C extends ListCommand, B extends object>(command: C, targets: readonly FleetTarget[], o: FleetJudgeOptions & { readonly version: string }, list: (exec: HostExecutor) => Promise<B | string>): Promise<FleetListReport<C, B>> {
  const t0 = Date.now();
  const judged = await judgeFleet(targets, o, (exec) => list(exec));
  const hosts = judged.map((h): FleetListHost<C, B> => {
    const base = { name: h.name, target: h.target, source: h.source, gather: h.gather };
    if (!h.ok) return { ...base, status: 'error', error: h.error, notes: [] };
    if (typeof h.value === 'string') return { ...base, status: 'error', error: h.value, notes: h.notes };
    return { ...base, status: 'listed', notes: h.notes, listing: versioned(command, h.value) };
  });
  const listed = hosts.filter((h) => h.status === 'listed').length;
  return { schemaVersion: 1, command, tool: { name: 'sshield', version: o.version }, hosts, summary: { hosts: hosts.length, listed, errors: hosts.length - listed, wallMs: Date.now() - t0 } };
}
