// `sshield completion bash|zsh|fish` of the real program (the generators' golden files are in
// test/unit/docs/cli-docs-golden.test.ts): each script parsed by its shell, and bash and fish asked for real
// completions: subcommands, nested subcommands, option names, option choices, directories for
// <dir>, files for <files...>, and the value of an option not taken for a subcommand.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FILES = { bash: 'sshield.bash', zsh: '_sshield', fish: 'sshield.fish' } as const;
const scripts: Record<string, string> = {};
let dir = '';

function sshield(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sshield-completion-'));
  for (const [shell, file] of Object.entries(FILES)) {
    const r = sshield('completion', shell);
    assert.equal(r.code, 0, r.stderr);
    scripts[shell] = r.stdout;
    writeFileSync(join(dir, file), r.stdout);
  }
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin', 'sshield'), '#!/bin/sh\n');
  chmodSync(join(dir, 'bin', 'sshield'), 0o755);
  mkdirSync(join(dir, 'work', 'rootdir'), { recursive: true });
  writeFileSync(join(dir, 'work', 'report.json'), '{}');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('an unknown shell is a usage error', () => {
  const r = sshield('completion', 'tcsh');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /value 'tcsh' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish/);
});

test('each script parses in its shell', { skip: !existsSync('/usr/bin/zsh') || !existsSync('/usr/bin/fish') ? 'needs zsh and fish' : false }, () => {
  for (const [shell, file] of Object.entries(FILES)) {
    const r = spawnSync(shell, ['-n', join(dir, file)], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${shell}: ${r.stderr}`);
  }
});

function bash(words: string[]): string[] {
  const script = `source ${join(dir, FILES.bash)}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _sshield; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', cwd: join(dir, 'work') });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean).sort();
}

test('bash completes commands, options, choices, directories and files', () => {
  assert.deepEqual(bash(['sshield', 'au']), ['audit']);
  assert.ok(bash(['sshield', '']).includes('report') && bash(['sshield', '']).includes('completion'));
  assert.deepEqual(bash(['sshield', 'keys', '']), ['--help', 'add', 'list', 'remove', 'restrict', 'unrestrict']);
  assert.deepEqual(bash(['sshield', 'keys', 'remove', '--lin']), ['--line'], 'keys remove chooses keys with the selectors of restrict');
  assert.deepEqual(bash(['sshield', 'keys', 'add', '--fi']), ['--file', '--fix-modes'], 'keys add --file is the key');
  assert.deepEqual(bash(['sshield', 'audit', '--format', '']), ['html', 'json', 'sarif', 'text']);
  assert.deepEqual(bash(['sshield', 'audit', '--fo']), ['--format']);
  assert.deepEqual(bash(['sshield', 'audit', '--root', 'ro']), ['rootdir']);
  assert.deepEqual(bash(['sshield', 'report', 're']), ['report.json']);
  assert.deepEqual(bash(['sshield', 'completion', '']), ['bash', 'fish', 'zsh']);
  assert.deepEqual(bash(['sshield', 'scan', '--user', 'keys', '--ti']), ['--timeout'], 'the value of --user is not a subcommand');
});

test('fish completes commands, options, choices, directories and files', { skip: !existsSync('/usr/bin/fish') && 'needs fish' }, () => {
  const fish = (line: string): string[] => {
    const r = spawnSync('fish', ['-c', `source ${join(dir, FILES.fish)}; complete -C '${line}'`], { encoding: 'utf8', cwd: join(dir, 'work'), env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}` } });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]!).sort();
  };
  assert.deepEqual(fish('sshield au'), ['audit']);
  assert.deepEqual(fish('sshield keys '), ['add', 'list', 'remove', 'restrict', 'unrestrict']);
  assert.deepEqual(fish('sshield audit --format '), ['html', 'json', 'sarif', 'text']);
  assert.deepEqual(fish('sshield audit --root ro'), ['rootdir/']);
  assert.deepEqual(fish('sshield report re'), ['report.json']);
  assert.deepEqual(fish('sshield scan --user keys --ti'), ['--timeout']);
});
