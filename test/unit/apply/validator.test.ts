// Which sshd validates an offline root: only one of the same OpenSSH build as the root's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validatorFor } from '../../../src/apply/validator.js';
import { localFs } from '../../../src/host/local-fs.js';
import { rootFs } from '../../../src/host/root-fs.js';

const status = (v: string) => `Package: openssh-server\nStatus: install ok installed\nVersion: ${v}\n\n`;

test('validatorFor: the live host always uses its sshd; a root only when the builds agree', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sshield-validator-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const local = join(dir, 'local-status');
  writeFileSync(local, status('1:9.2p1-2+deb12u10'));
  const root = join(dir, 'root');
  mkdirSync(join(root, 'var/lib/dpkg'), { recursive: true });

  const host = (r: string | undefined) => ({ ...(r !== undefined ? { root: r } : {}), target: { fs: r !== undefined ? rootFs(r) : localFs() }, machine: { fs: localFs() } });
  assert.deepEqual(await validatorFor(host(undefined), '/usr/sbin/sshd', local), { sshd: '/usr/sbin/sshd' });

  writeFileSync(join(root, 'var/lib/dpkg/status'), status('1:9.2p1-2+deb12u2'));
  assert.deepEqual(await validatorFor(host(root), '/usr/sbin/sshd', local), { sshd: '/usr/sbin/sshd' });

  writeFileSync(join(root, 'var/lib/dpkg/status'), status('1:10.0p1-7+deb13u4'));
  const other = await validatorFor(host(root), '/usr/sbin/sshd', local);
  assert.equal(other.sshd, undefined);
  assert.match(other.note!, /9\.2p1-debian.*10\.0p1-debian/);

  rmSync(join(root, 'var/lib/dpkg/status'));
  assert.equal((await validatorFor(host(root), '/usr/sbin/sshd', local)).sshd, undefined, 'unknown root build: not judged by a possibly different sshd');
});
