// Owners under --root come from the ROOT's passwd and group, as numbers the plan shows and the
// writer applies exactly (issue #12: "owners come from numbers the plan shows"). The image maps
// a name the host also has (www-data: 33 on Debian hosts) to other numbers, and a new account
// gets the ids the plan picked from the image's files (not whatever the host would give).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, sshdAvailable } from '../../helpers/sshd.js';

const skip = !sshdAvailable() && 'needs root and /usr/sbin/sshd';
const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];
let R: string;
const PASSWD = 'root:x:0:0:root:/root:/bin/bash\nwww-data:x:2033:2044:www-data:/var/www:/bin/sh\nbob:x:1000:1000::/home/bob:/bin/bash\nzed:x:1002:1001::/home/zed:/bin/sh\n';
const GROUP = 'root:x:0:\nwww-data:x:2044:\nbob:x:1000:\nzed:x:1001:\n';

function cli(args: string[]) {
  return run(process.execPath, [...CLI, ...args, '--root', R, '--backup-dir', join(R, 'bk'), '--yes', '--json'], { env: { HOME: '/root', USER: 'root' }, timeoutMs: 90_000 });
}

interface Step { kind: string; describe: string; owner?: { uid: number; gid: number } | { user: string }; ids?: { uid: number; gid: number; group?: string } }

before(() => {
  if (skip) return;
  R = mkdtempSync(join(tmpdir(), 'sshield-rootids-'));
  chmodSync(R, 0o755);
  for (const d of ['etc/ssh/sshd_config.d', 'usr/sbin', 'home', 'srv', 'var/www']) mkdirSync(join(R, d), { recursive: true, mode: 0o755 });
  writeFileSync(join(R, 'etc/ssh/sshd_config'), 'Include /etc/ssh/sshd_config.d/*.conf\n\nPermitRootLogin prohibit-password\nUsePAM yes\nSubsystem sftp /usr/lib/openssh/sftp-server\n');
  writeFileSync(join(R, 'etc/passwd'), PASSWD);
  writeFileSync(join(R, 'etc/group'), GROUP);
  writeFileSync(join(R, 'etc/shadow'), 'root:*:19000:0:99999:7:::\nwww-data:*:19000:0:99999:7:::\nbob:!:19000:0:99999:7:::\nzed:!:19000:0:99999:7:::\n', { mode: 0o640 });
  writeFileSync(join(R, 'etc/gshadow'), 'root:*::\nwww-data:*::\nbob:!::\nzed:!::\n', { mode: 0o640 });
  copyFileSync('/usr/sbin/nologin', join(R, 'usr/sbin/nologin'));
});

after(() => {
  if (R) rmSync(R, { recursive: true, force: true });
});

test('user sftp --root: the upload directory gets the uid/gid of the ROOT\'s account, shown in the plan, not the host\'s', { skip, timeout: 120_000 }, async () => {
  const hostUid = Number(/^www-data:x:(\d+):/m.exec(readFileSync('/etc/passwd', 'latin1'))?.[1] ?? -1);
  assert.notEqual(hostUid, 2033, 'the host maps www-data elsewhere');
  const r = await cli(['user', 'sftp', 'www-data', '--chroot', '/srv/www', '--create']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const doc = JSON.parse(r.stdout) as { plan: { steps: Step[] } };
  const up = doc.plan.steps.find((s) => s.kind === 'make-dir' && s.describe.includes('/srv/www/upload'))!;
  assert.deepEqual(up.owner, { uid: 2033, gid: 2044 }, 'numbers in the plan');
  assert.match(up.describe, /owned by www-data \(2033:2044 in .*\/etc\/passwd\)/);
  const st = statSync(join(R, 'srv/www/upload'));
  assert.deepEqual([st.uid, st.gid], [2033, 2044], 'applied as planned');
});

test('user add --root: the new account\'s ids are picked from the ROOT\'s files, shown, and useradd gets exactly them', { skip, timeout: 120_000 }, async () => {
  const name = `sshield-t-ids${process.pid % 1000}`;
  const r = await cli(['user', 'sftp', name, '--chroot', `/srv/${name}`, '--create']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const doc = JSON.parse(r.stdout) as { plan: { steps: Step[] } };
  const create = doc.plan.steps.find((s) => s.kind === 'create-account')!;
  // 1000 is bob's uid and 1001 zed's group: the first free number for both is 1003 (1002 is zed's uid).
  assert.deepEqual(create.ids, { uid: 1003, gid: 1003, gecos: '', group: name });
  assert.match(create.describe, /\(uid 1003, gid 1003 in a new group/);
  const up = doc.plan.steps.find((s) => s.kind === 'make-dir' && s.describe.includes('/upload'))!;
  assert.deepEqual(up.owner, { uid: 1003, gid: 1003 });
  assert.match(readFileSync(join(R, 'etc/passwd'), 'latin1'), new RegExp(`^${name}:x:1003:1003::/home/${name}:/usr/sbin/nologin$`, 'm'));
  assert.match(readFileSync(join(R, 'etc/group'), 'latin1'), new RegExp(`^${name}:x:1003:`, 'm'));
  const st = statSync(join(R, `srv/${name}/upload`));
  assert.deepEqual([st.uid, st.gid], [1003, 1003]);
  assert.doesNotMatch(readFileSync('/etc/passwd', 'latin1'), new RegExp(`^${name}:`, 'm'), 'the host accounts are untouched');
});
