// Runs the test suite with node:test. Node 20 has no glob support in --test, so we list the
// files ourselves. `node scripts/run-tests.mjs unit` runs one folder; default: all of test/.
// Output: the spec reporter on stdout, then one plain closing line "N passed, N failed, N skipped"
// counted from a TAP copy of the same run, so CI and people read the same numbers.
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...find(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const roots = process.argv.slice(2);
const files = (roots.length ? roots.map((r) => join('test', r)) : ['test']).flatMap(find);
mkdirSync('.cache', { recursive: true });
const tap = join('.cache', 'last-test-run.tap');
const r = spawnSync(
  process.execPath,
  [
    '--import', 'tsx', '--test', `--test-concurrency=${process.env.SSHIELD_TEST_CONCURRENCY ?? 3}`,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    ...files,
  ],
  { stdio: 'inherit' },
);
const summary = readFileSync(tap, 'utf8');
const count = (k) => Number(summary.match(new RegExp(`^# ${k} (\\d+)$`, 'm'))?.[1] ?? 0);
console.log(`${count('pass')} passed, ${count('fail') + count('cancelled')} failed, ${count('skipped')} skipped`);
process.exit(r.status ?? 1);
