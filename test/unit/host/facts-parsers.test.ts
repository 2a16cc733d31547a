// Table-driven tests of the pure fact parsers: dpkg status, corosync.conf, passwd/group/shells,
// os-release, AuthorizedKeysFile expansion, public key blobs, sshd -V / pveversion output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import {
  buildFromDpkg, expandAuthorizedKeysPath, gatherFacts, makeAccounts, parseCorosyncConf, parseDpkgStatus, parseGroup,
  parseOsRelease, parsePasswd, parsePublicKeyLine, parsePveversion, parseShells, parseSshdVersionOutput,
} from '../../../src/host/facts/index.js';
import { memoryFs } from '../../../src/host/memory-fs.js';
import { offlineExecutor } from '../../../src/host/executor.js';

const STATUS = `Package: openssh-client
Status: install ok installed
Priority: standard
Architecture: amd64
Multi-Arch: foreign
Source: openssh
Version: 1:9.2p1-2+deb12u10
Description: secure shell (SSH) client
 This is the portable version of OpenSSH,
 .
 a free implementation.

Package: openssh-server
Status: install ok installed
Architecture: amd64
Source: openssh
Version: 1:9.2p1-2+deb12u10
Conffiles:
 /etc/default/ssh 500e3cf069fe9a7b9936108eb9d9c035
 /etc/init.d/ssh 3649a6fe8c18ad1d5245fd91737de507

Package: pve-manager
Status: deinstall ok config-files
Architecture: amd64
Version: 8.1.4

Package: libfoo
Status: install ok half-installed
Architecture: amd64
Version: 1.0-1

Package: libssl3
Status: install ok installed
Architecture: i386
Version: 3.0.19-1~deb12u1

Package: libssl3
Status: install ok installed
Architecture: amd64
Version: 3.0.19-1~deb12u1
`;

test('dpkg status: stanzas, continuation lines, installed vs deinstalled/half-installed', () => {
  const db = parseDpkgStatus(STATUS.replace(/\n/g, '\r\n'));
  assert.equal(db.installed('openssh-server')?.version, '1:9.2p1-2+deb12u10');
  assert.equal(db.installed('openssh-server')?.source, 'openssh');
  assert.equal(db.installed('pve-manager'), undefined, 'deinstall ok config-files is not installed');
  assert.equal(db.packages.get('pve-manager')?.status, 'deinstall ok config-files');
  assert.equal(db.installed('libfoo'), undefined, 'half-installed is not installed');
  assert.equal(db.installed('libssl3')?.version, '3.0.19-1~deb12u1');
  assert.equal(db.installed('missing'), undefined);
  const b = buildFromDpkg(db, parseOsRelease('ID=debian\nVERSION_ID="12"\n'));
  assert.deepEqual(b, { upstream: '9.2p1', packageVersion: '1:9.2p1-2+deb12u10', revision: '2+deb12u10', distro: { id: 'debian', versionId: '12' }, source: 'dpkg', package: 'openssh-server' });
  assert.deepEqual(buildFromDpkg(parseDpkgStatus('Package: openssh-server\nStatus: install ok installed\nVersion: 1:9.6p1-3ubuntu13.3\n'), undefined)?.distro, { id: 'ubuntu', versionId: '24.04' });
  assert.equal(buildFromDpkg(parseDpkgStatus(''), undefined), undefined);
});

test('dpkg status of this machine parses and agrees with dpkg-query', { skip: !(() => { try { readFileSync('/var/lib/dpkg/status'); return true; } catch { return false; } })() }, () => {
  const db = parseDpkgStatus(readFileSync('/var/lib/dpkg/status', 'latin1'));
  const want = execFileSync('dpkg-query', ['-W', '-f=${Version}', 'openssh-server'], { encoding: 'utf8' });
  assert.equal(db.installed('openssh-server')?.version, want);
});

