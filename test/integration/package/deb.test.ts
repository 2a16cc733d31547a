// The Debian package (scripts/build-deb.sh, from the single executable): its contents, lintian,
// and an install into clean Debian 12 and Debian 13 roots (debootstrap minbase + man-db, cached
// by scripts/deb-test-roots.sh; each test works on a throwaway copy): apt installs the local
// file there with nothing else and no download, then `sshield --version`, `man -w sshield`,
// `sshield audit --root` of an example, `sshield explain` and SARIF help links that resolve to
// the installed rule pages, all run inside the root; removal leaves nothing behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve('.');
const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
const DEB = join(REPO, 'dist', `sshield_${VERSION}_amd64.deb`);
const skip = arch() !== 'x64' ? 'the .deb is built for amd64 only' : process.getuid?.() !== 0 ? 'needs root (chroot)' : !existsSync('/usr/bin/dpkg-deb') ? 'needs dpkg-deb' : false;
let dir = '';

function run(cmd: string, args: string[], timeout = 600_000): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout, maxBuffer: 64 << 20, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C.UTF-8', HOME: '/root' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'sshield-deb-'));
  const b = spawnSync('scripts/build-deb.sh', [], { cwd: REPO, encoding: 'utf8', timeout: 900_000 });
  assert.equal(b.status, 0, `scripts/build-deb.sh: ${b.stderr}`);
  assert.equal(b.stdout.trim(), `dist/sshield_${VERSION}_amd64.deb`);
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the .deb: /usr/bin/sshield, man page, completions, docs, rule pages; control fields', { skip }, () => {
  const files = run('dpkg-deb', ['-c', DEB]).stdout.split('\n').map((l) => l.replace(/^.* \.\//, '/'));
  for (const f of [
    '/usr/bin/sshield',
    '/usr/share/man/man1/sshield.1.gz',
    '/usr/share/bash-completion/completions/sshield',
    '/usr/share/zsh/vendor-completions/_sshield',
    '/usr/share/fish/vendor_completions.d/sshield.fish',
    '/usr/share/doc/sshield/copyright',
    '/usr/share/doc/sshield/changelog.gz',
    '/usr/share/doc/sshield/README.md.gz',
    '/usr/share/doc/sshield/rules/sshd-no-root-login.md',
    '/usr/share/doc/sshield/rules/scan-no-terrapin.md',
  ]) assert.ok(files.includes(f), `${f} in the package`);
  assert.ok(run('dpkg-deb', ['-c', DEB]).stdout.split('\n').filter(Boolean).every((l) => l.includes(' root/root ')), 'root-owned');
  const info = run('dpkg-deb', ['-f', DEB, 'Package', 'Version', 'Architecture', 'Depends']).stdout;
  assert.match(info, new RegExp(`^Package: sshield\nVersion: ${VERSION.replaceAll('.', '\\.')}\nArchitecture: amd64\nDepends: libc6 \\(>= 2\\.28\\)`, 'm'));
});

test('lintian: no error and no warning', { skip: skip || (!existsSync('/usr/bin/lintian') && 'needs lintian') }, () => {
  const r = run('lintian', ['--tag-display-limit', '0', DEB]);
  const tags = (r.stdout + r.stderr).split('\n').filter((l) => /^[EW]: /.test(l));
  assert.deepEqual(tags, [], 'lintian errors or warnings');
});

for (const [suite, name] of [['bookworm', 'Debian 12'], ['trixie', 'Debian 13']] as const) {
  const cached = join(REPO, '.cache', `deb-root-${suite}`);
  test(`installed into a clean ${name} root: --version, man -w, audit --root, explain, help links; removed cleanly`, { skip: skip || (!existsSync(join(cached, '.complete')) && `no ${cached} (scripts/deb-test-roots.sh builds it)`) }, () => {
    const root = join(dir, suite);
    // The cache may be a link to a shared copy: copy what it points at, so the test never writes
    // into the cached root itself (cp -a of a link copies the link).
    assert.equal(run('cp', ['-a', realpathSync(cached), root]).code, 0, 'copy of the root (device nodes included)');
    cpSync(DEB, join(root, 'tmp', 'sshield.deb'));
    cpSync(join(REPO, 'examples', 'pve9-default'), join(root, 'tmp', 'pve9-default'), { recursive: true, verbatimSymlinks: true });
    const inRoot = (...args: string[]) => run('chroot', [root, ...args]);
    // apt install of the local file, as a user would; any download attempt would hit a dead proxy.
    const install = inRoot('apt-get', 'install', '-y', '-o', 'Acquire::http::Proxy=http://127.0.0.1:9', '-o', 'Acquire::https::Proxy=http://127.0.0.1:9', '-o', 'Dpkg::Use-Pty=0', '/tmp/sshield.deb');
    assert.equal(install.code, 0, `apt-get install ./sshield.deb in the ${name} root: ${install.stdout}${install.stderr}`);
    assert.match(install.stdout, /0 upgraded, 1 newly installed/, 'nothing but sshield is installed');
    assert.equal(inRoot('dpkg-query', '-W', '-f', '${Status}', 'sshield').stdout, 'install ok installed');
    const v = inRoot('sshield', '--version');
    assert.equal(v.code, 0, v.stderr);
    assert.equal(v.stdout.trim(), VERSION);
    const man = inRoot('man', '-w', 'sshield');
    assert.equal(man.code, 0, man.stderr);
    assert.equal(man.stdout.trim(), '/usr/share/man/man1/sshield.1.gz');
    const page = inRoot('sh', '-c', 'MANWIDTH=100 man sshield 2>&1');
    assert.match(page.stdout, /sshield audit \[options\]/);
    const audit = inRoot('sshield', 'audit', '--root', '/tmp/pve9-default');
    assert.equal(audit.code, 1, audit.stderr);
    assert.match(audit.stdout, /^Failed \(\d+\)$/m);
    assert.match(audit.stdout, /sshd\/no-root-login/);
    const explain = inRoot('sshield', 'explain', 'sshd/no-root-login');
    assert.equal(explain.code, 0, explain.stderr);
    assert.match(explain.stdout, /HOW TO FIX/);
    const sarif = JSON.parse(inRoot('sshield', 'audit', '--root', '/tmp/pve9-default', '--format', 'sarif').stdout) as { runs: { tool: { driver: { rules: { helpUri?: string }[] } } }[] };
    for (const r of sarif.runs[0]!.tool.driver.rules) {
      assert.ok(r.helpUri?.startsWith('file:///usr/share/doc/sshield/rules/') && existsSync(join(root, r.helpUri.slice('file://'.length))), `${r.helpUri} installed`);
    }
    const bash = inRoot('bash', '-c', 'source /usr/share/bash-completion/completions/sshield && COMP_WORDS=(sshield expl) COMP_CWORD=1 && _sshield && echo "${COMPREPLY[*]}"');
    assert.equal(bash.stdout.trim(), 'explain');
    const remove = inRoot('dpkg', '--purge', 'sshield');
    assert.equal(remove.code, 0, remove.stderr);
    for (const f of ['usr/bin/sshield', 'usr/share/man/man1/sshield.1.gz', 'usr/share/doc/sshield']) assert.ok(!existsSync(join(root, f)), `${f} removed`);
    rmSync(root, { recursive: true, force: true });
  });
}
