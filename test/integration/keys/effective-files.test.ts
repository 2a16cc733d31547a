// keys list/restrict read the files sshd reads: the EFFECTIVE AuthorizedKeysFile for the user
// (here a Match User block pointing at /etc/ssh/authorized/%u), not Debian's default list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../helpers/sshd.js';

const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];

test('keys list follows a Match User AuthorizedKeysFile; restrict edits that file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sshield-keyfiles-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync('examples/debian12-cloud', dir, { recursive: true });
  const home = readFileSync(join(dir, 'home/debian/.ssh/authorized_keys'), 'latin1');
  const keyLine = home.split('\n').find((l) => /^(ssh-ed25519|ssh-rsa|ecdsa)/.test(l))!;
  mkdirSync(join(dir, 'etc/ssh/authorized'), { recursive: true });
  writeFileSync(join(dir, 'etc/ssh/authorized/debian'), `${keyLine.split(' ').slice(0, 2).join(' ')} central-copy\n`, { mode: 0o644 });
  appendFileSync(join(dir, 'etc/ssh/sshd_config'), '\nMatch User debian\n\tAuthorizedKeysFile /etc/ssh/authorized/%u\n');

  const r = await run(process.execPath, [...CLI, 'keys', 'list', '--root', dir, '--user', 'debian', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const keys = JSON.parse(r.stdout).keys as { file: string; comment: string }[];
  assert.deepEqual(keys.map((k) => [k.file.replace(/:\d+$/, ''), k.comment]), [['/etc/ssh/authorized/debian', 'central-copy']]);

  // Another user still gets the global (default) files.
  const root = await run(process.execPath, [...CLI, 'keys', 'list', '--root', dir, '--user', 'root', '--json']);
  assert.equal(root.code, 0, root.stderr);
  assert.ok((JSON.parse(root.stdout).keys as { file: string }[]).every((k) => k.file.startsWith('/root/.ssh/')));

  const x = await run(process.execPath, [...CLI, 'keys', 'restrict', '--root', dir, '--user', 'debian', '--all', '--options', 'no-pty', '--yes']);
  assert.equal(x.code, 0, x.stdout + x.stderr);
  assert.match(readFileSync(join(dir, 'etc/ssh/authorized/debian'), 'latin1'), /^no-pty ssh-/);
  assert.equal(readFileSync(join(dir, 'home/debian/.ssh/authorized_keys'), 'latin1'), home, 'the file sshd does not read is untouched');
});
