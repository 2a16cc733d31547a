// The sshield.openssh Ansible collection (ansible/collections/ansible_collections/sshield/openssh)
// driven by Debian's ansible-playbook against real test hosts (test/helpers/test-hosts.ts: a
// Debian sshd per 127.0.1.x in its own mount namespace; the harden hosts run their OWN
// sshd_config, so a change there is live). The action plugins ship the single executable
// (dist/sshield-linux-x64) to each host by sha256 and the modules run it there with --json.
// Audit: each host's findings equal `sshield audit --root` of its directory; fail_on fails the
// hosts above it; the executable is transferred once, re-sent when the cached copy is damaged.
// Harden, 3 hosts + 1 whose change would lock Ansible's own root session out: check mode writes
// nothing and reports changed with the diff; the real run hardens (sshd -T shows it, a new ssh
// login works, the change is confirmed from a new connection: committed in the host's journal); the second
// run changes nothing; the lockout host fails with the guard's reason every time, untouched.
// Also: sshield_change (allow add), the example playbook, Ansible as a sudo admin with become
// (an unconfirmed change rolled back by the host itself), the wrong architecture, ansible-doc.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
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

/**
 * This machine's sudo inside the host (the test hosts hide it unless the host directory has its
 * own), NOPASSWD for the sudo group as a fleet's Ansible user has it, and a PAM service for it.
 */
function withSudo(dir: string): void {
  mkdirSync(join(dir, 'usr/bin'), { recursive: true });
  copyFileSync('/usr/bin/sudo', join(dir, 'usr/bin/sudo'));
  chmodSync(join(dir, 'usr/bin/sudo'), 0o4755);
  writeFileSync(join(dir, 'etc/sudoers'), 'Defaults env_reset\nroot ALL=(ALL:ALL) ALL\n%sudo ALL=(ALL:ALL) NOPASSWD: ALL\n', { mode: 0o440 });
  writeFileSync(join(dir, 'etc/pam.d/sudo'), 'auth required pam_unix.so\naccount required pam_unix.so\nsession required pam_permit.so\n');
}

before(async () => {
  if (skip) return;
  sea = await ensureSea();
  fleet = await startTestFleet([
    { name: 'pve9', example: 'pve9-default', ownDaemon: true },
    { name: 'deb12', example: 'debian12-cloud', ownDaemon: true },
    { name: 'pve8', example: 'pve8-default', ownDaemon: true },
    { name: LOCKOUT, example: 'debian12-cloud', ownDaemon: true },
    { name: 'fresh', example: 'debian12-cloud', ownDaemon: true },
    // Ansible logs in as the sudo admin `debian` and becomes root through the host's own sudo.
    { name: 'sudoer', example: 'debian12-cloud', ownDaemon: true, setup: withSudo },
    { name: 'cloud', example: 'debian12-cloud' },
    // Its KexAlgorithms name 10.x algorithms this machine's 9.2p1 sshd refuses to run: not its own daemon.
    { name: 'hardened', example: 'hardened' },
  ]);
  appendFileSync(join(fleet.hosts.find((h) => h.name === 'sudoer')!.dir, 'home/debian/.ssh/authorized_keys'), readFileSync(join(fleet.dir, 'controller_keys'), 'utf8'));
  lab = ansibleLab(fleet.sshConfig, fleet.hosts.map((h) => h.name), { sshield_binary: sea });
});

after(async () => {
  await lab?.cleanup();
  await fleet?.stop();
});

