// The Debian 13 example roots hardened offline on this Debian 12 machine are validated by the
// engine for 10.0p1 (this machine's 9.2p1 sshd would reject their own defaults). This test holds
// that to the real thing: Debian 13's sshd (10.0p1, in the cached trixie root) must accept each
// hardened result, and its `sshd -T` must equal `sshield effective` for the root, globally and
// for root from a peer and from a stranger.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, sshdAvailable } from '../../helpers/sshd.js';
import { trixieConfig, trixieUnavailable } from '../../helpers/trixie.js';

const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];
const CASES: { example: string; flags: string[] }[] = [
  { example: 'pve9-default', flags: ['--allow-no-key-admin'] },
  { example: 'pve-cluster-node', flags: [] },
  { example: 'hardened', flags: [] },
];
const SPECS = [undefined, 'user=root,host=peer,addr=10.10.10.12', 'user=root,host=x,addr=198.51.100.7', 'user=admin,host=x,addr=198.51.100.7'];
const skip = trixieUnavailable() ?? (sshdAvailable() ? undefined : 'needs root and /usr/sbin/sshd');

for (const { example, flags } of CASES) {
  test(`harden --root examples/${example} (proxmox): Debian 13's real sshd accepts it and sshd -T equals sshield effective`, { skip: skip ?? false, timeout: 120_000 }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sshield-root13-'));
    const bk = mkdtempSync(join(tmpdir(), 'sshield-bk-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    t.after(() => rmSync(bk, { recursive: true, force: true }));
    cpSync(join('examples', example), dir, { recursive: true });
    const h = await run(process.execPath, [...CLI, 'harden', '--root', dir, '--profile', 'proxmox', '--yes', '--backup-dir', bk, ...flags]);
    assert.equal(h.code, 0, h.stdout + h.stderr);

    // The hardened tree, with its Include pointed at the copy inside the trixie root.
    const etc = join(dir, 'etc/ssh');
    const main = readFileSync(join(etc, 'sshd_config'), 'latin1').replaceAll('/etc/ssh/sshd_config.d/', '@DIR@/sshd_config.d/');
    const extra: Record<string, string> = {};
    for (const f of readdirSync(join(etc, 'sshd_config.d'))) extra[`sshd_config.d/${f}`] = readFileSync(join(etc, 'sshd_config.d', f), 'latin1');
    const oracle = trixieConfig(main, extra);
    t.after(() => oracle.remove());
    for (const spec of SPECS) {
      const real = await oracle.sshdT(spec);
      assert.equal(real.code, 0, `Debian 13 sshd rejected the hardened ${example} (${spec ?? 'no -C'}): ${real.stderr}`);
      const ours = await run(process.execPath, [...CLI, 'effective', '--root', dir, '--openssh', '10.0p1-debian', ...(spec ? ['-C', spec] : [])]);
      assert.equal(ours.code, 0, ours.stderr);
      const sorted = (s: string) => s.split('\n').filter(Boolean).sort();
      assert.deepEqual(sorted(ours.stdout), sorted(real.stdout), `${example} ${spec ?? 'global'}`);
    }
  });
}
