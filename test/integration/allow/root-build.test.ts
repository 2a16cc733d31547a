// An offline Debian 13 root changed on this Debian 12 machine: the local 9.2p1 sshd would reject
// the root's own 10.0p1 defaults (mlkem768x25519-sha256) and roll a correct change back, so the
// change is validated by the engine for the root's build and says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, sshdAvailable } from '../../helpers/sshd.js';

const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

test('allow add on a Debian 13 root from a Debian 12 machine is applied, not rolled back', { skip: !sshdAvailable() && 'needs root and /usr/sbin/sshd' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sshield-root13-'));
  const bk = mkdtempSync(join(tmpdir(), 'sshield-bk-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  t.after(() => rmSync(bk, { recursive: true, force: true }));
  cpSync('examples/hardened', dir, { recursive: true });
  const r = await run(process.execPath, [...CLI, 'allow', 'add', '192.0.2.0/24', '--root', dir, '--yes', '--backup-dir', bk]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stderr, /not validated by this machine's sshd \(9\.2p1-debian\).*10\.0p1-debian/);
  assert.match(readFileSync(join(dir, 'etc/ssh/sshd_config'), 'latin1'), /^DenyUsers \*@!192\.0\.2\.0\/24,\*$/m);
});
