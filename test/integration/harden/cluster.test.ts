// The PVE cluster exception on examples/pve-cluster-node (copied to a temp dir), proxmox profile:
// the plan puts `Match Address <every node address>` with root key login, TCP and stream-local
// forwarding, a TTY and AcceptEnv LC_* where it wins, and turns the rest off for everyone else.
// Proof: the evaluator's prediction per identity (--json), then the real sshd: `sshd -t` accepts
// the installed tree, `sshd -T -C user=root,addr=<node>` prints without-password and forwarding
// yes for every node address, and `no` from a stranger's address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sshdAvailable, run, SSHD } from '../../helpers/sshd.js';
import { rewriteIncludes } from '../../../src/apply/stage.js';

const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];
const NODES = ['10.10.10.11', '10.10.10.12', '10.10.10.13', 'fd00:10::11', 'fd00:10::12', 'fd00:10::13'];
const STRANGER = '203.0.113.7';

test('proxmox profile on a cluster node: root keeps key login and forwarding from the nodes only', { skip: !sshdAvailable() && 'needs root and sshd', timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sshield-root-'));
  const bk = mkdtempSync(join(tmpdir(), 'sshield-bk-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  t.after(() => rmSync(bk, { recursive: true, force: true }));
  cpSync('examples/pve-cluster-node', dir, { recursive: true });

  // The evaluator's prediction, per identity.
  const dry = await run(process.execPath, [...CLI, 'harden', '--root', dir, '--profile', 'proxmox', '--dry-run', '--json']);
  assert.equal(dry.code, 0, dry.stderr);
  const plan = JSON.parse(dry.stdout).plan as { predicted: { key: string; values: string[]; label: string }[]; guards: { id: string; ok: boolean }[]; files: { path: string; after: string }[] };
  const pred = (label: RegExp, key: string) => plan.predicted.find((p) => label.test(p.label) && p.key === key)?.values.join(' ');
  for (const a of NODES) {
    const l = new RegExp(`^root from ${a.replace(/\./g, '\\.')} \\(PVE`);
    assert.equal(pred(l, 'permitrootlogin'), 'without-password', a);
    assert.equal(pred(l, 'allowtcpforwarding'), 'yes', a);
    assert.equal(pred(l, 'allowstreamlocalforwarding'), 'yes', a);
    assert.equal(pred(l, 'permittty'), 'yes', a);
  }
  assert.equal(pred(/outside the cluster/, 'permitrootlogin'), 'no');
  assert.equal(pred(/outside the cluster/, 'allowtcpforwarding'), 'no');
  assert.equal(plan.guards.find((g) => g.id === 'cluster-break')?.ok, true);
  const drop = plan.files.find((f) => f.path.endsWith('/00-sshield.conf'))!.after;
  const m = /\nMatch Address (\S+)\n((?:\t\S+ .*\n)+)$/.exec(drop);
  assert.ok(m, drop);
  assert.deepEqual(m[1]!.split(',').sort(), [...NODES].sort(), 'every node address, from corosync.conf');
  // Forwarding, TTY and LC_* pinned for the nodes; root key login comes from the example's own
  // Match block for the same addresses (already in effect, so not duplicated).
  assert.deepEqual(m[2]!.trim().split('\n').map((l) => l.trim()), ['AllowTcpForwarding yes', 'AllowStreamLocalForwarding yes', 'PermitTTY yes', 'AcceptEnv LANG LC_*']);

  const r = await run(process.execPath, [...CLI, 'harden', '--root', dir, '--profile', 'proxmox', '--yes', '--backup-dir', bk]);
  assert.equal(r.code, 0, r.stdout + r.stderr);

  // The real sshd on the installed tree (Includes pointed into the temp root, a throwaway host key).
  const main = join(dir, 'etc/ssh/sshd_config.sshield-test');
  writeFileSync(main, rewriteIncludes(readFileSync(join(dir, 'etc/ssh/sshd_config'), 'latin1'), dir), { encoding: 'latin1', mode: 0o600 });
  const hk = join(dir, 'hostkey');
  assert.equal((await run('ssh-keygen', ['-q', '-N', '', '-t', 'ed25519', '-f', hk])).code, 0);
  const sshd = (args: string[]) => run(SSHD, ['-f', main, '-h', hk, ...args]);
  const check = await sshd(['-t']);
  assert.equal(check.code, 0, check.stderr);
  const T = async (addr: string) => {
    const out = await sshd(['-T', '-C', `user=root,host=${addr},addr=${addr},laddr=10.10.10.11,lport=22`]);
    assert.equal(out.code, 0, out.stderr);
    return (k: string) => [...out.stdout.matchAll(new RegExp(`^${k} (.*)$`, 'gm'))].map((x) => x[1]).join(' ') || undefined;
  };
  for (const a of NODES) {
    const v = await T(a);
    assert.equal(v('permitrootlogin'), 'without-password', a);
    assert.equal(v('allowtcpforwarding'), 'yes', a);
    assert.equal(v('allowstreamlocalforwarding'), 'yes', a);
    assert.equal(v('permittty'), 'yes', a);
    assert.equal(v('passwordauthentication'), 'no', a);
    assert.match(v('acceptenv') ?? '', /LC_\*/, a);
  }
  const s = await T(STRANGER);
  assert.equal(s('permitrootlogin'), 'no');
  assert.equal(s('allowtcpforwarding'), 'no');
  assert.equal(s('passwordauthentication'), 'no');

  const again = await run(process.execPath, [...CLI, 'harden', '--root', dir, '--profile', 'proxmox', '--yes', '--backup-dir', bk]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Nothing to change/);
});
