// Changes where the files are (issue 17 item 4), against real test hosts that serve their own
// sshd_config (ownDaemon), with the real single executable copied over real ssh: `sshield harden
// --host` hardens a host through its admin's passwordless sudo (a cloud image's `debian`, whose
// .bashrc prints a line before every command's output), the
// change is confirmed over a NEW connection, the host re-audits clean for what was hardened, a
// second run changes nothing and copies nothing, a cached copy changed on the host is caught and
// replaced; the controller killed between the change and the confirmation leaves the host to roll
// back by itself within the window, still admitting the admin; a failed proof rolls back at once;
// an executable that answers garbage is a failure with the reason; an unsafe cache directory, an
// executable for another machine and a sudo that wants a password are refused with nothing copied.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, createReadStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run } from '../../helpers/sshd.js';
import { ensureSea } from '../../helpers/sea.js';
import { startTestFleet, testHostsAvailable, type TestFleet } from '../../helpers/test-hosts.js';
import { SshPool } from '../../../src/fleet/ssh.js';
import { remoteChangeRunner } from '../../../src/fleet/remote-change.js';
import type { FleetTarget } from '../../../src/fleet/target.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..');
const BIN = join(REPO, 'bin', 'sshield.js');
const skip = testHostsAvailable() ?? (process.arch !== 'x64' ? 'the single executable is built for x64 only' : undefined);

let fleet: TestFleet;
let sea: string;
let seaSha: string;
let work: string;

const cloud = (name: string) => ({ name, example: 'debian12-cloud', ownDaemon: true, sudoAdmin: 'debian' });

