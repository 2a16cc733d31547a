// The changing commands over the fleet flags (src/cli/fleet-change.ts), run through the real
// program (buildProgram: the same flags and actions as the CLI) with a fake runner in place of the
// remote one: which argv each host gets (the command's own flags as given, never the fleet or
// controller flags, --yes/--dry-run per phase), the asking flow (every host plans first, the diffs,
// one question; no terminal -> exit 3; a host that cannot plan stops the run before any change),
// --dry-run, --json against the schema, files of this machine (keys add --file read here; a policy
// file, ca trust's CA and --root refused), --cluster's combinations, and that every command of
// issue 17's list routes to the rollout instead of acting on this machine.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildProgram } from '../../../src/cli/program.js';
import { CONTROLLER_FLAGS, MAX_FORWARDED_REVOKED_BYTES, useFleetRunner, type RunnerRequest } from '../../../src/cli/fleet-change.js';
import { revokedFromBase64 } from '../../../src/cli/ca.js';
import { FLEET_CHANGES } from '../../../src/cli/fleet.js';
import type { Output, ConfirmOutcome } from '../../../src/cli/io.js';
import type { HostChangeResult, HostChangeStatus } from '../../../src/fleet/change-types.js';
import { assertMatchesSchema } from '../../helpers/json-schema.js';

interface Run {
  code: number;
  out: string;
  err: string;
  requests: RunnerRequest[];
  /** host name + argv's last word, in call order. */
  calls: string[];
  asked: string[];
}

type Answer = (name: string, mode: string) => Partial<HostChangeResult> & { status: HostChangeStatus };

const planned = (changes = true) => ({ schemaVersion: 1, command: 'harden', outcome: { kind: 'dry-run', exitCode: 0 }, plan: changes ? { files: [{ path: '/etc/ssh/sshd_config', diff: '--- a\n+++ b\n-X11Forwarding yes\n+X11Forwarding no\n' }], guards: [], notes: [] } : null });
const defaultAnswer: Answer = (_n, mode) => (mode === '--dry-run' ? { status: 'planned', envelope: planned() } : { status: 'changed', backupId: 'B1' });

async function sshield(argv: string[], o: { answer?: Answer; tty?: boolean; ask?: ConfirmOutcome; stdin?: string } = {}): Promise<Run> {
  const r: Run = { code: -1, out: '', err: '', requests: [], calls: [], asked: [] };
  const io: Output = { out: (t) => void (r.out += `${t}\n`), err: (t) => void (r.err += `${t}\n`), errRaw: () => undefined, stdoutIsTTY: false, stdinIsTTY: o.tty ?? false, stderrIsTTY: false };
  useFleetRunner(
    (req) => {
      r.requests.push(req);
      return async (t) => {
        const mode = req.argv.at(-1)!;
        r.calls.push(`${t.name} ${mode}`);
        return { name: t.name, target: t.address, ms: 1, ...(o.answer ?? defaultAnswer)(t.name, mode) };
      };
    },
    { io, ask: async (q) => (r.asked.push(q), o.ask ?? (o.tty ? 'yes' : 'no-tty')), readStdin: async () => Buffer.from(o.stdin ?? '') },
  );
  try {
    await buildProgram().parseAsync(['node', 'sshield', ...argv]);
    r.code = Number(process.exitCode ?? 0);
  } catch (e) {
    r.code = 2;
    r.err += (e as Error).message;
  } finally {
    process.exitCode = 0;
  }
  return r;
}

afterEach(() => useFleetRunner(undefined));

