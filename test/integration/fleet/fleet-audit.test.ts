// `sshield audit` over SSH against real test hosts (test/helpers/test-hosts.ts: a Debian sshd per
// loopback address, each in its own mount namespace with its own /etc, /root, /home, dpkg status...)
// through the built CLI. The oracle is `sshield audit --root DIR` of each host's directory: the
// remote audit must give the same results, rule for rule. Also: a PVE cluster found through one
// node (--cluster), Ansible inventories with --limit, an unreachable host (exit 2, the reason),
// hostile hosts (garbage, a path escape, a flood, a stall) refused one by one in bounded time with
// nothing written on the controller, the SSH masters gone after the run, and the changing
// commands refusing --host instead of acting on this machine.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../helpers/sshd.js';
import { testHostsAvailable, type TestFleet, type TestHostSpec } from '../../helpers/test-hosts.js';
import { assertMatchesSchema } from '../../helpers/json-schema.js';
import { BIN, REPO, pveExampleNode, runSshield, startFleetLab, stopFleetLab } from '../../helpers/fleet-lab.js';
import { mapPool } from '../../../src/scan/pool.js';

const skip = testHostsAvailable();


const GOOD: TestHostSpec[] = [
  {
    // Password states of every kind (the controller only ever sees them redacted).
    name: 'pve8',
    example: 'pve8-default',
    setup: (dir) => {
      const users = readFileSync(join(dir, 'etc/passwd'), 'latin1').split('\n').filter(Boolean).map((l) => l.split(':')[0]!);
      const hash = ['$y$j9T$salt$hash', '!$6$x$y', '*', '!', '', '!*', '*LK*'];
      writeFileSync(join(dir, 'etc/shadow'), users.map((u, i) => `${u}:${hash[i % hash.length]}:19000:0:99999:7:::\n`).join(''), { mode: 0o640 });
    },
  },
  { name: 'pve9', example: 'pve9-default' },
  pveExampleNode(1),
  pveExampleNode(2),
  pveExampleNode(3),
  {
    // With a private host key in its /etc/ssh (the examples ship only .pub files), so that its own
    // `sshd -T` runs; the audit never reads it (stat only) and the gather never sends it.
    name: 'cloud',
    example: 'debian12-cloud',
    setup: (dir) => {
      rmSync(join(dir, 'etc/ssh/ssh_host_ed25519_key.pub'), { force: true });
      execFileSync('ssh-keygen', ['-q', '-N', '', '-t', 'ed25519', '-C', 'cloud', '-f', join(dir, 'etc/ssh/ssh_host_ed25519_key')]);
    },
  },
  { name: 'hardened', example: 'hardened' },
  {
    // A config sshd would refuse: the audit says so (sshd/no-config-errors) on both sides.
    name: 'broken',
    example: 'pve9-default',
    setup: (dir) => appendFileSync(join(dir, 'etc/ssh/sshd_config'), '\nPermitRootLogin maybe\nNoSuchKeyword yes\n'),
  },
  {
    // Keys outside the homes (round two: the file names come from the config) and a drop-in that is
    // a symlink to /srv (the controller walks the link through the gathered lstat data).
    name: 'odd-keys',
    example: 'debian12-cloud',
    setup: (dir) => {
      mkdirSync(join(dir, 'srv/keys'), { recursive: true });
      mkdirSync(join(dir, 'srv/conf'), { recursive: true });
      const home = readFileSync(join(REPO, 'examples/debian12-cloud/etc/passwd'), 'latin1').split('\n').find((l) => /:\/home\//.test(l))?.split(':')[0] ?? 'root';
      writeFileSync(join(dir, 'srv/keys', home), 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDB x@y\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl admin\n');
      writeFileSync(join(dir, 'srv/conf/real.conf'), 'AuthorizedKeysFile /srv/keys/%u .ssh/authorized_keys\nX11Forwarding yes\n');
      symlinkSync('/srv/conf/real.conf', join(dir, 'etc/ssh/sshd_config.d/10-link.conf'));
    },
  },
  {
    // File names a shell would split or expand, and a large dpkg status.
    name: 'weird',
    example: 'hardened',
    setup: (dir) => {
      writeFileSync(join(dir, "etc/ssh/sshd_config.d/it's a $(test) `x` *.conf"), 'MaxAuthTries 9\n');
      writeFileSync(join(dir, 'etc/ssh/sshd_config.d/new\nline.conf'), 'LoginGraceTime 5m\n');
      const st = readFileSync(join(dir, 'var/lib/dpkg/status'), 'latin1');
      const filler = Array.from({ length: 4000 }, (_, i) => `Package: filler-${i}\nStatus: install ok installed\nVersion: 1.0-${i}\nDescription: ${'x'.repeat(400)}\n`).join('\n');
      writeFileSync(join(dir, 'var/lib/dpkg/status'), `${st.trimEnd()}\n\n${filler}`, 'latin1');
    },
  },
];

const HOSTILE: TestHostSpec[] = [
  { name: 'gone', unreachable: true },
  // A server that answers every command with a gather stream escaping its paths.
  { name: 'escape', daemon: `ForceCommand printf 'SSHIELD-GATHER 1\\nC b:${Buffer.from('/etc/../../root/x').toString('base64')} aGVsbG8=\\nEND 1\\n'` },
  { name: 'garbage', daemon: 'ForceCommand head -c 300000 /dev/urandom' },
  { name: 'flood', daemon: 'ForceCommand yes SSHIELD-GATHER' },
  { name: 'stall', daemon: 'ForceCommand sleep 60' },
];

let fleet: TestFleet;
let work = '';

before(async () => {
  if (!skip) ({ fleet, work } = await startFleetLab([...GOOD, ...HOSTILE], 'sshield-fleet-test-'));
});
after(() => stopFleetLab(fleet, work));

/** A TMPDIR short enough for control sockets (else sshield falls back to /tmp, where the test cannot look). */
function shortTmp(): string {
  const d = mkdtempSync('/tmp/sf-');
  tmps.push(d);
  return d;
}
const tmps: string[] = [];
after(() => tmps.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The built CLI with its own TMPDIR (to see what it leaves behind); the fleet's ssh_config. */
const sshield = (args: string[], tmp?: string) => runSshield(args, { SSHIELD_TODAY: '2026-12-01', ...(tmp ? { TMPDIR: tmp } : {}) });

interface FleetJson {
  hosts: { name: string; status: string; error?: string; gather: { rounds: number; bytes: number }; report?: { results: unknown[]; specs: unknown; summary: unknown; vulns?: unknown } }[];
  summary: { hosts: number; audited: number; errors: number };
}

test('audit of 10 test hosts over SSH equals `audit --root` of each host\'s directory, rule for rule', { skip }, async () => {
  const inv = join(work, 'inventory.ini');
  writeFileSync(inv, `[pve]\npve8\npve9\npve-node[1:3]\n\n[vms]\ncloud\nhardened\nbroken\nodd-keys\nweird\n`);
  const tmp = shortTmp();
  const r = await sshield(['audit', '--inventory', inv, '--ssh-config', fleet.sshConfig, '--json', '--parallel', '6'], tmp);
  assert.equal(r.code, 1, r.stderr); // findings on most hosts, no errors
  assertMatchesSchema('audit-fleet', r.stdout);
  const doc = JSON.parse(r.stdout) as FleetJson;
  assert.equal(doc.hosts.length, 10);
  assert.equal(doc.summary.errors, 0, JSON.stringify(doc.hosts.filter((h) => h.error)));
  const roots = await mapPool(GOOD, 3, async (spec) => {
    const h = fleet.hosts.find((x) => x.name === spec.name)!;
    const l = await sshield(['audit', '--root', h.dir, '--json']);
    assert.ok(l.code === 0 || l.code === 1, l.stderr);
    return JSON.parse(l.stdout) as NonNullable<FleetJson['hosts'][number]['report']>;
  });
  for (const [i, spec] of GOOD.entries()) {
    const remote = doc.hosts.find((h) => h.name === spec.name)!;
    assert.equal(remote.status, 'audited', `${spec.name}: ${remote.error}`);
    const local = roots[i]!;
    assert.equal(remote.report!.results.length, local.results.length, spec.name);
    remote.report!.results.forEach((x, k) => assert.deepEqual(x, local.results[k], `${spec.name}: result ${k}`));
    assert.deepEqual(remote.report!.specs, local.specs, spec.name);
    assert.deepEqual(remote.report!.summary, local.summary, spec.name);
    assert.deepEqual(remote.report!.vulns, local.vulns, spec.name);
  }
  // One gather round for the usual host; a second when the audit asks what only the config names
  // (keys under /srv) or a live fact (apt-cache policy, for a build with a fixable CVE), a third
  // when that file was first only stat-ed.
  const rounds = Object.fromEntries(doc.hosts.map((h) => [h.name, h.gather.rounds]));
  assert.equal(rounds.pve9, 1, JSON.stringify(rounds));
  assert.ok(rounds['odd-keys']! >= 2, JSON.stringify(rounds));
  assert.ok(doc.hosts.every((h) => h.gather.rounds <= 3), JSON.stringify(rounds));
  assert.ok(doc.hosts.find((h) => h.name === 'weird')!.gather.bytes > 1_500_000);
  // Nothing left on the controller: no control sockets, no temp files, no master processes.
  assert.deepEqual(readdirSync(tmp), []);
  const ps = await run('ps', ['-eo', 'args']);
  assert.ok(!ps.stdout.includes(tmp), 'an ssh master outlived the run');
});

test('a YAML inventory with --limit (a group, an exclusion, a glob): the text table; INI inventory vars ansible_host/port/user drive the connection', { skip }, async () => {
  const inv = join(work, 'inventory.yml');
  writeFileSync(inv, ['all:', '  children:', '    pve:', '      hosts:', '        pve8:', '        pve9:', '        pve-node[1:3]:', '    vms:', '      hosts:', '        cloud:', '        hardened:', ''].join('\n'));
  const r = await sshield(['audit', '--inventory', inv, '--limit', 'pve:!pve-node*:hard*', '--ssh-config', fleet.sshConfig]);
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0]!, /^sshield audit: 3 hosts, 3 audited, \d failing at medium or above, 0 unreachable or refused/);
  for (const h of ['pve8', 'pve9', 'hardened']) assert.ok(lines.some((l) => l.startsWith(`${h} `)), `${h} in\n${r.stdout}`);
  assert.ok(!r.stdout.includes('pve-node1'));
  assert.match(r.stdout, /^ 1 \S+ \((critical|high|medium|low|info)\)$/m);
  // The connection comes from the inventory's variables: a name no ssh_config knows, reached at
  // ansible_host:ansible_port as ansible_user (INI host vars here, group vars for the user).
  const pve9 = fleet.hosts.find((h) => h.name === 'pve9')!;
  const ini = join(work, 'vars.ini');
  writeFileSync(ini, `[lab]\nnode-by-vars ansible_host=${pve9.address} ansible_port=${pve9.port}\n[lab:vars]\nansible_user=root\n`);
  const v = await sshield(['audit', '--inventory', ini, '--ssh-config', fleet.sshConfig, '--json']);
  assert.equal(v.code, 1, v.stderr);
  const doc = JSON.parse(v.stdout) as FleetJson & { hosts: { target: string; source: string }[] };
  assert.deepEqual([doc.hosts[0]!.name, doc.hosts[0]!.target, doc.hosts[0]!.source, doc.hosts[0]!.status], ['node-by-vars', `root@${pve9.address}:${pve9.port}`, `${ini}:2`, 'audited']);
});

test('--cluster reads the members through one node and audits each at its .members address', { skip }, async () => {
  const r = await sshield(['audit', '--cluster', 'pve-node2', '--ssh-config', fleet.sshConfig, '--json', '--limit', '!pve-node3']);
  assert.equal(r.code, 1, r.stderr);
  const doc = JSON.parse(r.stdout) as FleetJson & { hosts: { target: string; source: string }[] };
  assert.deepEqual(doc.hosts.map((h) => h.name), ['pve-node1', 'pve-node2']);
  const n1 = fleet.hosts.find((h) => h.name === 'pve-node1')!;
  assert.equal(doc.hosts[0]!.target, n1.address);
  assert.match(doc.hosts[0]!.source, /^cluster pve-node2 \(\/etc\/pve\/corosync\.conf\)$/);
  assert.ok(doc.hosts.every((h) => h.status === 'audited'));
  const bad = await sshield(['audit', '--cluster', 'cloud', '--ssh-config', fleet.sshConfig]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--cluster cloud: not a PVE cluster node/);
});

test('an unreachable host is an error with the reason (exit 2), never clean; the others are still audited', { skip }, async () => {
  const r = await sshield(['audit', '--host', 'pve9', '--host', 'gone', '--ssh-config', fleet.sshConfig, '--json']);
  assert.equal(r.code, 2);
  const doc = JSON.parse(r.stdout) as FleetJson;
  assertMatchesSchema('audit-fleet', doc);
  assert.equal(doc.hosts[0]!.status, 'audited');
  assert.equal(doc.hosts[1]!.status, 'error');
  assert.match(doc.hosts[1]!.error!, /Connection refused/);
  assert.match(r.stderr, /sshield audit: gone \(gone\): .*Connection refused/);
  const text = await sshield(['audit', '--host', 'gone', '--ssh-config', fleet.sshConfig]);
  assert.equal(text.code, 2);
  assert.match(text.stdout, /^gone +ERROR ssh failed: .*Connection refused/m);
  assert.doesNotMatch(text.stdout, /clean/);
});

test('hostile hosts: a path escape, garbage, a flood and a stall are each refused with a clear error, in bounded time, nothing written', { skip }, async () => {
  const tmp = shortTmp();
  const hosts = ['escape', 'garbage', 'flood', 'stall', 'pve9'].flatMap((h) => ['--host', h]);
  const r = await sshield(['audit', ...hosts, '--ssh-config', fleet.sshConfig, '--json', '--host-timeout', '15'], tmp);
  assert.equal(r.code, 2, r.stderr);
  const doc = JSON.parse(r.stdout) as FleetJson;
  const err = Object.fromEntries(doc.hosts.map((h) => [h.name, h.error ?? h.status]));
  assert.match(err.escape!, /bad gather answer: line 2: bad path "\/etc\/\.\.\/\.\.\/root\/x"/);
  assert.match(err.garbage!, /bad gather answer: the answer is not from the gather script/);
  assert.match(err.flood!, /sent more than 33554432 bytes|bad gather answer/);
  assert.match(err.stall!, /no answer within 15 s/);
  assert.equal(err.pve9, 'audited');
  assert.ok(r.ms < 60_000, `took ${r.ms} ms`);
  assert.deepEqual(readdirSync(tmp), []);
});

test('Ctrl-C (SIGINT) mid-run: exit 130, every SSH master told to exit, the socket directory gone', { skip }, async () => {
  const tmp = shortTmp();
  const child = spawn(process.execPath, [BIN, 'audit', '--host', 'stall', '--host', 'pve9', '--ssh-config', fleet.sshConfig, '--json'], { env: { ...process.env, TMPDIR: tmp, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  // Wait until the connections are up (a control socket exists), then interrupt.
  const deadline = Date.now() + 60_000;
  const sockets = () => readdirSync(tmp).flatMap((d) => readdirSync(join(tmp, d)));
  while (Date.now() < deadline && sockets().length < 2) await new Promise((r) => setTimeout(r, 50));
  assert.ok(sockets().length >= 2, 'both connections up');
  child.kill('SIGINT');
  assert.equal(await exited, 130);
  assert.deepEqual(readdirSync(tmp), []);
  await new Promise((r) => setTimeout(r, 300));
  const ps = await run('ps', ['-eo', 'args']);
  assert.ok(!ps.stdout.includes(tmp), 'an ssh master outlived the interrupted run');
});

test('SARIF: one run per host, an unreachable host is a failed invocation; HTML renders the fleet', { skip }, async () => {
  const r = await sshield(['audit', '--host', 'hardened', '--host', 'gone', '--ssh-config', fleet.sshConfig, '--format', 'sarif']);
  assert.equal(r.code, 2);
  const log = JSON.parse(r.stdout) as { runs: { automationDetails: { id: string }; invocations?: { executionSuccessful: boolean }[]; results: unknown[] }[] };
  assert.deepEqual(log.runs.map((x) => x.automationDetails.id), ['sshield-audit/hardened/', 'sshield-audit/gone/']);
  assert.equal(log.runs[1]!.invocations![0]!.executionSuccessful, false);
  const { assertValidSarif } = await import('../../helpers/sarif-schema.js');
  assertValidSarif(log);
  const h = await sshield(['audit', '--host', 'pve9', '--host', 'gone', '--ssh-config', fleet.sshConfig, '--format', 'html']);
  assert.match(h.stdout, /^<!doctype html>/i);
  assert.ok(h.stdout.includes('pve9') && h.stdout.includes('Connection refused'));
  // A saved fleet JSON renders through `sshield report` too, the unreachable host with its reason.
  const j = await sshield(['audit', '--host', 'pve9', '--host', 'gone', '--ssh-config', fleet.sshConfig, '--json']);
  const saved = join(work, 'fleet.json');
  writeFileSync(saved, j.stdout);
  const mixed = await sshield(['report', saved, join(REPO, 'test/golden/audit/hardened.json')]);
  assert.equal(mixed.code, 0, mixed.stderr);
  assert.match(mixed.stdout, /sshield report: 3 hosts/);
  const only = await sshield(['report', saved]);
  assert.equal(only.code, 0, only.stderr);
  assert.match(only.stdout, /^<!doctype html>/i);
  assert.ok(only.stdout.includes('pve9') && only.stdout.includes('gone') && only.stdout.includes('Connection refused'));
  writeFileSync(saved, j.stdout.replace('"status": "audited"', '"status": "maybe"'));
  const bad = await sshield(['report', saved]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /fleet audit: hosts\[0\]: status "audited" with a report, or "error" with the reason, expected/);
});

test('effective --host: the remote files judged here equal `effective --root`; --engine sshd is the host\'s own sshd -T and agrees', { skip }, async () => {
  const cloud = fleet.hosts.find((h) => h.name === 'cloud')!;
  for (const spec of [[], ['-C', 'user=root,addr=203.0.113.9,host=x,laddr=10.0.0.1,lport=22']]) {
    const remote = await sshield(['effective', '--host', 'cloud', '--ssh-config', fleet.sshConfig, ...spec]);
    const local = await sshield(['effective', '--root', cloud.dir, ...spec]);
    assert.equal(remote.code, 0, remote.stderr);
    assert.equal(remote.stdout, local.stdout);
    const real = await sshield(['effective', '--host', 'cloud', '--ssh-config', fleet.sshConfig, '--engine', 'sshd', ...spec]);
    assert.equal(real.code, 0, real.stderr);
    assert.equal(real.stdout, remote.stdout, 'the builtin engine on the gathered files == the host\'s own sshd -T');
  }
  const gathered = await sshield(['audit', '--host', 'cloud', '--ssh-config', fleet.sshConfig, '--json']);
  assert.ok(!gathered.stdout.includes('PRIVATE KEY'));
  const two = await sshield(['effective', '--host', 'cloud', '--host', 'pve9', '--ssh-config', fleet.sshConfig]);
  assert.equal(two.code, 2);
  assert.match(two.stderr, /prints one host's configuration; 2 hosts named/);
});

test('progress: drawn on a real terminal (one done/total line per host), absent when stderr is piped; stdout stays clean JSON', { skip }, async () => {
  const out = join(work, 'progress.json');
  const tty = join(work, 'tty.log');
  const cmd = `${process.execPath} ${BIN} audit --host pve9 --host hardened --host gone --ssh-config ${fleet.sshConfig} --json > ${out}`;
  const r = await run('script', ['-q', '-e', '-c', cmd, tty], { timeoutMs: 120_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm', LC_ALL: 'C.UTF-8' } });
  assert.equal(r.code, 2, r.stderr);
  const screen = readFileSync(tty, 'latin1');
  for (let i = 1; i <= 3; i++) assert.match(screen, new RegExp(`\\r\\x1b\\[K${i}/3 (pve9|hardened|gone)`), `${i}/3 drawn`);
  const json = readFileSync(out, 'utf8');
  assert.doesNotMatch(json, /\x1b|\r/);
  assert.equal((JSON.parse(json) as FleetJson).hosts.length, 3);
  const piped = await sshield(['audit', '--host', 'pve9', '--ssh-config', fleet.sshConfig, '--json']);
  assert.doesNotMatch(piped.stderr, /1\/1/);
});

test('the SSH executor runs programs live with argv intact (quotes, $, globs, newlines), exit codes, deadline and output cap', { skip }, async () => {
  const { SshPool } = await import('../../../src/fleet/ssh.js');
  const { sshExecutor } = await import('../../../src/fleet/ssh-executor.js');
  const { Snapshot } = await import('../../../src/fleet/snapshot.js');
  const pool = new SshPool({ configFile: fleet.sshConfig });
  try {
    const exec = sshExecutor(pool, { name: 'pve9', address: 'pve9', groups: ['all'], source: 'test' }, new Snapshot('pve9', 1 << 20));
    const args = ["it's", 'a b', '$HOME', '*', '`id`', '$(id)', 'line\nbreak', ';', '-n', ''];
    const r = await exec.run('printf', ['%s\\0', ...args]);
    assert.equal(r!.code, 0, r!.stderr);
    assert.equal(r!.stdout, args.map((a) => `${a}\0`).join(''));
    assert.equal((await exec.run('sh', ['-c', 'exit 7']))!.code, 7);
    const slow = await exec.run('sleep', ['20'], { timeoutMs: 1500 });
    assert.equal(slow!.code, null);
    assert.match(slow!.error!, /no answer within 2 s|no answer within 1 s/);
    const big = await exec.run('head', ['-c', '100000', '/dev/zero'], { maxBuffer: 1000 });
    assert.match(big!.error!, /more than 1000 bytes/);
    assert.match((await exec.run('printf', ['a\0b']))!.error!, /NUL/);
    const gone = sshExecutor(pool, { name: 'gone', address: 'gone', groups: ['all'], source: 'test' }, new Snapshot('gone', 1 << 20));
    const g = await gone.run('true', []);
    assert.equal(g!.code, null);
    assert.match(g!.error!, /Connection refused/);
  } finally {
    await pool.close();
  }
});

test('commands that cannot run on remote hosts refuse --host (exit 2); changing commands go to the hosts, never this machine; bad targets are usage errors', { skip }, async () => {
  for (const args of [['confirm', '--host', 'pve9'], ['ca', 'list', '--dir', '/nonexistent', '--inventory', '/nonexistent']]) {
    const r = await sshield(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /not (yet )?on remote hosts/, args.join(' '));
  }
  // A changing command over --host runs on the host (test/integration/fleet/remote-change.test.ts):
  // an unreachable one is reported as such, exit 2, and nothing runs here.
  for (const args of [['harden', '--host', 'gone', '--yes'], ['allow', 'add', '10.0.0.0/8', '--host', 'gone', '--yes']]) {
    const r = await sshield([...args, '--ssh-config', fleet.sshConfig]);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stdout, /^gone +UNREACHABLE +ssh: .*Connection refused/m, args.join(' '));
  }
  const bad = await sshield(['audit', '--host', '-oProxyCommand=touch /tmp/pwned']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /is not a host name/);
  const inv = join(work, 'bad.ini');
  writeFileSync(inv, '[pve]\npve1 ansible_port=70000\n');
  const b2 = await sshield(['audit', '--inventory', inv]);
  assert.equal(b2.code, 2);
  assert.match(b2.stderr, new RegExp(`${inv.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2: host "pve1": ansible_port "70000"`));
  const small = join(work, 'small.ini');
  writeFileSync(small, '[pve]\npve9\n');
  const nolimit = await sshield(['audit', '--inventory', small, '--limit', 'nosuch']);
  assert.equal(nolimit.code, 2);
  assert.match(nolimit.stderr, /"nosuch" matches no host or group/);
});
