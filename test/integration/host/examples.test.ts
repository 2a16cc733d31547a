// Every example root's sshd configuration is accepted by the real Debian sshd of its release:
// 9.2p1 (/usr/sbin/sshd) for Debian 12 roots, 10.0p1 from the trixie root (scripts/trixie-root.sh,
// run through chroot) for Debian 13 roots. The config tree is copied to a temp dir with the
// Include and HostKey paths rewritten; test host keys stand in for the example's (which ship
// only .pub files). `sshd -T` then confirms the headline effective values each example shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, copyFileSync, chmodSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { hostKeys, run, sshdAvailable, SSHD, ensurePrivsepDir } from '../../helpers/sshd.js';
import { TRIXIE_ROOT } from '../../helpers/trixie.js';

const EXAMPLES = resolve('examples');
// the shared root ($SSHIELD_TRIXIE_ROOT, this checkout's or the main checkout's .cache)
const TRIXIE = TRIXIE_ROOT;
const haveTrixie = existsSync(join(TRIXIE, 'usr/sbin/sshd'));

const cases: { name: string; release: 12 | 13; expect: Record<string, string>; specs?: [string, string, string][] }[] = [
  { name: 'pve8-default', release: 12, expect: { permitrootlogin: 'yes', passwordauthentication: 'yes', x11forwarding: 'yes' } },
  { name: 'debian12-cloud', release: 12, expect: { permitrootlogin: 'without-password', passwordauthentication: 'yes' } },
  { name: 'pve9-default', release: 13, expect: { permitrootlogin: 'yes', passwordauthentication: 'yes' } },
  {
    name: 'pve-cluster-node', release: 13, expect: { permitrootlogin: 'no', passwordauthentication: 'no' },
    specs: [
      ['user=root,host=pve-node1,addr=10.10.10.11,laddr=10.10.10.12,lport=22', 'permitrootlogin', 'without-password'],
      ['user=root,host=pve-node3,addr=fd00:10::13,laddr=fd00:10::12,lport=22', 'permitrootlogin', 'without-password'],
      ['user=root,host=x,addr=192.0.2.9,laddr=10.10.10.12,lport=22', 'permitrootlogin', 'no'],
    ],
  },
  { name: 'hardened', release: 13, expect: { permitrootlogin: 'no', passwordauthentication: 'no', x11forwarding: 'no', debianbanner: 'no', logingracetime: '20', maxauthtries: '3' } },
];

/** Copies etc/ssh of an example under `base`, rewriting /etc/ssh/ to `shown` (the path sshd sees). */
async function stage(example: string, base: string, shown: string): Promise<{ config: string; extraArgs: string[] }> {
  const src = join(EXAMPLES, example, 'etc/ssh');
  mkdirSync(join(base, 'sshd_config.d'), { recursive: true });
  cpSync(src, base, { recursive: true });
  const files = ['sshd_config', ...(existsSync(join(base, 'sshd_config.d')) ? readdirSync(join(base, 'sshd_config.d')).map((f) => `sshd_config.d/${f}`) : [])];
  let hasHostKey = false;
  for (const f of files) {
    const p = join(base, f);
    const text = readFileSync(p, 'latin1');
    if (/^\s*HostKey\s/im.test(text)) hasHostKey = true;
    writeFileSync(p, text.replaceAll('/etc/ssh/', `${shown}/`), 'latin1');
  }
  const keys = await hostKeys(['ed25519', 'rsa', 'ecdsa']);
  for (const k of keys) {
    const dst = join(base, k.split('/').pop()!);
    copyFileSync(k, dst);
    chmodSync(dst, 0o600);
  }
  const extraArgs = hasHostKey ? [] : keys.map((k) => ['-h', `${shown}/${k.split('/').pop()!}`]).flat();
  return { config: `${shown}/sshd_config`, extraArgs };
}

for (const c of cases) {
  const skip = !sshdAvailable() ? 'no sshd' : c.release === 13 && !haveTrixie ? 'trixie root missing (scripts/trixie-root.sh)' : false;
  test(`example ${c.name}: accepted by the real Debian ${c.release} sshd and shows the expected effective values`, { skip, timeout: 60_000 }, async () => {
    ensurePrivsepDir();
    const chrooted = c.release === 13;
    const hostBase = chrooted ? join(TRIXIE, 'tmp') : '/tmp';
    mkdirSync(hostBase, { recursive: true });
    const dir = mkdtempSync(join(hostBase, `sshield-example-${c.name}-`));
    try {
      const shown = chrooted ? `/tmp/${dir.split('/').pop()!}` : dir;
      const { config, extraArgs } = await stage(c.name, dir, shown);
      const exec = (args: string[]) => {
        if (!chrooted) return run(SSHD, args);
        mkdirSync(join(TRIXIE, 'run/sshd'), { recursive: true });
        return run('chroot', [TRIXIE, '/usr/sbin/sshd', ...args]);
      };
      const t = await exec(['-t', '-f', config, ...extraArgs]);
      assert.equal(t.code, 0, `sshd -t refused ${c.name}: ${t.stderr}`);
      const T = await exec(['-T', '-f', config, ...extraArgs]);
      assert.equal(T.code, 0, T.stderr);
      const eff = new Map(T.stdout.split('\n').map((l) => [l.split(' ')[0]!, l.slice(l.indexOf(' ') + 1)] as const));
      for (const [k, v] of Object.entries(c.expect)) assert.equal(eff.get(k), v, `${c.name}: ${k}`);
      for (const [spec, k, v] of c.specs ?? []) {
        const r = await exec(['-T', '-f', config, ...extraArgs, '-C', spec]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, new RegExp(`^${k} ${v}$`, 'm'), `${c.name} -C ${spec}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
