// keys restrict goes through the one safe-edit pipeline: a throwaway user's key is restricted
// with the real CLI into a temporary --backup-dir, `sshield backups` lists the change with kind
// "keys", and `sshield restore ID` puts the original bytes back byte for byte with the owner,
// group and mode kept; a real sshd on loopback shows the key losing and regaining its TTY.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientKey, createTestUser, installAuthorizedKeys, run, sshClient, sshdAvailable, startSshd, type SshdInstance, type TestUser } from '../../helpers/sshd.js';

const skip = !sshdAvailable() && 'needs root and /usr/sbin/sshd';
let sshd: SshdInstance;
let user: TestUser;
let dir = '';
let backups = '';
let k1 = '';
let k2 = '';
let akPath = '';
let original: Buffer;

function cli(...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { timeoutMs: 60_000, env: { HOME: '/root', USER: 'root' } });
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'sshield-keys-backup-'));
  backups = join(dir, 'backups');
  user = await createTestUser();
  k1 = await clientKey(dir, 'ed25519', 'k1');
  k2 = await clientKey(dir, 'ed25519', 'k2');
  // Bytes a careless writer would change: CRLF, a tab, a comment, no newline at the end.
  akPath = await installAuthorizedKeys(user, '');
  writeFileSync(akPath, `# keys of the test user\r\n${readFileSync(`${k1}.pub`, 'utf8').trim()}\t\r\n\n${readFileSync(`${k2}.pub`, 'utf8').trim()}`);
  chmodSync(akPath, 0o640);
  original = readFileSync(akPath);
  sshd = await startSshd();
});
after(async () => {
  await sshd?.stop();
  await user?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('keys restrict is a pipeline backup of kind keys; sshield restore puts the original bytes, owner and mode back', { skip, timeout: 120_000 }, async () => {
  const st = statSync(akPath);
  const tty = await sshClient(sshd, user.name, { key: k1, args: ['-tt'], command: 'tty' });
  assert.match(tty.stdout, /\/dev\/pts\//, tty.stderr);

  const fp = (await run('ssh-keygen', ['-lf', `${k1}.pub`])).stdout.split(' ')[1]!;
  const r = await cli('keys', 'restrict', '--user', user.name, '--fingerprint', fp, '--restrict', '--yes', '--json', '--backup-dir', backups);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.schemaVersion, 1);
  assert.equal(j.command, 'keys restrict');
  assert.equal(j.outcome.kind, 'applied');
  assert.equal(j.outcome.exitCode, 0);
  assert.match(j.backup.id, /^\d{8}T\d{6}Z(-\d+)?$/);
  const id: string = j.backup.id;
  assert.equal(j.plan.details.files.length, 1);
  assert.equal(j.plan.details.files[0].file, akPath);
  assert.equal(j.plan.details.files[0].writes, akPath);
  assert.equal(j.plan.details.files[0].viaSymlink, false);
  assert.deepEqual(j.plan.details.files[0].lines, [2]);
  assert.deepEqual(j.backup.files, [{ path: akPath, hostPath: akPath, existed: true, copy: join(backups, id, 'files/0') }]);
  assert.ok(readFileSync(j.backup.files[0].copy).equals(original), 'the backup copy holds the original bytes');
  const changed = readFileSync(akPath, 'latin1');
  assert.equal(changed, original.toString('latin1').replace('\r\nssh-ed25519', '\r\nrestrict ssh-ed25519'));
  const st2 = statSync(akPath);
  assert.deepEqual([st2.uid, st2.gid, st2.mode & 0o7777], [st.uid, st.gid, 0o640]);
  const noTty = await sshClient(sshd, user.name, { key: k1, args: ['-tt'], command: 'tty' });
  assert.doesNotMatch(noTty.stdout, /\/dev\/pts\//);

  const list = await cli('backups', '--backup-dir', backups, '--json');
  assert.equal(list.code, 0, list.stderr);
  const bk = JSON.parse(list.stdout).backups;
  assert.equal(bk.length, 1);
  assert.equal(bk[0].id, id);
  assert.equal(bk[0].kind, 'keys');
  assert.equal(bk[0].state, 'committed');
  assert.deepEqual(bk[0].files.map((f: { path: string; existed: boolean; mode: string; uid: number; gid: number }) => [f.path, f.existed, f.mode, f.uid, f.gid]), [[akPath, true, '640', st.uid, st.gid]]);
  const text = await cli('backups', '--backup-dir', backups);
  assert.match(text.stdout, new RegExp(`^${id} {2}keys {5}committed {9}${akPath.replace(/[.]/g, '\\.')}$`, 'm'));

  const rs = await cli('restore', id, '--backup-dir', backups, '--yes');
  assert.equal(rs.code, 0, `${rs.stdout}\n${rs.stderr}`);
  assert.match(rs.stdout, /^-restrict ssh-ed25519 /m);
  assert.ok(readFileSync(akPath).equals(original), 'restored byte-identical');
  const st3 = statSync(akPath);
  assert.deepEqual([st3.uid, st3.gid, st3.mode & 0o7777], [st.uid, st.gid, 0o640]);
  const back = await sshClient(sshd, user.name, { key: k1, args: ['-tt'], command: 'tty' });
  assert.match(back.stdout, /\/dev\/pts\//, back.stderr);

  const after = JSON.parse((await cli('backups', '--backup-dir', backups, '--json')).stdout).backups;
  assert.deepEqual(after.map((b: { kind: string; state: string }) => [b.kind, b.state]), [['keys', 'committed'], ['restore', 'committed']]);
});
