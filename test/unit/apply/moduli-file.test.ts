// filterModuli keeps comments and the groups of at least minBits (moduli(5) field 5 = size - 1),
// byte for byte; moduliChanges plans moduli.safe as a new file, or nothing when it already matches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterModuli, moduliChanges } from '../../../src/apply/moduli-file.js';
import { memoryFs } from '../../../src/host/memory-fs.js';

const M = '# header\r\n20220714 2 6 100 2047 2 AB\n20220714 2 6 100 3071 2 CD\n\n20220714 2 6 100 4095 5 EF\nbroken line\n';

test('filterModuli: keeps comments, blank and unparsable lines, and groups of 3072 bits and more', () => {
  assert.equal(filterModuli(M, 3072), '# header\r\n20220714 2 6 100 3071 2 CD\n\n20220714 2 6 100 4095 5 EF\nbroken line\n');
  assert.equal(filterModuli(M, 4096), '# header\r\n\n20220714 2 6 100 4095 5 EF\nbroken line\n');
});

test('moduliChanges: a new moduli.safe (inside --root), nothing when it already holds the filtered groups', async () => {
  const fs = memoryFs({ '/etc/ssh/moduli': M });
  const [c] = await moduliChanges(fs, [{ from: '/etc/ssh/moduli', to: '/etc/ssh/moduli.safe', minBits: 3072, rule: 'host/no-weak-moduli' }], '/mnt/img');
  assert.equal(c?.path, '/etc/ssh/moduli.safe');
  assert.equal(c?.hostPath, '/mnt/img/etc/ssh/moduli.safe');
  assert.equal(c?.beforeSha256, null);
  assert.equal(c?.after, filterModuli(M, 3072));
  const done = memoryFs({ '/etc/ssh/moduli': M, '/etc/ssh/moduli.safe': filterModuli(M, 3072) });
  assert.deepEqual(await moduliChanges(done, [{ from: '/etc/ssh/moduli', to: '/etc/ssh/moduli.safe', minBits: 3072, rule: 'x' }], undefined), []);
});
