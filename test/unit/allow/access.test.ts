import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAccess, matchUser } from '../../../src/sshd/access.js';

const none = { denyUsers: [], allowUsers: [], denyGroups: [], allowGroups: [] };

test('match_user: user part is one pattern, host part a list with CIDR and negation', () => {
  assert.equal(matchUser('alice', '10.1.1.1', '10.1.1.1', 'alice'), 1);
  assert.equal(matchUser('alice', '10.1.1.1', '10.1.1.1', 'al*'), 1);
  assert.equal(matchUser('alice', '10.1.1.1', '10.1.1.1', 'alice@10.0.0.0/8'), 1);
  assert.equal(matchUser('alice', '11.1.1.1', '11.1.1.1', 'alice@10.0.0.0/8'), 0);
  assert.equal(matchUser('bob', '10.1.1.1', '10.1.1.1', 'alice@10.0.0.0/8'), 0);
  // the managed deny form: listed addresses hit a negation (not denied), others hit "*"
  assert.equal(matchUser('x', '10.1.1.1', '10.1.1.1', '*@!10.0.0.0/8,*'), 0);
  assert.equal(matchUser('x', '11.1.1.1', '11.1.1.1', '*@!10.0.0.0/8,*'), 1);
  assert.equal(matchUser('x', 'host.example', '11.1.1.1', '*@!10.0.0.0/8,*'), 1);
  assert.equal(matchUser('x', '2001:db8::5', '2001:db8::5', '*@!10.0.0.0/8,!2001:db8::/32,*'), 0);
  assert.equal(matchUser('x', '2001:db9::5', '2001:db9::5', '*@!10.0.0.0/8,!2001:db8::/32,*'), 1);
  assert.equal(matchUser('x', '10.0.0.1', '10.0.0.1', 'x@10.0.0.5/24'), -1);
});

test('auth.c order: DenyUsers, AllowUsers, DenyGroups, AllowGroups; all must pass', () => {
  const s = { user: 'alice', addr: '192.0.2.1', groups: ['alice', 'sudo'] };
  assert.equal(checkAccess(none, s).allowed, true);
  assert.equal(checkAccess({ ...none, allowUsers: ['alice'] }, s).allowed, true);
  assert.equal(checkAccess({ ...none, allowUsers: ['alice'], denyUsers: ['*@!10.0.0.0/8,*'] }, s).allowed, false);
  assert.equal(checkAccess({ ...none, allowUsers: ['alice'], denyUsers: ['*@!192.0.2.0/24,*'] }, s).allowed, true);
  const v = checkAccess({ ...none, allowUsers: ['bob'] }, s);
  assert.ok(!v.allowed && v.by === 'AllowUsers');
  assert.equal(checkAccess({ ...none, allowGroups: ['sudo'] }, s).allowed, true);
  assert.equal(checkAccess({ ...none, allowGroups: ['wheel'] }, s).allowed, false);
  assert.equal(checkAccess({ ...none, denyGroups: ['su*'] }, s).allowed, false);
  assert.equal(checkAccess({ ...none, allowGroups: ['sudo'] }, { user: 'ghost', addr: '192.0.2.1' }).allowed, false);
  const inv = checkAccess({ ...none, denyUsers: ['*@1.2.3.4/8'] }, s);
  assert.ok(!inv.allowed && inv.by === 'invalid-pattern');
});
