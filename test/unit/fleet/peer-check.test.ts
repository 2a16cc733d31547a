// The PVE peer check's pure pieces: PVE's own ssh argv (pve-cluster SSHInfo.pm), the remote command
// line that runs it on a peer (run here through `sh` with a stand-in ssh that records its argv, so
// quoting, the closed stdin, the bound and the answer framing are tested for real), the answer
// parser's verdicts, the node-by-node order of --cluster and the hook's checks over a stand-in pool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePeerAnswer, peerCommand, pveSshArgv, describeFailures, type PeerResult } from '../../../src/fleet/peer-check.js';
import { clusterHooks, clusterOrder, describeOrder } from '../../../src/fleet/cluster-rollout.js';
import type { SshPool, SshResult } from '../../../src/fleet/ssh.js';
import { parsePveNodename } from '../../../src/host/facts/cluster-addresses.js';
import type { FleetTarget } from '../../../src/fleet/target.js';

const node = { name: 'pve2', ip: '10.10.10.12' };

test("pveSshArgv is PVE's command: -e none, BatchMode, HostKeyAlias=<node>, the pinned known_hosts when present, root@<ip> /bin/true", () => {
  assert.deepEqual(pveSshArgv(node, true), [
    '/usr/bin/ssh', '-e', 'none', '-o', 'BatchMode=yes', '-o', 'HostKeyAlias=pve2',
    '-o', 'UserKnownHostsFile=/etc/pve/nodes/pve2/ssh_known_hosts', '-o', 'GlobalKnownHostsFile=none',
    'root@10.10.10.12', '/bin/true',
  ]);
  assert.deepEqual(pveSshArgv({ name: 'pve-a', ip: 'fd00::12' }, false), ['/usr/bin/ssh', '-e', 'none', '-o', 'BatchMode=yes', '-o', 'HostKeyAlias=pve-a', 'root@fd00::12', '/bin/true']);
});

test('peerCommand refuses a node name or IP that could smuggle a word; sudo -n when the peer login is not root, as the peer says', () => {
  for (const bad of [{ name: '-oProxyCommand=x', ip: '10.0.0.1' }, { name: 'a b', ip: '10.0.0.1' }, { name: "pve'1", ip: '10.0.0.1' }, { name: 'pve1', ip: '10.0.0.1;reboot' }, { name: 'pve1', ip: '$(x)' }, { name: '', ip: '10.0.0.1' }]) {
    assert.throws(() => peerCommand([node, bad]), TypeError, JSON.stringify(bad));
  }
  assert.match(peerCommand([node]), /^s='[^]*'; if \[ "\$\(id -u\)" = 0 \]; then exec sh -c "\$s"; else exec sudo -n -- sh -c "\$s"; fi$/);
});

const b64 = (s: string) => Buffer.from(s).toString('base64');

/**
 * Runs peerCommand through sh with a stand-in ssh (its behaviour chosen per target IP by `body`,
 * a shell snippet seeing the IP as $ip); returns stdout and the argv and stdin each call saw.
 */
async function runWithFakeSsh(nodes: { name: string; ip: string }[], body: string, timeoutSec = 20): Promise<{ stdout: string; calls: Map<string, { argv: string[]; stdin: string }> }> {
  const dir = mkdtempSync(join(tmpdir(), 'sshield-peer-'));
  try {
    const fake = join(dir, 'fake ssh');
    // The last argument but one is root@IP.
    writeFileSync(fake, `#!/bin/sh\nfor a; do p=$q; q=$a; done; ip=\${p#root@}\nprintf '%s\\0' "$@" > '${dir}/argv-'"$ip"\ncat > '${dir}/stdin-'"$ip"\necho this-is-stdout\n${body}\n`);
    chmodSync(fake, 0o755);
    const cmd = peerCommand(nodes, { ssh: fake, timeoutSec });
    const stdout = await new Promise<string>((res, rej) => execFile('sh', ['-c', cmd], { timeout: 30_000 }, (e, out) => (e ? rej(e) : res(out))));
    const calls = new Map<string, { argv: string[]; stdin: string }>();
    for (const n of nodes) {
      try {
        calls.set(n.ip, { argv: readFileSync(join(dir, `argv-${n.ip}`), 'utf8').split('\0').slice(0, -1), stdin: readFileSync(join(dir, `stdin-${n.ip}`), 'utf8') });
      } catch {
        /* the stand-in never ran for it */
      }
    }
    return { stdout, calls };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the remote command runs exactly PVE argv for each node at once (no known_hosts pair where the file is absent), stdin closed, one framed line per node', async () => {
  const nodes = [node, { name: 'pve3', ip: '10.10.10.13' }, { name: 'pve4', ip: '10.10.10.14' }];
  const r = await runWithFakeSsh(nodes, `case $ip in *.12) exit 0;; *.13) echo 'Warning: x' >&2; echo "root@$ip: Permission denied (publickey)." >&2; exit 255;; *) sleep 30;; esac`, 2);
  for (const n of nodes) {
    assert.deepEqual(r.calls.get(n.ip)?.argv, pveSshArgv(n, false).slice(1), n.name);
    assert.equal(r.calls.get(n.ip)?.stdin, '', n.name);
  }
  const lines = r.stdout.split('\n').filter(Boolean).sort();
  assert.deepEqual(lines, ['SSHIELD-PEER 0 0 ', `SSHIELD-PEER 1 255 ${b64('Warning: x\nroot@10.10.10.13: Permission denied (publickey).')}`, 'SSHIELD-PEER 2 124 ']);
  assert.deepEqual(parsePeerAnswer(r.stdout, 3, { code: 0, stderr: '' }, 2), [
    { ok: true },
    { ok: false, reason: 'root@10.10.10.13: Permission denied (publickey).' },
    { ok: false, reason: 'no answer within 2 s' },
  ]);
});

