// The pure decisions of remote-binary.ts: the host's arch from `uname -m`, the executable's from
// its ELF header, the cache directories judged from stat's answer, which executable to copy, and
// the remote command that verifies before it runs (checked by running it through a real sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { archOfElf, archOfUname, judgeCacheDirs, localBinaryFor, parseDirFacts, runCommand, rootScript, CACHE_DIR, CACHE_ROOT, ROOT_PATH, sha256File, TAMPERED_EXIT, TAMPERED_MARK } from '../../../src/fleet/remote-binary.js';

function elf(machine: number, { bits = 2, little = true } = {}): Uint8Array {
  const b = Buffer.alloc(64);
  b.set([0x7f, 0x45, 0x4c, 0x46, bits, little ? 1 : 2, 1], 0);
  if (little) b.writeUInt16LE(machine, 18);
  else b.writeUInt16BE(machine, 18);
  return b;
}

test('uname -m names the build: x86_64/amd64 -> x64, aarch64/arm64 -> arm64, others none', () => {
  assert.equal(archOfUname('x86_64\n'), 'x64');
  assert.equal(archOfUname('amd64'), 'x64');
  assert.equal(archOfUname('aarch64'), 'arm64');
  assert.equal(archOfUname('arm64'), 'arm64');
  for (const m of ['armv7l', 'i686', 'riscv64', 'ppc64le', '', 'x86_64 extra']) assert.equal(archOfUname(m), undefined, m);
});

test('the ELF header names the machine; anything else is a clear error', () => {
  assert.deepEqual(archOfElf(elf(62)), { arch: 'x64' });
  assert.deepEqual(archOfElf(elf(183)), { arch: 'arm64' });
  assert.deepEqual(archOfElf(elf(183, { little: false })), { arch: 'arm64' });
  assert.match((archOfElf(elf(40)) as { error: string }).error, /machine 40/);
  assert.match((archOfElf(elf(62, { bits: 1 })) as { error: string }).error, /64-bit/);
  assert.match((archOfElf(Buffer.from('#!/bin/sh\necho hi\n')) as { error: string }).error, /not an ELF/);
  assert.match((archOfElf(Buffer.alloc(4)) as { error: string }).error, /not an ELF/);
  // This very node binary is one.
  const head = execFileSync('head', ['-c', '20', process.execPath]);
  assert.ok('arch' in archOfElf(head));
});

test('the cache directories: stat answers parsed; a symlink, a non-directory, not root\'s, or group/other writable are refused', () => {
  const facts = (a: string, b: string) => parseDirFacts(`hello from .bashrc\nsshield-dir ${CACHE_ROOT} ${a}\nsshield-dir ${CACHE_DIR} ${b}\n`);
  assert.deepEqual(facts('missing', 'missing'), [{ path: CACHE_ROOT }, { path: CACHE_DIR }]);
  const ok = facts('directory|0|755', 'directory|0|700');
  assert.ok(Array.isArray(ok));
  assert.equal(judgeCacheDirs(ok as never), undefined);
  assert.equal(judgeCacheDirs(facts('directory|0|755', 'missing') as never), undefined);
  const refuse: [string, string, RegExp][] = [
    ['symbolic link|0|777', 'missing', /\/var\/lib\/sshield is a symlink/],
    ['directory|0|755', 'symbolic link|0|777', /\/var\/lib\/sshield\/bin is a symlink/],
    ['directory|0|775', 'directory|0|700', /group- or other-writable \(mode 0775\)/],
    ['directory|0|755', 'directory|0|1777', /group- or other-writable \(mode 1777\)/],
    ['directory|0|755', 'directory|1000|700', /owned by uid 1000, not root/],
    ['regular file|0|644', 'missing', /not a directory \(regular file\)/],
  ];
  for (const [a, b, re] of refuse) assert.match(judgeCacheDirs(facts(a, b) as never) ?? '', re, `${a} / ${b}`);
  // Answers that are not the facts script's: an error, never a verdict.
  assert.equal(typeof parseDirFacts('garbage'), 'string');
  assert.equal(typeof parseDirFacts(`sshield-dir /etc directory|0|755\nsshield-dir ${CACHE_DIR} missing\n`), 'string');
});

test('which executable: this single executable, else the given one, else dist/sshield-linux-<arch>, else how to build it', () => {
  const has = (...p: string[]) => (x: string) => p.includes(x);
  const base = { execPath: '/opt/sshield', packageDirs: ['/pkg/dist'] };
  assert.deepEqual(localBinaryFor('x64', { ...base, sea: true, given: '/x', exists: has() }), { path: '/opt/sshield', how: 'this single executable' });
  assert.equal((localBinaryFor('x64', { ...base, sea: false, given: '/x', exists: has('/x') }) as { path: string }).path, '/x');
  assert.match((localBinaryFor('x64', { ...base, sea: false, given: '/x', exists: has() }) as { error: string }).error, /\/x does not exist/);
  assert.equal((localBinaryFor('arm64', { ...base, sea: false, exists: has('/pkg/dist/sshield-linux-arm64') }) as { path: string }).path, '/pkg/dist/sshield-linux-arm64');
  const none = localBinaryFor('arm64', { ...base, sea: false, exists: has('/pkg/dist/sshield-linux-x64') }) as { error: string };
  assert.match(none.error, /scripts\/build-sea\.sh arm64/);
  assert.match(none.error, /--remote-binary FILE/);
});

test('the run wrapper checks the sha256 and runs with argv intact, or refuses to run a changed file (real sh)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sshield-rb-'));
  try {
    const f = join(dir, 'prog');
    writeFileSync(f, '#!/bin/sh\nprintf "%s|" "$@"\nprintf "%s" "$PATH" >&2\n');
    chmodSync(f, 0o700);
    const sha = createHash('sha256').update(execFileSync('cat', [f])).digest('hex');
    const args = ["it's", 'a b', '$HOME', '*', '`id`', ''];
    const line = runCommand({ path: f, sha256: sha, sudo: false }, args);
    assert.equal(execFileSync('sh', ['-c', line], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }), args.map((a) => `${a}|`).join(''));
    // It runs with root's PATH (sbin included) whatever PATH the login had.
    const path = execFileSync('sh', ['-c', `${line} 2>&1 >/dev/null`], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    assert.equal(path, ROOT_PATH);
    writeFileSync(f, '#!/bin/sh\necho tampered\n');
    let code = 0;
    let stderr = '';
    try {
      execFileSync('sh', ['-c', line], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      code = (e as { status: number }).status;
      stderr = (e as { stderr: string }).stderr;
    }
    assert.equal(code, TAMPERED_EXIT);
    assert.ok(stderr.includes(TAMPERED_MARK), stderr);
    assert.match(rootScript('true', [], true), /exec sudo -n sh -c/);
    assert.doesNotMatch(rootScript('true', [], false), /sudo/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the local sha256 is computed once for hosts asking at the same time, again when the file changes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sshield-rb-'));
  try {
    const f = join(dir, 'bin');
    writeFileSync(f, 'one');
    const [a, b] = [sha256File(f), sha256File(f)];
    assert.equal(a, b, 'one computation shared');
    assert.equal(await a, createHash('sha256').update('one').digest('hex'));
    writeFileSync(f, 'twotwo');
    assert.equal(await sha256File(f), createHash('sha256').update('twotwo').digest('hex'));
    await assert.rejects(async () => sha256File(join(dir, 'missing')), /ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
