// The forwarding half of the PVE peer check (peer-check.ts runs it in the same command per node):
// PVE's secure migration needs more than root's login from the other nodes. qemu-server
// (src/PVE/QemuMigrate.pm @e6352be6, start_remote_tunnel + fork_tunnel) runs its `qm mtunnel`
// through pve-guest-common's PVE::Tunnel::fork_ssh_tunnel (src/PVE/Tunnel.pm @4a8f6cbf), which is
// PVE's ssh command + `-o ExitOnForwardFailure=yes` + one `-L <sock>:<sock>` per
// /run/qemu-server/<vmid>.migrate socket (Unix-socket forwarding, direct-streamlocal@openssh.com:
// AllowStreamLocalForwarding yes|local) for type=secure migrations, and `-L <port>:localhost:<port>`
// (TCP, direct-tcpip: AllowTcpForwarding) for targets of older qemu-server that listen on TCP;
// `DisableForwarding yes` refuses both (sshd_config(5), OpenSSH 9.2/10.0).
// What is tried, from each peer to each node:
// - TCP: a real direct-tcpip channel, `ssh <PVE's argv> -W 127.0.0.1:1` (port 1, tcpmux, closed on a
//   PVE node): with forwarding on, the node's sshd tries the port and answers "open failed: connect
//   failed"; off, it answers "administratively prohibited" without trying (serverloop.c
//   server_request_direct_tcpip), nothing is ever connected.
// - Unix sockets: no live probe tells on and off apart without a listening socket on the node
//   (sshd answers "connect failed" both for a refused streamlocal channel and a missing path, and
//   OpenSSH 9.2's -W takes no path), and making one there would be a write on the node. So the
//   node's own `sshd -T -C user=root,host=<peer>,addr=<peer ip>` (the config it runs, evaluated for
//   root from that peer) is the oracle: allowstreamlocalforwarding and disableforwarding.
// Judged against the same pair before any change (the --cluster preflight): a pair that had a
// forwarding and lacks it after a node's change fails that node; a pair that never had it is
// only noted (the cluster never migrated that way, the change did not take it).
// Pure: the shell pieces, the parsers and the judgement; nothing here runs anything.

import { lastLine } from './ssh.js';

/** On, off, or not known (the probe could not tell: why in `why`). */
export type ForwardingState = 'on' | 'off' | 'unknown';

export interface ForwardingProbe {
  readonly state: ForwardingState;
  /** What decided it: the channel's refusal, the sshd -T line, or why it is unknown. */
  readonly why: string;
}

/** TCP (live -W probe from the peer) and Unix-socket forwarding (the node's sshd -T) for root from one peer to one node. */
export interface PeerForwarding {
  readonly tcp: ForwardingProbe;
  readonly unix: ForwardingProbe;
}

export const FWD_MARK = 'SSHIELD-FWD';
export const SSHDT_MARK = 'SSHIELD-SSHDT';

/** The closed port the TCP probe asks the node to connect to on its own loopback. */
export const PROBE_TARGET = '127.0.0.1:1';

/** The sshd -T keywords the oracle sends back. */
const ORACLE_KEYS = ['allowtcpforwarding', 'allowstreamlocalforwarding', 'disableforwarding'] as const;

/**
 * The shell lines added to peer-check.ts's per-node function `c` (variables there: $i index, $n
 * node name, $ip its IP, "$@" the known-hosts options, `ssh`/`sshd` the programs): after the login
 * check succeeded ($r = 0), the TCP probe with the same argv plus -W; then, always, this node's
 * sshd -T for root from that node (the peer of this node). Each answers one framed line.
 */
export function forwardingSnippet(o: { readonly ssh: string; readonly sshd: string; readonly timeoutSec: number; readonly errCap: number }): string {
  const frame = (mark: string, v: string) => `printf '${mark} %s %s %s\\n' "$i" "$r" "$(printf %s "${v}" | tail -c ${o.errCap} | base64 -w0)";`;
  return [
    'if [ "$r" -eq 0 ]; then',
    `e=$(LC_ALL=C timeout -k 3 ${o.timeoutSec} ${o.ssh} -e none -o BatchMode=yes -o "HostKeyAlias=$n" "$@" -W ${PROBE_TARGET} "root@$ip" 2>&1 </dev/null >/dev/null);`,
    'r=$?;',
    frame(FWD_MARK, '$e'),
    'fi;',
    `e=$(LC_ALL=C timeout -k 3 ${o.timeoutSec} ${o.sshd} -T -C "user=root,host=$n,addr=$ip" 2>&1 </dev/null);`,
    'r=$?;',
    `if [ "$r" -eq 0 ]; then e=$(printf '%s\\n' "$e" | grep -E '^(${ORACLE_KEYS.join('|')}) '); fi;`,
    frame(SSHDT_MARK, '$e'),
  ].join(' ');
}

