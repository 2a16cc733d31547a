// The credential model never throws on what it reads (house style: collect problems, don't
// throw): generated sshd_config directives, authorized_keys lines with any options, shadow and
// PAM files, and connection specs give a verdict of one of the three kinds, every time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { memoryFs } from '../../../src/host/memory-fs.js';
import { offlineExecutor } from '../../../src/host/executor.js';
import { loadHost } from '../../../src/host/loaded-host.js';
import { candidateAddresses, gatherAccessFacts, judgeKeep, waysIn } from '../../../src/access/index.js';
import type { ConnectionSpec } from '../../../src/sshd/evaluate/types.js';

const ED = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHcwrZKA9zBuQuKEkAOkUGlgbdTlnQuN5mopbYMG57Es';
const DIRECTIVES = [
  'PasswordAuthentication no', 'PasswordAuthentication yes', 'KbdInteractiveAuthentication yes', 'UsePAM no', 'UsePAM yes', 'PubkeyAuthentication no',
  'AuthenticationMethods publickey,password', 'AuthenticationMethods publickey,keyboard-interactive:pam publickey,publickey', 'AuthenticationMethods any',
  'PermitRootLogin yes', 'PermitRootLogin forced-commands-only', 'PermitRootLogin no', 'RequiredRSASize 4096', 'PubkeyAcceptedAlgorithms ssh-ed25519',
  'RevokedKeys /etc/ssh/revoked', 'TrustedUserCAKeys /etc/ssh/ca.pub', 'AuthorizedKeysFile none', 'AuthorizedKeysFile /etc/ssh/keys/%u %h/.ssh/authorized_keys',
  'AuthorizedKeysCommand /bin/true\nAuthorizedKeysCommandUser nobody', 'StrictModes no', 'AllowUsers alice@10.0.0.0/8', 'DenyUsers *@!127.0.0.1,*', 'DenyGroups sudo',
  'AllowGroups nobody', 'ChrootDirectory /srv/%u', 'ForceCommand internal-sftp', 'PermitEmptyPasswords yes', 'Match Address 10.0.0.0/8', 'Match User alice',
  'Match Group sudo', 'Match LocalPort 22', 'Match all', 'Subsystem sftp internal-sftp',
];
const OPTIONS = ['', 'restrict ', 'from="10.0.0.0/8" ', 'from="*" ', 'from="!127.0.0.1,*" ', 'expiry-time="20200101" ', 'expiry-time="29991231Z" ', 'cert-authority ', 'principals="a" ', 'command="/bin/true" ', 'no-pty,pty ', 'bogus ', 'from="10.0.0.0/99" ', '"'];

test('waysIn returns a verdict for any generated host, and judgeKeep finds no loss when nothing changed', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.constantFrom(...DIRECTIVES), { maxLength: 8 }),
      fc.array(fc.tuple(fc.constantFrom(...OPTIONS), fc.constantFrom(ED, 'ssh-rsa AAAA', 'garbage')), { maxLength: 4 }),
      fc.constantFrom('$y$j9T$x$y', '!', '*', '', '!$y$x', 'x'),
      fc.constantFrom('', '19000', '0'),
      fc.constantFrom('127.0.0.1', '10.1.2.3', '::1', 'not-an-ip'),
      fc.constantFrom('alice', 'root', 'nobody-here'),
      fc.boolean(),
      async (dirs, keys, hash, expire, addr, user, pam) => {
        const fs = memoryFs({
          '/etc/ssh/sshd_config': dirs.join('\n') + '\n',
          '/etc/passwd': 'root:x:0:0::/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n',
          '/etc/group': 'root:x:0:\nsudo:x:27:alice\nalice:x:1000:\n',
          '/etc/shadow': `root:${hash}:19000::::::\nalice:${hash}:19000:::::${expire}:\n`,
          '/bin/bash': { content: '', mode: 0o755 },
          '/home/alice/.ssh/authorized_keys': { content: keys.map(([o, k]) => `${o}${k} c`).join('\n'), mode: 0o600, uid: 1000 },
          '/etc/ssh/revoked': `${ED}\nnot a key\n`,
          ...(pam ? { '/etc/pam.d/sshd': '@include common-auth\n@include sshd\nauth required pam_google_authenticator.so\n', '/etc/pam.d/common-auth': 'auth required pam_unix.so\n' } : {}),
        });
        const host = await loadHost(offlineExecutor(fs), { facts: 'config' });
        const base = { laddr: '127.0.0.1', lport: 22 };
        const configFor = (s: ConnectionSpec) => host.evaluate(s);
        const spec = { user, host: addr, addr, ...base };
        const facts = await gatherAccessFacts({ exec: host.exec, accounts: host.accounts!, users: [user], configs: [configFor(spec)] });
        const v = waysIn(facts, configFor, spec);
        assert.ok(['works', 'refused', 'unknown'].includes(v.kind));
        if (v.kind === 'refused') assert.ok(v.reasons.length > 0);
        const state = { facts, configFor, candidates: candidateAddresses([...host.tree.files.values()], facts) };
        // Nothing changed: nobody loses anything, from anywhere.
        assert.deepEqual(judgeKeep([{ account: user, addresses: 'any-admitted', why: [] }, { account: user, addresses: [addr], why: [] }], state, state, base), []);
      },
    ),
    { numRuns: 150 },
  );
});
