// The progress line of long work (`sshield scan` of several targets): "done/total target" redrawn
// on stderr with \r, cleared at the end, and only when stderr is a terminal. Proven through a
// real pseudo-terminal (util-linux `script` gives the child a pty as stderr while stdout goes to
// a file), against a real sshd on loopback and closed loopback ports; and through the CLI's io
// seam, where a piped stderr gets nothing and the JSON on stdout is never touched.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, run, sshdAvailable, startSshd, type SshdInstance } from '../../helpers/sshd.js';
import { runScan } from '../../../src/cli/scan.js';
import type { Output } from '../../../src/cli/io.js';

const REPO = resolve('.');
const CLI = join(REPO, 'bin', 'sshield.js');
const skipPty = !existsSync('/usr/bin/script') && 'needs util-linux script (a pty)';
let inst: SshdInstance | undefined;
let targets: string[] = [];
let dir = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sshield-progress-'));
  // Closed loopback ports fail fast with "connection refused"; a real daemon when there is one.
  targets = [`127.0.0.1:${await freePort()}`, `127.0.0.1:${await freePort()}`];
  if (sshdAvailable()) {
    inst = await startSshd();
    targets.push(`127.0.0.1:${inst.port}`);
  }
});
after(async () => {
  await inst?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function fakeIo(stderrIsTTY: boolean): Output & { stdout: string; raw: string[]; lines: string[] } {
  const io = {
    stdout: '',
    raw: [] as string[],
    lines: [] as string[],
    out(t: string) {
      io.stdout += t.endsWith('\n') ? t : `${t}\n`;
    },
    err(t: string) {
      io.lines.push(t);
    },
    errRaw(t: string) {
      io.raw.push(t);
    },
    stdoutIsTTY: false,
    stdinIsTTY: false,
    stderrIsTTY,
  };
  return io;
}

test('a terminal on stderr: one "done/total target" line per finished target, then the line is cleared; stdout JSON untouched', async () => {
  const io = fakeIo(true);
  const code = await runScan(targets, { json: true, timeout: 10_000, concurrency: 2, profile: 'default', format: 'json' }, io);
  assert.equal(code, 2, 'refused ports are errors');
  const n = targets.length;
  assert.equal(io.raw.length, n + 1);
  const counts = io.raw.slice(0, n).map((l) => {
    const m = /^\r\x1b\[K(\d+)\/(\d+) (\S+)$/.exec(l);
    assert.ok(m, `progress line ${JSON.stringify(l)}`);
    assert.equal(Number(m[2]), n);
    assert.ok(targets.includes(m[3]!), m[3]);
    return Number(m[1]);
  });
  assert.deepEqual(counts, [...Array(n).keys()].map((i) => i + 1));
  assert.equal(io.raw[n], '\r\x1b[K', 'cleared at the end');
  assert.equal((JSON.parse(io.stdout) as { targets: unknown[] }).targets.length, n);
  assert.doesNotMatch(io.stdout, /\x1b/);
});

test('stderr not a terminal (a pipe, CI, a log file): no progress at all', async () => {
  const io = fakeIo(false);
  await runScan(targets, { json: true, timeout: 10_000, concurrency: 2, profile: 'default', format: 'json' }, io);
  assert.deepEqual(io.raw, []);
  assert.deepEqual(io.lines, []);
});

test('a real pty: the built CLI draws the progress on the terminal and writes clean JSON to the file', { skip: skipPty }, async () => {
  const out = join(dir, 'out.json');
  const tty = join(dir, 'tty.log');
  const cmd = `${process.execPath} ${CLI} scan ${targets.join(' ')} --json --timeout 10000 > ${out}`;
  const r = await run('script', ['-q', '-e', '-c', cmd, tty], { timeoutMs: 120_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm', LC_ALL: 'C.UTF-8' } });
  assert.equal(r.code, 2, `exit 2 (refused ports): ${r.stderr}`);
  const screen = readFileSync(tty, 'latin1');
  for (let i = 1; i <= targets.length; i++) assert.match(screen, new RegExp(`\\r\\x1b\\[K${i}/${targets.length} 127\\.0\\.0\\.1:\\d+`), `${i}/${targets.length} drawn`);
  const json = readFileSync(out, 'utf8');
  assert.doesNotMatch(json, /\x1b|\r/, 'no terminal codes in the JSON');
  assert.equal((JSON.parse(json) as { targets: unknown[] }).targets.length, targets.length);
  // The same command piped: nothing but errors would reach stderr, and no progress.
  const piped = await run(process.execPath, [CLI, 'scan', ...targets, '--json', '--timeout', '10000'], { timeoutMs: 120_000 });
  assert.doesNotMatch(piped.stderr, /\d+\/\d+ 127\.0\.0\.1/);
});
