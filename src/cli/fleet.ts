// The fleet flags, spelled the same on every command: --host, --inventory, --limit, --cluster
// (which hosts), --parallel, --host-timeout, --ssh-config, --ssh-option (how they are reached).
// `audit`, `effective` and the listings (`keys list`, `user list`, `backups`) act on them, the
// changing commands roll their change over the hosts (fleet-change.ts); every other command takes
// them and refuses clearly (exit 2) instead of silently working on this machine. Also the one place
// that turns the flags into targets (reading the inventory file, asking the cluster node) and
// that closes the SSH masters on exit or a signal. Not a command.
import { readFileSync } from 'node:fs';
import type { Command } from '@commander-js/extra-typings';
import { clusterMembers } from '../fleet/cluster.js';
import { parseInventory, MAX_INVENTORY_BYTES } from '../fleet/inventory.js';
import { applyLimit } from '../fleet/limit.js';
import { SshPool } from '../fleet/ssh.js';
import { parseHostSpec, type FleetTarget } from '../fleet/target.js';

export interface FleetFlags {
  host?: string[];
  inventory?: string;
  limit?: string;
  cluster?: string;
  parallel?: string;
  hostTimeout?: string;
  sshConfig?: string;
  sshOption?: string[];
}

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

export function withFleetFlags<C extends Command<any, any, any>>(c: C): C {
  c.option('--host <[user@]host[:port]>', 'a host to reach over SSH (repeatable)', collect)
    .option('--inventory <FILE>', 'hosts from a list or an Ansible inventory (INI or YAML)')
    .option('--limit <PATTERN>', 'only these inventory hosts/groups (Ansible patterns: a:b, a,b, !a, &a, globs)')
    .option('--cluster <[user@]host[:port]>', 'every member of the PVE cluster this node belongs to')
    .option('--parallel <N>', 'hosts in flight at once (default 10)')
    .option('--host-timeout <SECONDS>', 'deadline per host, all of its work (default 60)')
    .option('--ssh-config <FILE>', 'ssh_config for the connections (ssh -F; default ~/.ssh/config)')
    .option('--ssh-option <KEY=VALUE>', 'an extra ssh -o option (repeatable)', collect);
  return c;
}

export function fleetRequested(o: FleetFlags): boolean {
  return Boolean(o.host?.length || o.inventory || o.cluster || o.limit);
}

export interface FleetSetup {
  readonly targets: FleetTarget[];
  readonly pool: SshPool;
  readonly parallel: number;
  readonly deadlineMs: number;
}

function positive(v: string | undefined, name: string, dflt: number, max: number): number | string {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) return `${name} must be a whole number from 1 to ${max} (got "${v}")`;
  return Number(v);
}

/** The SSH options of the flags (validated: an option must look like KEY=VALUE). */
function sshPool(o: FleetFlags): SshPool | string {
  for (const x of o.sshOption ?? []) if (!/^[A-Za-z][A-Za-z0-9]*[= ]\S/.test(x)) return `--ssh-option "${x}": expected KEY=VALUE`;
  return new SshPool({ ...(o.sshConfig ? { configFile: o.sshConfig } : {}), ...(o.sshOption?.length ? { options: o.sshOption } : {}) });
}

/** --parallel, --host-timeout and the SSH pool of the flags (no targets yet); a message when a flag is wrong. */
export function fleetBasics(o: FleetFlags): Omit<FleetSetup, 'targets'> | string {
  const parallel = positive(o.parallel, '--parallel', 10, 1000);
  if (typeof parallel === 'string') return parallel;
  const timeout = positive(o.hostTimeout, '--host-timeout', 60, 3600);
  if (typeof timeout === 'string') return timeout;
  const pool = sshPool(o);
  if (typeof pool === 'string') return pool;
  return { pool, parallel, deadlineMs: timeout * 1000 };
}

/**
 * The targets the flags name (inventory order, then --host, then cluster members; duplicates by
 * name dropped), and the pool that reaches them. A message for the admin on any error.
 */
