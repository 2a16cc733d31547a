// The credential model, case by case, each with the exact verdict sshd gives (OpenSSH 9.2p1;
// the differential test test/integration/access/ways-in-live.test.ts checks a handful against
// a real sshd). Facts are gathered from an in-memory host by the real gatherer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryFs, type MemoryFsSpec } from '../../../src/host/memory-fs.js';
import { offlineExecutor, type HostExecutor } from '../../../src/host/executor.js';
import { loadHost } from '../../../src/host/loaded-host.js';
import { gatherAccessFacts, waysIn, candidateAddresses, waysInFromCandidates, type AccessVerdict } from '../../../src/access/index.js';
import type { ConnectionSpec } from '../../../src/sshd/evaluate/types.js';

const ED1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHcwrZKA9zBuQuKEkAOkUGlgbdTlnQuN5mopbYMG57Es admin@ed';
const ED2 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFdhxnJJ3LBm2v3wkAWLV5FSioJC8dKLqJZdq6s+GvTC admin2@ed';
const RSA2K = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCfHzsk5J5sgZkHThOe4qX2TOHbd7yjQlaFtq/e4nla75FxwOiNF9mewpnOhcVUFG0NgDgHpfWQS8Ox9mhDnhSxAPbnofsza62A5hxl0T+GyiGd7Zqg8wit2M0yOYnRuPdNU6oEPaJLZwwedZW8I89psLoD69kH+/kCRLGq8pg/Kk3ZC80oftTt/e33lffQiqZwZjFiHUQk/2C8bKOkHN3RgP1f5A03lO3NFK/mYLBEbVHIMBUACaQrh+NJWgoxg1S9ihuw9TRaBPpY7g1wpgwgFdRjdSE4WhEXX0AAoKqJx3eraboCMYO/Yqm89WZ2d+FbyHwl705+t/v7kJtLKdal rsa2048';
const CA = 'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBHMIHa/wvr6MRCcB/XipeX1p8gusNVLCJkKU3s+YofO0UKVHNYV6I08jDrIVXHqn9dg0xGjCpCm9jhPvbT4kHNk= ca';
const ED1_FP = 'SHA256:/tjZW6wBdDjMPn2D8h8+JEebwA/AV5mAv576VcAfM/s'; // ssh-keygen -lf
const ED2_KRL_DUMP = '# KRL version 1\n# Generated at 20261204T214029\n\nhash: SHA256:GDWsN2UatAFQHO4WasRAHa12ZQ6r9CpLeBSCh3ECbfw # ssh-ed25519\n';

const PASSWD = ['root:x:0:0:root:/root:/bin/bash', 'alice:x:1000:1000::/home/alice:/bin/bash', 'bob:x:1001:1001::/home/bob:/bin/zsh', 'svc:x:1002:1002::/home/svc:/usr/sbin/nologin'].join('\n') + '\n';
const GROUP = ['root:x:0:', 'sudo:x:27:alice', 'alice:x:1000:', 'bob:x:1001:', 'svc:x:1002:'].join('\n') + '\n';
const HASH = '$y$j9T$abcdefgh$0123456789012345678901234567890123456789012';
const shadowOf = (o: Record<string, string> = {}) =>
  Object.entries({ root: `${HASH}:19000:0:99999:7:::`, alice: `${HASH}:19000:0:99999:7:::`, bob: `${HASH}:19000:0:99999:7:::`, svc: '!:19000:::::::', ...o }).filter(([, r]) => r !== undefined).map(([n, r]) => `${n}:${r}`).join('\n') + '\n';

const PAM_UNIX = {
  '/etc/pam.d/sshd': '@include common-auth\naccount    required     pam_nologin.so\n@include common-account\nsession required pam_limits.so\n',
  '/etc/pam.d/common-auth': 'auth\t[success=1 default=ignore]\tpam_unix.so nullok\nauth\trequisite\t\t\tpam_deny.so\nauth\trequired\t\t\tpam_permit.so\n',
  '/etc/pam.d/common-account': 'account\t[success=1 new_authtok_reqd=done default=ignore]\tpam_unix.so\naccount\trequisite\t\t\tpam_deny.so\naccount\trequired\t\t\tpam_permit.so\n',
};

const home = (u: string, uid: number): MemoryFsSpec => ({
  [`/home/${u}`]: { kind: 'dir', mode: 0o755, uid, gid: uid },
  [`/home/${u}/.ssh`]: { kind: 'dir', mode: 0o700, uid, gid: uid },
});
const keys = (u: string, uid: number, text: string, mode = 0o600): MemoryFsSpec => ({ [`/home/${u}/.ssh/authorized_keys`]: { content: text, mode, uid, gid: uid } });