const corosyncCases: [string, string, { clusterName?: string; nodes: { name?: string; nodeid?: number; addresses: string[] }[]; problems: number }][] = [
  ['PVE default (IPv4, one link)', `totem {
  cluster_name: lab
  config_version: 2
  interface {
    linknumber: 0
  }
}
nodelist {
  node {
    name: a
    nodeid: 1
    quorum_votes: 1
    ring0_addr: 192.168.1.10
  }
  node {
    name: b
    nodeid: 2
    quorum_votes: 1
    ring0_addr: 192.168.1.11
  }
}
`, { clusterName: 'lab', nodes: [{ name: 'a', nodeid: 1, addresses: ['192.168.1.10'] }, { name: 'b', nodeid: 2, addresses: ['192.168.1.11'] }], problems: 0 }],
  ['ring addresses as names, two links, ring1 before ring0 in the file, comments', `# cluster
nodelist {
  node {
    ring1_addr: pve1-corosync2.example   # trailing text is part of the value
    ring0_addr: pve1-corosync
    name: pve1
    nodeid: 1
  }
}
totem {
  cluster_name: prod
}
`, { clusterName: 'prod', nodes: [{ name: 'pve1', nodeid: 1, addresses: ['pve1-corosync', 'pve1-corosync2.example   # trailing text is part of the value'] }], problems: 0 }],
  ['IPv6 addresses and tabs, CRLF', 'nodelist {\r\n\tnode {\r\n\t\tname: v6\r\n\t\tnodeid: 7\r\n\t\tring0_addr: fd00:10::11\r\n\t\tring1_addr: 2001:db8::1\r\n\t}\r\n}\r\n', { nodes: [{ name: 'v6', nodeid: 7, addresses: ['fd00:10::11', '2001:db8::1'] }], problems: 0 }],
  ['unbalanced braces are reported, not thrown', 'nodelist {\n node {\n  name: x\n  ring0_addr: 10.0.0.1\n }\n', { nodes: [{ name: 'x', addresses: ['10.0.0.1'] }], problems: 1 }],
  ['garbage lines reported', 'totem {\n what is this\n}\n}\n', { nodes: [], problems: 2 }],
];

for (const [label, text, want] of corosyncCases) {
  test(`corosync.conf: ${label}`, () => {
    const c = parseCorosyncConf(text);
    assert.equal(c.clusterName, want.clusterName);
    assert.deepEqual(c.nodes.map((n) => ({ ...(n.name !== undefined ? { name: n.name } : {}), ...(n.nodeid !== undefined ? { nodeid: n.nodeid } : {}), addresses: [...n.addresses] })), want.nodes);
    assert.equal(c.problems.length, want.problems, JSON.stringify(c.problems));
  });
}

test('passwd/group: malformed lines, NIS entries, empty shell, colons in shell, duplicates, groupsOf', () => {
  const problems: string[] = [];
  const users = parsePasswd(['root:x:0:0:root:/root:/bin/bash', 'svc:x:998:998::/nonexistent:/usr/sbin/nologin', 'old:x:1001:100:Old,,,:/home/old:', 'broken:x:abc:1::/:/bin/sh',
    '+nisuser::::::', 'alice:x:1000:1000:Alice:/home/alice:/bin/bash', 'alice:x:1002:1002:dup:/home/dup:/bin/sh', '', '# comment', 'ftp:x:1003:1003::/srv/ftp:/bin/false'].join('\n'), problems);
  assert.deepEqual(users.map((u) => [u.name, u.loginShell]), [['root', true], ['svc', false], ['old', true], ['alice', true], ['alice', true], ['ftp', false]]);
  assert.deepEqual(problems, ['/etc/passwd:4: malformed entry']);
  const groups = parseGroup('root:x:0:\nusers:x:100:old\nalice:x:1000:\nsudo:x:27:alice, old\nwheel:x:10\nsshusers:x:1100:alice,bob\n', problems);
  assert.equal(problems.length, 2);
  const acc = makeAccounts(users, groups, parseShells('# comment\n/bin/sh\n\n/bin/bash\n'));
  assert.deepEqual(acc.groupsOf('alice'), ['alice', 'sudo', 'sshusers']);
  assert.deepEqual(acc.groupsOf('old'), ['users', 'sudo']);
  assert.deepEqual(acc.groupsOf('bob'), [], 'not in passwd: no groups (sshd needs a real user)');
  assert.equal(acc.user('alice')?.uid, 1000, 'first entry wins like getpwnam');
  assert.deepEqual(acc.shells, ['/bin/sh', '/bin/bash']);
});

