// Trusted backups. A non-root user who can write the backup directory (here one that pre-created
// the --backup-dir under /tmp) plants a journal in phase "installing" whose manifest names a file
// of the host, with a "backup copy" holding the attacker's bytes (sha256 matching). The next
// ordinary run must refuse the directory with the exact fix and write nothing: not the victim
// file, not the config it was asked to change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestUser, run, sshdAvailable } from '../../helpers/sshd.js';

const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

test('a planted journal in a user-writable backup dir is refused; nothing is written', { skip: !sshdAvailable() && 'needs root', timeout: 120_000 }, async (t) => {
  const user = await createTestUser();
  t.after(() => user.remove());
  const base = mkdtempSync(join(tmpdir(), 'sshield-planted-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  chmodSync(base, 0o755);
  // The victim: a root-owned file of the "host".
  const victim = join(base, 'victim-shadow');
  writeFileSync(victim, 'root:$6$secret:19000:0:99999:7:::\n', { mode: 0o600 });
  const victimBefore = readFileSync(victim);
  // The user's backup dir, with a planted run.
  const bk = join(base, 'user-backups');
  mkdirSync(bk, { mode: 0o777 });
  chmodSync(bk, 0o777);
  chownSync(bk, user.uid, user.uid);
  const id = '20260101T000000Z';
  const evil = Buffer.from('root::0:0:99999:7:::\n');
  mkdirSync(join(bk, id, 'files'), { recursive: true });
  writeFileSync(join(bk, id, 'files', '0'), evil);
  writeFileSync(join(bk, id, 'manifest.json'), JSON.stringify({ version: 1, id, created: '2026-01-01T00:00:00.000Z', kind: 'harden', configPath: victim, reload: { kind: 'none', why: 'x' }, files: [{ path: victim, hostPath: victim, existed: true, sha256: sha(evil), newSha256: sha(victimBefore), mode: 0o644, uid: 0, gid: 0, copy: 'files/0' }] }));
  writeFileSync(join(bk, id, 'journal.json'), JSON.stringify({ version: 1, id, phase: 'installing', updated: '2026-01-01T00:00:00.000Z', pid: 999999, history: [] }));
  // An ordinary config the admin wants to harden offline.
  const img = join(base, 'img');
  mkdirSync(join(img, 'etc', 'ssh'), { recursive: true });
  writeFileSync(join(img, 'etc', 'ssh', 'sshd_config'), 'PasswordAuthentication yes\nX11Forwarding yes\n');
  const cfgBefore = readFileSync(join(img, 'etc', 'ssh', 'sshd_config'));

  for (const args of [
    ['harden', '--root', img, '--yes', '--backup-dir', bk, '--allow-no-key-admin', '--allow-admin-lockout'],
    ['restore', id, '--yes', '--backup-dir', bk],
  ]) {
    const r = await run(process.execPath, [...CLI, ...args], { timeoutMs: 90_000, env: { ...process.env, NO_COLOR: '1' } });
    assert.notEqual(r.code, 0, `${args[0]}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout + r.stderr, new RegExp(`${bk} is owned by uid ${user.uid} with mode 0777.*fix: chown root:root ${bk} && chmod 0700 ${bk}`), `${args[0]}: the exact fix`);
    assert.ok(readFileSync(victim).equals(victimBefore), `${args[0]}: the victim file is untouched`);
    assert.equal(statSync(victim).mode & 0o7777, 0o600);
    assert.ok(readFileSync(join(img, 'etc', 'ssh', 'sshd_config')).equals(cfgBefore), `${args[0]}: nothing else written either`);
    assert.equal(JSON.parse(readFileSync(join(bk, id, 'journal.json'), 'utf8')).phase, 'installing', 'the planted journal is not acted on');
  }
});
