// The harden planner over an in-memory tree: values that already satisfy a setting are left
// alone, our own drop-in's conflicting lines are set in place (not shadowed), other files'
// overriding lines are commented out, and the Match-scoped cluster exception lands where it wins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryFs } from '../../../src/host/memory-fs.js';
import { BUILDS } from '../../../src/sshd/builds/index.js';
import { planHarden } from '../../../src/apply/planner.js';
import { desiredSettings, type Desired } from '../../../src/apply/settings.js';

const MAIN = '/etc/ssh/sshd_config';
const DROP = '/etc/ssh/sshd_config.d/00-sshield.conf';
const build = BUILDS['9.2p1-debian'];
const base = { configPath: MAIN, build, reload: { kind: 'none', why: 'test' } as const };

function fs(files: Record<string, string>) {
  return memoryFs({ '/etc/ssh/sshd_config.d': { kind: 'dir' }, ...files });
}

const MAIN_TEXT = 'Include /etc/ssh/sshd_config.d/*.conf\nKbdInteractiveAuthentication no\nUsePAM yes\n';

test('a stricter or in-range existing value is left alone', async () => {
  const desired: Desired[] = [
    { keyword: 'MaxAuthTries', value: '3', rule: 'r1', accept: { kind: 'range', min: 1, max: 3 } },
    { keyword: 'LoginGraceTime', value: '30', rule: 'r2', accept: { kind: 'range', min: 1, max: 30 } },
    { keyword: 'PermitRootLogin', value: 'prohibit-password', rule: 'r3', accept: { kind: 'one-of', values: ['prohibit-password', 'no'] } },
  ];
  const r = await planHarden({ ...base, fs: fs({ [MAIN]: MAIN_TEXT, [DROP]: 'MaxAuthTries 2\nLoginGraceTime 20s\nPermitRootLogin no\n' }), desired, specs: [] });
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.deepEqual(r.plan.files, []);
});

test('a conflicting line in our own drop-in is set in place, not shadowed; other files are commented out', async () => {
  const desired: Desired[] = [
    { keyword: 'MaxAuthTries', value: '3', rule: 'r1', accept: { kind: 'range', min: 1, max: 3 } },
    { keyword: 'PasswordAuthentication', value: 'no', rule: 'r2' },
  ];
  const drop = '# ours\nMaxAuthTries   6 # old\nX11Forwarding no\nMatch User bob\n\tPasswordAuthentication yes\n';
  const cloud = 'MaxAuthTries 10\n';
  const r = await planHarden({ ...base, fs: fs({ [MAIN]: MAIN_TEXT, [DROP]: drop, '/etc/ssh/sshd_config.d/50-cloud-init.conf': cloud }), desired, specs: [{ label: 'bob', spec: { user: 'bob', host: 'h', addr: '192.0.2.1', laddr: '127.0.0.1', lport: 22 } }] });
  assert.ok(r.ok, r.ok ? '' : r.reason);
  const d = r.plan.files.find((f) => f.path === DROP)!;
  assert.equal(d.after, '# ours\nMaxAuthTries   3 # old\nX11Forwarding no\nPasswordAuthentication no\nMatch User bob\n# [sshield] \tPasswordAuthentication yes\n');
  const c = r.plan.files.find((f) => f.path.endsWith('50-cloud-init.conf'))!;
  assert.equal(c.after, '# [sshield] MaxAuthTries 10\n');
  assert.equal(r.plan.files.some((f) => f.path === MAIN), false, 'main file untouched');
});

test('without a first Include the settings go before the first directive of the main file', async () => {
  const x = { label: 'x', spec: { user: 'x', host: 'h', addr: '192.0.2.1', laddr: '127.0.0.1', lport: 22 } };
  const r = await planHarden({ ...base, fs: fs({ [MAIN]: 'Port 22\nMatch User x\n  X11Forwarding yes\n' }), desired: [{ keyword: 'X11Forwarding', value: 'no', rule: 'r' }], specs: [x] });
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.equal(r.plan.files[0]!.after, '# sshield harden: these come first so they win (first value wins, sshd_config(5))\nX11Forwarding no\nPort 22\nMatch User x\n# [sshield]   X11Forwarding yes\n');
});