export async function resolveFleet(o: FleetFlags): Promise<FleetSetup | string> {
  const basics = fleetBasics(o);
  if (typeof basics === 'string') return basics;
  const { pool, parallel } = basics;
  const timeout = basics.deadlineMs / 1000;
  if (o.limit && !o.inventory && !o.host?.length && !o.cluster) return '--limit selects from --inventory, --host or --cluster hosts; none given';
  let targets: FleetTarget[] = [];
  if (o.inventory) {
    let text: string;
    try {
      const buf = readFileSync(o.inventory);
      if (buf.length > MAX_INVENTORY_BYTES) return `--inventory ${o.inventory}: larger than ${MAX_INVENTORY_BYTES} bytes`;
      text = buf.toString('utf8');
    } catch (e) {
      return `--inventory ${o.inventory}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
    }
    const inv = parseInventory(text, o.inventory);
    if (!inv.ok) return inv.errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join('\n');
    targets.push(...inv.targets);
  }
  for (const h of o.host ?? []) {
    const p = parseHostSpec(h);
    if (!p.ok) return p.message;
    targets.push(p.value);
  }
  if (o.cluster) {
    const seed = parseHostSpec(o.cluster, '--cluster');
    if (!seed.ok) return seed.message;
    const m = await clusterMembers(pool, seed.value, { deadlineMs: timeout * 1000 });
    if (!m.ok) {
      await pool.close();
      return m.message;
    }
    targets.push(...m.value);
  }
  const seen = new Set<string>();
  targets = targets.filter((t) => !seen.has(t.name) && Boolean(seen.add(t.name)));
  if (o.limit) {
    const l = applyLimit(targets, o.limit);
    if (!l.ok) {
      await pool.close();
      return l.message;
    }
    targets = l.value;
  }
  if (targets.length === 0) return 'no hosts: the inventory is empty';
  return { targets, pool, parallel, deadlineMs: timeout * 1000 };
}

/**
 * Closes the pool's SSH masters whatever ends the process: normal completion (the caller awaits
 * close()), an exception, or SIGINT/SIGTERM (then exit 128+n after the masters are told to exit).
 */
export function closeOnExit(pool: SshPool): () => void {
  const onExit = () => pool.closeSync();
  const onSignal = (sig: NodeJS.Signals) => {
    pool.closeSync();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('exit', onExit);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.off('exit', onExit);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/** The changing commands that run on remote hosts through the rollout (src/cli/fleet-change.ts); `confirm` stays local. */
export const FLEET_CHANGES: ReadonlySet<string> = new Set(['harden', 'allow add', 'allow remove', 'user nologin', 'user add', 'user sftp', 'keys add', 'keys remove', 'keys restrict', 'keys unrestrict', 'ca trust', 'upgrade', 'restore']);

/** Commands with leaves that take the flags; those not in FLEET_CHANGES refuse them. */
const FLEET_FLAGGED = new Set(['harden', 'allow', 'user', 'keys', 'ca', 'upgrade', 'backups', 'restore', 'confirm']);

/**
 * Gives every leaf command under FLEET_FLAGGED the fleet flags. The changing commands of
 * FLEET_CHANGES route them to the rollout in their own action (fleet-change.ts orFleet); every
 * other leaf refuses them: without that, `sshield confirm --host pve2` would be a usage error at
 * best, and an action on this machine at worst. A leaf that registered the flags itself (a
 * listing gathered over SSH) is left alone.
 */
export function refuseFleetWhereUnsupported(program: Command<any, any, any>): void {
  const visit = (c: Command<any, any, any>, path: string[]) => {
    const subs = c.commands as Command<any, any, any>[];
    if (subs.length === 0) {
      if (c.options.some((o) => o.long === '--host')) return;
      withFleetFlags(c);
      if (FLEET_CHANGES.has(path.join(' '))) {
        c.option('--remote-binary <FILE>', 'the sshield single executable copied to the hosts (default: this one when it is the single executable, else $SSHIELD_REMOTE_BINARY, else dist/sshield-linux-<arch>)');
        return;
      }
      c.hook('preAction', (_this, action) => {
        if (fleetRequested(action.opts() as FleetFlags)) {
          const cmd = path.join(' ');
          const why = path[path.length - 1] === 'list'
            ? 'this listing is not gathered over SSH yet'
            : cmd === 'confirm'
              ? 'a change made over --host is confirmed by the controller itself, after it proved access with a new connection'
              : 'this command does not run on remote hosts';
          throw new Error(`${cmd}: not ${path[path.length - 1] === 'list' ? 'yet ' : ''}on remote hosts (--host/--inventory/--cluster/--limit): ${why}. Run \`sshield ${cmd}\` on the host itself.`);
        }
      });
      return;
    }
    for (const s of subs) visit(s, [...path, s.name()]);
  };
  for (const c of program.commands as Command<any, any, any>[]) if (FLEET_FLAGGED.has(c.name())) visit(c, [c.name()]);
}
