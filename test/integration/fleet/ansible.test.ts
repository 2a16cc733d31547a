// The sshield.openssh Ansible collection (ansible/collections/ansible_collections/sshield/openssh)
// driven by Debian's ansible-playbook against real test hosts (test/helpers/test-hosts.ts: a
// Debian sshd per 127.0.1.x in its own mount namespace). The action plugins ship the single
// executable (dist/sshield-linux-x64) to each host by sha256 and the modules run it there with
// --json. Audit: the findings of each host, equal to `sshield audit --root` of its directory; a
// fail_on threshold fails the hosts above it; the executable is transferred once and re-sent when
// the cached copy is damaged.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
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

before(async () => {
  if (skip) return;
  sea = await ensureSea();
  fleet = await startTestFleet([
    { name: 'pve9', example: 'pve9-default' },
    { name: 'hardened', example: 'hardened' },
    { name: 'cloud', example: 'debian12-cloud' },
  ]);
  lab = ansibleLab(fleet.sshConfig, AUDIT_HOSTS, { sshield_binary: sea });
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
  const r = await lab.playbook(play('critical'));
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
  const again = await lab.playbook(play('medium'));
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
