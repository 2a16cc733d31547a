// Every example root, copied to a temp dir and hardened offline (--root) with each profile: the
// real sshd -t accepts the staged result and sshd -T matches the prediction (both checked by the
// pipeline before installing), the result is installed, and a second run plans nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sshdAvailable, run } from '../../helpers/sshd.js';

const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];
const examples = existsSync('examples') ? readdirSync('examples').filter((d) => existsSync(join('examples', d, 'etc/ssh/sshd_config'))) : [];

for (const ex of examples) {
  for (const profile of ['baseline', 'proxmox']) {
    test(`harden --root examples/${ex} (${profile})`, { skip: !sshdAvailable() && 'needs root and sshd', timeout: 60_000 }, async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'sshield-root-'));
      const bk = mkdtempSync(join(tmpdir(), 'sshield-bk-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      t.after(() => rmSync(bk, { recursive: true, force: true }));
      cpSync(join('examples', ex), dir, { recursive: true });
      const first = await run(process.execPath, [...CLI, 'harden', '--root', dir, '--profile', profile, '--yes', '--backup-dir', bk]);
      assert.equal(first.code, 0, first.stdout + first.stderr);
      assert.match(first.stdout, /Applied \(backup|Nothing to change/);
      // The hardened example already satisfies both profiles (LoginGraceTime 20 within 1..30,
      // PermitRootLogin no stricter than prohibit-password): nothing may be rewritten.
      if (ex === 'hardened') assert.match(first.stdout, /Nothing to change/);
      const second = await run(process.execPath, [...CLI, 'harden', '--root', dir, '--profile', profile, '--yes', '--backup-dir', bk]);
      assert.equal(second.code, 0, second.stdout + second.stderr);
      assert.match(second.stdout, /Nothing to change/);
    });
  }
}