/** What failed in a run, task by task (for assertion messages). */
function failures(r: { tasks: ReadonlyMap<string, Readonly<Record<string, HostResult>>> }): string {
  return [...r.tasks].flatMap(([t, hosts]) => Object.entries(hosts).filter(([, x]) => x.failed).map(([h, x]) => `${t} / ${h}: ${x.msg}`)).join('\n');
}

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
const KEEP_ROOT_KEYS = { extends: 'baseline', waivers: [{ rule: 'sshd/no-root-login', reason: 'Ansible logs in as root with keys', expires: '2099-12-31' }] };
const HARDEN_PLAY = `- hosts: "${[...HARDEN_HOSTS, LOCKOUT].join(':')}"
  gather_facts: false
  vars:
    policies:
      keep-root-keys: ${JSON.stringify(KEEP_ROOT_KEYS)}
      ${LOCKOUT}: { extends: baseline }
  tasks:
    - name: harden
      sshield.openssh.sshield_harden:
        policy: "{{ policies[inventory_hostname] | default(policies['keep-root-keys']) }}"
        confirm_timeout: 120
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

  // The guard's override passes through (allow: [session-lockout] -> --allow-session-lockout):
  // in check mode the lockout host's plan goes through, the guard marked overridden; nothing written.
  const lockBefore = snapshot(LOCKOUT);
  const over = await lab.playbook(`- hosts: ${LOCKOUT}\n  gather_facts: false\n  tasks:\n    - name: harden\n      sshield.openssh.sshield_harden:\n        allow: [session-lockout]\n`, { check: true });
  const o = results(over, 'harden')[LOCKOUT]!;
  assert.ok(!o.failed, o.msg);
  assert.equal(o.changed, true);
  const guards = (o.sshield as { plan: { guards: { overrideFlag: string; ok: boolean; overridden: boolean }[] } }).plan.guards;
  assert.ok(guards.some((g) => g.overrideFlag === '--allow-session-lockout' && !g.ok && g.overridden), JSON.stringify(guards));
  assert.deepEqual(snapshot(LOCKOUT), lockBefore);

  // Confirmed: the host's journal says committed (its watcher rolls back only what awaits
  // confirmation; that an unconfirmed change is rolled back is the sudo admin test below).
  for (const h of HARDEN_HOSTS) {
    const b = await fleet.exec(h, [process.execPath, BIN, 'backups', '--json']);
    assert.equal(b.code, 0, b.stderr);
    const mine = (JSON.parse(b.stdout) as { backups: { id: string; state: string }[] }).backups.find((x) => x.id === r[h]!.backup_id);
    assert.equal(mine?.state, 'committed', `${h}: ${b.stdout}`);
    assert.deepEqual(snapshot(h), hardened[h], h);
  }
  console.log(`harden of ${HARDEN_HOSTS.length} hosts + 1 refused: check ${check.ms} ms, real ${real.ms} ms, second ${second.ms} ms`);
});

test('sshield_change: allow add through Ansible (check mode writes nothing, the real run applies it live, the second is ok); commands it does not run are refused before anything runs', { skip }, async () => {
  const play = (command: string) => `- hosts: deb12\n  gather_facts: false\n  tasks:\n    - name: change\n      sshield.openssh.sshield_change:\n        command: ${command}\n`;
  const before = snapshot('deb12');
  const check = await lab.playbook(play('[allow, add, 127.0.0.0/8, 192.0.2.0/24]'), { check: true, diff: true });
  const c = results(check, 'change').deb12!;
  assert.ok(!c.failed, c.msg);
  assert.equal(c.changed, true);
  assert.equal(c.outcome, 'dry-run');
  assert.match(c.diff!.map((d) => d.after).join(''), /^DenyUsers \*@!127\.0\.0\.0\/8,!192\.0\.2\.0\/24,\*$/m);
  assert.deepEqual(snapshot('deb12'), before);
  const real = await lab.playbook(play('[allow, add, 127.0.0.0/8, 192.0.2.0/24]'));
  const r = results(real, 'change').deb12!;
  assert.ok(!r.failed, r.msg);
  assert.equal(r.changed, true);
  assert.equal(r.outcome, 'applied');
  assert.match((await sshdT('deb12')).denyusers ?? '', /\*@!127\.0\.0\.0\/8,!192\.0\.2\.0\/24,\*/);
  assert.equal((await run('ssh', ['-F', fleet.sshConfig, 'deb12', 'true'], { timeoutMs: 30_000 })).code, 0, 'a new login from 127.0.0.1 still works');
  const again = results(await lab.playbook(play('"allow add 127.0.0.0/8 192.0.2.0/24"')), 'change').deb12!;
  assert.ok(!again.failed, again.msg);
  assert.equal(again.changed, false);
  assert.equal(again.outcome, 'nothing-to-do');
  const after = snapshot('deb12');
  for (const [command, why] of [
    ['[allow, list]', /^command: allow takes add \| remove next \(the changing ones\), got list$/],
    ['"audit --json"', /^command: audit is not a changing sshield command/],
    ['"allow add 10.0.0.0/8 --host pve9"', /^command: --host is set by the module \(check mode, output\) or by Ansible \(the hosts\): leave it out$/],
    ['"allow add not-an-address"', /^sshield allow add: error: invalid addresses; nothing changed \(allow add: "not-an-address": not an IPv4 or IPv6 address/],
  ] as const) {
    const x = results(await lab.playbook(play(command)), 'change').deb12!;
    assert.equal(x.failed, true, command);
    assert.match(x.msg!, why, command);
  }
  assert.deepEqual(snapshot('deb12'), after, 'the refused commands wrote nothing');
});

test('an executable for another architecture is refused on the target before it is installed, naming the one to use', { skip }, async () => {
  // The first 64 bytes of an aarch64 ELF (e_machine 183): enough for the check, never run.
  const fake = join(lab.dir, 'sshield-linux-arm64');
  const head = Buffer.alloc(64);
  head.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  head.writeUInt16LE(2, 16);
  head.writeUInt16LE(183, 18);
  writeFileSync(fake, head, { mode: 0o755 });
  const r = await lab.playbook(`- hosts: cloud\n  gather_facts: false\n  tasks:\n    - name: audit\n      sshield.openssh.sshield_audit:\n        binary: ${fake}\n`);
  const x = results(r, 'audit').cloud!;
  assert.equal(x.failed, true);
  assert.match(x.msg!, /^sshield executable: the executable is for arm64, this host is x86_64: set binary \(a host or group variable sshield_binary\) to dist\/sshield-linux-x64 for it$/);
  const bin = join(fleet.hosts.find((h) => h.name === 'cloud')!.dir, 'var/lib/sshield/bin');
  assert.deepEqual(readdirSync(bin).filter((f) => !f.startsWith('sshield-') || f.length !== 'sshield-'.length + 64), [], 'no partial file left');
  assert.ok(!readdirSync(bin).some((f) => f.endsWith(createHash('sha256').update(head).digest('hex'))), 'not installed');
});

test('the example playbook (ansible/examples/harden.yml) on a fresh host: check mode, then audit, harden (confirmed), audit after; a second run changes nothing', { skip }, async () => {
  const example = join(REPO, 'ansible', 'examples', 'harden.yml');
  // fail_on critical: debian12-cloud's authorized_keys hold an ssh-rsa key (keys/restrict-key-types, high), which harden does not touch.
  const extraVars = { sshield_hosts: 'fresh', sshield_policy: KEEP_ROOT_KEYS, sshield_fail_on: 'critical' };
  const before = snapshot('fresh');
  const check = await lab.runFile(example, { check: true, diff: true, extraVars });
  assert.equal(check.code, 0, failures(check));
  assert.equal(results(check, 'Harden (kept only if Ansible can log in again, from a new connection, within 120 s)').fresh!.changed, true);
  assert.deepEqual(snapshot('fresh'), before);
  const real = await lab.runFile(example, { extraVars });
  assert.equal(real.code, 0, failures(real));
  const h = results(real, 'Harden (kept only if Ansible can log in again, from a new connection, within 120 s)').fresh!;
  assert.equal(h.outcome, 'applied');
  assert.equal(h.confirmed, true);
  const summary = results(real, 'Summary').fresh!.msg!;
  const [, b, a] = /failing rules (\d+) before, (\d+) after/.exec(summary) ?? [];
  assert.ok(Number(a) < Number(b), summary);
  assert.match(summary, /^fresh: applied \(backup \d{8}T\d{6}Z/);
  const after = results(real, 'Audit after (fails the hosts with a finding at or above sshield_fail_on)').fresh!;
  assert.deepEqual(after.waived, [{ rule: 'sshd/no-root-login', reason: 'Ansible logs in as root with keys', expires: '2099-12-31' }]);
  assert.ok(!(after.failing as { rule: string }[]).some((f) => f.rule === 'sshd/no-root-login'), 'a waived rule is not failing');
  const second = await lab.runFile(example, { extraVars });
  assert.equal(second.code, 0, failures(second));
  assert.equal(second.stats.fresh!.changed, 0);
});

test('every module of the collection documents itself (ansible-doc parses DOCUMENTATION, EXAMPLES, RETURN), the collection builds with ansible-galaxy, and the example playbook passes --syntax-check', { skip: ansibleAvailable() }, async () => {
  const home = mkdtempSync(join(tmpdir(), 'sshield-ansible-doc-'));
  try {
    const env = { HOME: home, LC_ALL: 'C.UTF-8', ANSIBLE_HOME: home, ANSIBLE_LOCAL_TEMP: home, ANSIBLE_CONFIG: join(home, 'none.cfg'), ANSIBLE_COLLECTIONS_PATH: join(REPO, 'ansible', 'collections'), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH: 'false', ANSIBLE_NOCOLOR: '1' };
    const list = await run('/usr/bin/ansible-doc', ['--list', 'sshield.openssh', '--json'], { env });
    assert.equal(list.code, 0, list.stderr);
    const modules = Object.keys(JSON.parse(list.stdout) as Record<string, string>).sort();
    assert.deepEqual(modules, ['sshield.openssh.sshield_audit', 'sshield.openssh.sshield_change', 'sshield.openssh.sshield_harden']);
    for (const m of modules) {
      const d = await run('/usr/bin/ansible-doc', ['--json', m], { env });
      assert.equal(d.code, 0, `${m}: ${d.stderr}`);
      assert.doesNotMatch(d.stderr, /WARNING/, m);
      const doc = (JSON.parse(d.stdout) as Record<string, { doc: { options: Record<string, unknown> }; examples: string; return: Record<string, unknown> }>)[m]!;
      for (const o of ['binary', 'bin_dir', 'timeout']) assert.ok(o in doc.doc.options, `${m}: option ${o}`);
      assert.ok(doc.examples.includes(m), `${m}: its examples use it`);
      assert.ok(Object.keys(doc.return).length > 0, m);
    }
    // It builds as a collection artifact (galaxy.yml, README, plugins, no stray bytecode).
    const built = await run('/usr/bin/ansible-galaxy', ['collection', 'build', join(REPO, 'ansible', 'collections', 'ansible_collections', 'sshield', 'openssh'), '--output-path', home], { env });
    assert.equal(built.code, 0, built.stdout + built.stderr);
    const tar = await run('tar', ['tzf', join(home, 'sshield-openssh-0.1.0.tar.gz')]);
    const files = tar.stdout.split('\n').filter(Boolean);
    for (const f of ['MANIFEST.json', 'README.md', 'meta/runtime.yml', 'plugins/action/sshield_harden.py', 'plugins/modules/sshield_harden.py', 'plugins/plugin_utils/ship.py', 'plugins/module_utils/sshield.py']) assert.ok(files.includes(f), `${f} in the artifact`);
    assert.ok(!files.some((f) => f.includes('__pycache__')), 'no bytecode in the artifact');
    const syn = await run('/usr/bin/ansible-playbook', ['--syntax-check', '-i', join(REPO, 'ansible', 'examples', 'inventory.ini'), join(REPO, 'ansible', 'examples', 'harden.yml')], { env });
    assert.equal(syn.code, 0, syn.stdout + syn.stderr);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('Ansible as a sudo admin (become): plain baseline hardens (root login off, the admin keeps key access); unconfirmed (confirm: false) the host rolls the change back by itself, confirmed it stays', { skip }, async () => {
  const play = (confirm: boolean) => `- hosts: sudoer\n  gather_facts: false\n  become: true\n  vars: { ansible_user: debian }\n  tasks:\n    - name: harden\n      sshield.openssh.sshield_harden:\n        confirm_timeout: 30\n        confirm: ${confirm}\n`;
  const original = snapshot('sudoer');
  const check = await lab.playbook(play(true), { check: true, diff: true });
  const c = results(check, 'harden').sudoer!;
  assert.ok(!c.failed, c.msg);
  assert.equal(c.changed, true);
  assert.deepEqual(snapshot('sudoer'), original);

  // Not confirmed: applied, left pending with its deadline; the host's watcher rolls it back.
  const pending = results(await lab.playbook(play(false)), 'harden').sudoer!;
  assert.ok(!pending.failed, pending.msg);
  assert.equal(pending.outcome, 'applied');
  assert.equal(pending.confirmed, false);
  assert.match(JSON.stringify(pending.warnings), /awaits `sshield confirm` from a new login/);
  assert.equal((await sshdT('sudoer')).permitrootlogin, 'no');
  const deadline = pending.confirm_deadline as number;
  const end = deadline + 30_000;
  const restored = () => {
    const now = snapshot('sudoer');
    return Object.entries(original).every(([f, bytes]) => now[f] === bytes) && Object.keys(now).every((f) => f in original || f.startsWith('var/backups/'));
  };
  while (Date.now() < end && !restored()) await new Promise((res) => setTimeout(res, 250));
  const back = snapshot('sudoer');
  console.log(`sudo admin, not confirmed: rolled back by the host ${Date.now() - deadline} ms after the deadline`);
  // Only the backup directory is new: the files sshd reads are the original bytes again.
  for (const [f, bytes] of Object.entries(original)) assert.equal(back[f], bytes, `${f} rolled back`);
  assert.ok(Object.keys(back).filter((f) => !(f in original)).every((f) => f.startsWith('var/backups/')), Object.keys(back).join(', '));
  assert.equal((await sshdT('sudoer')).permitrootlogin, 'without-password', 'the old config is live again');

  // Confirmed from a new connection: it stays; root's key no longer gets in, the admin's does.
  const real = results(await lab.playbook(play(true)), 'harden').sudoer!;
  assert.ok(!real.failed, real.msg);
  assert.equal(real.outcome, 'applied');
  assert.equal(real.confirmed, true, JSON.stringify(real.confirm));
  const t = await sshdT('sudoer');
  assert.equal(t.permitrootlogin, 'no');
  assert.equal(t.passwordauthentication, 'no');
  const asRoot = await run('ssh', ['-F', fleet.sshConfig, 'sudoer', 'true'], { timeoutMs: 30_000 });
  assert.notEqual(asRoot.code, 0, 'root is refused now');
  const asAdmin = await run('ssh', ['-F', fleet.sshConfig, '-l', 'debian', 'sudoer', 'sudo -n id -u'], { timeoutMs: 30_000 });
  assert.equal(asAdmin.code, 0, asAdmin.stderr);
  assert.equal(asAdmin.stdout.trim(), '0');
  const second = await lab.playbook(play(true));
  assert.equal(second.stats.sudoer!.changed, 0, failures(second));
  assert.equal(results(second, 'harden').sudoer!.outcome, 'nothing-to-do');
});
