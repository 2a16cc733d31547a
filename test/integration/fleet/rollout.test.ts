// Proof of issue 17 item 5: `sshield harden` rolled over five test hosts (test/helpers/test-hosts.ts,
// ownDaemon: each a real sshd in its own mount namespace serving its own /etc/ssh) by the built CLI,
// which copies the single executable to each host and runs the change there (src/fleet/
// remote-change.ts), canary first, then `--parallel 2`.
//
// 1. --dry-run shows every host's diff and writes nothing; without --yes and without a terminal
//    the plans are shown and nothing changes (exit 3). Then all five hardened: every host `changed`, its sshd serving the hardened config, and a fleet audit
//    over SSH afterwards passes every rule the harden remediated on that host. `restore` over the
//    same hosts, asked on a terminal (every host plans, one question), then puts every file back
//    byte for byte.
// 2. One host made to fail: its sshd rejects the candidate. The host's own /usr/sbin/sshd is, in its
//    namespace only, a wrapper that answers `sshd -t -f <candidate>` with an error and passes every
//    other call (the daemon itself, `sshd -t` of the live file, `sshd -T`) to the real binary. It
//    stands for what this proof is about: a host whose sshd does not accept what the planner made
//    (a distribution patch, an older build than the one the plan was judged for); the test cannot
//    install a different openssh in one namespace, and the wrapper is armed only for this run.
//    Order: h1 (canary), hF (fails), h3, h4, h5 with --parallel 2. hF's writer refuses to install
//    (its sshd_config byte-identical after), so the rollout stops: h4 and h5 are never started
//    (byte-identical), the exit code is 2, and the summary names who changed, failed and was
//    skipped. h3 runs beside hF; so that "h3 finished first and h4 started" cannot happen under load,
//    h3's sshd wrapper holds its candidate check until hF's run has ended on its host (the test
//    releases it when no sshield process is left in hF's namespace); h3 then completes (changed).
// Wall time: one build, one fleet of five daemons, four rollouts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run, SSHD } from '../../helpers/sshd.js';
import { ensureSea } from '../../helpers/sea.js';
import { startTestFleet, testHostsAvailable, type TestFleet } from '../../helpers/test-hosts.js';
import { assertMatchesSchema } from '../../helpers/json-schema.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..');
const BIN = join(REPO, 'bin', 'sshield.js');
const skip = testHostsAvailable() ?? (process.arch !== 'x64' ? 'the single executable is built for x86-64' : undefined);
const NAMES = ['h1', 'hF', 'h3', 'h4', 'h5'];

let fleet: TestFleet;
let work = '';
let sea = '';
let inventory = '';

/** The wrapper over /usr/sbin/sshd of one host (see the top of this file); `role` fail or gate, armed by CTL/armed. */
function wrapper(role: 'fail' | 'gate', real: string, ctl: string): string {
  return `#!/bin/sh
# sshield test wrapper over /usr/sbin/sshd in ONE test host's mount namespace (rollout.test.ts)
t=no; cand=no; prev=
for a in "$@"; do
  [ "$a" = -t ] && t=yes
  [ "$prev" = -f ] && [ "$a" != /etc/ssh/sshd_config ] && cand=yes
  prev=$a
done
if [ $t = yes ] && [ $cand = yes ] && [ -e '${ctl}/armed' ]; then
  ${role === 'fail'
    ? `: > '${ctl}/rejected'
  echo "sshd: this host's sshd rejects the candidate configuration (test wrapper, rollout.test.ts)" >&2
  exit 255`
    : `i=0
  while [ ! -e '${ctl}/released' ] && [ $i -lt 1800 ]; do sleep 0.1; i=$((i+1)); done`}
fi
exec '${real}' "$@"
`;
}

/** Every file under the host's etc/ssh, path -> bytes (base64), for byte-identical comparisons. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out.set(p.slice(dir.length), `${(st.mode & 0o7777).toString(8)} ${readFileSync(p).toString('base64')}`);
    }
  };
  walk(join(dir, 'etc/ssh'));
  return out;
}

/** Each host's line of a --json answer (status and reason), for failure messages. */
function who(stdout: string, stderr: string): string {
  try {
    return (JSON.parse(stdout) as FleetDoc).hosts.map((h) => `${h.name} ${h.status}${h.reason ? `: ${h.reason}` : ''}`).join('\n') + `\n${stderr}`;
  } catch {
    return `${stdout.slice(0, 2000)}\n${stderr}`;
  }
}

