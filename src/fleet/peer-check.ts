// The PVE peer check: after a node's change and before it is confirmed, every other node of the
// cluster tries the node's root SSH exactly the way Proxmox VE itself connects, so a change that
// cuts migration, replication or the node shell is caught while it can still be rolled back.
// PVE's command (pve-cluster src/PVE/SSHInfo.pm @05ad6c9c, ssh_info_to_command):
//   /usr/bin/ssh -e none -o BatchMode=yes -o HostKeyAlias=<node>
//     [-o UserKnownHostsFile=/etc/pve/nodes/<node>/ssh_known_hosts -o GlobalKnownHostsFile=none]
//     root@<ip>
// (the known-hosts pair only when that file exists, the pinned key of pve-cluster 8.0.6+; else
// the user's and the system known_hosts, on older clusters the /etc/pve/priv/known_hosts
// symlink), <ip> = PVE::Cluster::remote_node_ip, the node's address in pmxcfs's node list (what
// --cluster reaches it at, cluster.ts). Before a migration PVE runs that command with `/bin/true`
// and stops with "Can't connect to destination address using public key" when it fails
// (qemu-server src/PVE/QemuMigrate.pm @096a1ac2, prepare: "test ssh connection"). The same here:
// as root on the peer (its /root/.ssh: the cluster key id_rsa, its ssh_config), with the argv
// unchanged; only `timeout` around it bounds the time (PVE sets no ConnectTimeout).
// The command builder and the result parser are pure; peerCheck runs them over the controller's
// own connection to each peer (ssh.ts), never a new trust path between the nodes.
import { mapPool } from '../scan/pool.js';
import type { CheckResult } from './change-types.js';
import { shellQuote, type SshPool } from './ssh.js';
import type { FleetTarget } from './target.js';

/** A node as PVE's ssh names it: the node name (HostKeyAlias, its known_hosts file) and its IP. */
export interface PveNode {
  readonly name: string;
  readonly ip: string;
}

/** The first line of the check's answer; the peer's ssh stderr follows it. */
export const PEER_MARK = 'SSHIELD-PEER';

/** Seconds the peer's ssh may take (default of peerCheck). */
export const PEER_TIMEOUT_SEC = 20;

/** The argv PVE runs on a peer to reach `node` (SSHInfo.pm), with the migration's `/bin/true`. */
export function pveSshArgv(node: PveNode, knownHostsFile: boolean): string[] {
  return [
    '/usr/bin/ssh', '-e', 'none',
    '-o', 'BatchMode=yes',
    '-o', `HostKeyAlias=${node.name}`,
    ...(knownHostsFile ? ['-o', `UserKnownHostsFile=${pveKnownHostsFile(node.name)}`, '-o', 'GlobalKnownHostsFile=none'] : []),
    `root@${node.ip}`,
    '/bin/true',
  ];
}

export function pveKnownHostsFile(node: string): string {
  return `/etc/pve/nodes/${node}/ssh_known_hosts`;
}

const NODE_RE = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,62})$/;

/**
 * The remote command line run on the peer: PVE's argv (the known-hosts pair decided there, as
 * SSHInfo.pm's `-f` test does), bounded by coreutils `timeout`, stdin closed, its stdout dropped
 * and its stderr returned after a `SSHIELD-PEER <exit>` line, so the peer's verdict is told apart
 * from the controller's own transport. As root: through `sudo -n` when the controller logs in as
 * another user. Throws on a node name or IP that could not be one argument (callers validated
 * them: cluster.ts).
 */
export function peerCommand(node: PveNode, o: { readonly timeoutSec?: number; readonly sudo?: boolean; /** Tests only: another ssh binary. */ readonly ssh?: string } = {}): string {
  if (!NODE_RE.test(node.name)) throw new TypeError(`not a PVE node name: ${JSON.stringify(node.name)}`);
  if (!/^[0-9A-Fa-f.:]+$/.test(node.ip)) throw new TypeError(`not an IP address: ${JSON.stringify(node.ip)}`);
  const secs = o.timeoutSec ?? PEER_TIMEOUT_SEC;
  const q = (a: readonly string[]) => a.map(shellQuote).join(' ');
  const [pveSsh, ...base] = pveSshArgv(node, false);
  const ssh = o.ssh ?? pveSsh!;
  const head = base.slice(0, base.length - 2);
  const tail = base.slice(base.length - 2);
  const script = [
    `f=${shellQuote(pveKnownHostsFile(node.name))}`,
    `if [ -f "$f" ]; then set -- -o "UserKnownHostsFile=$f" -o GlobalKnownHostsFile=none; else set --; fi`,
    `err=$(LC_ALL=C timeout -k 3 ${secs} ${shellQuote(ssh)} ${q(head)} "$@" ${q(tail)} 2>&1 </dev/null >/dev/null)`,
    'rc=$?',
    `printf '${PEER_MARK} %s\\n%s\\n' "$rc" "$err"`,
  ].join('; ');
  return `${o.sudo ? 'exec sudo -n -- ' : 'exec '}sh -c ${shellQuote(script)}`;
}

