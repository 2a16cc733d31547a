// `sshield audit` over many hosts: a bounded pool of hosts (judge-fleet.ts: each one SSH connection,
// one deadline, gathered and judged with the very gatherAudit/runAudit of a local or --root
// audit), results in the targets' order. The policy is chosen per host as for one host (the
// given profile, else proxmox on PVE hosts and baseline elsewhere). An unreachable or hostile host
// is an error with its reason, never a clean report. The envelope is FleetAuditReport.
import { gatherAudit } from '../audit/gather.js';
import { runAudit } from '../audit/run.js';
import type { Policy } from '../policy/policy-file.js';
import type { Report } from '../report/types.js';
import { judgeFleet, type FleetHostBase } from './judge-fleet.js';
import type { RemoteOptions } from './remote-host.js';
import type { SshPool } from './ssh.js';
import type { FleetTarget } from './target.js';

export interface FleetHostResult {
  readonly name: string;
  /** user@host:port as ssh was asked. */
  readonly target: string;
  /** Where the host was named (--host, inventory file:line, cluster NODE). */
  readonly source: string;
  readonly status: 'audited' | 'error';
  readonly error?: string;
  readonly gather: { readonly rounds: number; readonly bytes: number; readonly ms: number };
  readonly notes: readonly string[];
  readonly report?: Report;
}

export interface FleetAuditReport {
  readonly schemaVersion: 1;
  readonly command: 'audit';
  readonly tool: { readonly name: 'sshield'; readonly version: string };
  readonly hosts: readonly FleetHostResult[];
  readonly summary: { readonly hosts: number; readonly audited: number; readonly errors: number; readonly wallMs: number };
}

export interface FleetAuditOptions {
  readonly pool: SshPool;
  /** The policy for a host: the chosen one, or by whether the host is PVE. */
  readonly policyFor: (isPve: boolean) => Policy;
  readonly version: string;
  readonly today: string;
  readonly admin?: string;
  readonly openssh?: string;
  /** Hosts in flight at once (default 10). */
  readonly parallel?: number;
  readonly remote?: RemoteOptions;
  readonly onDone?: (done: number, total: number, host: FleetHostBase) => void;
}

export async function auditFleet(targets: readonly FleetTarget[], o: FleetAuditOptions): Promise<FleetAuditReport> {
  const t0 = Date.now();
  const judged = await judgeFleet(targets, { pool: o.pool, ...(o.parallel !== undefined ? { parallel: o.parallel } : {}), ...(o.remote ? { remote: o.remote } : {}), onDone: (done, total, h) => o.onDone?.(done, total, h) }, async (exec, t) => {
    const input = await gatherAudit(exec, { ...(o.admin ? { admin: o.admin } : {}), ...(o.openssh ? { openssh: o.openssh } : {}) });
    Object.assign(input.target, { label: t.name });
    return runAudit(input, o.policyFor(input.isPve), { version: o.version, today: o.today });
  });
  const hosts = judged.map((h): FleetHostResult => {
    const base = { name: h.name, target: h.target, source: h.source, gather: h.gather };
    return h.ok ? { ...base, status: 'audited', notes: h.notes, report: h.value } : { ...base, status: 'error', error: h.error, notes: [] };
  });
  const audited = hosts.filter((h) => h.status === 'audited').length;
  return { schemaVersion: 1, command: 'audit', tool: { name: 'sshield', version: o.version }, hosts, summary: { hosts: hosts.length, audited, errors: hosts.length - audited, wallMs: Date.now() - t0 } };
}
