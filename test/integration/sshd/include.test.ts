// loadConfigTree against the real daemon: files in a temp directory, absolute Include paths,
// AcceptEnv values as markers. The order of `acceptenv` lines in `sshd -T` is sshd's reading
// order; ours must be identical, and we must be fatal exactly when sshd refuses.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { localFs } from '../../../src/host/local-fs.js';
import { rootFs } from '../../../src/host/root-fs.js';
import { loadConfigTree } from '../../../src/sshd/include.js';
import { hostKeys, sshdAvailable, sshdT } from '../../helpers/sshd.js';

let dir = '';
let header = '';

async function ours(main: string): Promise<{ fatal: boolean; acceptenv: string[] }> {
  const t = await loadConfigTree(localFs(), main, { sshDir: dir });
  const acceptenv: string[] = [];
  for (const it of t.items) {
    // The cases put Match blocks last, with inactive criteria: what follows has no effect.
    if (it.kind === 'line' && it.line.kind === 'directive' && it.line.keyword.value.toLowerCase() === 'match') break;
    if (it.kind === 'line' && it.line.kind === 'directive' && it.line.keyword.value.toLowerCase() === 'acceptenv') {
      acceptenv.push(...it.line.args.map((a) => a.value));
    }
  }
  return { fatal: t.fatal, acceptenv: t.fatal ? [] : acceptenv };
}
async function theirs(main: string): Promise<{ fatal: boolean; acceptenv: string[] }> {
  const r = await sshdT(main);
  return { fatal: r.code !== 0, acceptenv: r.code === 0 ? r.stdout.split('\n').filter((l) => l.startsWith('acceptenv ')).map((l) => l.slice(10)) : [] };
}
function write(rel: string, text: string): string {
  const p = join(dir, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

describe('Include resolution agrees with the real sshd -T', { skip: !sshdAvailable() && 'needs root and /usr/sbin/sshd' }, () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sshield-inc-'));
    header = `HostKey ${(await hostKeys())[0]}\n`;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reading order: globs sorted in byte order, dotfiles and non-matches skipped, cache, several args, directories', async () => {
    write('d/b.conf', 'AcceptEnv B1\nInclude ' + join(dir, 'd/a.conf') + '\n');
    write('d/B.conf', 'AcceptEnv UB\n');
    write('d/a.conf', 'AcceptEnv A1\n');
    write('d/.h.conf', 'AcceptEnv HIDDEN\n');
    write('d/x.conf.bak', 'AcceptEnv BAK\n');
    mkdirSync(join(dir, 'd/zdir.conf'), { recursive: true });
    write('e/[x].conf', 'AcceptEnv BRACKETLIT\n');
    write('e/x.conf', 'AcceptEnv BRACKET\n');
    const main = write('m1', `${header}AcceptEnv M1\nInclude ${dir}/d/*.conf ${dir}/none*.conf\ninclude = ${dir}/d/a.conf ${dir}/d/*.conf\nInclude ${dir}/e/[x].conf ${dir}/?/x.conf\nAcceptEnv M2\nMatch User nobody\n  Include ${dir}/d/a.conf\n`);
    const [a, b] = await Promise.all([ours(main), theirs(main)]);
    assert.equal(b.fatal, false);
    assert.deepEqual(a, b);
    assert.ok(a.acceptenv.length >= 10);
  });

  it('depth: a chain of 16 nested includes is accepted, 17 is refused; loops are refused', async () => {
    for (const [n, fatal] of [[16, false], [17, true]] as const) {
      for (let i = 1; i <= n; i++) write(`chain${n}/f${i}`, `AcceptEnv C${i}\n${i < n ? `Include ${dir}/chain${n}/f${i + 1}\n` : ''}`);
      const main = write(`chain${n}/main`, `${header}Include ${dir}/chain${n}/f1\n`);
      const [a, b] = await Promise.all([ours(main), theirs(main)]);
      assert.equal(b.fatal, fatal, `depth ${n}`);
      assert.deepEqual(a, b, `depth ${n}`);
    }
    write('loop/a', `Include ${dir}/loop/b\n`);
    write('loop/b', `AcceptEnv L\nInclude ${dir}/loop/*\n`);
    const main = write('loop/main', `${header}Include ${dir}/loop/a\n`);
    const [a, b] = await Promise.all([ours(main), theirs(main)]);
    assert.deepEqual([a.fatal, b.fatal], [true, true]);
  });

  it('a dangling symlink matched by a literal Include is fatal; an empty argument is an error', async () => {
    symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
    let main = write('m3', `${header}Include ${dir}/dangling\n`);
    let [a, b] = await Promise.all([ours(main), theirs(main)]);
    assert.deepEqual([a.fatal, b.fatal], [true, true]);
    main = write('m4', `${header}Include ${dir}/d/a.conf ""\n`);
    [a, b] = await Promise.all([ours(main), theirs(main)]);
    assert.equal(b.fatal, true);
    const t = await loadConfigTree(localFs(), main);
    assert.ok(t.items.some((i) => i.kind === 'error' && i.effect === 'bad-option' && i.diagnostic.line === 2));
  });

  it('rootFs: relative Include resolves against /etc/ssh inside the root, symlinks cannot escape', async () => {
    const root = join(dir, 'root');
    mkdirSync(join(root, 'etc/ssh/sshd_config.d'), { recursive: true });
    writeFileSync(join(root, 'etc/ssh/sshd_config'), 'Include sshd_config.d/*.conf\nInclude /etc/ssh/esc.conf\n');
    writeFileSync(join(root, 'etc/ssh/sshd_config.d/10.conf'), 'PermitRootLogin no\n');
    symlinkSync('/etc/passwd', join(root, 'etc/ssh/esc.conf')); // points outside when followed by the kernel
    symlinkSync('../../../../../etc/ssh/sshd_config.d/10.conf', join(root, 'etc/ssh/sshd_config.d/20.conf'));
    const t = await loadConfigTree(rootFs(root), '/etc/ssh/sshd_config');
    assert.deepEqual([...t.files.keys()], ['/etc/ssh/sshd_config', '/etc/ssh/sshd_config.d/10.conf', '/etc/ssh/sshd_config.d/20.conf', '/etc/ssh/esc.conf'].slice(0, 3));
    assert.equal(t.fatal, true); // /etc/passwd does not exist inside the root
    assert.equal(t.diagnostics.find((d) => d.code === 'UNREADABLE_FILE')?.line, 2);
    assert.equal(t.files.get('/etc/ssh/sshd_config.d/20.conf')?.text, 'PermitRootLogin no\n');
  });
});
