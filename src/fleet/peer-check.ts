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
// After a node's change EVERY ordered pair is tried, not only the pairs into that node: root's
// authorized_keys on a PVE node is /etc/pve/priv/authorized_keys, one file for the whole cluster
// (pve-cluster Setup.pm setup_ssh_keys), so a key change made through one node can cut the logins
// between two others, or the changed node's own way out. Each peer tries all its targets at
// once, in one command over the controller's own connection to it (ssh.ts): one round for the
// whole cluster, and never a new trust path between the nodes. The same command tries the
// forwarding PVE's migration tunnels need (peer-forwarding.ts: a live TCP channel from the peer,
// the node's own sshd -T for Unix sockets), judged against the preflight's answer for the pair.
// The command builder and the answer parser are pure.
import { mapPool } from '../scan/pool.js';
import type { CheckResult } from './change-types.js';
import { forwardingLosses, forwardingSnippet, parseTcpProbes, parseUnixOracles, type ForwardingProbe, type PeerForwarding } from './peer-forwarding.js';
import { lastLine, shellQuote, type SshPool } from './ssh.js';
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
const IP_RE = /^[0-9A-Fa-f.:]+$/;

/** Why `node` cannot be put on the peer's command line (a name or IP that is not one plain word); undefined when it can. */
export function unusableNode(node: PveNode): string | undefined {
  if (!NODE_RE.test(node.name)) return `not a PVE node name: ${JSON.stringify(node.name)}`;
  if (!IP_RE.test(node.ip)) return `not an IP address: ${JSON.stringify(node.ip)}`;
  return undefined;
}

/** Bytes of each check's stderr sent back (its last line is the reason). */
const ERR_CAP = 600;

/**
 * The remote command line run on one peer: for each node, in parallel, PVE's argv (the
 * known-hosts pair decided there, as SSHInfo.pm's `-f` test does), bounded by coreutils
 * `timeout`, stdin closed, stdout dropped; each check answers with ONE line, `SSHIELD-PEER
 * <index> <exit> <base64 of its stderr tail>`, short enough to reach the pipe in one write, so
 * parallel answers never interleave. As root: through `sudo -n` when the login is not root, as
 * the peer itself says (`id -u`): the user may come from the admin's ssh_config, unknown here. Throws on a node that unusableNode refuses (checkFrom never passes one).
 */
export function peerCommand(
  nodes: readonly PveNode[],
  o: {
    readonly timeoutSec?: number;
    /** Also the forwarding probes (peer-forwarding.ts): after a good login, ssh -W to the node; and this node's sshd -T for root from each node. */
    readonly forwarding?: boolean;
    /** Tests only: another ssh binary. */
    readonly ssh?: string;
    /** Tests only: another sshd binary (the -T oracle). */
    readonly sshd?: string;
  } = {},
): string {
  for (const n of nodes) {
    const why = unusableNode(n);
    if (why) throw new TypeError(why);
  }
  const secs = o.timeoutSec ?? PEER_TIMEOUT_SEC;
  if (!Number.isInteger(secs) || secs < 1) throw new TypeError(`not a timeout: ${secs}`);
  const ssh = shellQuote(o.ssh ?? '/usr/bin/ssh');
  // The argv of pveSshArgv, with the node's name and IP from the function's arguments.
  const check = [
    'c() {',
    'i=$1; n=$2; ip=$3; f=/etc/pve/nodes/$n/ssh_known_hosts;',
    'if [ -f "$f" ]; then set -- -o "UserKnownHostsFile=$f" -o GlobalKnownHostsFile=none; else set --; fi;',
    `e=$(LC_ALL=C timeout -k 3 ${secs} ${ssh} -e none -o BatchMode=yes -o "HostKeyAlias=$n" "$@" "root@$ip" /bin/true 2>&1 </dev/null >/dev/null);`,
    'r=$?;',
    `printf '${PEER_MARK} %s %s %s\\n' "$i" "$r" "$(printf %s "$e" | tail -c ${ERR_CAP} | base64 -w0)";`,
    ...(o.forwarding ? [forwardingSnippet({ ssh, sshd: shellQuote(o.sshd ?? '/usr/sbin/sshd'), timeoutSec: secs, errCap: ERR_CAP })] : []),
    '}',
  ].join(' ');
  const calls = nodes.map((n, i) => `c ${i} ${shellQuote(n.name)} ${shellQuote(n.ip)} &`).join(' ');
  const script = `${check}; ${calls} wait`;
  return `s=${shellQuote(script)}; if [ "$(id -u)" = 0 ]; then exec sh -c "$s"; else exec sudo -n -- sh -c "$s"; fi`;
}

