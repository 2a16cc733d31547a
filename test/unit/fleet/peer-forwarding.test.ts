// The forwarding half of the PVE peer check (src/fleet/peer-forwarding.ts): the probe lines run for
// real through sh with a stand-in ssh and sshd (argv, order, framing), the verdicts from ssh's and
// sshd -T's exact texts (OpenSSH 9.2p1 messages, recorded against a loopback sshd), the judgement
// before vs after, and the --cluster hook merging both ends of a pair over a stand-in pool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peerCommand, parsePeerAnswer, checkMesh, type PeerResult } from '../../../src/fleet/peer-check.js';
import { forwardingLosses, forwardingNotes, parseTcpProbes, parseUnixOracles, tcpProbeOf, unixOracleOf, type PairForwarding } from '../../../src/fleet/peer-forwarding.js';
import { clusterHooks } from '../../../src/fleet/cluster-rollout.js';
import type { SshPool, SshResult } from '../../../src/fleet/ssh.js';
import type { FleetTarget } from '../../../src/fleet/target.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const PROHIBITED = 'channel 0: open failed: administratively prohibited: open failed\nstdio forwarding failed\n';
const TRIED = 'channel 0: open failed: connect failed: Connection refused\nstdio forwarding failed\n';
const SSHD_T = (tcp: string, sl: string, df: string) => `allowtcpforwarding ${tcp}\nallowstreamlocalforwarding ${sl}\ndisableforwarding ${df}\n`;

test('tcpProbeOf: a refused channel is off, a tried port is on, anything else unknown with the reason', () => {
  assert.deepEqual(tcpProbeOf(255, `Warning: x\n${PROHIBITED}`), { state: 'off', why: "the node's sshd refused a direct-tcpip channel (open failed: administratively prohibited: open failed)" });
  assert.deepEqual(tcpProbeOf(255, TRIED), { state: 'on', why: "the node's sshd tried the port (open failed: connect failed: Connection refused)" });
  assert.deepEqual(tcpProbeOf(0, ''), { state: 'on', why: 'the channel opened' });
  assert.deepEqual(tcpProbeOf(124, ''), { state: 'unknown', why: 'the probe got no answer in time' });
  assert.deepEqual(tcpProbeOf(255, 'root@10.0.0.2: Permission denied (publickey).\n'), { state: 'unknown', why: 'the probe failed: root@10.0.0.2: Permission denied (publickey).' });
});

test('unixOracleOf: allowstreamlocalforwarding yes/all/local is on; no/remote or disableforwarding yes is off; a failed sshd -T is unknown', () => {
  assert.deepEqual(unixOracleOf(0, SSHD_T('no', 'yes', 'no')), { state: 'on', why: 'sshd -T: allowstreamlocalforwarding yes' });
  assert.equal(unixOracleOf(0, SSHD_T('yes', 'local', 'no')).state, 'on');
  assert.equal(unixOracleOf(0, SSHD_T('yes', 'all', 'no')).state, 'on');
  assert.deepEqual(unixOracleOf(0, SSHD_T('yes', 'no', 'no')), { state: 'off', why: 'sshd -T: allowstreamlocalforwarding no' });
  assert.deepEqual(unixOracleOf(0, SSHD_T('yes', 'remote', 'no')), { state: 'off', why: 'sshd -T: allowstreamlocalforwarding remote' });
  assert.deepEqual(unixOracleOf(0, SSHD_T('yes', 'yes', 'yes')), { state: 'off', why: 'sshd -T: disableforwarding yes' });
  assert.deepEqual(unixOracleOf(255, '/etc/ssh/sshd_config line 3: Bad configuration option: Foo\n'), { state: 'unknown', why: 'sshd -T failed there: /etc/ssh/sshd_config line 3: Bad configuration option: Foo' });
  assert.deepEqual(unixOracleOf(0, ''), { state: 'unknown', why: 'sshd -T printed no allowstreamlocalforwarding' });
});

test('parseTcpProbes / parseUnixOracles: framed lines by index, the first per index, missing ones unknown, other lines ignored', () => {
  const out = `Welcome\nSSHIELD-PEER 0 0 \nSSHIELD-FWD 1 255 ${b64(PROHIBITED)}\nSSHIELD-FWD 1 255 ${b64(TRIED)}\nSSHIELD-FWD 7 0 \nSSHIELD-SSHDT 0 0 ${b64(SSHD_T('yes', 'no', 'no'))}\n`;
  assert.deepEqual(parseTcpProbes(out, 2).map((p) => p.state), ['unknown', 'off']);
  assert.deepEqual(parseUnixOracles(out, 2).map((p) => p.state), ['off', 'unknown']);
});

