// `user list` tells the truth about who can log in: root under PermitRootLogin no cannot; root
// with keys only and no key cannot; an account with no usable key and no usable password cannot
// (whatever its shell), and one with a password can only where password logins are on; an
// unreadable shadow file decides nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryFs } from '../../../src/host/memory-fs.js';
import { listAccounts, type EffLike } from '../../../src/users/list.js';
import { accountsFromTexts } from '../../../src/host/facts/accounts.js';
import type { ByteString } from '../../../src/text/bytes.js';

const PASSWD = 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\nbob:x:1001:1001::/home/bob:/bin/bash\ncarol:x:1002:1002::/home/carol:/bin/bash\n';
const SHADOW = 'root:$y$j9T$abc:19000::::::\nalice:!:19000::::::\nbob:$y$j9T$def:19000::::::\ncarol:*:19000::::::\n';
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl a@b\n';

function eff(values: Record<string, string>): EffLike {
  const v = { pubkeyauthentication: 'yes', passwordauthentication: 'yes', kbdinteractiveauthentication: 'no', usepam: 'yes', permitrootlogin: 'prohibit-password', authorizedkeysfile: '.ssh/authorized_keys', ...values };
  return { value: (k) => v[k as keyof typeof v], get: (k) => (v[k as keyof typeof v] !== undefined ? { values: [v[k as keyof typeof v]!] } : undefined) };
}

async function list(config: Record<string, string>, files: Record<string, string>, shadow: string | null = SHADOW) {
  const fs = memoryFs({ '/bin/bash': { content: '', mode: 0o755 }, ...files });
  const accounts = await listAccounts({
    fs,
    accounts: accountsFromTexts({ passwd: PASSWD as ByteString, group: '', ...(shadow === null ? {} : { shadow: shadow as ByteString }) }),
    evaluate: async () => eff(config),
    addresses: ['203.0.113.7'],
    all: false,
  });
  return Object.fromEntries(accounts.map((a) => [a.name, a]));
}

test('root: PermitRootLogin no is no login; prohibit-password needs a key', async () => {
  const no = await list({ permitrootlogin: 'no' }, { '/root/.ssh/authorized_keys': KEY });
  assert.equal(no.root!.canLogin, 'no');
  assert.equal(no.root!.why, 'PermitRootLogin no');
  const keyless = await list({}, {});
  assert.equal(keyless.root!.canLogin, 'no');
  assert.equal(keyless.root!.why, 'PermitRootLogin prohibit-password and no authorized key');
  const withKey = await list({}, { '/root/.ssh/authorized_keys': KEY });
  assert.equal(withKey.root!.canLogin, 'shell');
  const yes = await list({ permitrootlogin: 'yes' }, {});
  assert.equal(yes.root!.canLogin, 'shell', 'a password and PermitRootLogin yes');
});

test('no usable key and no usable password: not a shell login', async () => {
  const r = await list({}, { '/home/alice/.ssh/authorized_keys': KEY });
  assert.equal(r.alice!.canLogin, 'shell', 'alice has a key');
  assert.equal(r.carol!.canLogin, 'no');
  assert.equal(r.carol!.why, 'no authorized key and no usable password (none)');
  assert.equal(r.bob!.canLogin, 'shell', 'bob has a password and password logins are on');
  const off = await list({ passwordauthentication: 'no' }, {});
  assert.equal(off.bob!.canLogin, 'no');
  assert.equal(off.bob!.why, 'no authorized key, and password logins are off');
  const pam = await list({ passwordauthentication: 'no', kbdinteractiveauthentication: 'yes' }, {});
  assert.equal(pam.bob!.canLogin, 'shell', 'keyboard-interactive through PAM asks for the password');
  const nopub = await list({ pubkeyauthentication: 'no', passwordauthentication: 'no' }, { '/home/alice/.ssh/authorized_keys': KEY });
  assert.equal(nopub.alice!.canLogin, 'no', 'a key is no use with PubkeyAuthentication no');
  const unknown = await list({ passwordauthentication: 'no' }, {}, null);
  assert.equal(unknown.carol!.canLogin, 'shell', 'without the shadow file nothing is concluded');
});
