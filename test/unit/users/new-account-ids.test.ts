// newAccountIds (src/users/plan.ts): the ids a new account gets under --root, from the root's
// own passwd and group, so the plan can show numbers and the writer applies exactly them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newAccountIds } from '../../../src/users/plan.js';

const u = (name: string, uid: number, gid = uid) => ({ name, uid, gid }) as never;
const g = (name: string, gid: number) => ({ name, gid, members: [], line: 1 }) as never;

test('the first uid from 1000 free as a uid and as a gid, with a private group of the same number', () => {
  assert.deepEqual(newAccountIds({ users: [u('root', 0), u('bob', 1000)], groups: [g('root', 0), g('bob', 1000)] }, 'new'), { uid: 1001, gid: 1001, group: 'new' });
  assert.deepEqual(newAccountIds({ users: [u('bob', 1000)], groups: [g('bob', 1000), g('media', 1001)] }, 'new'), { uid: 1002, gid: 1002, group: 'new' }, '1001 is a group number');
  assert.deepEqual(newAccountIds({ users: [], groups: [] }, 'new'), { uid: 1000, gid: 1000, group: 'new' });
});

test('a group of the same name that exists already is the primary group, not made again', () => {
  assert.deepEqual(newAccountIds({ users: [u('bob', 1000)], groups: [g('bob', 1000), g('new', 1500)] }, 'new'), { uid: 1001, gid: 1500 });
});

test('a writer step with planned ids whose uid was taken since planning is stale', async () => {
  const { applyPlan } = await import('../../../src/apply/pipeline.js');
  const { fakeHost, testPlan, OPTS, withAccounts } = await import('../apply/fixtures.js');
  const h = withAccounts(fakeHost());
  h.put('/etc/passwd', 'root:x:0:0:root:/root:/bin/bash\nlate:x:1003:1003::/home/late:/bin/sh\n');
  h.put('/etc/group', 'root:x:0:\n');
  const out = await applyPlan(h, testPlan({ kind: 'user', steps: [{ kind: 'create-account', user: 'new', shell: '/usr/sbin/nologin', home: '/home/new', createHome: true, ids: { uid: 1003, gid: 1003, gecos: '', group: 'new' }, describe: 'create new (uid 1003)', stage: 'before-files', before: { exists: false, homeExists: false } }] }), OPTS);
  assert.equal(out.status, 'stale', JSON.stringify(out));
  assert.match(out.status === 'stale' ? out.reason : '', /uid 1003 belongs to late now/);
});
