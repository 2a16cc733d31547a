// `sshield effective` end to end: the built binary (npm run build -> node bin/sshield.js) against
// the real Debian 12 sshd: sorted output identical to `sshd -T [-C]` for several configs (one
// through the exact bash diff of the issue), a rejected config exits 1 with nothing on stdout and
// file:line on stderr, --engine sshd, --json with origins, --root on an example root.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { hostKeys, run, sshdAvailable, sshdT } from '../../helpers/sshd.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..');
const BIN = join(REPO, 'bin', 'sshield.js');
const skip = !sshdAvailable() && 'needs root and /usr/sbin/sshd';
let dir = '';
let hk = '';

before(async () => {
  if (skip) return;
  execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO, stdio: 'ignore' });
  [hk] = (await hostKeys(['ed25519'])) as [string];
  dir = mkdtempSync(join(tmpdir(), 'sshield-cli-eff-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
});

function sshield(args: string[]) {
  return run(process.execPath, [BIN, 'effective', ...args], { env: { NO_COLOR: '1' } });
}

function write(name: string, text: string): string {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text.replaceAll('@DIR@', dir).replaceAll('@HK@', hk));
  return p;
}

const sorted = (s: string) => s.split('\n').filter(Boolean).sort().join('\n');

const CONFIGS: Record<string, string> = {
  debian: 'HostKey @HK@\nInclude @DIR@/d/*.conf\nKbdInteractiveAuthentication no\nUsePAM yes\nX11Forwarding yes\nPrintMotd no\nAcceptEnv LANG LC_*\nSubsystem sftp /usr/lib/openssh/sftp-server\n',
  hardened: 'HostKey @HK@\nPermitRootLogin no\nPasswordAuthentication no\nCiphers -*cbc\nMACs -hmac-sha1*\nKexAlgorithms ^sntrup761x25519-sha512@openssh.com\nMaxAuthTries 3\nLoginGraceTime 20\nAllowGroups sudo adm\n',
  matches: 'HostKey @HK@\nPermitRootLogin no\nMatch Address 10.0.0.0/8,192.168.1.*\n  PermitRootLogin prohibit-password\n  Include @DIR@/m/*.conf\nMatch User alice\n  ForceCommand internal-sftp -l INFO\n  ChrootDirectory /srv/%u\n',
};
const SPECS = ['user=alice,addr=10.1.2.3,host=a.example.com,laddr=127.0.0.1,lport=22', 'user=root,addr=192.168.1.5,host=b,laddr=127.0.0.2,lport=2222', 'user=bob,addr=::1,host=c,laddr=::1,lport=22'];

test('sorted output equals sshd -T -C for several configs and specs', { skip }, async () => {
  write('d/10-a.conf', 'PasswordAuthentication no\n');
  write('m/x.conf', 'X11Forwarding no\nAllowTcpForwarding local\n');
  for (const [name, text] of Object.entries(CONFIGS)) {
    const f = write(`${name}.conf`, text);
    for (const spec of [undefined, ...SPECS]) {
      const real = await sshdT(f, spec);
      assert.equal(real.code, 0, `${name}: sshd accepts it: ${real.stderr}`);
      const mine = await sshield(['--engine', 'builtin', '--openssh', '9.2p1-debian', '-f', f, ...(spec ? ['-C', spec] : [])]);
      assert.equal(mine.code, 0, mine.stderr);
      assert.equal(mine.stderr, '');
      assert.equal(sorted(mine.stdout), sorted(real.stdout), `${name} ${spec ?? '(no -C)'}`);
    }
  }
});

test('the issue\'s bash diff is empty', { skip }, async () => {
  const f = write('matches-bash.conf', CONFIGS.matches!);
  const s = SPECS[1]!;
  const r = await run('bash', ['-c', `diff <(/usr/sbin/sshd -T -f "$1" -C "$2" | sort) <("$3" "$4" effective --engine builtin --openssh 9.2p1-debian -f "$1" -C "$2" | sort)`, 'x', f, s, process.execPath, BIN]);
  assert.equal(r.stdout, '');
  assert.equal(r.code, 0, r.stderr);
});

