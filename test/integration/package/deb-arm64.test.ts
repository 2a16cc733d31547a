// The arm64 Debian package (scripts/build-deb.sh arm64: Node's official linux-arm64 binary from
// the npm registry with the CLI injected, no code cache). This x86-64 machine cannot chroot into
// an arm64 root, so the package is unpacked and its /usr/bin/sshield is run by qemu-user against
// the arm64 Debian 12 libraries of .cache/arm64-sysroot (scripts/arm64-sysroot.sh, debootstrap's
// foreign first stage): --version, and an audit of an example whose JSON findings must equal
// those of the x64 build run natively. Plus control fields, the ELF machine and lintian.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, readSync, closeSync, rmSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve('.');
const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
const DEB = join(REPO, 'dist', `sshield_${VERSION}_arm64.deb`);
const SYSROOT = join(REPO, '.cache', 'arm64-sysroot');
const QEMU = '/usr/bin/qemu-aarch64';
const skip = arch() !== 'x64' ? 'built on x86-64 only' : !existsSync('/usr/bin/dpkg-deb') ? 'needs dpkg-deb' : false;
const runSkip = skip || (!existsSync(QEMU) && 'needs qemu-user (apt-get install qemu-user)') || (!existsSync(join(SYSROOT, '.complete')) && `no ${SYSROOT} (scripts/arm64-sysroot.sh builds it)`);
let dir = '';

function run(cmd: string, args: string[], timeout = 600_000): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout, maxBuffer: 64 << 20, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C.UTF-8', HOME: '/root', NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'sshield-deb-arm64-'));
  const b = spawnSync('scripts/build-deb.sh', ['arm64'], { cwd: REPO, encoding: 'utf8', timeout: 900_000 });
  assert.equal(b.status, 0, `scripts/build-deb.sh arm64: ${b.stderr}`);
  assert.equal(b.stdout.trim(), `dist/sshield_${VERSION}_arm64.deb`);
  assert.equal(run('dpkg-deb', ['-x', DEB, join(dir, 'pkg')]).code, 0);
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the arm64 .deb: Architecture arm64, an aarch64 ELF as /usr/bin/sshield, the same files as amd64', { skip }, () => {
  const info = run('dpkg-deb', ['-f', DEB, 'Package', 'Version', 'Architecture', 'Depends']).stdout;
  assert.match(info, new RegExp(`^Package: sshield\nVersion: ${VERSION.replaceAll('.', '\\.')}\nArchitecture: arm64\nDepends: libc6 \\(>= 2\\.28\\)`, 'm'));
  const fd = openSync(join(dir, 'pkg', 'usr', 'bin', 'sshield'), 'r');
  const head = Buffer.alloc(20);
  readSync(fd, head, 0, 20, 0);
  closeSync(fd);
  assert.deepEqual([...head.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46], 'an ELF file');
  assert.equal(head[4], 2, 'ELF64');
  assert.equal(head.readUInt16LE(18), 183, 'e_machine EM_AARCH64');
  for (const f of ['usr/share/man/man1/sshield.1.gz', 'usr/share/bash-completion/completions/sshield', 'usr/share/doc/sshield/copyright', 'usr/share/doc/sshield/rules/sshd-no-root-login.md']) {
    assert.ok(existsSync(join(dir, 'pkg', f)), `${f} in the package`);
  }
});

test('lintian on the arm64 .deb: no error and no warning', { skip: skip || (!existsSync('/usr/bin/lintian') && 'needs lintian') }, () => {
  const r = run('lintian', ['--tag-display-limit', '0', DEB]);
  const tags = (r.stdout + r.stderr).split('\n').filter((l) => /^[EW]: /.test(l));
  assert.deepEqual(tags, [], 'lintian errors or warnings');
});

test('the arm64 sshield runs (qemu-user, Debian 12 arm64 libraries): --version, and audits an example exactly as the x64 build', { skip: runSkip }, () => {
  const bin = join(dir, 'pkg', 'usr', 'bin', 'sshield');
  const v = run(QEMU, ['-L', SYSROOT, bin, '--version'], 120_000);
  assert.equal(v.code, 0, v.stderr);
  assert.equal(v.stdout.trim(), VERSION);
  const example = join(REPO, 'examples', 'pve9-default');
  const arm = run(QEMU, ['-L', SYSROOT, bin, 'audit', '--root', example, '--json'], 120_000);
  const x64 = run(process.execPath, [join(REPO, 'bin', 'sshield.js'), 'audit', '--root', example, '--json'], 120_000);
  assert.equal(arm.code, 1, arm.stderr);
  assert.equal(x64.code, 1, x64.stderr);
  const a = JSON.parse(arm.stdout) as { results: { ruleId: string; status: string }[] };
  assert.ok(a.results.some((r) => r.status === 'fail'), 'the example has findings');
  assert.deepEqual(a, JSON.parse(x64.stdout), 'the same report, byte for byte once parsed');
});
