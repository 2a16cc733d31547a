// `--cluster NODE` for the changing commands: a Proxmox VE cluster changed node by node. This
// module decides what the rollout (rollout.ts) is given; it runs nothing itself but the peer checks:
// - the members, read through NODE (cluster.ts), optionally narrowed by --limit; every member
//   stays a peer whatever the limit (a node left out still connects to the ones changed);
// - the order: corosync.conf's node order with NODE itself LAST: the node the admin reaches the
//   cluster through, and whose view named the members, stays as it was until every other node has
//   been changed and proven, so a stopped run leaves the admin's way into the cluster untouched;
// - one node at a time (parallel 1): each node's change is proven by every other node before the
//   next node is touched, so at most one node is ever unconfirmed;
// - before any change, every ordered pair's root SSH, the way PVE connects (peer-check.ts): a
//   pair that fails already would fail every node's check, and sshield cannot tell a change's
//   breakage from an existing one, so the run refuses to start and names the pairs;
// - the hook: after a node's change and the admin's new connection, before confirming, every
//   other member tries the node's root SSH, and every other pair is tried again too (root's keys
//   live in one cluster-wide file: peer-check.ts); a failure rolls that node back and the rollout
//   stops, the remaining nodes untouched;
// - forwarding (peer-forwarding.ts): the preflight also records, per pair, TCP forwarding (a live
//   channel) and Unix-socket forwarding (the node's sshd -T) for root; the hook fails a node whose
//   change took one that a pair had. A pair that never had it is noted, not judged.
import type { HostChangeHooks } from './change-types.js';
import { clusterView } from './cluster.js';
import { applyLimit } from './limit.js';
import { checkMesh, describeFailures, peerCheck, type PeerCheckOptions, type PeerResult } from './peer-check.js';
import { forwardingNotes } from './peer-forwarding.js';
import type { SshPool } from './ssh.js';
import { targetText, type FleetTarget, type Parsed } from './target.js';

/** The members in the order they are changed: corosync.conf's order, the seed node last. */
export function clusterOrder(members: readonly FleetTarget[], seedNode?: string): FleetTarget[] {
  const seed = members.filter((m) => m.name === seedNode);
  return [...members.filter((m) => m.name !== seedNode), ...seed];
}

export interface ClusterChange {
  /** The nodes to change, in order (the seed last). */
  readonly targets: FleetTarget[];
  /** Every member (the peers of the checks). */
  readonly members: readonly FleetTarget[];
  readonly seedNode?: string;
  /** beforeConfirm: every ordered pair's root SSH (those into the node first), the PVE way. */
  readonly hooks: HostChangeHooks;
  /** Always 1: one node at a time. */
  readonly parallel: 1;
  /** The pairs checked before any change (empty when skipped). */
  readonly preflight: readonly PeerResult[];
  /** Forwarding already off/unknown before any change (not judged), one line per pair and kind. */
  readonly notes: readonly string[];
}

export interface ClusterChangeOptions {
  /** The deadline for reading the member list through the seed. */
  readonly deadlineMs: number;
  /** --limit over the members (the nodes to change; all stay peers). */
  readonly limit?: string;
  readonly peer?: PeerCheckOptions;
  /** Check every pair before any change (default true). */
  readonly preflight?: boolean;
}

/**
 * The check after one node's change (every pair, those into the node first), as the rollout's
 * beforeConfirm; with `before` (the preflight), a forwarding a pair had and lost fails it too.
 */
export function clusterHooks(pool: SshPool, members: readonly FleetTarget[], o: PeerCheckOptions = {}, before?: readonly PeerResult[]): HostChangeHooks {
  return {
    beforeConfirm: async (target) => {
      const r = await peerCheck(pool, target, members, { ...o, ...(before ? { before } : {}) });
      return r.ok ? { ok: true } : { ok: false, reason: r.reason };
    },
  };
}

/** Members, order, preflight and hook for `--cluster NODE` on a changing command; a message on any error. */
export async function prepareClusterChange(pool: SshPool, seed: FleetTarget, o: ClusterChangeOptions): Promise<Parsed<ClusterChange>> {
  const v = await clusterView(pool, seed, { deadlineMs: o.deadlineMs });
  if (!v.ok) return v;
  const { members, seedNode } = v.value;
  let chosen = members;
  if (o.limit) {
    const l = applyLimit(members, o.limit);
    if (!l.ok) return l;
    chosen = l.value;
  }
  if (chosen.length === 0) return { ok: false, message: `--cluster ${seed.name}: --limit ${o.limit} leaves no node` };
  let preflight: PeerResult[] = [];
  if (o.preflight !== false && members.length > 1) {
    preflight = await checkMesh(pool, members, o.peer);
    const bad = describeFailures(preflight);
    if (bad.length) {
      return {
        ok: false,
        message:
          `--cluster ${seed.name}: root SSH between the nodes already fails before any change (checked the way PVE connects, as root on each node): ${bad.join('; ')}. ` +
          `sshield cannot tell a change's damage from this, so nothing was changed: repair it first (on PVE: \`pvecm updatecerts\` on the nodes), then run again`,
      };
    }
  }
  return {
    ok: true,
    value: {
      targets: clusterOrder(chosen, seedNode),
      members,
      ...(seedNode !== undefined ? { seedNode } : {}),
      hooks: clusterHooks(pool, members, o.peer, preflight.length ? preflight : undefined),
      parallel: 1,
      preflight,
      notes: forwardingNotes(preflight),
    },
  };
}

/** One line for progress/summary: the order the nodes will be changed in. */
export function describeOrder(c: Pick<ClusterChange, 'targets' | 'seedNode'>): string {
  return `node by node: ${c.targets.map((t) => `${t.name} (${targetText(t)})`).join(', then ')}${c.seedNode && c.targets.some((t) => t.name === c.seedNode) ? ` (${c.seedNode}, the node named by --cluster, last)` : ''}`;
}