before(async () => {
  if (skip) return;
  execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO, stdio: 'ignore' });
  sea = await ensureSea();
  const h = createHash('sha256');
  for await (const c of createReadStream(sea)) h.update(c as Buffer);
  seaSha = h.digest('hex');
  work = mkdtempSync(join(tmpdir(), 'sshield-remote-test-'));
  fleet = await startTestFleet([
    // Its admin's .bashrc talks (Debian's bash reads it for ssh commands too): lines before every answer.
    { ...cloud('web1'), setup: (dir) => writeFileSync(join(dir, 'home/debian/.bashrc'), 'echo "Welcome, debian! Disk 93% full."\n') },
    cloud('web2'),
    cloud('web3'),
    cloud('nosudo'),
    {
      name: 'junk',
      example: 'pve9-default',
      ownDaemon: true,
      setup: (dir) => {
        const env = (o: object) => JSON.stringify({ schemaVersion: 1, command: 'harden', outcome: o, plan: null, backup: null, verify: null, messages: [] });
        writeFileSync(join(dir, 'root/text'), 'console.log("Welcome to junk!"); console.log("{");\n');
        writeFileSync(join(dir, 'root/flood'), 'const b = Buffer.alloc(65536, 120); const w = () => process.stdout.write(b, w); w();\n');
        writeFileSync(join(dir, 'root/liar'), `process.stdout.write(${JSON.stringify(env({ kind: 'refused', reason: 'x', exitCode: 3 }))}); process.exitCode = 0;\n`);
        writeFileSync(join(dir, 'root/escapes'), `process.stdout.write(${JSON.stringify(env({ kind: 'refused', reason: 'no\u001b[2J\u001b[31mred\u202e\nline two', exitCode: 3 }))}); process.exitCode = 3;\n`);
      },
    },
    {
      // /var/lib/sshield is a symlink to a directory anyone could have prepared.
      name: 'link',
      example: 'pve9-default',
      ownDaemon: true,
      setup: (dir) => {
        mkdirSync(join(dir, 'srv/elsewhere'), { recursive: true });
        mkdirSync(join(dir, 'var/lib'), { recursive: true });
        symlinkSync('/srv/elsewhere', join(dir, 'var/lib/sshield'));
      },
    },
    {
      name: 'gw',
      example: 'pve9-default',
      ownDaemon: true,
      setup: (dir) => {
        mkdirSync(join(dir, 'var/lib/sshield/bin'), { recursive: true });
        chmodSync(join(dir, 'var/lib/sshield/bin'), 0o775);
      },
    },
  ]);
});
after(async () => {
  await fleet?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const host = (n: string) => fleet.hosts.find((h) => h.name === n)!;
const target = (name: string, user?: string): FleetTarget => ({ name, address: name, ...(user ? { user } : {}), groups: ['all'], source: 'test' });

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function sshield(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return run(process.execPath, [BIN, ...args], { timeoutMs: 180_000, env: { NO_COLOR: '1', TMPDIR: work, ...env } });
}

interface FleetJson {
  hosts: { name: string; status: string; reason?: string; backupId?: string; envelope?: { plan?: { remediated?: string[] } } }[];
  summary: { exitCode: number };
}

/** The host's files that a harden may touch, as bytes. */
function sshFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(join(dir, d), { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out[p] = readFileSync(join(dir, p), 'latin1');
    }
  };
  walk('etc/ssh');
  return out;
}

const accepted = (name: string) => (fleet.log(name).match(/^Accepted publickey for debian /gm) ?? []).length;

async function cached(name: string): Promise<{ inode: string; sha: string }> {
  const f = `/var/lib/sshield/bin/sshield-${seaSha}`;
  const r = await fleet.exec(name, ['sh', '-c', `stat -c %i ${f} && sha256sum < ${f} | cut -c1-64`]);
  assert.equal(r.code, 0, r.stderr);
  const [inode = '', sha = ''] = r.stdout.trim().split('\n');
  return { inode, sha };
}

async function journal(name: string, id: string): Promise<{ phase: string } & Record<string, unknown>> {
  const r = await fleet.exec(name, ['cat', `/var/backups/sshield/${id}/journal.json`]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as { phase: string };
}

test('harden --host through sudo: applied on the host, confirmed over a new connection, re-audited clean; again: unchanged, nothing copied; a changed cached copy is caught and replaced', { skip }, async () => {
  const h = host('web1');
  const base = ['harden', '--host', 'debian@web1', '--ssh-config', fleet.sshConfig, '--remote-binary', sea, '--yes', '--json'];
  // --dry-run: the host's plan, nothing written there.
  const dry = await sshield(base.map((a) => (a === '--yes' ? '--dry-run' : a)));
  assert.equal(dry.code, 0, dry.stderr);
  const planned = JSON.parse(dry.stdout) as FleetJson;
  assert.equal(planned.hosts[0]!.status, 'planned', JSON.stringify(planned.hosts[0]));
  assert.ok(((planned.hosts[0]!.envelope as { plan?: { files?: unknown[] } }).plan?.files ?? []).length > 0);
  assert.equal((await fleet.exec('web1', ['ls', '-A', '/var/backups'])).stdout, '', 'a dry run writes nothing on the host');
  const logins = accepted('web1');
  const r = await sshield(base);
  assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}\n${fleet.log('web1')}`);
  const doc = JSON.parse(r.stdout) as FleetJson;
  const web1 = doc.hosts[0]!;
  assert.equal(web1.status, 'changed', JSON.stringify(web1));
  // Two logins: the run's shared connection, and the proof's own new one that confirmed.
  assert.equal(accepted('web1') - logins, 2, fleet.log('web1'));
  const j = await journal('web1', web1.backupId!);
  assert.equal(j.phase, 'committed');
  assert.match(readFileSync(join(h.dir, 'etc/ssh/sshd_config.d/00-sshield.conf'), 'utf8'), /PasswordAuthentication no/);
  // The host's own daemon runs the change: its sshd -T says so.
  const t = await fleet.exec('web1', ['/usr/sbin/sshd', '-T']);
  assert.match(t.stdout, /^passwordauthentication no$/m);
  // Re-audit of the host's files: every rule the plan remediated passes now.
  const remediated = (web1.envelope as { plan?: { remediated?: string[] } }).plan?.remediated ?? [];
  assert.ok(remediated.length >= 3, JSON.stringify(remediated));
  const audit = await sshield(['audit', '--root', h.dir, '--json']);
  const results = (JSON.parse(audit.stdout) as { results: { ruleId: string; status: string }[] }).results;
  for (const id of remediated) assert.equal(results.find((x) => x.ruleId === id)?.status, 'pass', id);
  const first = await cached('web1');
  assert.equal(first.sha, seaSha);

  const again = await sshield(base);
  assert.equal(again.code, 0, again.stderr);
  assert.equal((JSON.parse(again.stdout) as FleetJson).hosts[0]!.status, 'unchanged');
  assert.deepEqual(await cached('web1'), first, 'the cached copy was used, not copied again');

  // Someone changes one byte of the cached copy: found at the next run, copied afresh (a new file).
  const f = `/var/lib/sshield/bin/sshield-${seaSha}`;
  const tamper = await fleet.exec('web1', ['sh', '-c', `printf X | dd of=${f} bs=1 seek=4096 conv=notrunc 2>/dev/null`]);
  assert.equal(tamper.code, 0, tamper.stderr);
  assert.notEqual((await cached('web1')).sha, seaSha);
  const third = await sshield(base);
  assert.equal(third.code, 0, third.stderr);
  assert.equal((JSON.parse(third.stdout) as FleetJson).hosts[0]!.status, 'unchanged');
  const now = await cached('web1');
  assert.equal(now.sha, seaSha);
  assert.notEqual(now.inode, first.inode);
  const ls = await fleet.exec('web1', ['sh', '-c', 'stat -c "%a %u" /var/lib/sshield/bin; ls -A /var/lib/sshield/bin']);
  assert.equal(ls.stdout, `700 0\nsshield-${seaSha}\n`);
});

test('the controller SIGKILLed after the host applied and before it confirmed: the host rolls back by itself within the window and still admits the admin', { skip }, async () => {
  const h = host('web2');
  const before = sshFiles(h.dir);
  // A short TMPDIR (the pool puts its socket directory there only when the path leaves room for
  // ssh's socket names, else in /tmp), so the killed controller's master and directory are found below.
  const tmp = mkdtempSync('/tmp/sk-');
  const child = spawn(process.execPath, [BIN, 'harden', '--host', 'debian@web2', '--ssh-config', fleet.sshConfig, '--remote-binary', sea, '--yes', '--confirm-timeout', '10'], {
    env: { ...process.env, NO_COLOR: '1', TMPDIR: tmp, SSHIELD_TEST_PAUSE_AT: 'remote-applied' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (err += d));
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  const deadline = Date.now() + 120_000;
  while (!err.includes('paused at remote-applied') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  assert.match(err, /paused at remote-applied/);
  child.kill('SIGKILL');
  const killedAt = Date.now();
  await exited;
  // Applied on the host, awaiting a confirmation that never comes.
  assert.notDeepEqual(sshFiles(h.dir), before);
  const [id] = (await fleet.exec('web2', ['ls', '/var/backups/sshield'])).stdout.trim().split('\n');
  assert.equal((await journal('web2', id!)).phase, 'awaiting-confirm');
  let phase = '';
  while (Date.now() - killedAt < 60_000) {
    phase = (await journal('web2', id!)).phase;
    if (phase === 'rolled-back') break;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal(phase, 'rolled-back');
  // Within the window (10 s from the change) plus the watcher's poll and the rollback's own work.
  assert.ok(Date.now() - killedAt < 30_000, `rolled back ${Date.now() - killedAt} ms after the kill`);
  assert.deepEqual(sshFiles(h.dir), before, 'every file byte-identical to before');
  const login = await run('ssh', ['-F', fleet.sshConfig, '-l', 'debian', 'web2', 'sudo -n true && echo in'], { timeoutMs: 30_000 });
  assert.equal(login.stdout.trim(), 'in', login.stderr);
  const t = await fleet.exec('web2', ['/usr/sbin/sshd', '-T']);
  assert.match(t.stdout, /^passwordauthentication yes$/m, 'the daemon serves the old config again');
  // The killed controller's ssh master is told to go (it would otherwise linger for ControlPersist).
  const dirs = readdirSync(tmp);
  assert.equal(dirs.length, 1, 'the killed controller left its socket directory in its TMPDIR');
  for (const d of dirs) for (const s of readdirSync(join(tmp, d))) await run('ssh', ['-F', 'none', '-o', `ControlPath=${join(tmp, d, s)}`, '-O', 'exit', 'x']);
  rmSync(tmp, { recursive: true, force: true });
});

test('the proof\'s new connection fails after the change: rolled back now over the run\'s connection, not at the deadline; when nothing reaches the host, its watcher does at the deadline', { skip }, async () => {
  const h = host('web3');
  const before = sshFiles(h.dir);
  const pool = new SshPool({ configFile: fleet.sshConfig });
  try {
    // The proof logs in as an account the host does not have: exactly what a change that cut
    // the admin's new logins looks like from here.
    const runner = remoteChangeRunner({ pool, argv: ['harden'], deadlineMs: 120_000, binary: sea, confirmTimeoutSec: 300, proofOptions: ['User=sshield-t-nobody'] });
    const t0 = Date.now();
    const r = await runner(target('web3', 'debian'), {});
    assert.equal(r.status, 'rolled-back', JSON.stringify(r));
    assert.match(r.reason!, /access not proven after the change: the new connection failed: .*Permission denied.*; rolled back now/);
    assert.ok(Date.now() - t0 < 120_000);
    assert.equal((await journal('web3', r.backupId!)).phase, 'rolled-back');
    assert.match(JSON.stringify(await journal('web3', r.backupId!)), /rejected/);
    assert.deepEqual(sshFiles(h.dir), before);
    // The hook refusing (a PVE peer that lost its SSH): rolled back now over the proof's connection.
    const hooked = await remoteChangeRunner({ pool, argv: ['harden'], deadlineMs: 120_000, binary: sea, confirmTimeoutSec: 300 })(target('web3', 'debian'), { beforeConfirm: async () => ({ ok: false, reason: 'peer pve2 cannot log in' }) });
    assert.equal(hooked.status, 'rolled-back', JSON.stringify(hooked));
    assert.equal(hooked.reason, 'peer pve2 cannot log in; rolled back now');
    assert.deepEqual(sshFiles(h.dir), before);
    // An abort before the confirmation never confirms.
    const ac = new AbortController();
    const aborted = await remoteChangeRunner({ pool, argv: ['harden'], deadlineMs: 120_000, binary: sea, confirmTimeoutSec: 300, onStep: (_t, s) => void (s === 'applied' && ac.abort('SIGINT')) })(target('web3', 'debian'), {}, ac.signal);
    assert.equal(aborted.status, 'rolled-back', JSON.stringify(aborted));
    assert.match(aborted.reason!, /interrupted before the change was confirmed \(SIGINT\); rolled back now/);
    assert.deepEqual(sshFiles(h.dir), before);
  } finally {
    await pool.close();
  }
  // Neither the proof nor the run's own connection reaches the host any more (its master gone
  // right after the change): nothing can be undone from here, and the reason says the host's
  // watcher will; it does, at the end of the 10 s window.
  const lost = new SshPool({ configFile: fleet.sshConfig });
  const cut = await remoteChangeRunner({ pool: lost, argv: ['harden'], deadlineMs: 120_000, binary: sea, confirmTimeoutSec: 10, proofOptions: ['User=sshield-t-nobody'], onStep: async (_t, s) => void (s === 'applied' && (await lost.close())) })(target('web3', 'debian'), {});
  assert.equal(cut.status, 'failed', JSON.stringify(cut));
  assert.match(cut.reason!, /^access not proven after the change: .*Permission denied.*; rolling back now failed \(the SSH pool is closed\): the host's watcher rolls it back at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(the end of the confirm window\)$/);
  assert.notDeepEqual(sshFiles(h.dir), before, 'still applied, awaiting the deadline');
  let phase = '';
  for (const end = Date.now() + 60_000; Date.now() < end && phase !== 'rolled-back'; await new Promise((r) => setTimeout(r, 250))) phase = (await journal('web3', cut.backupId!)).phase;
  assert.equal(phase, 'rolled-back');
  assert.deepEqual(sshFiles(h.dir), before);
});

test('a host whose sshield answers garbage (text, a flood, nothing, a lying exit code, terminal escapes) fails or is refused with the reason; nothing is believed', { skip }, async () => {
  // The "executable" is this node (a real x86-64 ELF, copied and verified like sshield); the host
  // command names a script in the host's /root, where the ssh session starts: each answers badly.
  const pool = new SshPool({ configFile: fleet.sshConfig });
  try {
    const go = (argv: string[], binary: string = process.execPath) => remoteChangeRunner({ pool, argv, deadlineMs: 60_000, binary, sea: false, maxAnswerBytes: 100_000 })(target('junk'), {});
    const text = await go(['text']);
    assert.equal(text.status, 'failed');
    assert.equal(text.reason, 'the host\'s answer is not JSON: "Welcome to junk! {" (exit 0)');
    const flood = await go(['flood']);
    assert.equal(flood.status, 'failed');
    assert.match(flood.reason!, /^sent more than 100000 bytes; if the host applied the change, its watcher rolls it back/);
    const liar = await go(['liar']);
    assert.equal(liar.status, 'failed');
    assert.equal(liar.reason, 'the host\'s sshield exited 0 but its envelope says refused (exit 3)');
    const escapes = await go(['escapes']);
    assert.equal(escapes.status, 'refused');
    assert.equal(escapes.reason, 'no [2J [31mred line two');
    const none = await go(['x'], '/usr/bin/true');
    assert.equal(none.status, 'failed');
    assert.match(none.reason!, /^the host printed nothing \(exit 0\)$/);
    for (const r of [text, flood, liar, none]) assert.equal(r.envelope, undefined);
    // A script is not an executable for the host: refused before anything is copied.
    const script = await go(['x'], join(REPO, 'scripts', 'build-sea.sh'));
    assert.equal(script.status, 'failed');
    assert.match(script.reason!, /build-sea\.sh \(--remote-binary \/ SSHIELD_REMOTE_BINARY\): not an ELF executable/);
  } finally {
    await pool.close();
  }
});

test('a cache directory that is a symlink, or group-writable (exit 3 over the CLI), an executable for another machine, a sudo that wants a password: refused, nothing copied', { skip }, async () => {
  const r = await sshield(['harden', '--host', 'link', '--ssh-config', fleet.sshConfig, '--remote-binary', sea, '--yes', '--json']);
  assert.equal(r.code, 3, r.stderr);
  const doc = JSON.parse(r.stdout) as FleetJson;
  assert.equal(doc.hosts[0]!.status, 'refused');
  assert.match(doc.hosts[0]!.reason!, /\/var\/lib\/sshield is a symlink/);
  assert.deepEqual(readdirSync(join(host('link').dir, 'srv/elsewhere')), []);
  const g = await sshield(['harden', '--host', 'gw', '--ssh-config', fleet.sshConfig, '--remote-binary', sea, '--yes', '--json']);
  assert.equal(g.code, 3, g.stderr);
  const gd = JSON.parse(g.stdout) as FleetJson;
  assert.match(gd.hosts[0]!.reason!, /\/var\/lib\/sshield\/bin is group- or other-writable \(mode 0775\)/);
  assert.deepEqual(readdirSync(join(host('gw').dir, 'var/lib/sshield/bin')), []);
  for (const n of ['link', 'gw']) assert.deepEqual((await fleet.exec(n, ['ls', '-A', '/var/backups'])).stdout, '', `${n}: nothing ran`);
  // An executable for another machine, and an admin whose sudo wants a password: refused before
  // anything is copied or run.
  const pool = new SshPool({ configFile: fleet.sshConfig });
  try {
    const arm = join(work, 'sshield-linux-arm64');
    const head = Buffer.alloc(64);
    head.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
    head.writeUInt16LE(183, 18);
    writeFileSync(arm, head);
    const wrongArch = await remoteChangeRunner({ pool, argv: ['harden'], deadlineMs: 60_000, binary: arm, sea: false })(target('gw'), {});
    assert.equal(wrongArch.status, 'refused');
    assert.match(wrongArch.reason!, /^the host is x86_64 but .*sshield-linux-arm64 \(--remote-binary \/ SSHIELD_REMOTE_BINARY\) is built for aarch64/);
    assert.equal((await fleet.exec('nosudo', ['rm', '/etc/sudoers.d/90-test-admin'])).code, 0);
    const noSudo = await remoteChangeRunner({ pool, argv: ['harden'], deadlineMs: 60_000, binary: sea })(target('nosudo', 'debian'), {});
    assert.equal(noSudo.status, 'refused');
    assert.match(noSudo.reason!, /^debian is not root and `sudo -n` does not run without a password \(sudo: a password is required\): connect as root, or give that user passwordless sudo/);
    assert.equal((await fleet.exec('nosudo', ['sh', '-c', 'ls -A /var/backups; [ ! -e /var/lib/sshield ] && echo none'])).stdout, 'none\n', 'nothing made, copied or run');
  } finally {
    await pool.close();
  }
});

test('user nologin and keys add over --host through a sudo without secure_path: the host\'s sshield runs with root\'s PATH (usermod is in /usr/sbin) and both are confirmed', { skip }, async () => {
  const h = host('web3');
  execFileSync('useradd', ['-R', h.dir, '-m', '-s', '/bin/bash', 'sshield-t-bob']);
  assert.equal((await fleet.exec('web3', ['sed', '-i', '/secure_path/d', '/etc/sudoers'])).code, 0);
  const common = ['--host', 'debian@web3', '--ssh-config', fleet.sshConfig, '--remote-binary', sea, '--yes', '--json', '--confirm-timeout', '30'];
  const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl bob@laptop';
  const k = await sshield(['keys', 'add', '--user', 'sshield-t-bob', '--key', key, ...common]);
  assert.equal(k.code, 0, k.stderr + k.stdout);
  assert.equal((JSON.parse(k.stdout) as FleetJson).hosts[0]!.status, 'changed');
  assert.ok(readFileSync(join(h.dir, 'home/sshield-t-bob/.ssh/authorized_keys'), 'utf8').includes(key));
  const n = await sshield(['user', 'nologin', 'sshield-t-bob', ...common]);
  assert.equal(n.code, 0, n.stderr + n.stdout);
  const doc = JSON.parse(n.stdout) as FleetJson;
  assert.equal(doc.hosts[0]!.status, 'changed', JSON.stringify(doc.hosts[0]));
  assert.match(readFileSync(join(h.dir, 'etc/passwd'), 'utf8'), /^sshield-t-bob:.*:\/usr\/sbin\/nologin$/m);
  assert.equal((await journal('web3', doc.hosts[0]!.backupId!)).phase, 'committed');
});
