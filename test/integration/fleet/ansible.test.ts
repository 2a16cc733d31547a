// The sshield.openssh Ansible collection (ansible/collections/ansible_collections/sshield/openssh)
// driven by Debian's ansible-playbook against real test hosts (test/helpers/test-hosts.ts: a
// Debian sshd per 127.0.1.x in its own mount namespace; the harden hosts run their OWN
// sshd_config, so a change there is live). The action plugins ship the single executable
// (dist/sshield-linux-x64) to each host by sha256 and the modules run it there with --json.
// Audit: each host's findings equal `sshield audit --root` of its directory; fail_on fails the
// hosts above it; the executable is transferred once, re-sent when the cached copy is damaged.
// Harden, 3 hosts + 1 whose change would lock Ansible's own root session out: check mode writes
// nothing and reports changed with the diff; the real run hardens (sshd -T shows it, a new ssh
// login works, the change is confirmed from a new connection and outlives its window); the second
// run changes nothing; the lockout host fails with the guard's reason every time, untouched.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { run } from '../../helpers/sshd.js';
import { ensureSea } from '../../helpers/sea.js';
import { startTestFleet, testHostsAvailable, type TestFleet } from '../../helpers/test-hosts.js';
import { ansibleAvailable, ansibleLab, type AnsibleLab, type HostResult } from '../../helpers/ansible.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..');
const BIN = join(REPO, 'bin', 'sshield.js');
const skip = testHostsAvailable() ?? ansibleAvailable();

let fleet: TestFleet;
let lab: AnsibleLab;
let sea: string;

const AUDIT_HOSTS = ['pve9', 'hardened', 'cloud'];
const HARDEN_HOSTS = ['deb12', 'pve9', 'pve8'];
const LOCKOUT = 'lockout';

before(async () => {
  if (skip) return;
  sea = await ensureSea();
  fleet = await startTestFleet([
    { name: 'pve9', example: 'pve9-default', ownDaemon: true },
    { name: 'deb12', example: 'debian12-cloud', ownDaemon: true },
    { name: 'pve8', example: 'pve8-default', ownDaemon: true },
    { name: LOCKOUT, example: 'debian12-cloud', ownDaemon: true },
    { name: 'cloud', example: 'debian12-cloud' },
    // Its KexAlgorithms name 10.x algorithms this machine's 9.2p1 sshd refuses to run: not its own daemon.
    { name: 'hardened', example: 'hardened' },
  ]);
  lab = ansibleLab(fleet.sshConfig, fleet.hosts.map((h) => h.name), { sshield_binary: sea });
});

after(async () => {
  await lab?.cleanup();
  await fleet?.stop();
});

function results(r: { tasks: ReadonlyMap<string, Readonly<Record<string, HostResult>>> }, task: string): Readonly<Record<string, HostResult>> {
  const t = r.tasks.get(task);
  assert.ok(t, `no task ${task} in ${[...r.tasks.keys()].join(', ')}`);
  return t;
}