interface Case {
  readonly name: string;
  readonly config: string;
  readonly files?: MemoryFsSpec;
  readonly shadow?: Record<string, string> | null;
  readonly spec: ConnectionSpec;
  readonly run?: HostExecutor['run'];
  /** Leave /bin and /usr/bin out of the view. */
  readonly noBinaries?: true;
  readonly want: { kind: 'works'; ways: string[]; shell?: boolean } | { kind: 'refused'; reasons: string[] } | { kind: 'unknown'; reasons: string[]; possible?: string[] };
}

const DEBIAN = 'Include /etc/ssh/sshd_config.d/*.conf\nKbdInteractiveAuthentication no\nUsePAM yes\nSubsystem sftp /usr/lib/openssh/sftp-server\n';
const from = (addr: string, user = 'alice', lport = 22): ConnectionSpec => ({ user, host: addr, addr, laddr: '127.0.0.1', lport });
const L = from('127.0.0.1');
const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);

const cases: Case[] = [
  { name: 'a plain ed25519 key works, password too', config: DEBIAN, files: keys('alice', 1000, `${ED1}\n`), spec: L,
    want: { kind: 'works', ways: ['publickey[/home/alice/.ssh/authorized_keys:1] shell', 'password shell'], shell: true } },
  { name: 'expired key option and locked password: nothing works', config: DEBIAN, files: keys('alice', 1000, `expiry-time="20200101" ${ED1}\n`), shadow: { alice: `!${HASH}:19000::::::` }, spec: L,
    want: { kind: 'refused', reasons: ['publickey: /home/alice/.ssh/authorized_keys:1: expiry-time="20200101" has passed', 'password: password locked ("!")'] } },
  { name: 'expiry-time in the future is fine', config: DEBIAN + 'PasswordAuthentication no\n', files: keys('alice', 1000, `expiry-time="20991231Z" ${ED1}\n`), spec: L,
    want: { kind: 'works', ways: ['publickey[/home/alice/.ssh/authorized_keys:1] shell'] } },
  { name: 'from= not matching the client', config: DEBIAN + 'PasswordAuthentication no\n', files: keys('alice', 1000, `from="10.0.0.0/8" ${ED1}\n`), spec: L,
    want: { kind: 'refused', reasons: ['publickey: /home/alice/.ssh/authorized_keys:1: from="10.0.0.0/8" does not admit 127.0.0.1'] } },
  { name: 'from= matching the client', config: DEBIAN + 'PasswordAuthentication no\n', files: keys('alice', 1000, `from="10.0.0.0/8,127.0.0.1" ${ED1}\n`), spec: L,
    want: { kind: 'works', ways: ['publickey[/home/alice/.ssh/authorized_keys:1] shell'] } },
  { name: 'a second line of the same key without from= still works', config: DEBIAN + 'PasswordAuthentication no\n', files: keys('alice', 1000, `from="10.0.0.0/8" ${ED1}\n${ED1}\n`), spec: L,
    want: { kind: 'works', ways: ['publickey[/home/alice/.ssh/authorized_keys:2] shell'] } },
  { name: 'cert-authority line only: a certificate might work, the key does not', config: DEBIAN + 'PasswordAuthentication no\n', files: keys('alice', 1000, `cert-authority ${CA}\n`), spec: L,
    want: { kind: 'unknown', reasons: ['/home/alice/.ssh/authorized_keys:1: cert-authority: a certificate signed by this CA for principal alice would work; this model cannot prove one is held'], possible: ['publickey shell'] } },
  { name: 'principals= without cert-authority is refused', config: DEBIAN + 'PasswordAuthentication no\n', files: keys('alice', 1000, `principals="alice" ${ED1}\n`), spec: L,
    want: { kind: 'refused', reasons: ['publickey: /home/alice/.ssh/authorized_keys:1: principals= on a key that is not a cert-authority'] } },
  { name: 'RevokedKeys plain list with the key', config: DEBIAN + 'PasswordAuthentication no\nRevokedKeys /etc/ssh/revoked\n', files: { ...keys('alice', 1000, `${ED1}\n${ED2}\n`), '/etc/ssh/revoked': `# revoked\n${ED1}\n` }, spec: L,
    want: { kind: 'works', ways: ['publickey[/home/alice/.ssh/authorized_keys:2] shell'] } },
  { name: 'RevokedKeys plain list revoking the only key', config: DEBIAN + 'PasswordAuthentication no\nRevokedKeys /etc/ssh/revoked\n', files: { ...keys('alice', 1000, `${ED1}\n`), '/etc/ssh/revoked': `${ED1}\n` }, spec: L,
    want: { kind: 'refused', reasons: ['publickey: /home/alice/.ssh/authorized_keys:1: listed in RevokedKeys /etc/ssh/revoked:1'] } },
  { name: 'RevokedKeys missing: every key refused', config: DEBIAN + 'PasswordAuthentication no\nRevokedKeys /etc/ssh/nope\n', files: keys('alice', 1000, `${ED1}\n`), spec: L,
    want: { kind: 'refused', reasons: ['publickey: /home/alice/.ssh/authorized_keys:1: RevokedKeys /etc/ssh/nope cannot be read (/etc/ssh/nope: missing (/etc/ssh/nope: no such file or directory)): sshd refuses every key (auth_key_is_revoked)'] } },
  { name: 'RevokedKeys KRL read through ssh-keygen -Q -l', config: DEBIAN + 'PasswordAuthentication no\nRevokedKeys /etc/ssh/krl\n', files: { ...keys('alice', 1000, `${ED2}\n${ED1}\n`), '/etc/ssh/krl': 'SSHKRL\n\0binary' },
    // ssh-keygen reads the bytes the view holds (through a pipe on its stdin), never the path.
    run: (cmd, args, opts) => (cmd === 'sh' && args.join(' ') === '-c cat | ssh-keygen -Q -l -f /dev/stdin' && Buffer.from(opts?.input ?? []).toString('latin1') === 'SSHKRL\n\0binary' ? Promise.resolve({ code: 0, signal: null, stdout: ED2_KRL_DUMP, stderr: '' }) : undefined), spec: L,
    want: { kind: 'works', ways: ['publickey[/home/alice/.ssh/authorized_keys:2] shell'] } },
  { name: 'RevokedKeys KRL offline: unknown, not yes', config: DEBIAN + 'PasswordAuthentication no\nRevokedKeys /etc/ssh/krl\n', files: { ...keys('alice', 1000, `${ED1}\n`), '/etc/ssh/krl': 'SSHKRL\n\0binary' }, spec: L,
    want: { kind: 'unknown', reasons: ['/home/alice/.ssh/authorized_keys:1: /etc/ssh/krl is a KRL and this host cannot run ssh-keygen to read it (offline root)'], possible: ['publickey shell'] } },
  { name: 'RequiredRSASize 4096 refuses an RSA-2048 key', config: DEBIAN + 'PasswordAuthentication no\nRequiredRSASize 4096\n', files: keys('alice', 1000, `${RSA2K}\n`), spec: L,
    want: { kind: 'refused', reasons: ['publickey: /home/alice/.ssh/authorized_keys:1: RSA key of 2048 bits is under RequiredRSASize 4096'] } },
  { name: 'PubkeyAcceptedAlgorithms without the key type', config: DEBIAN + 'PasswordAuthentication no\nPubkeyAcceptedAlgorithms ssh-ed25519\n', files: keys('alice', 1000, `${RSA2K}\n`), spec: L,
    want: { kind: 'refused', reasons: ['publickey: /home/alice/.ssh/authorized_keys:1: ssh-rsa is not in PubkeyAcceptedAlgorithms'] } },
  { name: '2FA list with keyboard-interactive turned off: no methods left', config: DEBIAN + 'Match Group sudo\n  AuthenticationMethods publickey,keyboard-interactive\n', files: { ...keys('alice', 1000, `${ED1}\n`), ...PAM_UNIX }, spec: L,
    want: { kind: 'refused', reasons: ['AuthenticationMethods list "publickey,keyboard-interactive" names keyboard-interactive, which is disabled: sshd skips the list', 'no authentication methods enabled: sshd disconnects (auth2_setup_methods_lists)'] } },
  { name: '2FA chain with pam_unix: key then password prompt', config: DEBIAN.replace('KbdInteractiveAuthentication no', 'KbdInteractiveAuthentication yes') + 'Match Group sudo\n  AuthenticationMethods publickey,keyboard-interactive\n', files: { ...keys('alice', 1000, `${ED1}\n`), ...PAM_UNIX }, spec: L,
    want: { kind: 'works', ways: ['publickey[/home/alice/.ssh/authorized_keys:1]+keyboard-interactive shell'] } },
  { name: '2FA chain with an OTP module: cannot prove', config: DEBIAN.replace('KbdInteractiveAuthentication no', 'KbdInteractiveAuthentication yes') + 'AuthenticationMethods publickey,keyboard-interactive\n',
    files: { ...keys('alice', 1000, `${ED1}\n`), ...PAM_UNIX, '/etc/pam.d/sshd': 'auth required pam_google_authenticator.so\n@include common-auth\n@include common-account\n' }, spec: L,
    want: { kind: 'unknown', reasons: ['PAM auth stack uses pam_google_authenticator: whether keyboard-interactive succeeds cannot be proven'], possible: ['publickey[/home/alice/.ssh/authorized_keys:1]+keyboard-interactive shell'] } },
  { name: 'publickey,publickey needs two keys', config: DEBIAN + 'AuthenticationMethods publickey,publickey\n', files: keys('alice', 1000, `${ED1}\n`), spec: L,
    want: { kind: 'refused', reasons: ['publickey,publickey: publickey: every accepted key is already used by an earlier step'] } },
  { name: 'publickey,publickey with two keys', config: DEBIAN + 'AuthenticationMethods publickey,publickey\n', files: keys('alice', 1000, `${ED1}\n${ED2}\n`), spec: L,
    want: { kind: 'works', ways: ['publickey[/home/alice/.ssh/authorized_keys:1]+publickey[/home/alice/.ssh/authorized_keys:2] shell', 'publickey[/home/alice/.ssh/authorized_keys:2]+publickey[/home/alice/.ssh/authorized_keys:1] shell'] } },
  { name: 'UsePAM no and a locked password: the key is refused too', config: DEBIAN.replace('UsePAM yes', 'UsePAM no'), files: keys('alice', 1000, `${ED1}\n`), shadow: { alice: `!${HASH}:19000::::::` }, spec: L,
    want: { kind: 'refused', reasons: ['account locked (password field starts with "!") and UsePAM no: sshd refuses every method (platform_locked_account)'] } },
  { name: 'UsePAM yes and a locked password: the key works', config: DEBIAN, files: { ...keys('alice', 1000, `${ED1}\n`), ...PAM_UNIX }, shadow: { alice: `!${HASH}:19000::::::` }, spec: L,
    want: { kind: 'works', ways: ['publickey[/home/alice/.ssh/authorized_keys:1] shell'] } },
  { name: 'an expired account (UsePAM yes, pam_unix account)', config: DEBIAN, files: { ...keys('alice', 1000, `${ED1}\n`), ...PAM_UNIX }, shadow: { alice: `${HASH}:19000:0:99999:7::20000:` }, spec: L,
    want: { kind: 'refused', reasons: ['account expired (shadow expiry day 20000): PAM account stage (pam_unix) refuses every method'] } },
  { name: 'an expired account (UsePAM no)', config: DEBIAN.replace('UsePAM yes', 'UsePAM no'), files: keys('alice', 1000, `${ED1}\n`), shadow: { alice: `${HASH}:19000:0:99999:7::20000:` }, spec: L,
    want: { kind: 'refused', reasons: ['account expired (shadow expiry day 20000) and UsePAM no: sshd refuses every method'] } },
  { name: 'a key in a non-default AuthorizedKeysFile', config: DEBIAN + 'PasswordAuthentication no\nAuthorizedKeysFile /etc/ssh/keys/%u\n', files: { '/etc/ssh/keys/alice': { content: `${ED1}\n`, mode: 0o644 }, ...keys('alice', 1000, `${ED2}\n`) }, spec: L,
    want: { kind: 'works', ways: ['publickey[/etc/ssh/keys/alice:1] shell'] } },
  { name: 'AuthorizedKeysCommand only: cannot prove', config: DEBIAN + 'PasswordAuthentication no\nAuthorizedKeysFile none\nAuthorizedKeysCommand /usr/local/bin/keys %u\nAuthorizedKeysCommandUser nobody\n', spec: L,
    want: { kind: 'unknown', reasons: ['AuthorizedKeysCommand /usr/local/bin/keys %u: what it prints cannot be proven (cannot prove)'], possible: ['publickey shell'] } },
  { name: 'AuthorizedKeysCommand without AuthorizedKeysCommandUser is skipped', config: DEBIAN + 'PasswordAuthentication no\nAuthorizedKeysFile none\nAuthorizedKeysCommand /usr/local/bin/keys %u\n', spec: L,
    want: { kind: 'refused', reasons: ['sshd would reject this configuration for the connection: AuthorizedKeysCommand set without AuthorizedKeysCommandUser'] } },
  { name: 'StrictModes: a world-writable authorized_keys is ignored', config: DEBIAN + 'PasswordAuthentication no\n', files: keys('alice', 1000, `${ED1}\n`, 0o666), spec: L,
    want: { kind: 'refused', reasons: ['publickey: /home/alice/.ssh/authorized_keys: bad ownership or modes for file /home/alice/.ssh/authorized_keys (StrictModes)'] } },
  { name: 'StrictModes no: the same file works', config: DEBIAN + 'PasswordAuthentication no\nStrictModes no\n', files: keys('alice', 1000, `${ED1}\n`, 0o666), spec: L,
    want: { kind: 'works', ways: ['publickey[/home/alice/.ssh/authorized_keys:1] shell'] } },
  { name: 'a file the user cannot read', config: DEBIAN + 'PasswordAuthentication no\n', files: { ...home('alice', 1000), '/home/alice/.ssh/authorized_keys': { content: `${ED1}\n`, mode: 0o600, uid: 0, gid: 0 } }, spec: L,
    want: { kind: 'refused', reasons: ['publickey: /home/alice/.ssh/authorized_keys: /home/alice/.ssh/authorized_keys is not readable by the user (sshd reads it as the user)'] } },
  { name: 'nologin shell: authentication works, nothing runs', config: DEBIAN + 'PasswordAuthentication no\n', files: keys('svc', 1002, `${ED1}\n`), spec: from('127.0.0.1', 'svc'),
    want: { kind: 'works', ways: ['publickey[/home/svc/.ssh/authorized_keys:1] none'], shell: false } },
  { name: 'nologin shell with ForceCommand internal-sftp: SFTP works', config: DEBIAN + 'PasswordAuthentication no\nMatch User svc\n  ForceCommand internal-sftp\n', files: keys('svc', 1002, `${ED1}\n`), spec: from('127.0.0.1', 'svc'),
    want: { kind: 'works', ways: ['publickey[/home/svc/.ssh/authorized_keys:1] sftp'], shell: false } },
  { name: 'ForceCommand internal-sftp without any Subsystem sftp: the sftp client fails', config: DEBIAN.replace('Subsystem sftp /usr/lib/openssh/sftp-server\n', '') + 'PasswordAuthentication no\nMatch User svc\n  ForceCommand internal-sftp\n', files: keys('svc', 1002, `${ED1}\n`), spec: from('127.0.0.1', 'svc'),
    want: { kind: 'works', ways: ['publickey[/home/svc/.ssh/authorized_keys:1] none'], shell: false } },
  { name: 'a missing shell', config: DEBIAN, files: keys('bob', 1001, `${ED1}\n`), spec: from('127.0.0.1', 'bob'),
    want: { kind: 'refused', reasons: ['shell /bin/zsh does not exist (allowed_user)'] } },
  { name: 'DenyGroups sudo', config: DEBIAN + 'DenyGroups sudo\n', files: keys('alice', 1000, `${ED1}\n`), spec: L,
    want: { kind: 'refused', reasons: ['a group is listed in DenyGroups (sudo) (from 127.0.0.1)'] } },
  { name: 'AllowUsers with an address: refused elsewhere', config: DEBIAN + 'AllowUsers alice@10.0.0.0/8\n', files: keys('alice', 1000, `${ED1}\n`), spec: L,
    want: { kind: 'refused', reasons: ['not listed in AllowUsers (from 127.0.0.1)'] } },
  { name: 'AllowUsers with an address: admitted from inside', config: DEBIAN + 'PasswordAuthentication no\nAllowUsers alice@10.0.0.0/8\n', files: keys('alice', 1000, `${ED1}\n`), spec: from('10.1.2.3'),
    want: { kind: 'works', ways: ['publickey[/home/alice/.ssh/authorized_keys:1] shell'] } },
  { name: 'UseDNS yes and AllowUsers naming a host: depends on reverse DNS', config: DEBIAN + 'PasswordAuthentication no\nUseDNS yes\nAllowUsers alice@admin.example.org alice@10.0.0.0/8\n', files: keys('alice', 1000, `${ED1}\n`), spec: from('10.1.1.1'),
    want: { kind: 'unknown', reasons: ["UseDNS yes: alice@admin.example.org names hosts; whether 10.1.1.1's reverse-DNS name matches is unknown"], possible: ['publickey[/home/alice/.ssh/authorized_keys:1] shell'] } },
  { name: 'UseDNS yes: not listed by address is no proof of refusal', config: DEBIAN + 'PasswordAuthentication no\nUseDNS yes\nAllowUsers alice@admin.example.org\n', files: keys('alice', 1000, `${ED1}\n`), spec: L,
    want: { kind: 'unknown', reasons: ["UseDNS yes: alice@admin.example.org names hosts; whether 127.0.0.1's reverse-DNS name matches is unknown"], possible: ['publickey[/home/alice/.ssh/authorized_keys:1] shell'] } },
  { name: 'UseDNS no (the default): a host name in AllowUsers never matches', config: DEBIAN + 'PasswordAuthentication no\nAllowUsers alice@admin.example.org\n', files: keys('alice', 1000, `${ED1}\n`), spec: L,
    want: { kind: 'refused', reasons: ['not listed in AllowUsers (from 127.0.0.1)'] } },
  { name: 'PermitRootLogin no', config: DEBIAN + 'PermitRootLogin no\n', files: { '/root/.ssh/authorized_keys': `${ED1}\n` }, spec: from('127.0.0.1', 'root'),
    want: { kind: 'refused', reasons: ['PermitRootLogin no', 'password: PermitRootLogin no does not admit it for root'] } },
  { name: 'PermitRootLogin prohibit-password: key yes, password no', config: DEBIAN + 'PermitRootLogin prohibit-password\n', files: { '/root/.ssh/authorized_keys': `${ED1}\n` }, spec: from('127.0.0.1', 'root'),
    want: { kind: 'works', ways: ['publickey[/root/.ssh/authorized_keys:1] shell'] } },
  { name: 'PermitRootLogin forced-commands-only without command=', config: DEBIAN + 'PermitRootLogin forced-commands-only\n', files: { '/root/.ssh/authorized_keys': `${ED1}\n` }, spec: from('127.0.0.1', 'root'),
    want: { kind: 'refused', reasons: ['PermitRootLogin forced-commands-only and no accepted key has command=', 'password: PermitRootLogin forced-commands-only does not admit it for root'] } },
  { name: 'PermitRootLogin forced-commands-only with command=', config: DEBIAN + 'PermitRootLogin forced-commands-only\n', files: { '/root/.ssh/authorized_keys': `command="/usr/bin/backup" ${ED1}\n` }, spec: from('127.0.0.1', 'root'),
    want: { kind: 'works', ways: ['publickey[/root/.ssh/authorized_keys:1] command'], shell: false } },
  { name: 'PermitRootLogin yes: root password works', config: DEBIAN + 'PermitRootLogin yes\n', spec: from('127.0.0.1', 'root'),
    want: { kind: 'works', ways: ['password shell'] } },
  { name: 'password off inside Match Address only', config: DEBIAN + 'Match Address 10.0.0.0/8\n  PasswordAuthentication no\n', files: { ...home('alice', 1000), ...PAM_UNIX }, spec: from('10.9.9.9'),
    want: { kind: 'refused', reasons: ['publickey: no authorized key'] } },
  { name: 'password off inside Match Address: elsewhere still on', config: DEBIAN + 'Match Address 10.0.0.0/8\n  PasswordAuthentication no\n', files: { ...home('alice', 1000), ...PAM_UNIX }, spec: from('203.0.113.9'),
    want: { kind: 'works', ways: ['password shell'] } },
  { name: 'Match LocalPort turns keys off on one port', config: DEBIAN + 'PasswordAuthentication no\nMatch LocalPort 2222\n  PubkeyAuthentication no\n', files: keys('alice', 1000, `${ED1}\n`), spec: from('127.0.0.1', 'alice', 2222),
    want: { kind: 'refused', reasons: ['every authentication method is disabled'] } },
  { name: 'Match LocalPort: the other port still has keys', config: DEBIAN + 'PasswordAuthentication no\nMatch LocalPort 2222\n  PubkeyAuthentication no\n', files: keys('alice', 1000, `${ED1}\n`), spec: from('127.0.0.1', 'alice', 22),
    want: { kind: 'works', ways: ['publickey[/home/alice/.ssh/authorized_keys:1] shell'] } },
  { name: 'Match LocalAddress', config: DEBIAN + 'Match LocalAddress 127.0.0.1\n  PasswordAuthentication no\n', spec: L,
    want: { kind: 'refused', reasons: ['publickey: no authorized key'] } },
  { name: 'shadow unreadable with UsePAM no: unknown', config: DEBIAN.replace('UsePAM yes', 'UsePAM no') + 'PasswordAuthentication no\n', files: keys('alice', 1000, `${ED1}\n`), shadow: null, spec: L,
    want: { kind: 'unknown', reasons: ['/etc/shadow unreadable (/etc/shadow: missing (/etc/shadow: no such file or directory)): whether the account is locked or expired (UsePAM no) is unknown'], possible: ['publickey[/home/alice/.ssh/authorized_keys:1] shell'] } },
  { name: 'empty password with PermitEmptyPasswords no', config: DEBIAN.replace('UsePAM yes', 'UsePAM no'), shadow: { alice: ':19000::::::' }, spec: L,
    want: { kind: 'refused', reasons: ['publickey: no authorized key', 'password: empty password and PermitEmptyPasswords no'] } },
  { name: 'empty password with PermitEmptyPasswords yes', config: DEBIAN.replace('UsePAM yes', 'UsePAM no') + 'PermitEmptyPasswords yes\n', shadow: { alice: ':19000::::::' }, spec: L,
    want: { kind: 'works', ways: ['password shell'] } },
  { name: 'keyboard-interactive without UsePAM has no device', config: DEBIAN.replace('UsePAM yes', 'UsePAM no').replace('KbdInteractiveAuthentication no', 'KbdInteractiveAuthentication yes') + 'PasswordAuthentication no\n', spec: L,
    want: { kind: 'refused', reasons: ['publickey: no authorized key', 'keyboard-interactive: no device without UsePAM yes (Linux builds have only "pam")'] } },
  { name: 'ChrootDirectory owned by the user refuses the session', config: DEBIAN + 'Match User alice\n  ChrootDirectory /srv/jail\n', files: { ...keys('alice', 1000, `${ED1}\n`), '/srv/jail': { kind: 'dir', mode: 0o755, uid: 1000 } }, spec: L,
    want: { kind: 'refused', reasons: ['ChrootDirectory /srv/jail: bad ownership or modes for /srv/jail (must be root-owned, not group/other-writable)'] } },
  { name: 'an account missing from /etc/shadow: its "x" is no password', config: DEBIAN.replace('UsePAM yes', 'UsePAM no'), shadow: { alice: undefined as never }, spec: L,
    want: { kind: 'refused', reasons: ['publickey: no authorized key', 'password: password not set ("*" or "!")'] } },
  { name: 'a configuration-only copy (no /bin, no /usr/bin): a missing shell proves nothing', config: DEBIAN + 'PasswordAuthentication no\n', files: keys('bob', 1001, `${ED1}\n`), spec: from('127.0.0.1', 'bob'), noBinaries: true,
    want: { kind: 'unknown', reasons: ['shell /bin/zsh cannot be checked: this view has no /bin or /usr/bin (a copy of the configuration only)'], possible: ['publickey[/home/bob/.ssh/authorized_keys:1] shell'] } },
  { name: 'no such account', config: DEBIAN, spec: from('127.0.0.1', 'mallory'),
    want: { kind: 'refused', reasons: ['no account mallory in /etc/passwd: sshd treats it as an invalid user'] } },
];