test('os-release: quoting, escapes, codename fallbacks', () => {
  const d = parseOsRelease('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION="12 (bookworm)"\n');
  assert.deepEqual([d.id, d.versionId, d.codename, d.pretty], ['debian', '12', 'bookworm', 'Debian GNU/Linux 12 (bookworm)']);
  const u = parseOsRelease("ID=ubuntu\nID_LIKE=debian\nVERSION_ID='24.04'\nUBUNTU_CODENAME=noble\nNAME=\"A \\\"quoted\\\" name\"\n");
  assert.deepEqual([u.id, u.versionId, u.codename, u.idLike, u.fields.NAME], ['ubuntu', '24.04', 'noble', ['debian'], 'A "quoted" name']);
  const sid = parseOsRelease('PRETTY_NAME="Debian GNU/Linux forky/sid"\nID=debian\n');
  assert.equal(sid.versionId, undefined);
});

const alice = { name: 'alice', uid: 1000, home: '/home/alice' };
const accounts = { user: (n: string) => (n === 'root' ? { home: '/root' } : n === 'bob' ? { home: '/srv/bob' } : undefined) } as never;
const expandCases: [string, string | { reason: RegExp }][] = [
  ['.ssh/authorized_keys', '/home/alice/.ssh/authorized_keys'],
  ['%h/.ssh/keys', '/home/alice/.ssh/keys'],
  ['/etc/ssh/authorized_keys/%u', '/etc/ssh/authorized_keys/alice'],
  ['/etc/ssh/keys/%U', '/etc/ssh/keys/1000'],
  ['/keys/100%%/%u', '/keys/100%/alice'],
  ['keys/%u', '/home/alice/keys/alice'],
  ['~/.ssh/root_keys', '/root/.ssh/root_keys'],
  ['~bob/keys/%u', '/srv/bob/keys/alice'],
  ['none', { reason: /^none$/ }],
  ['NONE', { reason: /^none$/ }],
  ['/keys/%x', { reason: /unknown token %x/ }],
  ['~nobody/k', { reason: /unknown user/ }],
];
for (const [value, want] of expandCases) {
  test(`AuthorizedKeysFile expansion: ${value}`, () => {
    const r = expandAuthorizedKeysPath(value, alice, accounts);
    if (typeof want === 'string') assert.deepEqual(r, { ok: true, path: want });
    else assert.ok(!r.ok && want.reason.test(r.reason), JSON.stringify(r));
  });
}

