// Links into other accounts' files. A throwaway user's authorized_keys is a symlink to another
// account's root-owned key file: `keys restrict --user A --all` must refuse (never edit B's keys),
// and `keys list` must not attribute B's keys to A as editable. Nothing changes owner, mode or bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, lchownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientKey, createTestUser, run, sshdAvailable } from '../../helpers/sshd.js';

const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];

test("keys restrict refuses an authorized_keys that links to another account's file", { skip: !sshdAvailable() && 'needs root', timeout: 120_000 }, async (t) => {
  const a = await createTestUser();
  t.after(() => a.remove());
  const b = await createTestUser();
  t.after(() => b.remove());
  const base = mkdtempSync(join(tmpdir(), 'sshield-foreign-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const key = await clientKey(base);
  const bDir = join(b.home, '.ssh');
  mkdirSync(bDir, { recursive: true, mode: 0o700 });
  const bKeys = join(bDir, 'authorized_keys');
  writeFileSync(bKeys, readFileSync(`${key}.pub`), { mode: 0o600 }); // root-owned, as an admin-managed file
  const aDir = join(a.home, '.ssh');
  mkdirSync(aDir, { recursive: true, mode: 0o700 });
  chownSync(aDir, a.uid, a.uid);
  symlinkSync(bKeys, join(aDir, 'authorized_keys'));
  lchownSync(join(aDir, 'authorized_keys'), a.uid, a.uid);
  const before = { bytes: readFileSync(bKeys), st: statSync(bKeys) };

  const r = await run(process.execPath, [...CLI, 'keys', 'restrict', '--user', a.name, '--all', '--restrict', '--yes', '--backup-dir', join(base, 'bk')], { timeoutMs: 90_000 });
  assert.notEqual(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, new RegExp(`a file of the account ${b.name}; not following it`));
  const after = statSync(bKeys);
  assert.ok(readFileSync(bKeys).equals(before.bytes), "B's keys are untouched");
  assert.deepEqual([after.uid, after.gid, after.mode, after.ino], [before.st.uid, before.st.gid, before.st.mode, before.st.ino]);
});
