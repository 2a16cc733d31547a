// The PVE peer check's pure pieces: PVE's own ssh argv (pve-cluster SSHInfo.pm), the remote command
// line that runs it on a peer (run here through `sh` with a stand-in ssh that records its argv, so
// quoting, the closed stdin, the bound and the answer framing are tested for real), the answer
// parser's verdicts, the node-by-node order of --cluster and its ordered pairs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePeerAnswer, peerCommand, pveSshArgv, describeFailures, type PeerResult } from '../../../src/fleet/peer-check.js';
import { clusterHooks, clusterOrder, describeOrder, orderedPairs } from '../../../src/fleet/cluster-rollout.js';
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

test('peerCommand refuses a node name or IP that could smuggle a word; sudo -n when the controller is not root', () => {
  for (const bad of [{ name: '-oProxyCommand=x', ip: '10.0.0.1' }, { name: 'a b', ip: '10.0.0.1' }, { name: "pve'1", ip: '10.0.0.1' }, { name: 'pve1', ip: '10.0.0.1;reboot' }, { name: 'pve1', ip: '$(x)' }, { name: '', ip: '10.0.0.1' }]) {
    assert.throws(() => peerCommand(bad), TypeError, JSON.stringify(bad));
  }
  assert.match(peerCommand(node, { sudo: true }), /^exec sudo -n -- sh -c '/);
  assert.match(peerCommand(node), /^exec sh -c '/);
});

/** Runs peerCommand through sh with a stand-in ssh; returns its stdout and the argv the stand-in saw. */
async function runWithFakeSsh(body: string, timeoutSec = 20): Promise<{ stdout: string; argv: string[]; stdin: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sshield-peer-'));
  try {
    const fake = join(dir, 'fake ssh');
    writeFileSync(fake, `#!/bin/sh\nprintf '%s\\0' "$@" > '${dir}/argv'\ncat > '${dir}/stdin'\necho this-is-stdout\n${body}\n`);
    chmodSync(fake, 0o755);
    const cmd = peerCommand(node, { ssh: fake, timeoutSec });
    const stdout = await new Promise<string>((res, rej) => execFile('sh', ['-c', cmd], { timeout: 30_000 }, (e, out) => (e ? rej(e) : res(out))));
    let argv: string[] = [];
    let stdin = '';
    try {
      argv = readFileSync(join(dir, 'argv'), 'utf8').split('\0').slice(0, -1);
      stdin = readFileSync(join(dir, 'stdin'), 'utf8');
    } catch {
      /* the stand-in never ran */
    }
    return { stdout, argv, stdin };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the remote command runs exactly PVE argv (no known_hosts pair where the file is absent), stdin closed, and frames exit + stderr', async () => {
  const ok = await runWithFakeSsh('exit 0');
  assert.deepEqual(ok.argv, pveSshArgv(node, false).slice(1));
  assert.equal(ok.stdin, '');
  assert.equal(ok.stdout, 'SSHIELD-PEER 0\n\n');
  assert.deepEqual(parsePeerAnswer(ok.stdout, { code: 0, stderr: '' }), { ok: true });

  const denied = await runWithFakeSsh(`echo 'root@10.10.10.12: Permission denied (publickey).' >&2; exit 255`);
  assert.equal(denied.stdout, 'SSHIELD-PEER 255\nroot@10.10.10.12: Permission denied (publickey).\n');
  assert.deepEqual(parsePeerAnswer(denied.stdout, { code: 0, stderr: '' }), { ok: false, reason: 'root@10.10.10.12: Permission denied (publickey).' });

  const hung = await runWithFakeSsh('sleep 30', 1);
  assert.match(hung.stdout, /^SSHIELD-PEER 124\n/);
  assert.deepEqual(parsePeerAnswer(hung.stdout, { code: 0, stderr: '' }, 1), { ok: false, reason: 'no answer within 1 s' });
});

test('parsePeerAnswer: every way a check can end', () => {
  const ctl = { code: 0, stderr: '' };
  const cases: [string, Parameters<typeof parsePeerAnswer>[1], ReturnType<typeof parsePeerAnswer>][] = [
    ['SSHIELD-PEER 0\n\n', ctl, { ok: true }],
    // root's .bashrc printed something first (PVE docs warn about it): skipped.
    ['Welcome to pve1\nSSHIELD-PEER 0\n\n', ctl, { ok: true }],
    ['SSHIELD-PEER 255\nWarning: foo\r\nHost key verification failed.\n', ctl, { ok: false, reason: 'Host key verification failed.' }],
    ['SSHIELD-PEER 255\nssh: connect to host 10.0.0.2 port 22: Connection refused\n', ctl, { ok: false, reason: 'ssh: connect to host 10.0.0.2 port 22: Connection refused' }],
    ['SSHIELD-PEER 255\n\n', ctl, { ok: false, reason: 'ssh failed (exit 255)' }],
    ['SSHIELD-PEER 137\n\n', ctl, { ok: false, reason: 'no answer within 20 s' }],
    ['SSHIELD-PEER 1\nThis account is currently not available.\n', ctl, { ok: false, reason: 'logged in, but /bin/true exited 1 (This account is currently not available.)' }],
    ["SSHIELD-PEER 127\ntimeout: failed to run command '/usr/bin/ssh': No such file or directory\n", ctl, { ok: false, reason: "the check could not run there (timeout: failed to run command '/usr/bin/ssh': No such file or directory)" }],
    // The controller never got the check to run on the peer.
    ['', { code: 255, stderr: 'ssh: connect to host 127.0.1.9 port 22: Connection refused\n' }, { ok: false, reason: 'the check could not run there (ssh: connect to host 127.0.1.9 port 22: Connection refused)' }],
    ['', { code: null, stderr: '', error: 'no answer within 35 s' }, { ok: false, reason: 'the check could not run there (no answer within 35 s)' }],
    ['', { code: 1, stderr: 'sudo: a password is required\n' }, { ok: false, reason: 'the check could not run there (sudo: a password is required)' }],
    ['SSHIELD-PEER x\n', { code: 0, stderr: '' }, { ok: false, reason: 'the check could not run there (exit 0)' }],
  ];
  for (const [out, c, want] of cases) assert.deepEqual(parsePeerAnswer(out, c), want, JSON.stringify(out));
});

const t = (name: string, address: string): FleetTarget => ({ name, address, user: 'root', groups: ['all'], source: 'cluster pve1' });
const members = [t('pve1', '10.0.0.1'), t('pve2', '10.0.0.2'), t('pve3', '10.0.0.3')];

test('--cluster order: corosync order with the seed node last; ordered pairs are every (from, to) with from != to', () => {
  assert.deepEqual(clusterOrder(members, 'pve1').map((m) => m.name), ['pve2', 'pve3', 'pve1']);
  assert.deepEqual(clusterOrder(members, 'pve2').map((m) => m.name), ['pve1', 'pve3', 'pve2']);
  assert.deepEqual(clusterOrder(members).map((m) => m.name), ['pve1', 'pve2', 'pve3']);
  assert.deepEqual(clusterOrder(members.slice(1), 'pve1').map((m) => m.name), ['pve2', 'pve3']);
  assert.deepEqual(orderedPairs(members).map(([a, b]) => `${a.name}>${b.name}`), ['pve1>pve2', 'pve1>pve3', 'pve2>pve1', 'pve2>pve3', 'pve3>pve1', 'pve3>pve2']);
  assert.deepEqual(orderedPairs(members.slice(0, 1)), []);
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

test('the --cluster hook asks every OTHER member, over the controller\'s connection to it, to reach the changed node as PVE does', async () => {
  const calls: { peer: string; cmd: string }[] = [];
  const answers: Record<string, string> = { pve1: 'SSHIELD-PEER 0\n\n', pve2: 'SSHIELD-PEER 255\nroot@10.0.0.3: Permission denied (publickey).\n' };
  const pool = {
    exec: async (t: FleetTarget, cmd: string): Promise<SshResult> => {
      calls.push({ peer: t.name, cmd });
      return { code: 0, signal: null, stdout: Buffer.from(answers[t.name] ?? ''), stderr: '' };
    },
  } as unknown as SshPool;
  const hooks = clusterHooks(pool, members);
  const r = await hooks.beforeConfirm!(members[2]!);
  assert.deepEqual(r, { ok: false, reason: 'root SSH from the other cluster nodes fails (the way PVE connects): pve2 -> pve3: root@10.0.0.3: Permission denied (publickey).' });
  assert.deepEqual(calls.map((c) => c.peer).sort(), ['pve1', 'pve2']);
  for (const c of calls) assert.ok(c.cmd.includes('HostKeyAlias=pve3') && c.cmd.includes('root@10.0.0.3') && c.cmd.includes('/etc/pve/nodes/pve3/ssh_known_hosts'), c.cmd);
  answers.pve2 = 'SSHIELD-PEER 0\n\n';
  assert.deepEqual(await hooks.beforeConfirm!(members[2]!), { ok: true });
  // A member whose address is no IP (a name no file resolved) is a failed check, never a throw.
  const named = [...members.slice(0, 2), t('pve3', 'pve3.example')];
  assert.deepEqual(await clusterHooks(pool, named).beforeConfirm!(named[2]!), { ok: false, reason: 'root SSH from the other cluster nodes fails (the way PVE connects): pve1 -> pve3: cannot be checked: not an IP address: "pve3.example"; pve2 -> pve3: cannot be checked: not an IP address: "pve3.example"' });
  // A one-node cluster has no peer to ask.
  assert.deepEqual(await clusterHooks(pool, members.slice(0, 1)).beforeConfirm!(members[0]!), { ok: true });
});