async function hostOf(c: Pick<Case, 'config' | 'files' | 'shadow' | 'run' | 'noBinaries'>) {
  const shadow: MemoryFsSpec = c.shadow === null ? {} : { '/etc/shadow': { content: shadowOf(c.shadow ?? {}), mode: 0o640 } };
  const fs = memoryFs({
    '/etc/ssh/sshd_config': c.config, '/etc/passwd': PASSWD, '/etc/group': GROUP, ...shadow,
    ...(c.noBinaries ? {} : { '/bin/bash': { content: '', mode: 0o755 }, '/usr/sbin/nologin': { content: '', mode: 0o755 } }),
    '/root': { kind: 'dir', mode: 0o700 }, '/root/.ssh': { kind: 'dir', mode: 0o700 },
    ...home('alice', 1000), ...home('svc', 1002), ...PAM_UNIX, ...(c.files ?? {}),
  });
  // bob's shell is missing on purpose.
  const exec: HostExecutor = c.run ? { ...offlineExecutor(fs), live: true, kind: 'local', run: c.run } : offlineExecutor(fs);
  const host = await loadHost(exec, { facts: 'config' });
  return host;
}

async function verdictOf(c: Case): Promise<AccessVerdict> {
  const host = await hostOf(c);
  const configFor = (s: ConnectionSpec) => host.evaluate(s);
  const facts = await gatherAccessFacts({ exec: host.exec, accounts: host.accounts!, users: [c.spec.user!], configs: [configFor(c.spec)], now: NOW });
  return waysIn(facts, configFor, c.spec);
}

