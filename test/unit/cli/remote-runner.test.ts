// The controller's flags turned into the remote runner (src/cli/remote-runner.ts): a fleet change
// always has a confirm window (0 and bad values refuse every host before anything is reached),
// --verify-user cannot apply over --host; nothing connects in these cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { remoteRunnerFactory } from '../../../src/cli/remote-runner.js';
import { SshPool } from '../../../src/fleet/ssh.js';

const target = { name: 'pve1', address: 'pve1', user: 'root', groups: ['all'], source: '--host' };

test('--confirm-timeout 0 or out of range, and --verify-user, refuse every host with the reason; nothing is reached', async () => {
  const pool = new SshPool({ ssh: '/nonexistent/ssh-must-not-run' });
  const cases: [Record<string, string>, RegExp][] = [
    [{ confirmTimeout: '0' }, /^--confirm-timeout 0: a change over --host\/--inventory\/--cluster always has a confirm window/],
    [{ confirmTimeout: '5' }, /--confirm-timeout takes whole seconds between 10 and 86400/],
    [{ confirmTimeout: 'soon' }, /--confirm-timeout takes whole seconds/],
    [{ verifyUser: 'alice' }, /^--verify-user alice: over --host the proof logs in as the target's own user/],
  ];
  for (const [controller, re] of cases) {
    const r = await remoteRunnerFactory({ pool, argv: ['harden', '--yes'], deadlineMs: 1000, controller })(target, {});
    assert.equal(r.status, 'refused', JSON.stringify(controller));
    assert.match(r.reason!, re);
    assert.equal(r.target, 'root@pve1');
  }
  await pool.close();
});

test('a valid window and --verify-key make a runner that tries the host (here: ssh cannot even start: unreachable)', async () => {
  const pool = new SshPool({ ssh: '/nonexistent/ssh' });
  const r = await remoteRunnerFactory({ pool, argv: ['harden', '--yes'], deadlineMs: 5000, controller: { confirmTimeout: '30', verifyKey: '/tmp/key' } })(target, {});
  assert.equal(r.status, 'unreachable');
  assert.match(r.reason!, /cannot run ssh/);
  await pool.close();
});