async function runWithFakes(nodes: { name: string; ip: string }[], sshBody: string, sshdBody: string): Promise<{ stdout: string; dir: string; read(f: string): string[] | undefined; cleanup(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'sshield-fwd-'));
  const ssh = join(dir, 'fake ssh');
  const sshd = join(dir, 'fake sshd');
  // ssh: the argument root@IP names the node (argv file per IP and kind: login or -W probe).
  writeFileSync(ssh, `#!/bin/sh\nw=login; for a; do [ "$a" = -W ] && w=fwd; case $a in root@*) ip=\${a#root@};; esac; done\nprintf '%s\\0' "$@" > '${dir}/ssh-'"$w-$ip"\n${sshBody}\n`);
  // sshd: -T -C user=root,host=N,addr=IP.
  writeFileSync(sshd, `#!/bin/sh\nip=\${3##*addr=}\nprintf '%s\\0' "$@" > '${dir}/sshd-'"$ip"\n${sshdBody}\n`);
  chmodSync(ssh, 0o755);
  chmodSync(sshd, 0o755);
  const cmd = peerCommand(nodes, { ssh, sshd, forwarding: true, timeoutSec: 5 });
  const stdout = await new Promise<string>((res, rej) => execFile('sh', ['-c', cmd], { timeout: 30_000 }, (e, out) => (e ? rej(e) : res(out))));
  return {
    stdout,
    dir,
    read: (f) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8').split('\0').slice(0, -1) : undefined),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

test("the peer command probes TCP with PVE's argv plus -W 127.0.0.1:1 only after the login worked, and asks this node's sshd -T for root from each node", async () => {
  const nodes = [{ name: 'pve2', ip: '10.10.10.12' }, { name: 'pve3', ip: '10.10.10.13' }];
  const r = await runWithFakes(
    nodes,
    `case "$w-$ip" in login-*.12) exit 0;; fwd-*.12) printf '%s' '${PROHIBITED}' >&2; exit 255;; *) echo "root@$ip: Permission denied (publickey)." >&2; exit 255;; esac`,
    `case $ip in *.12) printf '${SSHD_T('no', 'yes', 'no').replace(/\n/g, '\\n')}x11forwarding no\\n';; *) echo 'line 1: Bad configuration option: X' >&2; exit 255;; esac`,
  );
  try {
    assert.deepEqual(r.read('ssh-fwd-10.10.10.12'), ['-e', 'none', '-o', 'BatchMode=yes', '-o', 'HostKeyAlias=pve2', '-W', '127.0.0.1:1', 'root@10.10.10.12']);
    assert.equal(r.read('ssh-fwd-10.10.10.13'), undefined, 'no probe where the login failed');
    assert.deepEqual(r.read('sshd-10.10.10.12'), ['-T', '-C', 'user=root,host=pve2,addr=10.10.10.12']);
    assert.deepEqual(r.read('sshd-10.10.10.13'), ['-T', '-C', 'user=root,host=pve3,addr=10.10.10.13']);
    assert.deepEqual(parsePeerAnswer(r.stdout, 2, { code: 0, stderr: '' }).map((v) => v.ok), [true, false]);
    assert.deepEqual(parseTcpProbes(r.stdout, 2).map((p) => p.state), ['off', 'unknown']);
    assert.deepEqual(parseUnixOracles(r.stdout, 2), [{ state: 'on', why: 'sshd -T: allowstreamlocalforwarding yes' }, { state: 'unknown', why: 'sshd -T failed there: line 1: Bad configuration option: X' }]);
  } finally {
    r.cleanup();
  }
});

const on = { tcp: { state: 'on', why: 'tried' }, unix: { state: 'on', why: 'sshd -T: allowstreamlocalforwarding yes' } } as const;

test('forwardingLosses: on before and off (or unproven) after fails the pair; never on, or a failed login after, is not judged; notes name what was never on', () => {
  const before: PairForwarding[] = [
    { from: 'pve1', to: 'pve2', forwarding: on },
    { from: 'pve3', to: 'pve2', forwarding: { tcp: { state: 'off', why: 'refused' }, unix: on.unix } },
    { from: 'pve2', to: 'pve1', forwarding: on },
  ];
  const after: PairForwarding[] = [
    { from: 'pve1', to: 'pve2', forwarding: { tcp: { state: 'off', why: 'refused x' }, unix: { state: 'unknown', why: 'sshd -T failed there: boom' } } },
    { from: 'pve3', to: 'pve2', forwarding: { tcp: { state: 'off', why: 'refused' }, unix: on.unix } },
    { from: 'pve2', to: 'pve1' },
  ];
  assert.deepEqual(forwardingLosses(before, after), [
    "pve1 -> pve2: lost TCP forwarding (refused x; before: tried), which PVE's secure migration tunnels need",
    "pve1 -> pve2: lost Unix-socket forwarding (not proven: sshd -T failed there: boom; before: sshd -T: allowstreamlocalforwarding yes), which PVE's secure migration tunnels need",
  ]);
  assert.deepEqual(forwardingLosses(before, before), []);
  assert.deepEqual(forwardingNotes(before), ['pve3 -> pve2: TCP forwarding already off before any change (refused): not judged']);
});

const t = (name: string, address: string): FleetTarget => ({ name, address, user: 'ops', groups: ['all'], source: 'cluster pve1' });
const members = [t('pve1', '10.0.0.1'), t('pve2', '10.0.0.2'), t('pve3', '10.0.0.3')];

/** A stand-in pool: every login works; `tcpOff` = "from>to" pairs whose channel is refused, `unixOff` likewise for the node's sshd -T. */
function standIn(tcpOff: Set<string>, unixOff: Set<string>): SshPool {
  const ipName = new Map(members.map((m) => [m.address, m.name]));
  return {
    exec: async (peer: FleetTarget, cmd: string): Promise<SshResult> => {
      const lines = [...cmd.matchAll(/c (\d+) (\S+) (\S+) &/g)].flatMap(([, i, name, ip]) => [
        `SSHIELD-PEER ${i} 0 `,
        `SSHIELD-FWD ${i} 255 ${b64(tcpOff.has(`${peer.name}>${name}`) ? PROHIBITED : TRIED)}`,
        `SSHIELD-SSHDT ${i} 0 ${b64(SSHD_T('yes', unixOff.has(`${ipName.get(ip!)}>${peer.name}`) ? 'no' : 'yes', 'no'))}`,
      ]);
      assert.match(cmd, /; else exec sudo -n -- sh -c "\$s"; fi$/);
      return { code: 0, signal: null, stdout: Buffer.from(`${lines.reverse().join('\n')}\n`), stderr: '' };
    },
  } as unknown as SshPool;
}

test('checkMesh merges both ends of each pair: TCP from the peer\'s answer, Unix sockets from the node\'s own sshd -T', async () => {
  const r = await checkMesh(standIn(new Set(['pve1>pve2']), new Set(['pve3>pve2'])), members);
  const f = (from: string, to: string) => r.find((x) => x.from === from && x.to === to)!.forwarding!;
  assert.equal(f('pve1', 'pve2').tcp.state, 'off');
  assert.equal(f('pve1', 'pve2').unix.state, 'on');
  assert.equal(f('pve3', 'pve2').unix.state, 'off');
  assert.equal(f('pve3', 'pve2').tcp.state, 'on');
  assert.equal(f('pve2', 'pve3').unix.state, 'on');
  assert.equal((await checkMesh(standIn(new Set(), new Set()), members, { forwarding: false })).every((x: PeerResult) => x.forwarding === undefined), true);
});

test('the --cluster hook fails a node whose change took forwarding a pair had before; a pair that never had it does not fail it', async () => {
  const before = await checkMesh(standIn(new Set(['pve3>pve1']), new Set()), members);
  assert.deepEqual(await clusterHooks(standIn(new Set(['pve3>pve1']), new Set()), members, {}, before).beforeConfirm!(members[0]!), { ok: true });
  const r = await clusterHooks(standIn(new Set(['pve3>pve1', 'pve2>pve1']), new Set(['pve3>pve1'])), members, {}, before).beforeConfirm!(members[0]!);
  assert.equal(r.ok, false);
  assert.equal(
    !r.ok && r.reason,
    "forwarding between the cluster nodes lost by pve1's change (tried from each node as root): " +
      "pve2 -> pve1: lost TCP forwarding (the node's sshd refused a direct-tcpip channel (open failed: administratively prohibited: open failed); before: the node's sshd tried the port (open failed: connect failed: Connection refused)), which PVE's secure migration tunnels need; " +
      "pve3 -> pve1: lost Unix-socket forwarding (sshd -T: allowstreamlocalforwarding no; before: sshd -T: allowstreamlocalforwarding yes), which PVE's secure migration tunnels need",
  );
  // Without a preflight there is nothing to judge forwarding against.
  assert.deepEqual(await clusterHooks(standIn(new Set(['pve2>pve1']), new Set()), members).beforeConfirm!(members[0]!), { ok: true });
});
