// `sshield allow add` followed by `sshield audit` passes sshd/require-allowlist: the audit judges
// the `DenyUsers *@!CIDR,...,*` list allow writes as the allow-list it is (sshd checks DenyUsers
// before AllowUsers), on an offline root and on a live daemon started with -f; before the allow
// the rule fails. The real CLI throughout; the admin's address is unknown (no SSH_CONNECTION), so
// nothing may be judged or advised from a stand-in address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, sshdAvailable, startSshd } from '../../helpers/sshd.js';

const skip = !sshdAvailable() && 'needs root and /usr/sbin/sshd';
const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];
const ENV = { HOME: '/root', USER: 'root' };

async function allowlistResult(target: string[]): Promise<{ status: string; message: string }> {
  const r = await run(process.execPath, [...CLI, 'audit', ...target, '--json', '--fail-on', 'critical'], { env: ENV, timeoutMs: 60_000 });
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  const res = (JSON.parse(r.stdout) as { results: { ruleId: string; status: string; message: string }[] }).results.find((x) => x.ruleId === 'sshd/require-allowlist');
  assert.ok(res, 'the rule ran');
  assert.doesNotMatch(res.message, /198\.51\.100\.10/, 'no verdict on the stand-in admin address');
  return res;
}

test('allow add then audit, offline root: sshd/require-allowlist passes', { skip, timeout: 180_000 }, async (t) => {
  const R = mkdtempSync(join(tmpdir(), 'sshield-allow-audit-'));
  t.after(() => rmSync(R, { recursive: true, force: true }));
  cpSync('examples/debian12-cloud', R, { recursive: true });
  const before = await allowlistResult(['--root', R]);
  assert.equal(before.status, 'fail', before.message);
  assert.match(before.message, /no allow-list is in effect/);
  const add = await run(process.execPath, [...CLI, 'allow', 'add', '192.0.2.0/24', '2001:db8::/32', '--root', R, '--yes', '--backup-dir', join(R, 'bk')], { env: ENV, timeoutMs: 120_000 });
  assert.equal(add.code, 0, add.stdout + add.stderr);
  const after = await allowlistResult(['--root', R]);
  assert.equal(after.status, 'pass', after.message);
});

test('allow add then audit, live daemon started with -f: sshd/require-allowlist passes', { skip, timeout: 180_000 }, async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'sshield-allow-audit-live-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const sshd = await startSshd({ config: 'PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM yes\n' });
  t.after(() => sshd.stop());
  const before = await allowlistResult(['-f', sshd.configPath]);
  assert.equal(before.status, 'fail', before.message);
  const add = await run(process.execPath, [...CLI, 'allow', 'add', '127.0.0.0/8', '-f', sshd.configPath, '--yes', '--backup-dir', join(work, 'bk')], { env: ENV, timeoutMs: 120_000 });
  assert.equal(add.code, 0, add.stdout + add.stderr);
  // Reloaded (SIGHUP to the PidFile's daemon) and verified by a new connection, as the one change flow prints it.
  assert.match(add.stdout, /verified/, 'reloaded and verified on the live daemon');
  assert.match(add.stdout, /^SIGHUP sent to pid \d+$/m);
  assert.match(add.stdout, /^verified: SSH-2\.0-OpenSSH_\S+/m);
  const after = await allowlistResult(['-f', sshd.configPath]);
  assert.equal(after.status, 'pass', after.message);
});