test('public key blobs: types and sizes from real ssh-keygen keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sshield-keys-'));
  try {
    const cases: [string[], Record<string, unknown>][] = [
      [['-t', 'ed25519'], { type: 'ssh-ed25519', family: 'ed25519', bits: 256 }],
      [['-t', 'rsa', '-b', '2048'], { type: 'ssh-rsa', family: 'rsa', bits: 2048 }],
      [['-t', 'rsa', '-b', '3072'], { type: 'ssh-rsa', family: 'rsa', bits: 3072 }],
      [['-t', 'ecdsa', '-b', '384'], { type: 'ecdsa-sha2-nistp384', family: 'ecdsa', curve: 'nistp384', bits: 384 }],
      [['-t', 'ecdsa', '-b', '521'], { type: 'ecdsa-sha2-nistp521', family: 'ecdsa', curve: 'nistp521', bits: 521 }],
    ];
    cases.forEach(([args, want], i) => {
      const f = join(dir, `k${i}`);
      execFileSync('ssh-keygen', ['-q', '-N', '', '-C', 'c o m', '-f', f, ...args]);
      const info = parsePublicKeyLine(readFileSync(`${f}.pub`, 'utf8'));
      assert.deepEqual(info, { ...want, comment: 'c o m' });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(parsePublicKeyLine('ssh-rsa not-base64!'), undefined);
  assert.equal(parsePublicKeyLine('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA=='), undefined, 'truncated ed25519 blob');
});

test('sshd -V and pveversion output', () => {
  assert.deepEqual(parseSshdVersionOutput('OpenSSH_9.2p1 Debian-2+deb12u10, OpenSSL 3.0.19 27 Jan 2026\n'), { upstream: '9.2p1', comment: 'Debian-2+deb12u10', openssl: 'OpenSSL 3.0.19 27 Jan 2026' });
  assert.deepEqual(parseSshdVersionOutput('OpenSSH_9.2, OpenSSL 3.0.19 27 Jan 2026'), { upstream: '9.2', openssl: 'OpenSSL 3.0.19 27 Jan 2026' });
  assert.equal(parseSshdVersionOutput('sshd: illegal option'), undefined);
  assert.equal(parsePveversion('pve-manager/8.2.4/faa83925c9641325 (running kernel: 6.8.8-2-pve)'), '8.2.4');
});

test('gatherFacts never throws: an empty offline root gives unknown facts with reasons', async () => {
  const f = await gatherFacts(offlineExecutor(memoryFs({})));
  for (const k of ['os', 'dpkg', 'openssh', 'accounts', 'authorizedKeys'] as const) {
    const fact = f[k];
    assert.equal(fact.status, 'unknown', k);
    assert.ok(fact.status === 'unknown' && fact.reason.length > 5, k);
  }
  assert.equal(f.openssh.status === 'unknown' && /offline/.test(f.openssh.reason), true);
  assert.equal(f.pve.status === 'known' && f.pve.value.isPve, false);
  assert.equal(f.sshd.status === 'known' && f.sshd.value.running, 'unknown');
  const broken = { ...memoryFs({}), readFile: () => Promise.reject(new Error('EIO boom')), stat: () => Promise.reject(new Error('EIO')), lstat: () => Promise.reject(new Error('EIO')), readDir: () => Promise.reject(new Error('EIO')) };
  const g = await gatherFacts(offlineExecutor(broken));
  assert.equal(g.os.status, 'unknown');
});

test('shadow: fields 3-8 as days, password state, account expiry and password ageing as auth-shadow.c decides', async () => {
  const { parseShadow, shadowState, accountsFromTexts } = await import('../../../src/host/facts/accounts.js');
  const problems: string[] = [];
  const sh = parseShadow(['root:$y$j9T$abc:19000:0:99999:7:::', 'locked:!$6$x:19000::::::', 'nopw:*:19000:::::', 'empty::19000::::::',
    'expired:$6$x:19000:::::19999:', 'forced:$6$x:0::::::', 'aged:$6$x:19000::30:::', ':bad', 'dup:$6$a::::::', 'dup:!::::::'].join('\n'), problems);
  assert.deepEqual(problems, ['/etc/shadow:8: malformed entry']);
  const today = 20000;
  const st = Object.fromEntries(sh.map((e) => [e.name, shadowState(e, today)]));
  assert.deepEqual(st.root, { password: 'set', accountExpired: false, passwordExpired: false });
  assert.equal(st.locked!.password, 'locked');
  assert.equal(st.nopw!.password, 'none');
  assert.equal(st.empty!.password, 'empty');
  assert.equal(st.expired!.accountExpired, true, 'sp_expire 19999 < today 20000');
  assert.equal(shadowState(sh.find((e) => e.name === 'expired'), 19999).accountExpired, false, 'the named day itself still works (expiry is the day after)');
  assert.equal(st.forced!.passwordExpired, 'forced');
  assert.equal(st.aged!.passwordExpired, 'aged');
  assert.deepEqual(shadowState(undefined, today), { password: 'unknown', accountExpired: false, passwordExpired: false });
  const acc = accountsFromTexts({ passwd: 'dup:x:1:1::/:/bin/sh\n', shadow: 'dup:$6$a::::::\ndup:!::::::\n' });
  assert.equal(acc.shadowOf('dup')?.hash, '$6$a', 'getspnam: first entry wins');
  const noShadow = accountsFromTexts({ passwd: 'a:x:1:1::/:/bin/sh\n', shadowUnknown: '/etc/shadow: permission denied' });
  assert.equal(noShadow.shadow, undefined);
  assert.equal(noShadow.shadowUnknown, '/etc/shadow: permission denied');
});