test('a rejected config: exit 1, nothing on stdout, file:line on stderr', { skip }, async () => {
  write('bad/inc.conf', 'X11Forwarding yes\nPasswordAuthentication maybe\n');
  const f = write('bad.conf', 'HostKey @HK@\nInclude @DIR@/bad/inc.conf\n');
  const real = await sshdT(f);
  assert.notEqual(real.code, 0);
  const r = await sshield(['--engine', 'builtin', '-f', f]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, new RegExp(`${join(dir, 'bad/inc.conf').replaceAll('/', '\\/')}:2`));
  const u = await sshield(['--engine', 'builtin', '-f', write('bad2.conf', 'HostKey @HK@\nMatch User x\n  Port 22\n')]);
  assert.equal(u.code, 1);
  assert.equal(u.stdout, '');
  assert.match(u.stderr, /bad2\.conf:3/);
  assert.match(u.stderr, /not allowed within a Match block/);
});

test('--engine sshd prints the real daemon\'s answer', { skip }, async () => {
  const f = write('engine.conf', CONFIGS.hardened!);
  const real = await sshdT(f, SPECS[0]);
  const r = await sshield(['--engine', 'sshd', '-f', f, '-C', SPECS[0]!]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, real.stdout);
  const bad = await sshield(['--engine', 'sshd', '-f', write('engine-bad.conf', 'HostKey @HK@\nBogus yes\n')]);
  assert.equal(bad.code, 1);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /line 2: Bad configuration option: Bogus/);
});

test('--json: keyword -> values with origins', { skip }, async () => {
  const f = write('json.conf', CONFIGS.matches!);
  const r = await sshield(['--engine', 'builtin', '--openssh', '9.2p1-debian', '-f', f, '-C', SPECS[0]!, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { build: string; values: Record<string, { value: string; origin: Record<string, unknown> }[]> };
  assert.equal(j.build, '9.2p1-debian');
  assert.deepEqual(j.values.permitrootlogin?.[0]?.value, 'without-password');
  assert.deepEqual(j.values.permitrootlogin?.[0]?.origin, { kind: 'directive', file: f, line: 4, column: 3, match: { file: f, line: 3 } });
  assert.deepEqual(j.values.x11forwarding?.[0]?.origin, { kind: 'directive', file: join(dir, 'm/x.conf'), line: 1, column: 1, match: { file: f, line: 3 } });
  assert.deepEqual(j.values.maxsessions?.[0], { value: '10', origin: { kind: 'default' }, setBy: [] });
});

const EXAMPLE = join(REPO, 'examples', 'pve-cluster-node');
test('--root on an example root: includes, Match Address, build detected from its dpkg status', { skip: !existsSync(join(EXAMPLE, 'etc/ssh/sshd_config')) && 'examples/pve-cluster-node is absent' }, async () => {
  const node = await sshield(['--root', EXAMPLE, '-C', 'user=root,addr=10.10.10.12,host=pve-node3,laddr=10.10.10.11,lport=22', '--json']);
  assert.equal(node.code, 0, node.stderr);
  const j = JSON.parse(node.stdout) as { build: string; values: Record<string, { value: string; origin: { kind: string; file?: string } }[]> };
  assert.equal(j.build, '10.0p1-debian');
  assert.equal(j.values.permitrootlogin?.[0]?.value, 'without-password'); // 10.0 still prints the old name
  assert.match(j.values.permitrootlogin?.[0]?.origin.file ?? '', /^\/etc\/ssh\/sshd_config\.d\/.+\.conf$/);
  assert.equal(j.values.passwordauthentication?.[0]?.value, 'no');
  const other = await sshield(['--root', EXAMPLE, '-C', 'user=root,addr=203.0.113.9,host=x,laddr=10.10.10.11,lport=22']);
  assert.equal(other.code, 0, other.stderr);
  assert.match(other.stdout, /^permitrootlogin no$/m);
  assert.match(other.stdout, /^channeltimeout none$/m); // 10.0 prints it by default
});
