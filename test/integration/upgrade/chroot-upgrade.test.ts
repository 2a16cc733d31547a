// `sshield upgrade --root` for real, without network: a copy of the cached Debian 13 root, a local
// apt repository inside it (copy: method, trusted) holding the real openssh 1:10.0p1-7+deb13u4
// packages repacked as 1:10.0p1-7+deb13u4+sshield1 (openssh-client's changelog gains an entry
// naming CVE-2026-60001) and, later, a broken +sshield2 (openssh-server's postinst exits 1).
// Proves: the plan names the CVE from the candidate's changelog; apply upgrades and the chrooted
// sshd serves on loopback afterwards; the broken candidate is rolled back to the kept packages and
// sshd still serves. policy-rc.d (exit 101) keeps maintainer scripts from starting services in
// the chroot, as for any chroot upgrade; /run/sshd exists for `sshd -t`.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { connect } from 'node:net';
import { freePort } from '../../helpers/sshd.js';
import { assertMatchesSchema } from '../../helpers/json-schema.js';
import { TRIXIE_HOST_KEY, TRIXIE_ROOT, trixieUnavailable } from '../../helpers/trixie.js';

const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];
const BASE = '1:10.0p1-7+deb13u4';
const skip = trixieUnavailable() ?? (spawnSync('dpkg-scanpackages', ['--version']).error ? 'no dpkg-scanpackages (dpkg-dev)' : false);

const work = mkdtempSync(join(tmpdir(), 'sshield-t-upgrade-'));
const R = join(work, 'root');
const backups = join(work, 'backups');
const daemons: ChildProcess[] = [];
after(async () => {
  for (const d of daemons) if (d.exitCode === null && d.signalCode === null) d.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 200));
  rmSync(work, { recursive: true, force: true });
});

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
const installed = (pkg: string) => sh('chroot', [R, 'dpkg-query', '-W', '-f', '${Version}', pkg]);

/** Repacks a cached .deb with a new version (and its exact-version dependencies on its siblings). */
function repack(pkg: string, version: string, edit?: (dir: string) => void): void {
  const src = join(R, 'var/cache/apt/archives', `${pkg}_${BASE.replace(':', '%3a')}_amd64.deb`);
  const dir = join(work, `x-${pkg}-${version.split('+').pop()}`);
  rmSync(dir, { recursive: true, force: true });
  sh('dpkg-deb', ['-R', src, dir]);
  const control = join(dir, 'DEBIAN/control');
  writeFileSync(control, readFileSync(control, 'utf8').replaceAll(BASE, version));
  edit?.(dir);
  sh('dpkg-deb', ['-b', dir, join(R, 'srv/sshield-repo', `${pkg}_${version.replace(':', '%3a')}_amd64.deb`)]);
}

function publish(): void {
  const repo = join(R, 'srv/sshield-repo');
  writeFileSync(join(repo, 'Packages'), execFileSync('dpkg-scanpackages', ['--multiversion', '.'], { cwd: repo, encoding: 'utf8' }));
  sh('chroot', [R, 'apt-get', 'update', '-q']);
}

