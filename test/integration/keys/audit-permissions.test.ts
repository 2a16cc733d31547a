// keys/require-safe-permissions against the real daemon: a throwaway user's authorized_keys made
// writable by a shared group (root's group: its members are not only the user, so Debian's
// user-group-modes exception does not apply) is reported by the audit at file:0, and the real
// sshd (StrictModes yes, the default) indeed refuses the key; after chmod 600 the rule no longer
// names the file and the same key logs in. The audit runs in-process on the local host with the
// daemon's own config (gatherAudit with mainConfig = the test sshd_config), as `audit -f` does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientKey, createTestUser, installAuthorizedKeys, sshClient, sshdAvailable, startSshd, type SshdInstance, type TestUser } from '../../helpers/sshd.js';
import { localFs } from '../../../src/host/local-fs.js';
import { localExecutor } from '../../../src/host/executor.js';
import { gatherAudit } from '../../../src/audit/gather.js';
import { runRule, type RuleResult } from '../../../src/rules/define-rule.js';
import { getRule } from '../../../src/rules/registry.js';

const skip = !sshdAvailable() && 'needs root and /usr/sbin/sshd';
let sshd: SshdInstance;
let user: TestUser;
let dir = '';
let key = '';
let ak = '';

async function audit(): Promise<RuleResult> {
  const a = await gatherAudit(localExecutor(localFs()), { mainConfig: sshd.configPath });
  return runRule(getRule('keys/require-safe-permissions')!, a.input, { pveAware: false });
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'sshield-keys-audit-'));
  user = await createTestUser();
  key = await clientKey(dir, 'ed25519', 'k');
  ak = await installAuthorizedKeys(user, readFileSync(`${key}.pub`, 'utf8'));
  sshd = await startSshd({ config: 'LogLevel VERBOSE\nStrictModes yes\n' });
});
after(async () => {
  await sshd?.stop();
  await user?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('group-writable authorized_keys: reported, and the real sshd refuses the key; chmod 600 fixes both', { skip, timeout: 120_000 }, async () => {
  chownSync(ak, user.uid, 0);
  chmodSync(ak, 0o664);
  const bad = await audit();
  assert.equal(bad.status, 'fail', bad.message);
  assert.ok(bad.locations.some((l) => l.file === ak && l.line === 0), JSON.stringify(bad.locations));
  const mine = [bad.message, ...bad.details].find((m) => m.includes(ak));
  assert.ok(mine, 'a message names the file');
  assert.match(mine, /is writable by its group gid 0, which has members other than .*\(mode 0664\): sshd \(StrictModes yes\) refuses every key in it/);
  const denied = await sshClient(sshd, user.name, { key, command: 'true' });
  assert.notEqual(denied.code, 0, `login must fail: ${denied.stdout}${denied.stderr}`);
  assert.match(sshd.log(), /bad ownership or modes for file/);

  chmodSync(ak, 0o600);
  const good = await audit();
  assert.ok(!good.locations.some((l) => l.file === ak), JSON.stringify(good.locations));
  // Other accounts on this shared machine may have their own findings; ours must be gone.
  if (good.status !== 'pass') assert.ok([good.message, ...good.details].every((m) => !m.includes(ak)));
  const ok = await sshClient(sshd, user.name, { key, command: 'echo in' });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout.trim(), 'in');
});