test('harden --yes over three hosts: each host gets `harden` and the flags given (not the fleet flags, not defaults) plus --yes; canary then 2 at a time', async () => {
  const r = await sshield(['harden', '--host', 'a', '--host', 'root@b:2222', '--host', 'c', '--parallel', '2', '--host-timeout', '30', '--profile', 'strict', '--allow-no-key-admin', '-f', '/etc/ssh/other_config', '--yes', '--ssh-option', 'IdentitiesOnly=yes']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.requests.length, 1);
  const argv = r.requests[0]!.argv;
  assert.deepEqual(argv, ['harden', '--profile', 'strict', '--file', '/etc/ssh/other_config', '--allow-no-key-admin', '--yes']);
  assert.ok(!argv.some((a) => CONTROLLER_FLAGS.has(a) && a !== '--yes'), 'no controller flag reaches the host');
  assert.ok(!argv.includes('--backup-dir') && !argv.includes('--sshd'), 'defaults are the host\'s own');
  assert.equal(r.requests[0]!.deadlineMs, 30_000);
  assert.deepEqual(r.calls, ['a --yes', 'root@b:2222 --yes', 'c --yes']);
  assert.deepEqual(r.asked, [], '--yes does not ask');
  assert.match(r.out, /sshield harden: 3 hosts \(canary first, then 2 at a time\)/);
  assert.match(r.out, /changed 3, unchanged 0, rolled back 0, failed 0, refused 0, skipped 0/);
});

test('without --yes on a terminal: every host plans first, the diffs are shown, one question, then the change with --yes', async () => {
  const r = await sshield(['harden', '--host', 'a', '--host', 'b'], { tty: true, ask: 'yes' });
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.calls, ['a --dry-run', 'b --dry-run', 'a --yes', 'b --yes']);
  assert.equal(r.asked.length, 1);
  assert.match(r.asked[0]!, /Apply this change to 2 hosts \(the first host alone, then 10 at a time, stopping at the first failure\)\?/);
  assert.match(r.out, /== a \(a\)\n\/etc\/ssh\/sshd_config:\n--- a\n\+\+\+ b\n-X11Forwarding yes\n\+X11Forwarding no/);
  assert.ok(r.out.indexOf('== b') < r.out.indexOf('sshield harden: 2 hosts'), 'the plans come before the result');
});

test('without --yes and without a terminal: the plans are shown, nothing is changed, exit 3 (as for one host)', async () => {
  const r = await sshield(['allow', 'add', '192.0.2.0/24', '--host', 'a', '--host', 'b']);
  assert.equal(r.code, 3);
  assert.deepEqual(r.calls, ['a --dry-run', 'b --dry-run']);
  assert.deepEqual(r.requests[0]!.argv, ['allow', 'add', '192.0.2.0/24', '--dry-run']);
  assert.match(r.err, /no terminal to ask on; re-run with --yes/);
});

test('declined: nothing changed, exit 3', async () => {
  const r = await sshield(['harden', '--host', 'a'], { tty: true, ask: 'no' });
  assert.equal(r.code, 3);
  assert.deepEqual(r.calls, ['a --dry-run']);
  assert.match(r.err, /declined: no host was changed/);
});

test('a host that cannot plan (unreachable) or would refuse stops the run before any host changes', async () => {
  const unreachable = await sshield(['harden', '--host', 'a', '--host', 'b', '--host', 'c'], { tty: true, answer: (n, m) => (n === 'b' ? { status: 'unreachable', reason: 'Connection refused' } : defaultAnswer(n, m)) });
  assert.equal(unreachable.code, 2);
  assert.ok(!unreachable.calls.some((c) => c.endsWith('--yes')), unreachable.calls.join());
  assert.deepEqual(unreachable.asked, []);
  assert.match(unreachable.err, /not changing any host: not every host could plan this change: b \(unreachable: Connection refused\)/);
  const refusing = await sshield(['harden', '--host', 'a', '--host', 'b'], { tty: true, answer: (n) => ({ status: 'planned', envelope: { ...planned(), outcome: { kind: 'dry-run', exitCode: 0, ...(n === 'a' ? { wouldRefuse: 'guard x' } : {}) } } }) });
  assert.equal(refusing.code, 3);
  assert.ok(!refusing.calls.some((c) => c.endsWith('--yes')));
  assert.match(refusing.err, /a \(would refuse\)/);
  assert.match(refusing.out, /would be refused: guard x/);
});

test('nothing to change on any host: no question, exit 0', async () => {
  const r = await sshield(['harden', '--host', 'a', '--host', 'b'], { tty: true, answer: (n) => (n === 'a' ? { status: 'unchanged', envelope: planned(false) } : { status: 'planned', envelope: planned(false) }) });
  assert.equal(r.code, 0);
  assert.deepEqual(r.asked, []);
  assert.deepEqual(r.calls, ['a --dry-run', 'b --dry-run']);
});