function sshield(args: string[]) {
  const r = spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8', timeout: 600_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function serves(): Promise<string> {
  const port = await freePort();
  mkdirSync(join(R, 'run/sshd'), { recursive: true });
  writeFileSync(join(R, 'tmp/sshield-t-sshd_config'), `Port ${port}\nListenAddress 127.0.0.1\nHostKey ${TRIXIE_HOST_KEY}\nPidFile /tmp/sshield-t-sshd.pid\n`);
  const d = spawn('chroot', [R, '/usr/sbin/sshd', '-D', '-e', '-f', '/tmp/sshield-t-sshd_config'], { stdio: ['ignore', 'ignore', 'pipe'] });
  daemons.push(d);
  let log = '';
  d.stderr!.on('data', (x) => (log += String(x)));
  try {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const banner = await new Promise<string | undefined>((res) => {
        const s = connect(port, '127.0.0.1');
        let got = '';
        s.on('data', (b) => {
          got += b.toString('latin1');
          if (got.includes('\n')) (s.destroy(), res(got.split('\r\n')[0]));
        });
        s.once('error', () => res(undefined));
        setTimeout(() => (s.destroy(), res(undefined)), 3000);
      });
      if (banner) return banner;
      if (Date.now() > deadline) throw new Error(`the chrooted sshd does not serve: ${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    d.kill('SIGTERM');
  }
}

test('setup: a copy of the Debian 13 root with a local apt repository', { skip }, () => {
  // Other tests make and remove temp dirs in the shared root's /tmp and /run meanwhile: skip those.
  mkdirSync(R);
  for (const e of readdirSync(TRIXIE_ROOT)) if (e !== 'tmp' && e !== 'run') sh('cp', ['-a', join(TRIXIE_ROOT, e), join(R, e)]);
  mkdirSync(join(R, 'tmp'), { mode: 0o1777 });
  chmodSync(join(R, 'tmp'), 0o1777);
  writeFileSync(join(R, 'usr/sbin/policy-rc.d'), '#!/bin/sh\nexit 101\n');
  chmodSync(join(R, 'usr/sbin/policy-rc.d'), 0o755);
  mkdirSync(join(R, 'run/sshd'), { recursive: true });
  mkdirSync(join(R, 'srv/sshield-repo'), { recursive: true });
  writeFileSync(join(R, 'etc/apt/sources.list'), 'deb [trusted=yes] copy:/srv/sshield-repo ./\n');
  for (const f of readdirSync(join(R, 'var/lib/apt/lists'))) if (f !== 'partial' && f !== 'lock') rmSync(join(R, 'var/lib/apt/lists', f), { force: true });
  const v1 = `${BASE}+sshield1`;
  repack('openssh-client', v1, (dir) => {
    const cl = join(dir, 'usr/share/doc/openssh-client/changelog.Debian.gz');
    const entry = `openssh (${v1}) trixie-security; urgency=medium\n\n  * CVE-2026-60001: enforce the minimum authentication delay for GSSAPI and\n    keyboard-interactive authentication (test package repacked by sshield).\n\n -- sshield tests <tests@sshield.invalid>  Mon, 07 Dec 2026 10:00:00 +0000\n\n`;
    writeFileSync(cl, gzipSync(Buffer.concat([Buffer.from(entry), gunzipSync(readFileSync(cl))])));
  });
  repack('openssh-sftp-server', v1);
  repack('openssh-server', v1);
  publish();
  assert.equal(installed('openssh-server'), BASE);
});

test('plan: the candidate and the CVE its changelog fixes; nothing installed by --dry-run', { skip }, () => {
  const r = sshield(['upgrade', '--root', R, '--dry-run', '--json', '--backup-dir', backups]);
  assert.equal(r.code, 0, r.stderr);
  const env = JSON.parse(r.stdout) as { outcome: { kind: string }; plan: { kind: string; details: { from: string; to: string; packages: Record<string, string>; fixes: { id: string; evidence: string[] }[] } } };
  assertMatchesSchema('upgrade', env);
  assert.deepEqual([env.outcome.kind, env.plan.kind], ['dry-run', 'upgrade']);
  const j = env.plan.details;
  assert.deepEqual([j.from, j.to], [BASE, `${BASE}+sshield1`]);
  assert.deepEqual(Object.keys(j.packages).sort(), ['openssh-client', 'openssh-server', 'openssh-sftp-server']);
  const fix = j.fixes.find((f) => f.id === 'CVE-2026-60001');
  assert.ok(fix, JSON.stringify(j.fixes));
  assert.ok(fix.evidence.some((e) => /^changelog: changelog of the candidate .*\+sshield1/.test(e)), fix.evidence.join(' | '));
  assert.equal(installed('openssh-server'), BASE);
});

test('apply: upgraded through the change flow, the installed packages kept, sshd in the chroot serves', { skip }, async () => {
  const r = sshield(['upgrade', '--root', R, '--yes', '--json', '--backup-dir', backups]);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const env = JSON.parse(r.stdout) as { outcome: { kind: string; exitCode: number } };
  assertMatchesSchema('upgrade', env);
  assert.deepEqual([env.outcome.kind, env.outcome.exitCode], ['applied', 0]);
  for (const p of ['openssh-server', 'openssh-client', 'openssh-sftp-server']) assert.equal(installed(p), `${BASE}+sshield1`);
  const kept = readdirSync(join(R, 'var/backups/sshield-packages')).filter((n) => n.endsWith('.deb')).sort();
  assert.deepEqual(kept, ['openssh-client', 'openssh-server', 'openssh-sftp-server'].map((p) => `${p}_1%3a10.0p1-7+deb13u4_amd64.deb`));
  assert.match(await serves(), /^SSH-2\.0-OpenSSH_10\.0p2 Debian-7\+deb13u4$/);
});

test('a broken candidate (postinst fails) is rolled back to the kept packages; sshd still serves', { skip }, async () => {
  const v2 = `${BASE}+sshield2`;
  repack('openssh-client', v2);
  repack('openssh-sftp-server', v2);
  repack('openssh-server', v2, (dir) => {
    const p = join(dir, 'DEBIAN/postinst');
    writeFileSync(p, readFileSync(p, 'utf8').replace(/^(#!.*\n)/, '$1echo "sshield test: broken postinst" >&2\nexit 1\n'));
  });
  publish();
  const r = sshield(['upgrade', '--root', R, '--yes', '--json', '--backup-dir', backups]);
  assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
  const env = JSON.parse(r.stdout) as { outcome: { kind: string; rolledBack: boolean; reason: string; exitCode: number } };
  assertMatchesSchema('upgrade', env);
  const j = env.outcome;
  assert.deepEqual([j.kind, j.rolledBack, j.exitCode], ['failed', true, 2], j.reason);
  assert.match(j.reason, /apt-get install .* failed/);
  for (const p of ['openssh-server', 'openssh-client', 'openssh-sftp-server']) assert.equal(installed(p), `${BASE}+sshield1`, `${p} back at the kept version`);
  assert.match(sh('chroot', [R, 'dpkg-query', '-W', '-f', '${Status}', 'openssh-server']), /^install ok installed$/);
  assert.match(await serves(), /^SSH-2\.0-OpenSSH_10\.0p2/);
});
