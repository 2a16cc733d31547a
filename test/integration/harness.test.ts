// Proves the harness itself: a real daemon starts, a real client logs in with a key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sshdAvailable, startSshd, createTestUser, clientKey, installAuthorizedKeys, sshClient, sshdT } from '../helpers/sshd.js';

test('a real sshd on loopback accepts a key login from a throwaway user', { skip: !sshdAvailable() && 'needs root and /usr/sbin/sshd' }, async (t) => {
  const user = await createTestUser();
  t.after(() => user.remove());
  const dir = mkdtempSync(join(tmpdir(), 'sshield-client-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const key = await clientKey(dir);
  await installAuthorizedKeys(user, readFileSync(`${key}.pub`, 'utf8'));
  const sshd = await startSshd({ config: 'PasswordAuthentication no\nUsePAM yes' });
  t.after(() => sshd.stop());
  const r = await sshClient(sshd, user.name, { key, command: 'id -un' });
  assert.equal(r.code, 0, r.stderr + sshd.log());
  assert.equal(r.stdout.trim(), user.name);
  const T = await sshdT(sshd.configPath, `user=${user.name},host=h,addr=127.0.0.2`);
  assert.equal(T.code, 0);
  assert.match(T.stdout, /^passwordauthentication no$/m);
});