export type PeerVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** One check's verdict from its exit status and stderr. */
function verdictOf(rc: number, stderr: string, timeoutSec: number): PeerVerdict {
  const err = lastLine(stderr);
  if (rc === 0) return { ok: true };
  if (rc === 124 || rc === 137) return { ok: false, reason: `no answer within ${timeoutSec} s${err ? ` (${err})` : ''}` };
  if (rc === 255) return { ok: false, reason: err ?? 'ssh failed (exit 255)' };
  if (rc === 127 && /^timeout:/.test(err ?? '')) return { ok: false, reason: `the check could not run there (${err})` };
  return { ok: false, reason: `logged in, but /bin/true exited ${rc}${err ? ` (${err})` : ''}` };
}

/**
 * A peer's answer to peerCommand (its stdout, and the controller's exit/error for the call): one
 * verdict per node, in the nodes' order. Exit 0: reached. 124/137: `timeout` ended it. 255: ssh's
 * own failure (refused, permission denied, host key verification), with ssh's last line. Else the
 * remote `/bin/true` did not run as asked (a ForceCommand, a shell that fails). A node without its
 * line: the check could not run there (the controller's reason). Lines a login script printed
 * (root's .bashrc on a non-interactive ssh) are ignored.
 */
export function parsePeerAnswer(stdout: string, count: number, controller: { readonly code: number | null; readonly error?: string; readonly stderr: string }, timeoutSec = PEER_TIMEOUT_SEC): PeerVerdict[] {
  const got = new Map<number, PeerVerdict>();
  for (const line of stdout.split('\n')) {
    const m = new RegExp(`^${PEER_MARK} (\\d+) (\\d+) ([A-Za-z0-9+/=]*)$`).exec(line);
    if (!m || Number(m[1]) >= count || got.has(Number(m[1]))) continue;
    got.set(Number(m[1]), verdictOf(Number(m[2]), Buffer.from(m[3]!, 'base64').toString('utf8'), timeoutSec));
  }
  const why = controller.error ?? lastLine(controller.stderr) ?? (controller.code === null ? 'no answer' : `exit ${controller.code}`);
  return Array.from({ length: count }, (_, i) => got.get(i) ?? { ok: false, reason: `the check could not run there (${why})` });
}

export interface PeerResult {
  /** The node the check ran on. */
  readonly from: string;
  /** The node it tried to reach. */
  readonly to: string;
  readonly verdict: PeerVerdict;
  /** TCP (tried from `from`) and Unix-socket forwarding (`to`'s sshd -T) for root; only when the login worked and forwarding was asked. */
  readonly forwarding?: PeerForwarding;
  /** The peer's whole answer, all its checks together. */
  readonly ms: number;
}

export interface PeerCheckOptions {
  /** Seconds each ssh may take (default 20). */
  readonly timeoutSec?: number;
  /** Peers asked at once (default 8). */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  /** Try forwarding too (default true). */
  readonly forwarding?: boolean;
}

/** The node as PVE's ssh names it, from its --cluster target (name = node name, address = its .members IP). */
export function pveNodeOf(t: FleetTarget): PveNode {
  return { name: t.name, ip: t.address };
}

interface PeerAnswer {
  readonly results: PeerResult[];
  /** TCP forwarding from `peer` to each node, by node name. */
  readonly tcp: Map<string, ForwardingProbe>;
  /** Unix-socket forwarding for root from each node into `peer` (peer's sshd -T), by node name. */
  readonly unixFrom: Map<string, ForwardingProbe>;
}