const wayText = (w: { chain: readonly string[]; steps: readonly { method: string; key?: { file: string; line: number } }[]; session: string }): string =>
  `${w.steps.map((s) => (s.key ? `${s.method}[${s.key.file}:${s.key.line}]` : s.method)).join('+')} ${w.session}`;

for (const c of cases) {
  test(`waysIn: ${c.name}`, async () => {
    const v = await verdictOf(c);
    const got =
      v.kind === 'works' ? { kind: v.kind, ways: v.ways.map(wayText), ...(c.want.kind === 'works' && c.want.shell !== undefined ? { shell: v.shell } : {}) }
      : v.kind === 'refused' ? { kind: v.kind, reasons: [...v.reasons] }
      : { kind: v.kind, reasons: [...v.reasons], ...(c.want.kind === 'unknown' && c.want.possible ? { possible: v.possible.map(wayText) } : {}) };
    assert.deepEqual(got, c.want, JSON.stringify(v, null, 1));
  });
}

test('a works verdict names the key by fingerprint, file and line', async () => {
  const v = await verdictOf({ name: '', config: DEBIAN + 'PasswordAuthentication no\n', files: keys('alice', 1000, `${ED1}\n`), spec: L, want: { kind: 'works', ways: [] } });
  assert.equal(v.kind, 'works');
  if (v.kind !== 'works') return;
  assert.deepEqual(v.ways[0]!.steps[0]!.key, { file: '/home/alice/.ssh/authorized_keys', line: 1, type: 'ssh-ed25519', bits: 256, fingerprint: ED1_FP, comment: 'admin@ed' });
});