const dirOf = (name: string) => fleet.hosts.find((h) => h.name === name)!.dir;

async function sshield(args: string[], timeoutMs = 300_000) {
  return run(process.execPath, [BIN, ...args, '--ssh-config', fleet.sshConfig, '--remote-binary', sea], { env: { NO_COLOR: '1' }, timeoutMs });
}

/**
 * The built CLI on a terminal (util-linux `script` gives it a pty): `answer` is typed once
 * `question` has been shown (readline follows it with cursor movements). Output is stdout and stderr as the terminal showed them.
 */
function onTerminal(args: string[], question: RegExp, answer: string, timeoutMs = 300_000): Promise<{ code: number | null; output: string; asked: number }> {
  const q = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  const line = [process.execPath, BIN, ...args, '--ssh-config', fleet.sshConfig, '--remote-binary', sea].map(q).join(' ');
  return new Promise((done) => {
    const child = spawn('script', ['-qefc', line, '/dev/null'], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let asked = 0;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const seen = (d: Buffer) => {
      output += d.toString('utf8');
      if (asked === 0 && question.test(output)) {
        asked++;
        output += '\n';
        child.stdin.write(answer);
      }
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.on('close', (code) => {
      clearTimeout(timer);
      child.stdin.destroy();
      done({ code, output, asked });
    });
  });
}

interface FleetDoc {
  hosts: { name: string; status: string; reason?: string; backupId?: string; envelope: { plan: { remediated: string[] } | null; outcome: { kind: string } } | null }[];
  summary: { exitCode: number; changed: number; failed: number; skipped: number };
}

before(async () => {
  if (skip) return;
  execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO, stdio: 'ignore' });
  sea = await ensureSea();
  work = mkdtempSync(join(tmpdir(), 'sshield-rollout-'));
  // The real binary, still named sshd: sshd takes its PAM service name from its program name.
  mkdirSync(join(work, 'real'));
  const real = join(work, 'real', 'sshd');
  copyFileSync(SSHD, real);
  chmodSync(real, 0o755);
  for (const role of ['fail', 'gate'] as const) {
    writeFileSync(join(work, `sshd-${role}`), wrapper(role, real, work));
    chmodSync(join(work, `sshd-${role}`), 0o755);
  }
  fleet = await startTestFleet(
    NAMES.map((name) => ({
      name,
      example: 'debian12-cloud',
      ownDaemon: true,
      // The admin is `debian` (the example's sudo member) with passwordless sudo, as on a cloud
      // image: the hardened config turns root logins off, so the controller connects as that admin
      // and sshield runs through `sudo -n`.
      sudoAdmin: 'debian',
      ...(name === 'hF' ? { binds: { '/usr/sbin/sshd': join(work, 'sshd-fail') } } : name === 'h3' ? { binds: { '/usr/sbin/sshd': join(work, 'sshd-gate') } } : {}),
    })),
  );
  inventory = join(work, 'hosts.ini');
  writeFileSync(inventory, `[web]\n${NAMES.map((n) => `${n} ansible_user=debian`).join('\n')}\n`);
});