test('--dry-run plans every host and changes none; --json is the change-fleet envelope', async () => {
  const r = await sshield(['keys', 'remove', '--user', 'root', '--fingerprint', 'SHA256:abc', '--host', 'a', '--host', 'b', '--dry-run', '--json']);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.calls, ['a --dry-run', 'b --dry-run']);
  assert.deepEqual(r.requests[0]!.argv, ['keys', 'remove', '--user', 'root', '--fingerprint', 'SHA256:abc', '--dry-run']);
  const doc = JSON.parse(r.out) as { mode: string; command: string; hosts: { envelope: unknown }[] };
  assert.equal(doc.mode, 'dry-run');
  assert.equal(doc.command, 'keys remove');
  assert.equal(doc.hosts.length, 2);
});

test('--json of a rollout that stops at a failure: the schema, the failure, the skipped host; exit 2', async () => {
  const r = await sshield(['harden', '--host', 'a', '--host', 'b', '--host', 'c', '--parallel', '1', '--yes', '--json'], { answer: (n) => (n === 'b' ? { status: 'rolled-back', reason: 'sshd -t rejected the candidate', backupId: 'B2' } : { status: 'changed', backupId: 'B1' }) });
  assert.equal(r.code, 2);
  assertMatchesSchema('change-fleet', r.out);
  const doc = JSON.parse(r.out) as { hosts: { status: string }[]; summary: { exitCode: number; stopped: { name: string } } };
  assert.deepEqual(doc.hosts.map((h) => h.status), ['changed', 'rolled-back', 'skipped']);
  assert.equal(doc.summary.exitCode, 2);
  assert.equal(doc.summary.stopped.name, 'b');
});

