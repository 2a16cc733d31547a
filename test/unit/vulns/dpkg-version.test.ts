// Debian version ordering: known cases from Debian policy §5.6.12 and the real packages, plus a
// differential property test against the real `dpkg --compare-versions` (batched in two shells).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fc from 'fast-check';
import { compareDebianVersions, parseDebianVersion } from '../../../src/vulns/dpkg-version.js';

const sign = (n: number): -1 | 0 | 1 => (n < 0 ? -1 : n > 0 ? 1 : 0);

test('known Debian version orderings', () => {
  const lt: [string, string][] = [
    ['1:9.2p1-2+deb12u3', '1:9.2p1-2+deb12u10'],
    ['1:9.2p1-2+deb12u2', '1:9.2p1-2+deb12u3'],
    ['1:9.2p1-2', '1:9.2p1-2+deb12u1'],
    ['1:10.0p1-7~bpo12+1', '1:10.0p1-7'],
    ['1:10.0p1-7', '1:10.0p1-7+deb13u1'],
    ['1.0~rc1', '1.0'],
    ['1.0~~', '1.0~'],
    ['1.0~', '1.0'],
    ['1.0', '1.0a'],
    ['1.0a', '1.0+'],
    ['1.0', '1.0.1'],
    ['9.99', '1:0.1'], // epoch wins
    ['1:9.6p1-3ubuntu13.3', '1:9.6p1-3ubuntu13.20'],
    ['1:8.9p1-3ubuntu0.7', '1:8.9p1-3ubuntu0.10'],
    ['1:9.2p1-2+deb12u10', '1:10.0p1-7'],
    ['2.0', '10.0'],
    ['1.2-1', '1.2-1.1'],
  ];
  for (const [a, b] of lt) {
    assert.equal(sign(compareDebianVersions(a, b)), -1, `${a} < ${b}`);
    assert.equal(sign(compareDebianVersions(b, a)), 1, `${b} > ${a}`);
  }
  for (const [a, b] of [['1.0', '1.00'], ['0:1.0', '1.0'], ['1.0-0', '1.0-00'], ['1:9.2p1-2', '01:9.2p1-2']] as const) {
    assert.equal(compareDebianVersions(a, b), 0, `${a} == ${b}`);
  }
});

test('parseDebianVersion splits epoch, upstream and revision at the last hyphen', () => {
  assert.deepEqual(parseDebianVersion('1:9.2p1-2+deb12u10'), { epoch: 1, upstream: '9.2p1', revision: '2+deb12u10' });
  assert.deepEqual(parseDebianVersion('2.0-rc1-3'), { epoch: 0, upstream: '2.0-rc1', revision: '3' });
  assert.deepEqual(parseDebianVersion('10.6p1'), { epoch: 0, upstream: '10.6p1', revision: '' });
});

const dpkgAvailable = (() => {
  try {
    execFileSync('dpkg', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

// Valid Debian versions: optional epoch, upstream starting with a digit, optional revision.
const chars = '0123456789019.+~abzAZ'.split('');
const part = (min: number) => fc.array(fc.constantFrom(...chars), { minLength: min, maxLength: 7 }).map((a) => a.join(''));
const version = fc
  .record({
    epoch: fc.option(fc.constantFrom('0', '1', '2', '10'), { nil: undefined }),
    head: fc.constantFrom(...'0123456789'.split('')),
    up: part(0),
    rev: fc.option(part(1), { nil: undefined }),
  })
  .map(({ epoch, head, up, rev }) => `${epoch !== undefined ? `${epoch}:` : ''}${head}${up}${rev !== undefined ? `-${rev}` : ''}`);
// Half the pairs are near-misses (one character changed), where ordering bugs hide.
const pair = fc.oneof(
  fc.tuple(version, version),
  fc.tuple(version, fc.nat(20), fc.constantFrom(...chars)).map(([v, i, c]) => {
    const k = 1 + (i % Math.max(1, v.length - 1));
    const w = v.slice(0, k) + c + v.slice(k + 1);
    return [v, /^(\d+:)?\d[0-9A-Za-z.+~]*(-[0-9A-Za-z.+~]+)?$/.test(w) ? w : v] as [string, string];
  }),
);

function dpkgCompareBatch(pairs: readonly (readonly [string, string])[]): Promise<string[]> {
  const script = pairs
    .map(([a, b]) => `dpkg --compare-versions '${a}' lt '${b}' && echo '<' || { dpkg --compare-versions '${a}' eq '${b}' && echo '=' || echo '>'; }`)
    .join('\n');
  return new Promise((resolve, reject) => {
    const p = spawn('sh', ['-s'], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, LC_ALL: 'C' } });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('close', () => resolve(out.trim().split('\n')));
    p.stdin.end(script);
  });
}

test('agrees with the real dpkg --compare-versions on 2000 random pairs', { skip: !dpkgAvailable && 'dpkg not installed', timeout: 60_000 }, async () => {
  const pairs = fc.sample(pair, { numRuns: 2000, seed: 20261124 });
  const half = pairs.length / 2;
  const t0 = Date.now();
  const results = (await Promise.all([dpkgCompareBatch(pairs.slice(0, half)), dpkgCompareBatch(pairs.slice(half))])).flat();
  assert.equal(results.length, pairs.length);
  const mismatches = pairs
    .map(([a, b], i) => ({ a, b, dpkg: results[i], ours: ['<', '=', '>'][sign(compareDebianVersions(a, b)) + 1] }))
    .filter((m) => m.dpkg !== m.ours);
  assert.deepEqual(mismatches.slice(0, 10), [], `mismatches vs dpkg (${mismatches.length})`);
  assert.ok(Date.now() - t0 < 20_000, `dpkg batch took ${Date.now() - t0} ms`);
});

test('ordering is antisymmetric and transitive (property)', () => {
  fc.assert(
    fc.property(version, version, version, (a, b, c) => {
      // sign(a,b) == -sign(b,a), written as a sum: strict equality tells 0 from -0, which made
      // equal versions (e.g. "1" and "1") fail the property spuriously.
      assert.equal(sign(compareDebianVersions(a, b)) + sign(compareDebianVersions(b, a)), 0, `${a} vs ${b}`);
      if (compareDebianVersions(a, b) <= 0 && compareDebianVersions(b, c) <= 0) assert.ok(compareDebianVersions(a, c) <= 0);
    }),
    { numRuns: 2000 },
  );
});