/** The TCP probe's state from ssh's exit and stderr (ssh -W, OpenSSH 9.2/10.0 client messages). */
export function tcpProbeOf(rc: number, stderr: string): ForwardingProbe {
  const refused = /open failed: administratively prohibited[^\n]*/.exec(stderr);
  if (refused) return { state: 'off', why: `the node's sshd refused a direct-tcpip channel (${refused[0].trim()})` };
  const tried = /open failed: connect failed[^\n]*/.exec(stderr);
  if (tried || rc === 0) return { state: 'on', why: tried ? `the node's sshd tried the port (${tried[0].trim()})` : 'the channel opened' };
  if (rc === 124 || rc === 137) return { state: 'unknown', why: 'the probe got no answer in time' };
  return { state: 'unknown', why: `the probe failed: ${lastLine(stderr, 200) ?? `exit ${rc}`}` };
}

const STREAMLOCAL_ON = new Set(['yes', 'all', 'local']);

/** Unix-socket forwarding for the peer from the node's `sshd -T -C ...` (its exit and the keyword lines). */
export function unixOracleOf(rc: number, out: string): ForwardingProbe {
  if (rc !== 0) return { state: 'unknown', why: `sshd -T failed there: ${lastLine(out, 200) ?? `exit ${rc}`}` };
  const v = new Map<string, string>();
  for (const line of out.split('\n')) {
    const m = /^(\S+) (.*)$/.exec(line.trim());
    if (m) v.set(m[1]!, m[2]!.trim());
  }
  if (v.get('disableforwarding') === 'yes') return { state: 'off', why: 'sshd -T: disableforwarding yes' };
  const sl = v.get('allowstreamlocalforwarding');
  if (sl === undefined) return { state: 'unknown', why: 'sshd -T printed no allowstreamlocalforwarding' };
  return STREAMLOCAL_ON.has(sl) ? { state: 'on', why: `sshd -T: allowstreamlocalforwarding ${sl}` } : { state: 'off', why: `sshd -T: allowstreamlocalforwarding ${sl}` };
}

/** The framed lines of one mark in a command's stdout: index -> [exit, decoded payload]; the first line per index counts. */
export function framedLines(stdout: string, mark: string, count: number): Map<number, [number, string]> {
  const re = new RegExp(`^${mark} (\\d+) (\\d+) ([A-Za-z0-9+/=]*)$`);
  const got = new Map<number, [number, string]>();
  for (const line of stdout.split('\n')) {
    const m = re.exec(line);
    if (!m || Number(m[1]) >= count || got.has(Number(m[1]))) continue;
    got.set(Number(m[1]), [Number(m[2]), Buffer.from(m[3]!, 'base64').toString('utf8')]);
  }
  return got;
}

const UNKNOWN: ForwardingProbe = { state: 'unknown', why: 'not tried' };

/** The TCP probes in a peer's answer (index = the node tried), unknown where a line is missing. */
export function parseTcpProbes(stdout: string, count: number): ForwardingProbe[] {
  const got = framedLines(stdout, FWD_MARK, count);
  return Array.from({ length: count }, (_, i) => {
    const g = got.get(i);
    return g ? tcpProbeOf(g[0], g[1]) : UNKNOWN;
  });
}

/** The sshd -T oracles in a node's answer (index = the peer the node evaluated), unknown where a line is missing. */
export function parseUnixOracles(stdout: string, count: number): ForwardingProbe[] {
  const got = framedLines(stdout, SSHDT_MARK, count);
  return Array.from({ length: count }, (_, i) => {
    const g = got.get(i);
    return g ? unixOracleOf(g[0], g[1]) : UNKNOWN;
  });
}

/** A pair's forwarding as judged: from, to, and what it has. */
export interface PairForwarding {
  readonly from: string;
  readonly to: string;
  /** Absent when the login itself failed (that failure is reported on its own). */
  readonly forwarding?: PeerForwarding;
}

const WHAT = { tcp: 'TCP forwarding', unix: 'Unix-socket forwarding' } as const;

/**
 * The forwardings a change took: pairs that had one on before (preflight) and do not have it on
 * after ("pve2 -> pve3: lost TCP forwarding (...)"). Off or unknown before: not judged. Unknown
 * after where it was on: lost too (not proven kept). A pair without forwarding after (its login
 * failed) is not judged here.
 */
export function forwardingLosses(before: readonly PairForwarding[], after: readonly PairForwarding[]): string[] {
  const was = new Map(before.map((p) => [`${p.from}>${p.to}`, p.forwarding]));
  const out: string[] = [];
  for (const p of after) {
    const b = was.get(`${p.from}>${p.to}`);
    if (!b || !p.forwarding) continue;
    for (const k of ['tcp', 'unix'] as const) {
      if (b[k].state !== 'on' || p.forwarding[k].state === 'on') continue;
      out.push(`${p.from} -> ${p.to}: lost ${WHAT[k]} (${p.forwarding[k].state === 'off' ? p.forwarding[k].why : `not proven: ${p.forwarding[k].why}`}; before: ${b[k].why}), which PVE's secure migration tunnels need`);
    }
  }
  return out;
}

/** Pairs whose forwarding was already off or unknown before any change: noted, never judged. */
export function forwardingNotes(before: readonly PairForwarding[]): string[] {
  const out: string[] = [];
  for (const p of before) {
    if (!p.forwarding) continue;
    for (const k of ['tcp', 'unix'] as const) {
      const s = p.forwarding[k];
      if (s.state !== 'on') out.push(`${p.from} -> ${p.to}: ${WHAT[k]} ${s.state === 'off' ? 'already off' : 'unknown'} before any change (${s.why}): not judged`);
    }
  }
  return out;
}