test('keys add --file KEY.pub: the key is read on this machine and passed as --key; stdin too', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sshield-fc-'));
  try {
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBd0 admin@laptop';
    writeFileSync(join(dir, 'k.pub'), `${key}\n`);
    const r = await sshield(['keys', 'add', '--user', 'root', '--file', join(dir, 'k.pub'), '--restrict', '--host', 'a', '--yes']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.requests[0]!.argv, ['keys', 'add', '--user', 'root', '--restrict', '--key', key, '--yes']);
    const piped = await sshield(['keys', 'add', '-', '--user', 'root', '--host', 'a', '--yes'], { stdin: `${key}\n` });
    assert.equal(piped.code, 0, piped.err);
    assert.deepEqual(piped.requests[0]!.argv, ['keys', 'add', '--user', 'root', '--key', key, '--yes']);
    const missing = await sshield(['keys', 'add', '--user', 'root', '--file', join(dir, 'nope.pub'), '--host', 'a', '--yes']);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /cannot read .*nope\.pub: ENOENT/);
    assert.equal(missing.requests.length, 0);
    // Text over the host's one-argument budget is refused here, before any host is reached (it
    // would fail on every host with E2BIG): a key file, stdin and a policy file alike.
    const big = `${key} ${'x'.repeat(MAX_FORWARDED_REVOKED_BYTES)}`;
    writeFileSync(join(dir, 'big.pub'), `${big}\n`);
    writeFileSync(join(dir, 'big.yaml'), `extends: baseline\n${`# ${'x'.repeat(78)}\n`.repeat(1000)}`);
    for (const [args, stdin, re] of [
      [['keys', 'add', '--user', 'root', '--file', join(dir, 'big.pub')], undefined, /--file .*big\.pub: 65\d{3} bytes, over the 65536 bytes sent to the hosts on their command line; copy it to each host/],
      [['keys', 'add', '-', '--user', 'root'], `${big}\n`, /stdin -: 65\d{3} bytes, over the 65536 bytes sent to the hosts/],
      [['harden', '--profile', join(dir, 'big.yaml')], undefined, /--profile .*big\.yaml: 81\d{3} bytes, over the 65536 bytes sent to the hosts/],
    ] as const) {
      const x = await sshield([...args, '--host', 'a', '--yes'], stdin === undefined ? {} : { stdin });
      assert.equal(x.code, 2, args.join(' '));
      assert.match(x.err, re);
      assert.equal(x.requests.length, 0);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('files of this machine are never read on the hosts: a missing policy or CA file, --root are refused; nothing runs', async () => {
  for (const [args, re] of [
    [['harden', '--profile', './no-such-policy.yaml', '--host', 'a', '--yes'], /--profile \.\/no-such-policy\.yaml: not a built-in profile \(baseline, proxmox, strict\) and not a readable file \(ENOENT\)/],
    [['ca', 'trust', '--user-ca', 'no-such-ca.pub', '--host', 'a', '--yes'], /--user-ca no-such-ca\.pub: ENOENT/],
    [['ca', 'trust', '--user-ca', 'no-such-ca.pub', '--revoked', 'revoked.krl', '--host', 'a', '--yes'], /--user-ca no-such-ca\.pub: ENOENT/],
    [['harden', '--root', '/mnt/x', '--host', 'a', '--yes'], /--root is an offline directory on this machine/],
  ] as const) {
    const r = await sshield([...args]);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, re);
    assert.equal(r.requests.length, 0);
  }
});

test('--cluster with --host, or with --parallel other than 1, is a usage error before anything is reached', async () => {
  const both = await sshield(['harden', '--cluster', 'root@pve1', '--host', 'b', '--yes']);
  assert.equal(both.code, 2);
  assert.match(both.err, /cannot be combined with --host or --inventory/);
  const par = await sshield(['harden', '--cluster', 'root@pve1', '--parallel', '3', '--yes']);
  assert.equal(par.code, 2);
  assert.match(par.err, /one node at a time; --parallel 3 cannot apply/);
});

test('operands that look like flags are passed after --', async () => {
  const r = await sshield(['user', 'nologin', '--host', 'a', '--yes', '--', '-odd']);
  assert.deepEqual(r.requests[0]!.argv, ['user', 'nologin', '--', '-odd', '--yes']);
});

test('every changing command of issue 17 routes to the rollout over --host (never runs here); confirm and the listings still refuse', async () => {
  const sample: Record<string, string[]> = {
    harden: ['harden'],
    'allow add': ['allow', 'add', '192.0.2.1'],
    'allow remove': ['allow', 'remove', '192.0.2.1'],
    'user nologin': ['user', 'nologin', 'bob'],
    'user add': ['user', 'add', '--nologin', 'bob'],
    'user sftp': ['user', 'sftp', '--chroot', '/srv/bob', 'bob'],
    'keys add': ['keys', 'add', '--user', 'bob', '--key', 'ssh-ed25519 AAAA x'],
    'keys remove': ['keys', 'remove', '--user', 'bob', '--line', '1'],
    'keys restrict': ['keys', 'restrict', '--user', 'bob', '--line', '1', '--restrict'],
    'keys unrestrict': ['keys', 'unrestrict', '--user', 'bob', '--line', '1'],
    upgrade: ['upgrade'],
    restore: ['restore', '20261205T010000Z'],
  };
  assert.deepEqual(Object.keys(sample).sort(), [...FLEET_CHANGES].filter((c) => c !== 'ca trust').sort(), 'every routed command is sampled (ca trust: its CA file, below)');
  // (the samples are written as the host gets them: the command's options, then its operands)
  for (const [name, args] of Object.entries(sample)) {
    const r = await sshield([...args, '--host', 'a', '--dry-run']);
    assert.equal(r.code, 0, `${name}: ${r.err}`);
    assert.deepEqual(r.requests.map((q) => q.argv), [[...args, '--dry-run']], name);
  }
  for (const args of [['confirm', '--host', 'a'], ['ca', 'sign-host', '--dir', '/x', '--hostnames', 'h', '--host', 'a']]) {
    const r = await sshield(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, /not on remote hosts/);
    assert.equal(r.requests.length, 0);
  }
});

test('without a remote runner in the build the changing commands refuse --host clearly (exit 2)', async () => {
  const io = { out: () => undefined, err: (t: string) => void (msg += t), errRaw: () => undefined, stdoutIsTTY: false, stdinIsTTY: false, stderrIsTTY: false };
  let msg = '';
  useFleetRunner(undefined, { io });
  try {
    await buildProgram().parseAsync(['node', 'sshield', 'harden', '--host', 'a', '--yes']);
    assert.equal(process.exitCode, 2);
  } finally {
    process.exitCode = 0;
  }
  assert.match(msg, /not yet on remote hosts/);
});

test('the controller\'s own flags (--confirm-timeout, --verify-key, --remote-binary) go to the runner, never to the hosts', async () => {
  const r = await sshield(['harden', '--host', 'a', '--yes', '--confirm-timeout', '60', '--verify-key', '/k', '--remote-binary', '/opt/sshield']);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.requests[0]!.controller, { verifyKey: '/k', confirmTimeout: '60', remoteBinary: '/opt/sshield' });
  assert.deepEqual(r.requests[0]!.argv, ['harden', '--yes']);
});

test('Ctrl-C during a rollout: no further host is started, the one in flight finishes; a second Ctrl-C reaches the hosts in flight; exit 3', async () => {
  const r = await sshield(['harden', '--host', 'a', '--host', 'b', '--host', 'c', '--host', 'd', '--parallel', '2', '--yes'], {
    answer: (name) => {
      if (name === 'b') {
        process.emit('SIGINT', 'SIGINT');
        process.emit('SIGINT', 'SIGINT');
      }
      return { status: 'changed', backupId: 'B' };
    },
  });
  assert.equal(r.code, 3, r.err);
  assert.match(r.err, /SIGINT: no further host is started; the hosts in flight finish/);
  assert.match(r.err, /SIGINT: stopping the hosts in flight/);
  assert.ok(r.calls.length >= 2 && r.calls.length <= 3, r.calls.join());
  assert.match(r.out, /not started: interrupted \(SIGINT\)/);
  assert.equal(process.listenerCount('SIGINT'), 0, 'the handlers are removed after the run');
});

test('harden --profile FILE over --host: the file is read and checked here (errors as FILE:LINE, nothing reached) and its text sent to each host', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sshield-fc-'));
  try {
    const good = join(dir, 'fleet.yaml');
    const text = 'extends: baseline\nrules:\n  sshd/no-root-login: off\n';
    writeFileSync(good, text);
    const r = await sshield(['harden', '--profile', good, '--host', 'a', '--yes']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.requests[0]!.argv, ['harden', '--profile-text', text, '--yes']);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'extends: baseline\nrules:\n  sshd/no-such-rule: off\n');
    const b = await sshield(['harden', '--profile', bad, '--host', 'a', '--yes']);
    assert.equal(b.code, 2);
    assert.match(b.err, new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3:\\d+: .*no-such-rule`));
    assert.equal(b.requests.length, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the host side: harden --profile-text is the policy file\'s text, judged the same way (a rule turned off is not remediated)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sshield-fc-'));
  try {
    cpSync(resolve('examples/debian12-cloud'), dir, { recursive: true, verbatimSymlinks: true });
    const main = resolve('src/cli/main.ts');
    const harden = (extra: string[]) => spawnSync(process.execPath, ['--import', 'tsx', main, 'harden', '--root', dir, '--dry-run', '--json', ...extra], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const plain = JSON.parse(harden([]).stdout) as { plan: { remediated: string[] } };
    assert.ok(plain.plan.remediated.includes('sshd/no-root-login'));
    const x = harden(['--profile-text', 'extends: baseline\nrules:\n  sshd/no-root-login: off\n']);
    assert.equal(x.status, 0, x.stderr);
    const doc = JSON.parse(x.stdout) as { plan: { remediated: string[] } };
    assert.deepEqual(doc.plan.remediated, plain.plan.remediated.filter((id) => id !== 'sshd/no-root-login'));
    const both = harden(['--profile', 'strict', '--profile-text', 'extends: baseline\n']);
    assert.equal(both.status, 2);
    assert.match(both.stderr, /give --profile or --profile-text, not both/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ca trust --user-ca FILE over --host: the CA public key is read here and sent as --user-ca-key; the host trusts it as from its own file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sshield-fc-'));
  try {
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'user-ca', '-f', join(dir, 'user_ca')]);
    const key = readFileSync(join(dir, 'user_ca.pub'), 'utf8');
    const r = await sshield(['ca', 'trust', '--user-ca', join(dir, 'user_ca.pub'), '--principals', 'alice:alice,ops', '--host', 'a', '--yes']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.requests[0]!.argv, ['ca', 'trust', '--principals', 'alice:alice,ops', '--user-ca-key', key, '--yes']);
    // The host side, on a copy of an example root: the same plan from the key's text as from the file.
    const root = join(dir, 'root');
    cpSync(resolve('examples/debian12-cloud'), root, { recursive: true, verbatimSymlinks: true });
    const main = resolve('src/cli/main.ts');
    const trust = (extra: string[]) => spawnSync(process.execPath, ['--import', 'tsx', main, 'ca', 'trust', '--root', root, '--principals', 'debian:debian', '--dry-run', '--json', ...extra], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const fromFile = trust(['--user-ca', join(dir, 'user_ca.pub')]);
    const fromText = trust(['--user-ca-key', key]);
    assert.equal(fromText.status, 0, fromText.stderr);
    assert.equal(fromFile.status, 0, fromFile.stderr);
    const files = (x: { stdout: string }) => (JSON.parse(x.stdout) as { plan: { files: { path: string; after: string }[] } }).plan.files.map((f) => [f.path, f.after]);
    assert.deepEqual(files(fromText), files(fromFile));
    assert.ok(files(fromText).some(([, after]) => after!.includes(key.trim())), 'the CA key is installed');
    const neither = trust([]);
    assert.equal(neither.status, 2);
    assert.match(neither.stdout, /required option '--user-ca <CA\.pub>' not specified/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ca trust --revoked FILE over --host: the list is read and checked here, sent as --revoked-base64; the host plans the same KRL as from its own file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sshield-fc-'));
  try {
    const ca = join(dir, 'user_ca');
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'user-ca', '-f', ca]);
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'u')]);
    writeFileSync(join(dir, 'spec'), 'serial: 7\n');
    const krl = join(dir, 'revoked.krl');
    const made = spawnSync('ssh-keygen', ['-q', '-k', '-f', krl, '-s', `${ca}.pub`, join(dir, 'spec')], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const key = readFileSync(`${ca}.pub`, 'utf8');
    const bytes = readFileSync(krl);
    const r = await sshield(['ca', 'trust', '--user-ca', `${ca}.pub`, '--revoked', krl, '--principals', 'alice:alice', '--host', 'a', '--yes']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.requests[0]!.argv, ['ca', 'trust', '--principals', 'alice:alice', '--user-ca-key', key, '--revoked-base64', bytes.toString('base64'), '--yes']);
    assert.deepEqual(Buffer.from(revokedFromBase64(r.requests[0]!.argv[7]!) as Uint8Array), bytes, 'the bytes arrive whole');

    // Refused here, nothing reached: a list ssh-keygen cannot read (sshd would refuse every key), a
    // missing one, one too large for the host's command line, no CA file to check it against.
    writeFileSync(join(dir, 'garbage'), 'not a krl\n');
    writeFileSync(join(dir, 'big'), Buffer.alloc(MAX_FORWARDED_REVOKED_BYTES + 1, 0x41));
    for (const [args, re] of [
      [['--user-ca', `${ca}.pub`, '--revoked', join(dir, 'garbage')], /--revoked .*garbage: not a revocation list sshd can read \(it would refuse every public key\): neither a KRL nor a text list of public keys \(line 1 is not a key\)/],
      [['--user-ca', `${ca}.pub`, '--revoked', join(dir, 'nope.krl')], /--revoked .*nope\.krl: ENOENT/],
      [['--user-ca', `${ca}.pub`, '--revoked', join(dir, 'big')], /--revoked .*big: 65537 bytes, over the 65536 bytes sent to the hosts on their command line; copy it to each host/],
      [['--user-ca-key', key, '--revoked', krl], /--revoked needs the CA as a file \(--user-ca\)/],
    ] as const) {
      const x = await sshield(['ca', 'trust', ...args, '--host', 'a', '--yes']);
      assert.equal(x.code, 2, args.join(' '));
      assert.match(x.err, re);
      assert.equal(x.requests.length, 0);
    }

    // The host side, on a copy of an example root: the same plan from the base64 as from the file
    // (the KRL written byte for byte, RevokedKeys added); a list its ssh-keygen cannot read is
    // refused by the same guard as a local file.
    const root = join(dir, 'root');
    cpSync(resolve('examples/debian12-cloud'), root, { recursive: true, verbatimSymlinks: true });
    const main = resolve('src/cli/main.ts');
    const trust = (extra: string[]) => spawnSync(process.execPath, ['--import', 'tsx', main, 'ca', 'trust', '--root', root, '--principals', 'debian:debian', '--dry-run', '--json', ...extra], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const fromFile = trust(['--user-ca', `${ca}.pub`, '--revoked', krl]);
    const fromText = trust(['--user-ca-key', key, '--revoked-base64', bytes.toString('base64')]);
    assert.equal(fromFile.status, 0, fromFile.stdout);
    assert.equal(fromText.status, 0, fromText.stdout);
    const files = (x: { stdout: string }) => (JSON.parse(x.stdout) as { plan: { files: { path: string; after: string }[] } }).plan.files.map((f) => [f.path, f.after]);
    assert.deepEqual(files(fromText), files(fromFile));
    assert.ok(files(fromText).some(([p, after]) => p!.endsWith('/sshield_revoked_keys') && Buffer.from(after!, 'latin1').equals(bytes)), 'the KRL, byte for byte');
    assert.ok(files(fromText).some(([p, after]) => p === '/etc/ssh/sshd_config.d/00-sshield.conf' && /^RevokedKeys \/etc\/ssh\/sshield_revoked_keys$/m.test(after!)), JSON.stringify(files(fromText).map(([p]) => p)));
    const garbage = trust(['--user-ca-key', key, '--revoked-base64', Buffer.from('not a krl\n').toString('base64')]);
    assert.equal(garbage.status, 0, garbage.stdout);
    assert.match((JSON.parse(garbage.stdout) as { outcome: { wouldRefuse?: string } }).outcome.wouldRefuse ?? '', /sshd refuses every public key when RevokedKeys cannot be read, and the controller's revocation list \(10 bytes\) cannot be: neither a KRL nor a text list of public keys \(line 1 is not a key\)/);
    assert.doesNotMatch(garbage.stdout, /sshield-krl-/, 'no temporary path in the message');
    // A text list of public keys (sshd reads one when the file is no KRL; ssh-keygen -Q does not):
    // accepted here, sent the same way, and the host plans it as from its own file, unrefused.
    const list = join(dir, 'revoked.txt');
    writeFileSync(list, `# left the company\n${readFileSync(join(dir, 'u.pub'), 'utf8')}`);
    const sent = await sshield(['ca', 'trust', '--user-ca', `${ca}.pub`, '--revoked', list, '--host', 'a', '--yes']);
    assert.equal(sent.code, 0, sent.err);
    assert.deepEqual(sent.requests[0]!.argv, ['ca', 'trust', '--user-ca-key', key, '--revoked-base64', readFileSync(list).toString('base64'), '--yes']);
    const textFile = trust(['--user-ca', `${ca}.pub`, '--revoked', list]);
    const textSent = trust(['--user-ca-key', key, '--revoked-base64', readFileSync(list).toString('base64')]);
    assert.deepEqual(files(textSent), files(textFile));
    for (const x of [textFile, textSent]) assert.doesNotMatch((JSON.parse(x.stdout) as { outcome: { wouldRefuse?: string } }).outcome.wouldRefuse ?? '', /RevokedKeys cannot be read/);
    const both = trust(['--user-ca', `${ca}.pub`, '--revoked', krl, '--revoked-base64', 'QUJD']);
    assert.equal(both.status, 2);
    assert.match(both.stdout, /give --revoked or --revoked-base64, not both/);

    // The host decodes strictly: a mangled argument is an error, never a shorter list.
    assert.equal(revokedFromBase64('QUJD=x'), '--revoked-base64: not base64');
    assert.deepEqual(Buffer.from(revokedFromBase64('QUJD') as Uint8Array), Buffer.from('ABC'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
