// The real CLI on an offline root: the Proxmox symlink is edited at its root-owned target and stays
// a link; a link to someone else's file and a file owned by someone else are refused (exit 3,
// nothing written); no TTY and no --yes stops before writing (exit 3); --dry-run writes nothing.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../helpers/sshd.js';

const ED1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBP+2WDn8cx3oq2pI0kmJjvwbw8W0TmT3wSgZ6H1eL2F one';
const isRoot = process.getuid?.() === 0;

// Backups and the pipeline's lock go to a directory of this file's own, never the host's default.
const backups = mkdtempSync(join(tmpdir(), 'sshield-keys-backups-'));
after(() => rmSync(backups, { recursive: true, force: true }));

function cli(...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'keys', ...args, ...(args[0] === 'list' ? [] : ['--backup-dir', backups])], { timeoutMs: 60_000 });
}

function makeRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'sshield-keys-root-'));
  mkdirSync(join(root, 'etc/pve/priv'), { recursive: true });
  mkdirSync(join(root, 'root/.ssh'), { recursive: true });
  mkdirSync(join(root, 'home/al/.ssh'), { recursive: true });
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\nal:x:1000:1000::/home/al:/bin/bash\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nal:x:1000:\n');
  return root;
}

test('Proxmox: /root/.ssh/authorized_keys -> /etc/pve/priv/authorized_keys is edited at the target, link kept', { skip: !isRoot && 'needs root' }, async () => {
  const root = makeRoot();
  try {
    writeFileSync(join(root, 'etc/pve/priv/authorized_keys'), `# pve\r\n${ED1}\r\n`, { mode: 0o600 });
    symlinkSync('/etc/pve/priv/authorized_keys', join(root, 'root/.ssh/authorized_keys'));
    const r = await cli('restrict', '--root', root, '--user', 'root', '--all', '--restrict', '--yes');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(lstatSync(join(root, 'root/.ssh/authorized_keys')).isSymbolicLink(), true);
    assert.equal(readlinkSync(join(root, 'root/.ssh/authorized_keys')), '/etc/pve/priv/authorized_keys');
    assert.equal(readFileSync(join(root, 'etc/pve/priv/authorized_keys'), 'latin1'), `# pve\r\nrestrict ${ED1}\r\n`);
    const list = await cli('list', '--root', root, '--json');
    const j = JSON.parse(list.stdout);
    assert.equal(j.keys[0].options, 'restrict');
    assert.deepEqual(j.keys[0].allows, []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('refusals: symlink to a file of another uid, a file owned by another uid (exit 3, nothing written)', { skip: !isRoot && 'needs root' }, async () => {
  const root = makeRoot();
  try {
    const other = join(root, 'etc/other_keys');
    writeFileSync(other, `${ED1}\n`);
    chownSync(other, 4242, 4242);
    symlinkSync('/etc/other_keys', join(root, 'home/al/.ssh/authorized_keys'));
    const r = await cli('restrict', '--root', root, '--user', 'al', '--all', '--options', 'no-pty', '--yes');
    assert.equal(r.code, 3);
    assert.match(r.stderr, /symlink to \/etc\/other_keys, owned by uid 4242.*not following it/);
    assert.equal(readFileSync(other, 'latin1'), `${ED1}\n`);
    rmSync(join(root, 'home/al/.ssh/authorized_keys'));
    writeFileSync(join(root, 'home/al/.ssh/authorized_keys'), `${ED1}\n`);
    chownSync(join(root, 'home/al/.ssh/authorized_keys'), 4242, 4242);
    const r2 = await cli('restrict', '--root', root, '--user', 'al', '--all', '--options', 'no-pty', '--yes');
    assert.equal(r2.code, 3);
    assert.match(r2.stderr, /owned by uid 4242.*someone else/);
    assert.equal(readFileSync(join(root, 'home/al/.ssh/authorized_keys'), 'latin1'), `${ED1}\n`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('no TTY and no --yes: stops before writing (exit 3); --dry-run writes nothing; bad flags exit 2', async () => {
  const root = makeRoot();
  try {
    const ak = join(root, 'home/al/.ssh/authorized_keys');
    writeFileSync(ak, `${ED1}\n`);
    const r = await cli('restrict', '--root', root, '--user', 'al', '--all', '--options', 'no-pty');
    assert.equal(r.code, 3);
    assert.match(r.stderr, /no terminal to ask on/);
    assert.match(r.stdout, /^\+no-pty ssh-ed25519/m);
    const d = await cli('restrict', '--root', root, '--user', 'al', '--all', '--options', 'no-pty', '--dry-run', '--json');
    assert.equal(d.code, 0);
    assert.equal(JSON.parse(d.stdout).outcome.kind, 'dry-run');
    assert.equal(readFileSync(ak, 'latin1'), `${ED1}\n`);
    const bad = await cli('restrict', '--root', root, '--user', 'al', '--all', '--options', 'no-shell');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown option "no-shell"/);
    const nofp = await cli('restrict', '--root', root, '--user', 'al', '--fingerprint', 'SHA256:nope', '--restrict');
    assert.equal(nofp.code, 2);
    assert.match(nofp.stderr, /no key of al has fingerprint SHA256:nope/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
