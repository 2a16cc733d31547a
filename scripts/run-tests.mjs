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

// Files marked "test-group: machine-admins" add root-capable accounts (sudo members) to this
// machine's own /etc. The guards rightly judge every such account of the machine, so while one
// of these files runs, any other file's live change on this machine would be judged with its
// throwaway admins too (and refused). They run after the others, one at a time.
const MARK = /^\/\/ test-group: machine-admins\b/m;
const alone = files.filter((f) => MARK.test(readFileSync(f, 'utf8')));
const together = files.filter((f) => !alone.includes(f));

function runFiles(list, concurrency, tap) {
  if (list.length === 0) return { status: 0, tap: '' };
  const r = spawnSync(
    process.execPath,
    [
      '--import', 'tsx', '--test', `--test-concurrency=${concurrency}`,
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=tap', `--test-reporter-destination=${tap}`,
      ...list,
    ],
    { stdio: 'inherit' },
  );
  return { status: r.status ?? 1, tap: readFileSync(tap, 'utf8') };
}

const first = runFiles(together, process.env.SSHIELD_TEST_CONCURRENCY ?? 3, join('.cache', 'last-test-run.tap'));
const second = runFiles(alone, 1, join('.cache', 'last-test-run-machine-admins.tap'));
const count = (k) => [first.tap, second.tap].reduce((n, t) => n + Number(t.match(new RegExp(`^# ${k} (\\d+)$`, 'm'))?.[1] ?? 0), 0);
console.log(`${count('pass')} passed, ${count('fail') + count('cancelled')} failed, ${count('skipped')} skipped`);
process.exit(first.status !== 0 ? first.status : second.status);
