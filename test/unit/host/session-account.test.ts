// The session's OS account (issue #11: no os.userInfo() in src/cli): the CLI passes the process's
// uid; the host factory names it from the host's /etc/passwd through the executor, as the last
// name the run goes by and as its user only when the environment named none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openHost } from '../../../src/apply/open-host.js';
import { FakeHost } from '../../../src/apply/fake-host.js';
import { sessionFromEnv, withAccountName } from '../../../src/host/session.js';

function machine(): FakeHost {
  const h = new FakeHost();
  h.put('/etc/passwd', 'root:x:0:0:root:/root:/bin/bash\nops:x:1001:1001::/home/ops:/bin/bash\nops2:x:1001:1001::/home/ops:/bin/bash\n');
  h.put('/etc/ssh/sshd_config', 'Port 22\n');
  return h;
}

test('the uid is named from the host\'s passwd (first entry wins, as getpwuid)', async () => {
  const r = await openHost({ machine: machine(), session: { ...sessionFromEnv({}), uid: 1001 } });
  assert.ok(r.ok);
  assert.equal(r.host.session.user, 'ops');
  assert.deepEqual(r.host.session.names, ['ops']);
});

test('the environment\'s names come first; the account is added last, once', async () => {
  const r = await openHost({ machine: machine(), session: { ...sessionFromEnv({ SUDO_USER: 'alice', USER: 'root' }), uid: 0 } });
  assert.ok(r.ok);
  assert.equal(r.host.session.user, 'alice');
  assert.deepEqual(r.host.session.names, ['alice', 'root']);
  assert.deepEqual(withAccountName(sessionFromEnv({ USER: 'bob' }), 'ops').names, ['bob', 'ops']);
  assert.deepEqual(withAccountName(sessionFromEnv({}), undefined), sessionFromEnv({}));
});

test('an offline root has no session', async () => {
  const h = machine();
  h.mkdirpSync('/img/etc/ssh');
  const r = await openHost({ machine: h, root: '/img', session: { names: [], uid: 1001 }, rootView: h.fs });
  assert.ok(r.ok);
  assert.deepEqual(r.host.session, { names: [] });
});
