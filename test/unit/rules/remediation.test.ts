// The remediation each finding carries is what the harden planner applies: assert its exact
// machine-usable form (set keyword/value/scope, comment-out of specific directives).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runOnFiles } from '../../helpers/rule-tester.js';

const strip = (r: readonly object[]) => r.map((x) => { const { description: _d, ...rest } = x as { description: string }; return rest; });

test('a global winner is fixed globally', async () => {
  const r = await runOnFiles('sshd/no-password-auth', { config: 'Include /etc/ssh/sshd_config.d/*.conf\nKbdInteractiveAuthentication no\n', files: { '/etc/ssh/sshd_config.d/50-cloud-init.conf': 'PasswordAuthentication yes\n' } });
  assert.deepEqual(strip(r.remediation), [{ kind: 'set', keyword: 'PasswordAuthentication', value: 'no', scope: 'global' }]);
});

test('a Match winner is fixed inside that Match block', async () => {
  const r = await runOnFiles('sshd/no-password-auth', { config: 'PasswordAuthentication no\nKbdInteractiveAuthentication no\nMatch Address 10.0.0.0/8\n  PasswordAuthentication yes\n' });
  assert.deepEqual(strip(r.remediation), [{ kind: 'set', keyword: 'PasswordAuthentication', value: 'no', scope: { match: 'Address 10.0.0.0/8' } }]);
});

test('AcceptEnv is commented out at every directive', async () => {
  const r = await runOnFiles('sshd/no-accept-env', { config: 'AcceptEnv LANG\nAcceptEnv LC_*\n' });
  assert.deepEqual(strip(r.remediation), [{ kind: 'comment-out', directives: [{ file: '/etc/ssh/sshd_config', line: 1, column: 1 }, { file: '/etc/ssh/sshd_config', line: 2, column: 1 }] }]);
});

test('a client-only keyword is commented out', async () => {
  const r = await runOnFiles('sshd/no-client-only-keywords', { config: 'PermitRootLogin no\nObscureKeystrokeTiming no\n' });
  assert.deepEqual(strip(r.remediation), [{ kind: 'comment-out', directives: [{ file: '/etc/ssh/sshd_config', line: 2, column: 1 }] }]);
});

test('weak algorithms: the fix keeps the rest of the list in order', async () => {
  const r = await runOnFiles('sshd/no-weak-ciphers', { config: 'Ciphers aes256-gcm@openssh.com,aes128-cbc,aes256-ctr\n' });
  assert.deepEqual(strip(r.remediation), [{ kind: 'set', keyword: 'Ciphers', value: 'aes256-gcm@openssh.com,aes256-ctr', scope: 'global' }]);
});