test('candidate addresses: one inside every named pattern and one outside all, never an invented admin address', async () => {
  const config = DEBIAN + 'AllowUsers *@192.0.2.0/24 *@198.51.100.7\nMatch Address 10.0.0.0/8,!10.9.0.0/16\n  PasswordAuthentication no\n';
  const host = await hostOf({ config, files: keys('alice', 1000, `from="172.16.*" ${ED1}\n`) });
  const configFor = (s: ConnectionSpec) => host.evaluate(s);
  const facts = await gatherAccessFacts({ exec: host.exec, accounts: host.accounts!, users: ['alice'], configs: [configFor(from('127.0.0.1'))], now: NOW });
  const cands = candidateAddresses([...host.tree.files.values()], facts);
  assert.deepEqual(cands.map((c) => c.addr), ['192.0.2.0', '198.51.100.7', '10.0.0.0', '10.9.0.0', '172.16.1.1', '203.0.113.77']);
  assert.equal(cands.at(-1)!.why, 'outside every address the configuration and keys name');
  const r = waysInFromCandidates(facts, configFor, 'alice', cands, { laddr: '127.0.0.1', lport: 22 });
  // The allowlist admits alice from its two entries only; the key's from= admits 172.16.x, which AllowUsers refuses.
  assert.deepEqual(r.works.map((w) => w.candidate.addr), ['192.0.2.0', '198.51.100.7']);
  assert.deepEqual(r.works.map((w) => w.verdict.ways.map(wayText)), [['password shell'], ['password shell']]);
});

test('PAM stacks: @include, "include"/"substack" controls (only that type\'s lines), optional "-" lines, loops', async () => {
  const { pamStack } = await import('../../../src/access/index.js');
  const files = new Map([
    ['/etc/pam.d/sshd', 'auth substack password-auth\naccount include password-auth\n-auth optional pam_gnome_keyring.so\n@include loop\n'],
    ['/etc/pam.d/password-auth', 'auth required pam_env.so\nauth sufficient pam_unix.so\naccount required pam_unix.so\naccount required pam_access.so\n'],
    ['/etc/pam.d/loop', '@include sshd\n'],
  ]);
  assert.deepEqual(pamStack(files), { found: true, auth: ['pam_env', 'pam_unix', 'pam_gnome_keyring'], account: ['pam_unix', 'pam_access'] }, 'the loop back to sshd stops at once');
  assert.deepEqual(pamStack(new Map()), { found: false, auth: [], account: [] });
});
