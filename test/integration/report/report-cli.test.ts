// `sshield report` as a process: HTML on stdout or to -o FILE, exit 0; unreadable or foreign
// files exit 2 with the file named on stderr and nothing written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertMatchesSchema } from '../../helpers/json-schema.js';

function sshield(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('report: stdout by default, errors name the file and exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sshield-report-'));
  try {
    const ok = sshield('report', 'test/golden/audit/hardened.json', 'test/golden/scan/fixture.json');
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^<!DOCTYPE html>/);
    assert.match(ok.stdout, /Hosts × rules/);
    const foreign = join(dir, 'x.json');
    writeFileSync(foreign, '{"hello": 1}');
    const out = join(dir, 'out.html');
    const bad = sshield('report', foreign, join(dir, 'missing.json'), '-o', out);
    assert.equal(bad.code, 2);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr, new RegExp(`sshield report: ${foreign}: not an sshield report`));
    assert.match(bad.stderr, /missing\.json: no such file/);
    assert.equal(existsSync(out), false, 'nothing written');
    assert.equal(sshield('report').code, 2, 'no file is a usage error');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('audit text: FORCE_COLOR colours a pipe, NO_COLOR wins, a pipe alone stays plain', () => {
  const audit = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'audit', '--root', 'examples/hardened'], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } }).stdout;
  assert.match(audit({ FORCE_COLOR: '1' }), /\x1b\[1msshield audit:/);
  assert.doesNotMatch(audit({ FORCE_COLOR: '1', NO_COLOR: '1' }), /\x1b\[/);
  assert.doesNotMatch(audit({}), /\x1b\[/);
});

test('a bare sshield prints the help on stderr and exits 2 (usage); --help exits 0', () => {
  const bare = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts'], { encoding: 'utf8' });
  assert.equal(bare.status, 2);
  assert.equal(bare.stdout, '');
  assert.match(bare.stderr, /^Usage: sshield \[options\] \[command\]/);
  const help = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: sshield/);
});

test('the plan diff is coloured when colour is on (a terminal, or FORCE_COLOR), plain in a pipe', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sshield-diff-'));
  try {
    const root = join(dir, 'root');
    spawnSync('cp', ['-a', 'examples/pve9-default', root]);
    const harden = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'harden', '--root', root, '--dry-run', '--backup-dir', join(dir, 'b')], { encoding: 'utf8', env: { PATH: process.env.PATH, SSHIELD_TODAY: '2026-11-24', ...env } });
    const coloured = harden({ FORCE_COLOR: '1' });
    assert.equal(coloured.status, 0, coloured.stderr);
    assert.match(coloured.stdout, /^\x1b\[32m\+[^+]/m, 'added lines green');
    assert.match(coloured.stdout, /^\x1b\[31m-[^-]/m, 'removed lines red');
    const plain = harden({});
    assert.doesNotMatch(plain.stdout, /\x1b\[/);
    assert.match(plain.stdout, /^\+[^+]/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('backups: a change made with --root is listed as that root\'s files, not this machine\'s', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sshield-backups-'));
  try {
    const root = join(dir, 'root');
    spawnSync('cp', ['-a', 'examples/pve9-default', root]);
    const add = sshield('allow', 'add', '192.0.2.0/24', '--root', root, '--yes', '--backup-dir', join(dir, 'b'));
    assert.equal(add.code, 0, add.stderr);
    const text = sshield('backups', '--backup-dir', join(dir, 'b'));
    assert.match(text.stdout, new RegExp(`^\\d{8}T\\d{6}Z  allow +committed +in root ${root}: /etc/ssh/sshd_config$`, 'm'));
    const json = JSON.parse(sshield('backups', '--backup-dir', join(dir, 'b'), '--json').stdout) as { backups: { root?: string; files: { path: string; hostPath?: string }[] }[] };
    assert.equal(json.backups[0]!.root, root);
    assert.deepEqual(json.backups[0]!.files.map((f) => [f.path, f.hostPath]), [['/etc/ssh/sshd_config', join(root, 'etc/ssh/sshd_config')]]);
    assertMatchesSchema('backups', json);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
