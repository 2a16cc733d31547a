// The single executable (Node SEA, scripts/build-sea.sh): what ships to Proxmox hosts without
// Node must behave as the CLI run by node. Built here when missing or older than the bundle
// (test/helpers/sea.ts: about 6 s; the Node 24 binary comes from the npm registry once and is
// cached in .cache/).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { arch } from 'node:os';
import { run } from '../../helpers/sshd.js';
import { ensureSea } from '../../helpers/sea.js';
import { selfCommand } from '../../../src/apply/local-host.js';

let BIN = 'dist/sshield-linux-x64';
const skip = arch() !== 'x64' ? 'the single executable is built for linux-x64 only' : false;
const env = { ...process.env, SSHIELD_TODAY: '2026-11-24', NO_COLOR: '1' };

before(async () => {
  if (skip) return;
  BIN = await ensureSea();
});

test('the single executable runs on Node 24 and reports the package version', { skip }, async () => {
  const v = await run(BIN, ['--version'], { timeoutMs: 30_000, env });
  assert.equal(v.code, 0, v.stderr);
  assert.equal(v.stdout.trim(), JSON.parse(readFileSync('package.json', 'utf8')).version);
  const e = await run(BIN, ['-e', 'console.log(process.version)'], { timeoutMs: 30_000, env });
  assert.doesNotMatch(e.stdout, /^v\d/, 'it is sshield, not a node that takes -e');
});

test('audit of an example root: the same JSON and exit code as the node-run CLI', { skip }, async () => {
  const args = ['audit', '--root', 'examples/pve-cluster-node', '--json'];
  const sea = await run(BIN, args, { timeoutMs: 60_000, env });
  const node = await run(process.execPath, ['bin/sshield.js', ...args], { timeoutMs: 60_000, env });
  assert.equal(sea.code, node.code, sea.stderr);
  assert.equal(sea.stdout, node.stdout);
  assert.ok(JSON.parse(sea.stdout).results.length > 40);
});

test('the confirm watcher is started as the SEA itself: [execPath] + args parses as a command', { skip }, async () => {
  assert.deepEqual(selfCommand(true), [process.execPath]);
  assert.deepEqual(selfCommand(false).slice(-1), [process.argv[1]]);
  // Exactly how spawnDetached starts it: the binary, then the watcher's arguments.
  const r = await run(BIN, ['confirm', '--help'], { timeoutMs: 30_000, env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Usage: sshield confirm/);
});
