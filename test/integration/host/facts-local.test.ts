// Facts of the live machine through the local executor (runs sshd -V / pveversion for real).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { gatherFacts } from '../../../src/host/facts/index.js';
import { localExecutor } from '../../../src/host/executor.js';
import { localFs } from '../../../src/host/local-fs.js';
import { memoryFs } from '../../../src/host/memory-fs.js';

test('local facts agree with dpkg-query, os-release and getent', { skip: !existsSync('/var/lib/dpkg/status') && 'not a dpkg host' }, async () => {
  const t0 = performance.now();
  const f = await gatherFacts(localExecutor(localFs()));
  const ms = performance.now() - t0;
  assert.equal(f.target.kind, 'local');
  assert.equal(f.os.status, 'known');
  const want = execFileSync('dpkg-query', ['-W', '-f=${Version}', 'openssh-server'], { encoding: 'utf8' });
  assert.ok(f.openssh.status === 'known' && f.openssh.value.packageVersion === want, JSON.stringify(f.openssh));
  assert.ok(f.accounts.status === 'known');
  const rootGroups = execFileSync('id', ['-Gn', 'root'], { encoding: 'utf8' }).trim().split(/\s+/).sort();
  assert.deepEqual(f.accounts.value.groupsOf('root').sort(), rootGroups);
  assert.ok(f.sshd.status === 'known' && f.sshd.value.running !== 'unknown');
  assert.ok(ms < 2000, `gatherFacts took ${ms} ms`);
});

test('local executor: no shell, LC_ALL=C, timeout, missing program', async () => {
  const exec = localExecutor(memoryFs({}));
  const r = await exec.run('sh', ['-c', 'echo "$LC_ALL"; echo err >&2; exit 3'])!;
  assert.deepEqual([r.code, r.stdout, r.stderr], [3, 'C\n', 'err\n']);
  const lit = await exec.run('echo', ['$(id)', '; true'])!;
  assert.equal(lit.stdout, '$(id) ; true\n', 'arguments are not interpreted by a shell');
  const slow = await exec.run('sleep', ['5'], { timeoutMs: 100 })!;
  assert.equal(slow.code, null);
  assert.equal(slow.signal, 'SIGTERM');
  assert.ok(slow.error);
  const missing = await exec.run('/nonexistent/sshield-x', [])!;
  assert.equal(missing.code, null);
  assert.match(missing.error ?? '', /ENOENT/);
});

test('sshd -V fallback when dpkg knows no openssh-server (live host only)', { skip: !existsSync('/usr/sbin/sshd') && 'no sshd' }, async () => {
  const exec = localExecutor(memoryFs({ '/etc/os-release': 'ID=debian\nVERSION_ID=12\n' }, 'fake'));
  const f = await gatherFacts({ ...exec, fs: exec.fs });
  assert.ok(f.openssh.status === 'known', JSON.stringify(f.openssh));
  assert.equal(f.openssh.value.source, 'sshd -V');
  assert.match(f.openssh.value.upstream, /^\d+\.\d+/);
});