async function askPeer(pool: SshPool, peer: FleetTarget, nodes: readonly FleetTarget[], o: PeerCheckOptions): Promise<PeerAnswer> {
  const t0 = Date.now();
  const secs = o.timeoutSec ?? PEER_TIMEOUT_SEC;
  const out = new Map<string, PeerVerdict>();
  const tcp = new Map<string, ForwardingProbe>();
  const unixFrom = new Map<string, ForwardingProbe>();
  const usable = nodes.filter((n) => {
    const why = unusableNode(pveNodeOf(n));
    if (why) out.set(n.name, { ok: false, reason: `cannot be checked: ${why}` });
    return !why;
  });
  if (usable.length) {
    const forwarding = o.forwarding !== false;
    const cmd = peerCommand(usable.map(pveNodeOf), { timeoutSec: secs, forwarding });
    // Each node's login and TCP probe run one after the other (bounded by `secs` each), the oracle after them.
    const r = await pool.exec(peer, cmd, { timeoutMs: ((forwarding ? 3 : 1) * secs + 15) * 1000, maxStdout: 256 * 1024, ...(o.signal ? { signal: o.signal } : {}) });
    const stdout = r.stdout.toString('utf8');
    parsePeerAnswer(stdout, usable.length, r, secs).forEach((v, i) => out.set(usable[i]!.name, v));
    if (forwarding) {
      parseTcpProbes(stdout, usable.length).forEach((p, i) => tcp.set(usable[i]!.name, p));
      parseUnixOracles(stdout, usable.length).forEach((p, i) => unixFrom.set(usable[i]!.name, p));
    }
  }
  const ms = Date.now() - t0;
  return { results: nodes.map((n) => ({ from: peer.name, to: n.name, verdict: out.get(n.name)!, ms })), tcp, unixFrom };
}

/** From `peer` (reached over the controller's connection) to each of `nodes`, at once; results in the nodes' order (login only: forwarding needs both ends, checkMesh). */
export async function checkFrom(pool: SshPool, peer: FleetTarget, nodes: readonly FleetTarget[], o: PeerCheckOptions = {}): Promise<PeerResult[]> {
  return (await askPeer(pool, peer, nodes, { ...o, forwarding: false })).results;
}

const NOT_TRIED: ForwardingProbe = { state: 'unknown', why: 'no answer' };

/**
 * Every ordered pair (from, to) of distinct members, one command per member; results from-major in
 * member order. With forwarding (default), a pair whose login worked carries its TCP probe (from
 * `from`'s answer) and its Unix-socket oracle (from `to`'s answer).
 */
export async function checkMesh(pool: SshPool, members: readonly FleetTarget[], o: PeerCheckOptions = {}): Promise<PeerResult[]> {
  const per = await mapPool(members, o.concurrency ?? 8, (m) => askPeer(pool, m, members.filter((x) => x.name !== m.name), o));
  const byName = new Map(members.map((m, i) => [m.name, per[i]!]));
  return per.flatMap((a) =>
    a.results.map((r) => (o.forwarding === false || !r.verdict.ok ? r : { ...r, forwarding: { tcp: a.tcp.get(r.to) ?? NOT_TRIED, unix: byName.get(r.to)?.unixFrom.get(r.from) ?? NOT_TRIED } })),
  );
}

/** One line per failed pair: "pve2 -> pve3: Permission denied (publickey)." */
export function describeFailures(results: readonly PeerResult[]): string[] {
  return results.flatMap((r) => (r.verdict.ok ? [] : [`${r.from} -> ${r.to}: ${r.verdict.reason}`]));
}

/**
 * The beforeConfirm of --cluster after `node`'s change: every ordered pair of members, the pairs
 * into `node` first in the reason (they are what the change most likely cut); with `before` (the
 * preflight's results), also every forwarding a pair had before and lacks now.
 */
export async function peerCheck(pool: SshPool, node: FleetTarget, members: readonly FleetTarget[], o: PeerCheckOptions & { readonly before?: readonly PeerResult[] } = {}): Promise<CheckResult & { readonly results: readonly PeerResult[] }> {
  const results = await checkMesh(pool, members, o);
  const ordered = [...results.filter((r) => r.to === node.name), ...results.filter((r) => r.to !== node.name)];
  const bad = describeFailures(ordered);
  const lost = o.before && o.forwarding !== false ? forwardingLosses(o.before, ordered) : [];
  if (bad.length === 0 && lost.length === 0) return { ok: true, results };
  const parts = [
    ...(bad.length ? [`root SSH between the cluster nodes fails after ${node.name}'s change (tried the way PVE connects): ${bad.join('; ')}`] : []),
    ...(lost.length ? [`forwarding between the cluster nodes lost by ${node.name}'s change (tried from each node as root): ${lost.join('; ')}`] : []),
  ];
  return { ok: false, reason: parts.join('. '), results };
}
