// The safe-path primitive on a real file system: links planted by a non-root user are never
// followed by a write, chown or chmod; root-owned links to root-owned targets are followed inside
// the root; an offline root's absolute or climbing links stay inside it; ownership changes go
// through descriptors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, lchownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdirSafely, resolveParent, rootOf, setOwnershipSafely, UnsafePathError, withParent } from '../../../src/host/safe-path.js';
import { localApplyHost } from '../../../src/apply/local-host.js';
import { localFs } from '../../../src/host/local-fs.js';

const root = process.getuid?.() === 0;
const skip = !root && 'needs root (chown)';

function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), 'sshield-sp-'));
  chmodSync(d, 0o755);
  return d;
}

function snap(p: string) {
  const st = statSync(p);
  return { uid: st.uid, gid: st.gid, mode: st.mode & 0o7777 };
}

test('a user-owned symlink is never followed by chown/chmod; a root-owned link to a root-owned dir is', { skip }, async () => {
  const d = scratch();
  try {
    const victim = join(d, 'etc-like');
    mkdirSync(victim, { mode: 0o755 });
    const home = join(d, 'home');
    mkdirSync(home);
    lchownSync(home, 4242, 4242);
    symlinkSync(victim, join(home, 'upload'));
    lchownSync(join(home, 'upload'), 4242, 4242);
    const before = snap(victim);
    await assert.rejects(setOwnershipSafely('/', `${home}/upload`, { uid: 4242, gid: 4242, mode: 0o700 }), UnsafePathError);
    await assert.rejects(setOwnershipSafely('/', `${home}/upload`, { uid: 4242, gid: 4242 }, { followLast: true }), /owned by uid 4242, not root: not followed/);
    await assert.rejects(setOwnershipSafely('/', `${home}/upload/x`, { mode: 0o777 }), /owned by uid 4242, not root/);
    assert.deepEqual(snap(victim), before, 'the link target is untouched');
    // root-owned link -> root-owned dir: followed (e.g. /home -> /usr/home)
    symlinkSync(victim, join(d, 'rootlink'));
    const p = await resolveParent('/', `${d}/rootlink/file`);
    assert.equal(p.path, `${victim}/file`);
    await p.close();
    // root-owned link -> a directory owned by someone else: not followed
    const userDir = join(d, 'userdir');
    mkdirSync(userDir);
    lchownSync(userDir, 4242, 4242);
    symlinkSync(userDir, join(d, 'rootlink2'));
    await assert.rejects(resolveParent('/', `${d}/rootlink2/file`), /leads to .*userdir, owned by uid 4242, not root/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('an offline root: absolute and climbing links resolve inside it, never to the host', { skip }, async () => {
  const d = scratch();
  try {
    const hostEtc = join(d, 'host-etc');
    mkdirSync(join(hostEtc, 'ssh'), { recursive: true });
    writeFileSync(join(hostEtc, 'ssh', 'sshd_config'), 'HOST\n');
    const img = join(d, 'img');
    mkdirSync(img);
    symlinkSync(join(hostEtc), join(img, 'etc')); // absolute: means IMG/<d>/host-etc inside the image
    await assert.rejects(resolveParent(img, '/etc/ssh/sshd_config'), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
    const img2 = join(d, 'img2');
    mkdirSync(img2);
    symlinkSync('../../../../../../../../..' + hostEtc, join(img2, 'etc'));
    await assert.rejects(resolveParent(img2, '/etc/ssh/sshd_config'), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
    // the image's own absolute link that stays inside: followed, inside the image
    const img3 = join(d, 'img3');
    mkdirSync(join(img3, 'real-etc', 'ssh'), { recursive: true });
    symlinkSync('/real-etc', join(img3, 'etc'));
    const p = await resolveParent(img3, '/etc/ssh/sshd_config');
    assert.equal(p.path, join(img3, 'real-etc', 'ssh', 'sshd_config'));
    await p.close();
    // the writer's host, confined to the image: a write lands inside, the host file is untouched
    const host = localApplyHost(localFs(), { live: false }).within!(img);
    await assert.rejects(host.writeFile(`${img}/etc/ssh/sshd_config.sshield-new`, Buffer.from('EVIL\n'), { mode: 0o600 }));
    await assert.rejects(host.replaceFile(`${img}/etc/ssh/sshd_config`, Buffer.from('EVIL\n'), { mode: 0o600, uid: 0, gid: 0 }));
    assert.equal(readFileSync(join(hostEtc, 'ssh', 'sshd_config'), 'utf8'), 'HOST\n');
    assert.equal(await host.fs.readFile(`${img}/etc/ssh/sshd_config`).then((r) => r.ok), false, 'reads stay inside too');
    assert.deepEqual(rootOf([img], `${img}/etc/x`), { root: img, path: '/etc/x' });
    assert.deepEqual(rootOf([img], '/var/backups/x'), { root: '/', path: '/var/backups/x' });
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('mkdirSafely makes missing directories with the owner and mode asked, through descriptors; no link crossed', { skip }, async () => {
  const d = scratch();
  try {
    await mkdirSafely('/', `${d}/a/b/c`, { mode: 0o755, uid: 0, gid: 0 });
    assert.deepEqual(snap(`${d}/a/b/c`), { uid: 0, gid: 0, mode: 0o755 });
    const evil = join(d, 'evil');
    mkdirSync(evil);
    lchownSync(evil, 4242, 4242);
    symlinkSync('/etc', join(evil, 'link'));
    lchownSync(join(evil, 'link'), 4242, 4242);
    await assert.rejects(mkdirSafely('/', `${evil}/link/sshield-should-not-exist`, { mode: 0o755, uid: 0, gid: 0 }), UnsafePathError);
    await assert.rejects(withParent('/', `${evil}/link`, { followLast: true }, async () => undefined), UnsafePathError);
    assert.throws(() => statSync('/etc/sshield-should-not-exist'));
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('the local host never writes, renames or removes through a planted final link', { skip }, async () => {
  const d = scratch();
  try {
    const target = join(d, 'precious');
    writeFileSync(target, 'KEEP\n');
    symlinkSync(target, join(d, 'cand.sshield-new'));
    const host = localApplyHost(localFs(), { live: false });
    await assert.rejects(host.writeFile(join(d, 'cand.sshield-new'), Buffer.from('EVIL\n')), /ELOOP|symbolic/);
    assert.equal(readFileSync(target, 'utf8'), 'KEEP\n');
    symlinkSync(target, join(d, 'journal.json'));
    await assert.rejects(host.replaceFile(join(d, 'journal.json'), Buffer.from('EVIL\n'), { mode: 0o600, uid: 0, gid: 0 }), /symbolic link: not followed/);
    assert.equal(readFileSync(target, 'utf8'), 'KEEP\n');
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
