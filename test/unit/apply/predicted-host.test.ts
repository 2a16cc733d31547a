// The predicted host of a plan that creates an account: useradd writes "NAME:!:..." to
// /etc/shadow (the password locked until one is set), so the prediction carries that entry, and
// with UsePAM no the credential model refuses the new account's keys exactly as sshd will
// (auth.c platform_locked_account); with UsePAM yes the key works. A deleted account's shadow
// entry goes with it; an unreadable shadow stays unknown (nothing is invented).
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { memoryFs } from '../../../src/host/memory-fs.js';
import { offlineExecutor } from '../../../src/host/executor.js';
import { loadHost } from '../../../src/host/loaded-host.js';
import { accountsAfterSteps, predictHost } from '../../../src/apply/predicted-host.js';
import { accountsFromTexts } from '../../../src/host/facts/accounts.js';
import { buildModelState, waysIn } from '../../../src/access/index.js';
import type { PlanStep } from '../../../src/apply/plan.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl a@b\n';
const PASSWD = 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n';
const GROUP = 'root:x:0:\nalice:x:1000:\n';
const SHADOW = 'root:*:19000::::::\nalice:$y$j9T$abc:19000:0:99999:7:::\n';

const PAM_DIR = join(import.meta.dirname, '..', '..', '..', 'examples', 'debian12-cloud', 'etc', 'pam.d');
const PAM = Object.fromEntries(['sshd', 'common-auth', 'common-account', 'common-password', 'common-session'].map((f) => [`/etc/pam.d/${f}`, readFileSync(join(PAM_DIR, f), 'latin1')]));

const create = (user: string): PlanStep => ({ kind: 'create-account', user, shell: '/bin/bash', home: `/home/${user}`, createHome: false, before: { exists: false, homeExists: true }, describe: `useradd -s /bin/bash ${user}`, stage: 'before-files' } as PlanStep);
const remove = (user: string): PlanStep => ({ kind: 'delete-account', user, describe: `userdel ${user}`, stage: 'after-files' } as unknown as PlanStep);

test('accountsAfterSteps: a created account is locked in shadow ("!"), a deleted one leaves shadow; unknown shadow stays unknown', () => {
  const acc = accountsFromTexts({ passwd: PASSWD, group: GROUP, shadow: SHADOW });
  const after = accountsAfterSteps(acc, [create('newbie'), remove('alice')]);
  assert.equal(after.shadowOf('newbie')?.hash, '!');
  assert.equal(after.shadowOf('alice'), undefined);
  assert.equal(after.shadowOf('root')?.hash, '*');
  assert.equal(acc.shadowOf('alice')?.hash, '$y$j9T$abc', 'the host\'s own accounts are not changed');
  const blind = accountsAfterSteps(accountsFromTexts({ passwd: PASSWD, group: GROUP }), [create('newbie')]);
  assert.equal(blind.shadow, undefined);
  assert.equal(blind.shadowOf('newbie'), undefined);
  assert.ok(blind.shadowUnknown);
});

for (const usePam of ['no', 'yes'] as const) {
  test(`predicted host of a plan creating an account with a key, UsePAM ${usePam}: the model ${usePam === 'no' ? 'refuses its key (locked password)' : 'accepts its key'}, as sshd will`, async () => {
    // the new account gets uid 1001 (after alice): its home and key file exist already, owned by it
    const fs = memoryFs({
      '/etc/ssh/sshd_config': `UsePAM ${usePam}\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n`,
      '/etc/passwd': PASSWD,
      '/etc/group': GROUP,
      '/etc/shadow': { content: SHADOW, mode: 0o640 },
      '/bin/bash': { content: '', mode: 0o755 },
      ...PAM,
      '/home/newbie': { kind: 'dir', mode: 0o755, uid: 1001, gid: 1001 },
      '/home/newbie/.ssh': { kind: 'dir', mode: 0o700, uid: 1001, gid: 1001 },
      '/home/newbie/.ssh/authorized_keys': { content: KEY, mode: 0o600, uid: 1001, gid: 1001 },
    });
    const host = await loadHost(offlineExecutor(fs, 'memory'), { facts: 'config', openssh: '1:9.2p1-2+deb12u10' });
    const predicted = await predictHost(host, { files: [], steps: [create('newbie')] });
    assert.equal(predicted.accounts?.user('newbie')?.uid, 1001);
    assert.equal(predicted.accounts?.shadowOf('newbie')?.hash, '!');
    const base = { laddr: '127.0.0.1', lport: 22 };
    const state = await buildModelState({ exec: { fs: predicted.fs, run: (c, a, o) => host.exec.run(c, a, o), live: false }, accounts: predicted.accounts!, files: [...predicted.config.tree.files.values()], configFor: predicted.config.evaluate, users: ['newbie'], base });
    const v = waysIn(state.facts, state.configFor, { user: 'newbie', host: '203.0.113.77', addr: '203.0.113.77', ...base });
    if (usePam === 'no') {
      assert.equal(v.kind, 'refused', JSON.stringify(v));
      assert.match(v.kind === 'refused' ? v.reasons.join('; ') : '', /locked/);
    } else {
      assert.equal(v.kind, 'works', JSON.stringify(v));
      assert.equal(v.kind === 'works' ? v.ways[0]!.steps[0]!.key?.file : '', '/home/newbie/.ssh/authorized_keys');
    }
  });
}