after(async () => {
  await fleet?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('harden of five hosts: --dry-run and no terminal write nothing; canary then --parallel 2: all changed, the audit over SSH passes every remediated rule; restore, asked once on a terminal, puts every file back', { skip }, async () => {
  const original = new Map(NAMES.map((n) => [n, snapshot(dirOf(n))]));
  // --dry-run: every host's diff, nothing written anywhere.
  const plan = await sshield(['harden', '--inventory', inventory, '--parallel', '2', '--dry-run']);
  assert.equal(plan.code, 0, plan.stderr);
  for (const n of NAMES) assert.match(plan.stdout, new RegExp(`^== ${n} \\(debian@${n}\\)\\n/etc/ssh/sshd_config:\\n`, 'm'), plan.stdout.slice(0, 3000));
  assert.match(plan.stdout, /^\+PermitRootLogin no$/m);
  assert.match(plan.stdout, /^changed 0, unchanged 0, rolled back 0, failed 0, refused 0, skipped 0, planned 5 \(\d+ ms\)$/m);
  // Without --yes and without a terminal: the same plans, no question, nothing changed, exit 3.
  const noTty = await sshield(['harden', '--inventory', inventory, '--parallel', '2']);
  assert.equal(noTty.code, 3, noTty.stderr);
  assert.match(noTty.stderr, /no terminal to ask on; re-run with --yes/);
  assert.match(noTty.stdout, /^== h5 \(debian@h5\)$/m);
  for (const n of NAMES) assert.deepEqual(snapshot(dirOf(n)), original.get(n), `${n}: nothing written by --dry-run or without --yes`);

  const r = await sshield(['harden', '--inventory', inventory, '--parallel', '2', '--yes', '--json']);
  assert.equal(r.code, 0, who(r.stdout, r.stderr));
  assertMatchesSchema('change-fleet', r.stdout);
  const doc = JSON.parse(r.stdout) as FleetDoc;
  assert.deepEqual(doc.hosts.map((h) => `${h.name} ${h.status}`), NAMES.map((n) => `${n} changed`), who(r.stdout, r.stderr));
  const remediated = new Map(doc.hosts.map((h) => [h.name, h.envelope?.plan?.remediated ?? []]));
  for (const [n, ids] of remediated) assert.ok(ids.length >= 3, `${n}: the harden remediated rules (${ids.join(', ')})`);

  // The hosts as they are now, audited over SSH: every rule the harden remediated passes there.
  const a = await run(process.execPath, [BIN, 'audit', '--inventory', inventory, '--ssh-config', fleet.sshConfig, '--json'], { env: { NO_COLOR: '1' }, timeoutMs: 180_000 });
  assert.ok(a.code === 0 || a.code === 1, a.stderr);
  const audit = JSON.parse(a.stdout) as { hosts: { name: string; status: string; report?: { results: { ruleId: string; status: string }[] } }[] };
  for (const h of audit.hosts) {
    assert.equal(h.status, 'audited', h.name);
    const failing = h.report!.results.filter((x) => remediated.get(h.name)!.includes(x.ruleId) && x.status !== 'pass');
    assert.deepEqual(failing.map((x) => `${x.ruleId} ${x.status}`), [], `${h.name}: remediated rules pass after the harden`);
  }
  for (const n of NAMES) assert.notDeepEqual(snapshot(dirOf(n)), original.get(n), `${n} was changed`);

  // The text summary of the same kind of run: a second harden changes nothing anywhere.
  const again = await sshield(['harden', '--inventory', inventory, '--parallel', '2', '--yes']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /changed 0, unchanged 5, rolled back 0, failed 0, refused 0, skipped 0/);

  // Back to the start for the failure run: restore over the same hosts (each host's newest
  // backup), asked on a terminal: every host plans, the question comes once, "y" rolls it out.
  const back = await onTerminal(['restore', '--inventory', inventory, '--parallel', '2'], /Apply this change to 5 hosts \(the first host alone, then 2 at a time, stopping at the first failure\)\? \[y\/N\] /, 'y\n');
  assert.equal(back.code, 0, back.output);
  assert.equal(back.asked, 1, back.output);
  assert.equal(back.output.match(/Apply this change/g)?.length, 1, 'one question for all hosts');
  assert.match(back.output, /== h1 \(debian@h1\)\r?$/m, 'the plans come first (after the progress line is cleared)');
  assert.match(back.output, /^changed 5, unchanged 0, rolled back 0, failed 0, refused 0, skipped 0 \(\d+ ms\)\r?$/m);
  for (const n of NAMES) assert.deepEqual(snapshot(dirOf(n)), original.get(n), `${n}: restored byte for byte`);
});

test('one host whose sshd rejects the candidate: it is rolled back (byte-identical), the hosts after it are never started (byte-identical), exit 2, the summary says who', { skip }, async () => {
  const before = new Map(NAMES.map((n) => [n, snapshot(dirOf(n))]));
  writeFileSync(join(work, 'armed'), '');
  // Release h3's candidate check once hF's run has ended on hF (no sshield process left in its namespace).
  const hfNs = readlinkSync(`/proc/${fleet.hosts.find((h) => h.name === 'hF')!.child!.pid}/ns/mnt`);
  let releasing = true;
  const release = (async () => {
    const end = Date.now() + 240_000;
    while (releasing && Date.now() < end) {
      if (existsSync(join(work, 'rejected')) && !sshieldRunningIn(hfNs)) {
        writeFileSync(join(work, 'released'), '');
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  let r;
  try {
    r = await sshield(['harden', '--inventory', inventory, '--parallel', '2', '--yes', '--json']);
  } finally {
    releasing = false;
    await release;
    rmSync(join(work, 'armed'), { force: true });
  }
  assert.equal(r.code, 2, who(r.stdout, r.stderr));
  assertMatchesSchema('change-fleet', r.stdout);
  const doc = JSON.parse(r.stdout) as FleetDoc;
  assert.deepEqual(doc.hosts.map((h) => `${h.name} ${h.status}`), ['h1 changed', 'hF failed', 'h3 changed', 'h4 skipped', 'h5 skipped'], who(r.stdout, r.stderr));
  const hf = doc.hosts[1]!;
  assert.match(hf.reason ?? '', /sshd -t rejected the candidate|rejects the candidate/, JSON.stringify(hf));
  assert.equal(hf.envelope?.outcome.kind, 'failed');
  assert.equal(doc.summary.exitCode, 2);
  assert.deepEqual(snapshot(dirOf('hF')), before.get('hF'), 'hF: every file of /etc/ssh byte-identical after its rollback');
  for (const n of ['h4', 'h5']) assert.deepEqual(snapshot(dirOf(n)), before.get(n), `${n}: never started, byte-identical`);
  for (const n of ['h1', 'h3']) assert.notDeepEqual(snapshot(dirOf(n)), before.get(n), `${n}: hardened`);
  // hF still admits the admin, over a fresh connection.
  const login = await run('ssh', ['-F', fleet.sshConfig, '-o', 'ControlMaster=no', '-l', 'debian', 'hF', 'sudo -n true'], { timeoutMs: 30_000 });
  assert.equal(login.code, 0, login.stderr + fleet.log('hF'));

  // The same stop in text, with hF as the canary: one line per host, the counts, where it stopped.
  writeFileSync(join(work, 'armed'), '');
  let t;
  try {
    t = await sshield(['harden', '--inventory', inventory, '--limit', 'hF:h4:h5', '--parallel', '2', '--yes']);
  } finally {
    rmSync(join(work, 'armed'), { force: true });
  }
  assert.equal(t.code, 2, t.stderr);
  assert.match(t.stdout, /^sshield harden: 3 hosts \(canary first, then 2 at a time\)$/m);
  assert.match(t.stdout, /^hF +FAILED +.*reject/m);
  assert.match(t.stdout, /^h4 +skipped +not started: hF failed$/m);
  assert.match(t.stdout, /^h5 +skipped +not started: hF failed$/m);
  assert.match(t.stdout, /^changed 0, unchanged 0, rolled back 0, failed 1, refused 0, skipped 2 \(\d+ ms\)$/m);
  assert.match(t.stdout, /^stopped at hF \(FAILED\): the hosts after it were not started and are untouched$/m);
  for (const n of ['hF', 'h4', 'h5']) assert.deepEqual(snapshot(dirOf(n)), before.get(n), `${n}: byte-identical after the text run`);
});

/** Whether any process in the mount namespace `ns` runs sshield (the single executable the runner caches in the host's /var/lib/sshield). */
function sshieldRunningIn(ns: string): boolean {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readlinkSync(`/proc/${d}/ns/mnt`) !== ns) continue;
      if (readlinkSync(`/proc/${d}/exe`).startsWith('/var/lib/sshield/')) return true;
    } catch {
      /* gone */
    }
  }
  return false;
}