test('sshield_audit: each host\'s findings as `audit --root` of its files; fail_on fails only the hosts above it; the executable is shipped once by sha256', { skip }, async () => {
  const play = (failOn: string) => `- hosts: lab\n  gather_facts: false\n  tasks:\n    - name: audit\n      sshield.openssh.sshield_audit:\n        fail_on: ${failOn}\n`;
  const r = await lab.playbook(play('critical'), { limit: AUDIT_HOSTS.join(':') });
  const res = results(r, 'audit');
  for (const h of AUDIT_HOSTS) {
    const x = res[h]!;
    assert.ok(!x.failed, `${h}: ${x.msg}`);
    assert.equal(x.changed, false);
    const local = JSON.parse((await run(process.execPath, [BIN, 'audit', '--root', fleet.hosts.find((y) => y.name === h)!.dir, '--json'])).stdout) as { results: { ruleId: string; status: string }[]; summary: unknown };
    const report = x.report as typeof local;
    assert.deepEqual(report.results.map((y) => [y.ruleId, y.status]), local.results.map((y) => [y.ruleId, y.status]), h);
    assert.equal((x.binary as { transferred: boolean }).transferred, true, h);
  }
  // Again with fail_on medium: the hosts with a medium finding fail with the rules named, the
  // hardened one passes; the cached executable is used, not sent again.
  const again = await lab.playbook(play('medium'), { limit: AUDIT_HOSTS.join(':') });
  const res2 = results(again, 'audit');
  for (const h of AUDIT_HOSTS) assert.equal((res2[h]!.binary as { transferred: boolean } | undefined)?.transferred, false, `${h}: ${res2[h]!.msg}`);
  assert.ok(!res2.hardened!.failed, res2.hardened!.msg);
  for (const h of ['pve9', 'cloud']) {
    assert.equal(res2[h]!.failed, true, h);
    assert.match(res2[h]!.msg!, /^sshield audit: rules failing at or above medium: sshd\//, h);
    assert.ok((res2[h]!.failing as { rule: string; status: string }[]).some((f) => f.status === 'fail'), h);
  }
  assert.deepEqual(Object.fromEntries(AUDIT_HOSTS.map((h) => [h, again.stats[h]!.failures])), { pve9: 1, hardened: 0, cloud: 1 });
  assert.notEqual(again.code, 0);
  // A damaged cached copy (same size, one byte changed) is found by its hash before use and sent again.
  const cached = join(fleet.hosts.find((h) => h.name === 'hardened')!.dir, 'var/lib/sshield/bin', `sshield-${(res[AUDIT_HOSTS[0]!]!.binary as { sha256: string }).sha256}`);
  assert.equal(statSync(cached).mode & 0o777, 0o700);
  assert.equal(statSync(join(cached, '..')).mode & 0o777, 0o700);
  const bytes = readFileSync(cached);
  bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff;
  writeFileSync(cached, bytes);
  const third = await lab.playbook(play('critical'), { limit: 'hardened' });
  const x = results(third, 'audit').hardened!;
  assert.ok(!x.failed, x.msg);
  assert.equal((x.binary as { transferred: boolean }).transferred, true);
  assert.match(JSON.stringify(x.warnings), /sha256 [0-9a-f]{64}, expected [0-9a-f]{64}; sending it again/);
  console.log(`audit of ${AUDIT_HOSTS.length} hosts: first run (executable shipped) ${r.ms} ms, second (cached, verified) ${again.ms} ms`);
});

/** Every file under the host's etc/ssh and var/backups, path -> bytes (base64), to prove "nothing written". */
function snapshot(name: string): Record<string, string> {
  const dir = fleet.hosts.find((h) => h.name === name)!.dir;
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    const abs = join(dir, rel);
    if (!existsSync(abs)) return;
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const r = join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else out[r] = e.isSymbolicLink() ? `-> ${readFileSync(join(dir, r)).length}` : readFileSync(join(dir, r)).toString('base64');
    }
  };
  walk('etc/ssh');
  walk('var/backups');
  return out;
}

async function sshdT(name: string): Promise<Record<string, string>> {
  const t = await fleet.exec(name, ['/usr/sbin/sshd', '-T']);
  assert.equal(t.code, 0, `${name}: ${t.stderr}`);
  return Object.fromEntries(t.stdout.split('\n').filter(Boolean).map((l) => [l.split(' ')[0]!, l.slice(l.indexOf(' ') + 1)]));
}

// Ansible logs in as root with a key: on the three hosts the policy keeps that (a waiver, as
// sshd/no-root-login's docs say for hosts administered as root with keys); the lockout host gets
// the plain baseline, whose PermitRootLogin no would cut Ansible's own session: refused.
const HARDEN_PLAY = `- hosts: "${[...HARDEN_HOSTS, LOCKOUT].join(':')}"
  gather_facts: false
  vars:
    policies:
      keep-root-keys:
        extends: baseline
        waivers:
          - { rule: sshd/no-root-login, reason: "Ansible logs in as root with keys", expires: "2099-12-31" }
      ${LOCKOUT}: { extends: baseline }
  tasks:
    - name: harden
      sshield.openssh.sshield_harden:
        policy: "{{ policies[inventory_hostname] | default(policies['keep-root-keys']) }}"
        confirm_timeout: 25
`;