test('the cluster exception: a Match Address block at the end of our drop-in, proven per identity', async () => {
  const nodes = ['10.10.10.11', '10.10.10.12'];
  const desired = desiredSettings({ profile: 'proxmox', debianBuild: true, regresshionVulnerable: false, clusterAddresses: nodes });
  const peer = (a: string) => ({ label: `root from ${a}`, spec: { user: 'root', host: a, addr: a, laddr: '10.10.10.11', lport: 22 } });
  const text = `${MAIN_TEXT}PermitRootLogin yes\nAcceptEnv LANG LC_*\n`;
  const r = await planHarden({ ...base, fs: fs({ [MAIN]: text }), desired, specs: [...nodes.map(peer), peer('203.0.113.7')] });
  assert.ok(r.ok, r.ok ? '' : r.reason);
  const d = r.plan.files.find((f) => f.path === DROP)!;
  assert.match(d.after, /\nMatch Address 10\.10\.10\.11,10\.10\.10\.12\n\tPermitRootLogin prohibit-password\n\tAllowTcpForwarding yes\n\tAllowStreamLocalForwarding yes\n\tPermitTTY yes\n\tAcceptEnv LANG LC_\*\n$/);
  assert.match(d.after, /^PermitRootLogin no$/m);
  assert.match(d.after, /^AllowTcpForwarding no$/m);
  const got = (label: string, key: string) => r.plan.predicted.find((p) => p.label === label && p.key === key)?.values.join(' ');
  for (const a of nodes) {
    assert.equal(got(`root from ${a}`, 'permitrootlogin'), 'without-password');
    assert.equal(got(`root from ${a}`, 'allowtcpforwarding'), 'yes');
  }
  assert.equal(got('root from 203.0.113.7', 'permitrootlogin'), 'no');
  assert.equal(got('root from 203.0.113.7', 'allowtcpforwarding'), 'no');
  // Idempotent: planning the result again changes nothing.
  const again = await planHarden({ ...base, fs: fs({ [MAIN]: r.plan.files.find((f) => f.path === MAIN)?.after ?? text, [DROP]: d.after }), desired, specs: [...nodes.map(peer), peer('203.0.113.7')] });
  assert.ok(again.ok, again.ok ? '' : again.reason);
  assert.deepEqual(again.plan.files, []);
});

test('with the loaded host, the planner parses nothing itself: the current tree and the candidate come from the host, and the result is the same', async () => {
  const { loadHost } = await import('../../../src/host/loaded-host.js');
  const { offlineExecutor } = await import('../../../src/host/executor.js');
  const files = { [MAIN]: MAIN_TEXT, '/etc/ssh/sshd_config.d/50-cloud-init.conf': 'PasswordAuthentication yes\n' };
  const desired: Desired[] = [{ keyword: 'PasswordAuthentication', value: 'no', rule: 'r1' }, { keyword: 'X11Forwarding', value: 'no', rule: 'r2' }];
  const alone = await planHarden({ ...base, fs: fs(files), desired, specs: [] });
  const host = await loadHost(offlineExecutor(fs(files)), { mainPath: MAIN, facts: 'config' });
  let candidates = 0;
  let seen: ReturnType<typeof host.candidate> | undefined;
  const counted = { mainPath: host.mainPath, tree: host.tree, input: host.input, candidate: (f: Parameters<typeof host.candidate>[0]) => (candidates++, (seen = host.candidate(f))) };
  // A file view that fails every read: the planner must take everything from the host.
  const refusing = { label: 'refusing', readFile: () => Promise.reject(new Error('read')), readDir: () => Promise.reject(new Error('read')), lstat: () => Promise.reject(new Error('read')), stat: () => Promise.reject(new Error('read')), readLink: () => Promise.reject(new Error('read')), realPath: () => Promise.reject(new Error('read')) };
  const r = await planHarden({ ...base, fs: refusing as never, host: counted, desired, specs: [] });
  assert.ok(r.ok && alone.ok, r.ok ? '' : r.reason);
  assert.equal(candidates, 1, 'one candidate view');
  assert.deepEqual(r.plan.files, alone.plan.files);
  assert.deepEqual(r.plan.predicted, alone.plan.predicted);
  // The audit of the candidate asks the host for the same files: the memoized view, not a new parse.
  const { candidateFiles } = await import('../../../src/apply/planner.js');
  assert.equal(await host.candidate(candidateFiles(r.plan)), await seen, 'the planner\'s candidate view is the one the audit reads');
});