test('parsePeerAnswer: every way a check can end', () => {
  const ctl = { code: 0, stderr: '' };
  const one = (rc: number, err = '') => `SSHIELD-PEER 0 ${rc} ${b64(err)}\n`;
  const cases: [string, Parameters<typeof parsePeerAnswer>[2], ReturnType<typeof parsePeerAnswer>[number]][] = [
    [one(0), ctl, { ok: true }],
    // root's .bashrc printed something first (PVE docs warn about it): ignored.
    [`Welcome to pve1\n${one(0)}`, ctl, { ok: true }],
    [one(255, 'Warning: foo\r\nHost key verification failed.\n'), ctl, { ok: false, reason: 'Host key verification failed.' }],
    [one(255, 'ssh: connect to host 10.0.0.2 port 22: Connection refused\n'), ctl, { ok: false, reason: 'ssh: connect to host 10.0.0.2 port 22: Connection refused' }],
    [one(255), ctl, { ok: false, reason: 'ssh failed (exit 255)' }],
    [one(137), ctl, { ok: false, reason: 'no answer within 20 s' }],
    [one(1, 'This account is currently not available.\n'), ctl, { ok: false, reason: 'logged in, but /bin/true exited 1 (This account is currently not available.)' }],
    [one(127, "timeout: failed to run command '/usr/bin/ssh': No such file or directory\n"), ctl, { ok: false, reason: "the check could not run there (timeout: failed to run command '/usr/bin/ssh': No such file or directory)" }],
    // The controller never got the check to run on the peer.
    ['', { code: 255, stderr: 'ssh: connect to host 127.0.1.9 port 22: Connection refused\n' }, { ok: false, reason: 'the check could not run there (ssh: connect to host 127.0.1.9 port 22: Connection refused)' }],
    ['', { code: null, stderr: '', error: 'no answer within 35 s' }, { ok: false, reason: 'the check could not run there (no answer within 35 s)' }],
    ['', { code: 1, stderr: 'sudo: a password is required\n' }, { ok: false, reason: 'the check could not run there (sudo: a password is required)' }],
    ['SSHIELD-PEER x 0 \n', ctl, { ok: false, reason: 'the check could not run there (exit 0)' }],
    // An index out of range, or a second line for the same index, is ignored.
    [`SSHIELD-PEER 5 0 \n${one(255, 'Permission denied (publickey).')}${one(0)}`, ctl, { ok: false, reason: 'Permission denied (publickey).' }],
  ];
  for (const [out, c, want] of cases) assert.deepEqual(parsePeerAnswer(out, 1, c), [want], JSON.stringify(out));
  // A node whose line is missing could not be checked; the others keep their verdicts.
  assert.deepEqual(parsePeerAnswer(`SSHIELD-PEER 1 0 \n`, 2, { code: null, stderr: '', error: 'no answer within 35 s' }), [{ ok: false, reason: 'the check could not run there (no answer within 35 s)' }, { ok: true }]);
});

const t = (name: string, address: string): FleetTarget => ({ name, address, user: 'root', groups: ['all'], source: 'cluster pve1' });
const members = [t('pve1', '10.0.0.1'), t('pve2', '10.0.0.2'), t('pve3', '10.0.0.3')];

test('--cluster order: corosync order with the seed node last', () => {
  assert.deepEqual(clusterOrder(members, 'pve1').map((m) => m.name), ['pve2', 'pve3', 'pve1']);
  assert.deepEqual(clusterOrder(members, 'pve2').map((m) => m.name), ['pve1', 'pve3', 'pve2']);
  assert.deepEqual(clusterOrder(members).map((m) => m.name), ['pve1', 'pve2', 'pve3']);
  assert.deepEqual(clusterOrder(members.slice(1), 'pve1').map((m) => m.name), ['pve2', 'pve3']);
  assert.equal(describeOrder({ targets: clusterOrder(members, 'pve1'), seedNode: 'pve1' }), 'node by node: pve2 (root@10.0.0.2), then pve3 (root@10.0.0.3), then pve1 (root@10.0.0.1) (pve1, the node named by --cluster, last)');
});

