// An offline image cannot lead sshield's writes out of its root. The image's /etc/ssh is a symlink
// that climbs out (`../../../..<host dir>/ssh`, the attack of the report) with a decoy config
// inside the image where that link resolves when confined: `harden --root IMG --yes` changes only
// files inside IMG, and the host directory the link names keeps every byte, owner and mode. An
// image whose etc is an absolute symlink out of the root is the same. Nothing is left in the temp
// directory (the throwaway host key of the validation included).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, sshdAvailable } from '../../helpers/sshd.js';

const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];

/** Every file and directory under dir: bytes, owner, mode. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      const st = statSync(p);
      out[p] = `${st.uid}:${st.gid}:${(st.mode & 0o7777).toString(8)}:${st.isFile() ? readFileSync(p, 'latin1') : 'dir'}`;
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

test('harden --root on an image whose etc/ssh climbs out of the root: only files inside the image change', { skip: !sshdAvailable() && 'needs root and sshd', timeout: 120_000 }, async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'sshield-rootlinks-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const hostDir = join(base, 'host'); // stands for a directory of the host, e.g. /etc
  cpSync('examples/debian12-cloud/etc', hostDir, { recursive: true });
  const img = join(base, 'img');
  cpSync('examples/debian12-cloud', img, { recursive: true });
  // The decoy: where the climbing link resolves inside the image.
  mkdirSync(join(img, hostDir), { recursive: true });
  renameSync(join(img, 'etc', 'ssh'), join(img, hostDir, 'ssh'));
  symlinkSync(`../../../../../../../../../..${hostDir}/ssh`, join(img, 'etc', 'ssh'));
  const hostBefore = tree(hostDir);
  const bk = join(base, 'bk');
  const tmp = join(base, 'tmp');
  mkdirSync(tmp);
  const r = await run(process.execPath, [...CLI, 'harden', '--root', img, '--yes', '--backup-dir', bk, '--profile', 'baseline', '--allow-no-key-admin'], { env: { ...process.env, TMPDIR: tmp } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Applied/);
  assert.deepEqual(tree(hostDir), hostBefore, 'the host directory the link names is untouched');
  assert.match(readFileSync(join(img, hostDir, 'ssh', 'sshd_config.d', '00-sshield.conf'), 'latin1') + readFileSync(join(img, hostDir, 'ssh', 'sshd_config'), 'latin1'), /PasswordAuthentication no/);
  assert.deepEqual(readdirSync(tmp).filter((n) => !n.startsWith('tsx-')), [], 'nothing left in the temp directory (tsx, which runs the CLI from source here, keeps its cache)');

  // An image whose etc is an absolute symlink out of the root: no config inside, nothing written anywhere.
  const img2 = join(base, 'img2');
  mkdirSync(img2);
  symlinkSync(hostDir, join(img2, 'etc'));
  const r2 = await run(process.execPath, [...CLI, 'harden', '--root', img2, '--yes', '--backup-dir', bk, '--profile', 'baseline', '--allow-no-key-admin'], { env: { ...process.env, TMPDIR: tmp } });
  assert.notEqual(r2.code, 0, r2.stdout + r2.stderr);
  assert.deepEqual(tree(hostDir), hostBefore);
  assert.deepEqual(readdirSync(tmp).filter((n) => !n.startsWith('tsx-')), []);
});