test('sshield_harden on 3 hosts + 1 that would lock Ansible out: check mode writes nothing and shows the diff; the real run hardens (sshd -T, a new login, confirmed); the second run changes nothing', { skip }, async () => {
  const all = [...HARDEN_HOSTS, LOCKOUT];
  const before = Object.fromEntries(all.map((h) => [h, snapshot(h)]));
  const sshdBefore = Object.fromEntries(await Promise.all(all.map(async (h) => [h, await sshdT(h)] as const)));

  // Check mode (--check --diff): every file byte-identical, nothing backed up; changed with the plan's diff.
  const check = await lab.playbook(HARDEN_PLAY, { check: true, diff: true });
  const c = results(check, 'harden');
  for (const h of HARDEN_HOSTS) {
    const x = c[h]!;
    assert.ok(!x.failed, `${h}: ${x.msg}`);
    assert.equal(x.changed, true, h);
    assert.equal(x.outcome, 'dry-run', h);
    const main = x.diff!.find((d) => d.before_header === '/etc/ssh/sshd_config');
    assert.ok(main && main.before !== main.after, `${h}: a diff of /etc/ssh/sshd_config`);
    assert.ok(x.diff!.every((d) => typeof d.before === 'string' && typeof d.after === 'string'), h);
    assert.match(x.diff!.map((d) => d.after).join(''), /^PasswordAuthentication no$/m, h);
    assert.deepEqual(check.stats[h], { ok: 1, changed: 1, failures: 0, unreachable: 0, skipped: 0 }, h);
  }
  assert.equal(c[LOCKOUT]!.failed, true);
  assert.match(c[LOCKOUT]!.msg!, /^check mode: the real run would be refused: .*your session \(root from 127\.0\.0\.1\) could not log in again.*--allow-session-lockout/);
  assert.equal(check.code, 2, 'ansible-playbook: a host failed');
  for (const h of all) assert.deepEqual(snapshot(h), before[h], `${h}: check mode wrote something`);

  // The real run: the three hardened, live, still reachable; the lockout host refused and untouched.
  const real = await lab.playbook(HARDEN_PLAY, { diff: true });
  const r = results(real, 'harden');
  const applied = Date.now();
  for (const h of HARDEN_HOSTS) {
    const x = r[h]!;
    assert.ok(!x.failed, `${h}: ${x.msg}\n${fleet.log(h)}`);
    assert.equal(x.changed, true, h);
    assert.equal(x.outcome, 'applied', h);
    assert.equal(x.rc, 0, h);
    assert.match(x.backup_id as string, /^\d{8}T\d{6}Z/, h);
    assert.equal(x.confirmed, true, `${h}: confirmed from a new connection: ${JSON.stringify(x.confirm)}`);
    assert.ok((x.messages as string[]).some((m) => /^verified: SSH-2\.0-OpenSSH/.test(m)), h);
    assert.deepEqual(real.stats[h], { ok: 1, changed: 1, failures: 0, unreachable: 0, skipped: 0 }, h);
    const t = await sshdT(h);
    assert.equal(t.passwordauthentication, 'no', h);
    assert.equal(t.kbdinteractiveauthentication, 'no', h);
    assert.equal(t.x11forwarding, 'no', h);
    assert.ok(Number(t.maxauthtries) <= 5, `${h}: maxauthtries ${t.maxauthtries}`);
    assert.notDeepEqual(t, sshdBefore[h], h);
    const login = await run('ssh', ['-F', fleet.sshConfig, '-o', 'ControlMaster=no', '-o', 'ControlPath=none', h, 'id -u'], { timeoutMs: 30_000 });
    assert.equal(login.code, 0, `${h}: a new ssh login after the change: ${login.stderr}`);
    assert.equal(login.stdout.trim(), '0');
  }
  const lx = r[LOCKOUT]!;
  assert.equal(lx.failed, true);
  assert.equal(lx.outcome, 'refused');
  assert.equal(lx.rc, 3);
  assert.match(lx.msg!, /^sshield harden: refused: .*your session \(root from 127\.0\.0\.1\) could not log in again/);
  assert.deepEqual(snapshot(LOCKOUT), before[LOCKOUT], 'the refused host is untouched');
  assert.deepEqual(await sshdT(LOCKOUT), sshdBefore[LOCKOUT]);
  assert.equal(real.code, 2);
  const hardened = Object.fromEntries(HARDEN_HOSTS.map((h) => [h, snapshot(h)]));

  // Second run: nothing to do anywhere (ok, not changed); the lockout host still refused.
  const second = await lab.playbook(HARDEN_PLAY, { diff: true });
  const s2 = results(second, 'harden');
  for (const h of HARDEN_HOSTS) {
    assert.ok(!s2[h]!.failed, `${h}: ${s2[h]!.msg}`);
    assert.equal(s2[h]!.changed, false, h);
    assert.equal(s2[h]!.outcome, 'nothing-to-do', h);
    assert.equal(second.stats[h]!.changed, 0, h);
    assert.equal((s2[h]!.binary as { transferred: boolean }).transferred, false, h);
  }
  assert.equal(s2[LOCKOUT]!.failed, true);

  // The window (25 s) has passed: the confirmed changes stayed (an unconfirmed one rolls back).
  const left = applied + 25_000 + 3000 - Date.now();
  if (left > 0) await new Promise((res) => setTimeout(res, left));
  for (const h of HARDEN_HOSTS) {
    assert.deepEqual(snapshot(h), hardened[h], `${h}: rolled back after the window?`);
    assert.equal((await sshdT(h)).passwordauthentication, 'no', h);
  }
  console.log(`harden of ${HARDEN_HOSTS.length} hosts + 1 refused: check ${check.ms} ms, real ${real.ms} ms, second ${second.ms} ms`);
});