test('describeFailures names which peer could not reach which node and why', () => {
  const r: PeerResult[] = [
    { from: 'pve1', to: 'pve3', verdict: { ok: true }, ms: 5 },
    { from: 'pve2', to: 'pve3', verdict: { ok: false, reason: 'root@10.0.0.3: Permission denied (publickey).' }, ms: 7 },
  ];
  assert.deepEqual(describeFailures(r), ['pve2 -> pve3: root@10.0.0.3: Permission denied (publickey).']);
});

test(".members' nodename: the node --cluster reads through", () => {
  assert.equal(parsePveNodename('{"nodename": "pve-node1", "version": 7, "nodelist": {}}'), 'pve-node1');
  for (const bad of ['', 'null', '{"nodename": 3}', '{"nodename": ""}', '[1]', '{']) assert.equal(parsePveNodename(bad), undefined, bad);
});

test('the --cluster hook tries every ordered pair, each member asked once over the controller\'s connection to it; failures into the changed node come first', async () => {
  const calls: { peer: string; cmd: string }[] = [];
  /** "from>to" -> [exit, stderr]; a pair not listed logs in. */
  const broken = new Map<string, [number, string]>([['pve2>pve3', [255, 'root@10.0.0.3: Permission denied (publickey).']]]);
  const pool = {
    exec: async (t: FleetTarget, cmd: string): Promise<SshResult> => {
      calls.push({ peer: t.name, cmd });
      const lines = [...cmd.matchAll(/c (\d+) (\S+) (\S+) &/g)].map(([, i, name]) => {
        const [rc, err] = broken.get(`${t.name}>${name}`) ?? [0, ''];
        return `SSHIELD-PEER ${i} ${rc} ${b64(err)}\n`;
      });
      return { code: 0, signal: null, stdout: Buffer.from(lines.reverse().join('')), stderr: '' };
    },
  } as unknown as SshPool;
  const hooks = clusterHooks(pool, members);
  const r = await hooks.beforeConfirm!(members[2]!);
  assert.deepEqual(r, { ok: false, reason: "root SSH between the cluster nodes fails after pve3's change (tried the way PVE connects): pve2 -> pve3: root@10.0.0.3: Permission denied (publickey)." });
  assert.deepEqual(calls.map((c) => c.peer).sort(), ['pve1', 'pve2', 'pve3']);
  const pve1 = calls.find((c) => c.peer === 'pve1')!.cmd;
  assert.ok(/c 0 pve2 10\.0\.0\.2 & c 1 pve3 10\.0\.0\.3 & wait/.test(pve1) && pve1.includes('HostKeyAlias=$n') && pve1.includes('/etc/pve/nodes/$n/ssh_known_hosts'), pve1);
  // The changed node's own key removed from the cluster-wide authorized_keys: its way OUT fails.
  broken.clear();
  broken.set('pve3>pve1', [255, 'root@10.0.0.1: Permission denied (publickey).']);
  broken.set('pve1>pve2', [255, 'root@10.0.0.2: Permission denied (publickey).']);
  broken.set('pve1>pve3', [255, 'root@10.0.0.3: Permission denied (publickey).']);
  assert.deepEqual(await hooks.beforeConfirm!(members[2]!), { ok: false, reason: "root SSH between the cluster nodes fails after pve3's change (tried the way PVE connects): pve1 -> pve3: root@10.0.0.3: Permission denied (publickey).; pve1 -> pve2: root@10.0.0.2: Permission denied (publickey).; pve3 -> pve1: root@10.0.0.1: Permission denied (publickey)." });
  broken.clear();
  assert.deepEqual(await hooks.beforeConfirm!(members[2]!), { ok: true });
  // A member whose address is no IP (a name no file resolved) is a failed check, never a throw;
  // the other pairs are still tried.
  const named = [...members.slice(0, 2), t('pve3', 'pve3.example')];
  assert.deepEqual(await clusterHooks(pool, named).beforeConfirm!(named[2]!), { ok: false, reason: 'root SSH between the cluster nodes fails after pve3\'s change (tried the way PVE connects): pve1 -> pve3: cannot be checked: not an IP address: "pve3.example"; pve2 -> pve3: cannot be checked: not an IP address: "pve3.example"' });
  // A one-node cluster has no pair to try.
  calls.length = 0;
  assert.deepEqual(await clusterHooks(pool, members.slice(0, 1)).beforeConfirm!(members[0]!), { ok: true });
  assert.equal(calls.length, 0);
});