export type PeerVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** The last meaningful line of ssh's stderr (its own errors end with the reason). */
function lastLine(s: string): string | undefined {
  return s.split('\n').map((l) => l.trim()).filter(Boolean).pop()?.slice(0, 300);
}

/**
 * The peer's answer (stdout of peerCommand) and the controller's exit/error for the call. Exit 0:
 * reached. 124/137: `timeout` ended it. 255: ssh's own failure (refused, permission denied, host
 * key verification), with ssh's last line. Else the remote `/bin/true` did not run as asked (a
 * ForceCommand, a shell that fails).
 */
export function parsePeerAnswer(stdout: string, controller: { readonly code: number | null; readonly error?: string; readonly stderr: string }, timeoutSec = PEER_TIMEOUT_SEC): PeerVerdict {
  // Anything a login script printed first (root's .bashrc on a non-interactive ssh) is skipped.
  const m = new RegExp(`(?:^|\\n)${PEER_MARK} (\\d+)\\n([\\s\\S]*)$`).exec(stdout);
  if (!m) {
    const why = controller.error ?? lastLine(controller.stderr) ?? (controller.code === null ? 'no answer' : `exit ${controller.code}`);
    return { ok: false, reason: `the check could not run there (${why})` };
  }
  const rc = Number(m[1]);
  const err = lastLine(m[2]!);
  if (rc === 0) return { ok: true };
  if (rc === 124 || rc === 137) return { ok: false, reason: `no answer within ${timeoutSec} s${err ? ` (${err})` : ''}` };
  if (rc === 255) return { ok: false, reason: err ?? 'ssh failed (exit 255)' };
  if (rc === 127 && /^timeout:/.test(err ?? '')) return { ok: false, reason: `the check could not run there (${err})` };
  return { ok: false, reason: `logged in, but /bin/true exited ${rc}${err ? ` (${err})` : ''}` };
}

export interface PeerResult {
  /** The node the check ran on. */
  readonly from: string;
  /** The node it tried to reach. */
  readonly to: string;
  readonly verdict: PeerVerdict;
  readonly ms: number;
}

export interface PeerCheckOptions {
  /** Seconds the peer's ssh may take (default 20). */
  readonly timeoutSec?: number;
  /** Checks in flight at once (default 8). */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
}

/** One check: from `peer` (reached over the controller's connection) to `node`. */
export async function checkPair(pool: SshPool, peer: FleetTarget, node: PveNode, o: PeerCheckOptions = {}): Promise<PeerResult> {
  const t0 = Date.now();
  const secs = o.timeoutSec ?? PEER_TIMEOUT_SEC;
  let cmd: string;
  try {
    cmd = peerCommand(node, { timeoutSec: secs, sudo: peer.user !== undefined && peer.user !== 'root' });
  } catch (e) {
    return { from: peer.name, to: node.name, verdict: { ok: false, reason: `cannot be checked: ${(e as Error).message}` }, ms: 0 };
  }
  const r = await pool.exec(peer, cmd, { timeoutMs: (secs + 15) * 1000, maxStdout: 256 * 1024, ...(o.signal ? { signal: o.signal } : {}) });
  return { from: peer.name, to: node.name, verdict: parsePeerAnswer(r.stdout.toString('utf8'), r, secs), ms: Date.now() - t0 };
}

/** The node as PVE's ssh names it, from its --cluster target (name = node name, address = its .members IP). */
export function pveNodeOf(t: FleetTarget): PveNode {
  return { name: t.name, ip: t.address };
}

/** Every ordered pair (from, to) with from != to, checked; results in pair order. */
export async function checkPairs(pool: SshPool, pairs: ReadonlyArray<readonly [FleetTarget, FleetTarget]>, o: PeerCheckOptions = {}): Promise<PeerResult[]> {
  return mapPool(pairs, o.concurrency ?? 8, ([from, to]) => checkPair(pool, from, pveNodeOf(to), o));
}

/** One line per failed pair: "pve2 -> pve3: Permission denied (publickey)." */
export function describeFailures(results: readonly PeerResult[]): string[] {
  return results.flatMap((r) => (r.verdict.ok ? [] : [`${r.from} -> ${r.to}: ${r.verdict.reason}`]));
}

/** The CheckResult of every other member's root SSH to `node` (the beforeConfirm of --cluster). */
export async function peerCheck(pool: SshPool, node: FleetTarget, members: readonly FleetTarget[], o: PeerCheckOptions = {}): Promise<CheckResult & { readonly results: readonly PeerResult[] }> {
  const peers = members.filter((m) => m.name !== node.name);
  const results = await checkPairs(pool, peers.map((p) => [p, node] as const), o);
  const bad = describeFailures(results);
  if (bad.length === 0) return { ok: true, results };
  return { ok: false, reason: `root SSH from the other cluster nodes fails (the way PVE connects): ${bad.join('; ')}`, results };
}
