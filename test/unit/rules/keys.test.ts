// The five keys/ audit rules, table-driven over exact authorized_keys and sshd_config text through
// the real pipeline (memory fs -> gatherAudit -> effective AuthorizedKeysFile per user -> src/keys
// parser -> rule). Keys and fingerprints below were made by ssh-keygen 9.2 (ssh-keygen -lf).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCase, runOnFiles, type Case } from '../../helpers/rule-tester.js';
import { runRule } from '../../../src/rules/define-rule.js';
import { getRule } from '../../../src/rules/registry.js';
import type { RuleInput } from '../../../src/rules/types.js';

const DSA_1024 = 'ssh-dss AAAAB3NzaC1kc3MAAACBAKWs6pNxyJ/pG/9yOX7oXLLCTaoXNoSj+fTht1jC5WhGrW/SDL8ZSqaVzq3xSeJKW2bij6s4YRAZx4gFLluRj90uInZZasoYmvH58+7qzLBPCDxeYUxVM58FKvFd2scSIwIaesvHfvbvurxXLyeZ67vBvASU9A4Xb1tNuz9WUp/XAAAAFQCuTzqmnCh6XJnfLYLoK7kwsAu9fQAAAIAPLVaQFnHCBFUBVDP81FhkRHhpkCUruiHh+ZFO6fKxz+ahU/No7pUcbmttjHsMB5tXw919mraLPWpBiWm+nfgiaglF6b+D0r/iJqSkBKNJZoT6W3izdMtVKOvC7200F5JkrHImMcw0b+uyLeJrLWhujoLahIAlmTISbfqfECX+7QAAAIBh3QgMgeERijDajXciiz9dOhpFe9R8zLwNX9eLUiOH9baTp3IpiV/6BIkdJC7/NJxlQZlvOWl1Kviq9rGKt/01JEsNKF7MV5peBM99Lb8pquo9hJslauWgmUXFiq5IBPTUbqh6VLM3ErFXrdq71T6CfhzL2v96HR/X/GTxXLMYWA==';
const DSA_1024_FP = 'SHA256:FFf0l24sq63Dwp1194SvJxjHXQcpxMSybMg6HLITjjo';
const RSA_1024 = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC1mG9rcHeTdUaPzC4JsipOI6iPVsURI8fsgasrnNkly9PKmwGiWsTf2qhcn7a/yM/p4/4HS4tOg4YxEQA/pIG1zNvyHt+LR1em1fItTIHM8/8jP1liWbaVLc5UV9EE8V8o/y+Z3fX2UR3kO7MZeMNS5u5wpNPljXYRlchF/ud2Rw==';
const RSA_1024_FP = 'SHA256:F0BGHGoP82utXj2IiRA8d2eBrgZLxHNxRVI2Zt9g0BA';
const RSA_2048 = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDGpY6wP742SjDIRrPNXSFQqhVYG9lxDXzq0BRNO9a0gzrnwebSdPCM9lbgKmQSjn0iZhHI+kA8KzNowlYIp9P+A/0mtTX7nyQV8QlzUoffOPHHz0LQZrQIMnESo68CfqmcYPl/c9UJgZqnaNFwirlNq9JbbArKMVhx0CnIf7p9muOmcuyDgGapGwbzsT+hzkf6hfaJOGHVMmg38MZ5XG2RLi5OIsA59f34kKXGIbTR7ynoqNDFwkEjMQI23nJxa4GWQpNybkJbzSM1s7mM/oitklnsnA31BeGsBdu/r6mas506grkiJYgibRWChYkgGADSRcfIoCayxzoGc/A5B8Hr';
const RSA_2048_FP = 'SHA256:6li7dfO5JG98TTqCGdoNI5qWXC26iGIPmvGnRyyxYCs';
const RSA_3072 = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQCLM24mg/i+NKrOn0+ML2bYstrnljvtfqggauw4TkllaVJFp/8kV94+JSjqwEDmfl2sDr9UHL7JUcmQuQb2jX0Bq7gofXkkm8jEnD1pwkom/kmjUjdWpciJik3k5KynGH0ZhMC+UoVYlHfad0XU1JE6/tuavZ1kbdts4EYRMMaBA7ZDYjMhdywF97KvUBFr0aNPhuhKbFoXnHwU5cHFdhi/UuYlck6YIwKhZulH5xiba7RZv2voKaE6L+NQX3j+bFVHR7Hy8OqX/AUJzbYX4KbqvqIzAlCyFu9JHbWKy4VFnSLClPw8mLQI45RDW3MY2U1/TwlelezdS2ZXc4IyTaBxmL+DzkgRfhnLX47NlZPCEFT4yLzVcTyZxbPdtv+WSPMHOEYIyqtISwqvP0GmMy48qH8MmcAHRVmycl6wX1rVVFuTSremP2yZ7f30SDG1eFAL95xbLuBvG7HDOy4m65/0m+RLPam7u8IpjRFfVER94Rq0j0o4kmcvjBrbPzR0B2s=';
const RSA_3072_FP = 'SHA256:1EvC3XQ6GmqZQZ91mj7j0m1q23pY3m8Z6IHB61s/EbQ';
const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJXm+0ivR2yfKG/HGPVA3tcxTGRvczpSgB3P81ToSqPL';
const ED25519_FP = 'SHA256:6kOJDkPvhuQ+XAQAFy8klLOFIKZOvSNV/NlDDL1/WnE';
const ECDSA_256 = 'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBIPmPo4i435VnV9YOgEV2rZYtps/xIBP2VCAGWl5HMkaavA4/ksOyq4joXePKrdULkjX6TWTnf6qfKN4HqsJQ8s=';
const ECDSA_256_FP = 'SHA256:gOIUXJeBQnfLn96cGMP/6D4Wc3M0LAx1rLYLoW+Fhzg';
const sshStr = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
const SK_ED25519 = `sk-ssh-ed25519@openssh.com ${Buffer.concat([sshStr(Buffer.from('sk-ssh-ed25519@openssh.com')), sshStr(Buffer.alloc(32, 7)), sshStr(Buffer.from('ssh:'))]).toString('base64')}`;

const ALICE = '/home/alice/.ssh/authorized_keys';
const ROOT = '/root/.ssh/authorized_keys';
const SFTP2 = '/home/sftp2/.ssh/authorized_keys';
const at = (f: string, line: number) => `${f}:${line}`;
const run = (id: string, cases: Case[]) => {
  for (const c of cases) test(`${id}: ${c.name}`, () => checkCase(id, c));
};

run('keys/restrict-key-types', [
  { name: 'ed25519 only', config: '', files: { [ALICE]: `${ED25519} alice@laptop\n` }, status: 'pass', message: '1 authorized key, all of strong types' },
  { name: 'DSA fails, names the key and recommends ed25519', config: '', files: { [ALICE]: `# old\n${DSA_1024} legacy\n` }, status: 'fail', message: `alice: ${ALICE}:2: DSA key ssh-dss 1024 bits ${DSA_1024_FP} (legacy)`, locations: [at(ALICE, 2)] },
  { name: 'the message recommends ed25519 and sk-ed25519', config: '', files: { [ALICE]: `${DSA_1024}\n` }, status: 'fail', message: 'use ed25519 (ssh-keygen -t ed25519) or a FIDO key (ssh-keygen -t ed25519-sk) instead' },
  { name: 'RSA 1024 fails', config: '', files: { [ALICE]: `${RSA_1024} x\n` }, status: 'fail', message: `RSA key below 2048 bits: ssh-rsa 1024 bits ${RSA_1024_FP} (x)`, locations: [at(ALICE, 1)] },
  { name: 'RSA 2048 warns', config: '', files: { [ALICE]: `${RSA_2048}\n` }, status: 'warn', message: `RSA key below 3072 bits: ssh-rsa 2048 bits ${RSA_2048_FP}`, locations: [at(ALICE, 1)] },
  { name: 'RSA 3072, ECDSA, ed25519 and sk-ed25519 pass', config: '', files: { [ALICE]: `${RSA_3072}\n${ECDSA_256}\n${ED25519}\n${SK_ED25519}\n` }, status: 'pass', message: '4 authorized keys' },
  { name: 'minRsaBits 3072 makes RSA 2048 fail', config: '', options: { minRsaBits: 3072 }, files: { [ALICE]: `${RSA_2048}\n` }, status: 'fail', message: 'RSA key below 3072 bits' },
  { name: 'options, CRLF and tabs do not hide the key', config: '', files: { [ALICE]: `\r\n  no-pty,command="a b"\t${RSA_1024} c\r\n` }, status: 'fail', locations: [at(ALICE, 2)] },
  { name: 'fail beats warn, every key located', config: '', files: { [ALICE]: `${RSA_2048}\n${ED25519}\n${DSA_1024}\n` }, status: 'fail', message: 'DSA key', locations: [at(ALICE, 1), at(ALICE, 3)] },
  { name: 'the default list includes authorized_keys2', config: '', files: { '/root/.ssh/authorized_keys2': `${DSA_1024}\n` }, status: 'fail', locations: ['/root/.ssh/authorized_keys2:1'] },
  { name: 'AuthorizedKeysFile none: no keys', config: 'AuthorizedKeysFile none\n', files: { [ALICE]: `${DSA_1024}\n` }, status: 'pass', message: 'no authorized keys found' },
  { name: 'a central AuthorizedKeysFile with %u', config: 'AuthorizedKeysFile /etc/ssh/keys/%u\n', files: { [ALICE]: `${ED25519}\n`, '/etc/ssh/keys/alice': `${RSA_1024}\n` }, status: 'fail', locations: ['/etc/ssh/keys/alice:1'] },
  { name: 'Match User changes the file for that user only', config: 'AuthorizedKeysFile .ssh/authorized_keys\nMatch User alice\n  AuthorizedKeysFile .ssh/other\n', files: { [ALICE]: `${DSA_1024}\n`, '/home/alice/.ssh/other': `${RSA_1024}\n` }, status: 'fail', message: 'RSA key below 2048', locations: ['/home/alice/.ssh/other:1'] },
]);

const ALL5 = 'no-agent-forwarding,no-port-forwarding,no-pty,no-user-rc,no-X11-forwarding';
run('keys/require-restrictions', [
  { name: 'a plain key of a login account is not concerned', config: '', files: { [ALICE]: `${ED25519}\n` }, status: 'pass', message: 'no forced-command keys and no keys of non-login accounts' },
  { name: 'forced command with everything still granted (X11Forwarding yes)', config: 'X11Forwarding yes\n', files: { [ALICE]: `command="/usr/bin/backup" ${ED25519} backup\n` }, status: 'fail', message: `alice: ${ALICE}:1: key ${ED25519_FP} has a forced command but still gets agent-forwarding, port-forwarding, pty, user-rc, x11-forwarding: add ${ALL5}`, locations: [at(ALICE, 1)] },
  { name: 'X11 off in sshd_config (default) is not asked for', config: '', files: { [ALICE]: `command="/usr/bin/backup" ${ED25519}\n` }, status: 'fail', message: 'add no-agent-forwarding,no-port-forwarding,no-pty,no-user-rc' },
  { name: 'restrict covers all five', config: 'X11Forwarding yes\n', files: { [ALICE]: `restrict,command="/usr/bin/backup" ${ED25519}\n` }, status: 'pass', message: '1 forced-command or non-login key, all restricted' },
  { name: 'restrict then pty re-enables the PTY', config: '', files: { [ALICE]: `restrict,pty,command="x" ${ED25519}\n` }, status: 'fail', message: 'still gets pty: add no-pty' },
  { name: 'mixed-case flags count', config: '', files: { [ALICE]: `NO-PTY,No-Port-Forwarding,command="x" ${ED25519}\n` }, status: 'fail', message: 'still gets agent-forwarding, user-rc: add no-agent-forwarding,no-user-rc' },
  { name: 'nologin account with a plain key', config: '', files: { [SFTP2]: `${ED25519}\n` }, status: 'fail', message: `sftp2: ${SFTP2}:1: key ${ED25519_FP} belongs to sftp2, whose shell /usr/sbin/nologin is not a login shell but still gets agent-forwarding, port-forwarding, pty, user-rc`, locations: [at(SFTP2, 1)] },
  { name: 'nologin account the server already fences in (Match, ForceCommand)', config: 'Match User sftp2\n  ForceCommand internal-sftp\n  DisableForwarding yes\n  PermitTTY no\n', files: { [SFTP2]: `${ED25519}\n` }, status: 'pass' },
  { name: 'a key sshd ignores (bad options) is not judged', config: '', files: { [ALICE]: `command="x",bogus ${ED25519}\n` }, status: 'pass' },
]);

test('keys/require-restrictions: the remediation is the exact sshield keys restrict command', async () => {
  const r = await runOnFiles('keys/require-restrictions', { config: '', files: { [ALICE]: `command="x" ${ED25519}\n` } });
  assert.deepEqual(r.remediation.map((x) => x.kind === 'manual' && x.command), [`sshield keys restrict --user alice --fingerprint ${ED25519_FP} --options no-agent-forwarding,no-port-forwarding,no-pty,no-user-rc`]);
});

run('keys/no-duplicate-keys', [
  { name: 'one key in root and alice', config: '', files: { [ROOT]: `${ED25519} a\n`, [ALICE]: `# mine\nno-pty ${ED25519} b\n` }, status: 'fail', message: `ssh-ed25519 key ${ED25519_FP} is authorized for 2 accounts (root, alice): ${ROOT}:1, ${ALICE}:2`, locations: [at(ROOT, 1), at(ALICE, 2)] },
  { name: 'twice in one account is not this rule', config: '', files: { [ALICE]: `${ED25519}\n${ED25519}\n` }, status: 'pass', message: '1 distinct key, none shared' },
  { name: 'across authorized_keys and authorized_keys2 of two accounts', config: '', files: { [ROOT]: `${RSA_3072}\n`, '/home/alice/.ssh/authorized_keys2': `${RSA_3072}\n` }, status: 'fail', locations: [at(ROOT, 1), '/home/alice/.ssh/authorized_keys2:1'] },
  { name: 'a CA trusted in several accounts is fine', config: '', files: { [ROOT]: `cert-authority,principals="root" ${ED25519}\n`, [ALICE]: `cert-authority ${ED25519}\n` }, status: 'pass' },
  { name: 'different keys', config: '', files: { [ROOT]: `${ED25519}\n`, [ALICE]: `${ECDSA_256}\n` }, status: 'pass', message: '2 distinct keys' },
]);

const f = (content: string, meta: { mode?: number; uid?: number; gid?: number }) => ({ content, ...meta });
const d = (meta: { mode?: number; uid?: number; gid?: number }) => ({ kind: 'dir' as const, ...meta });
run('keys/require-safe-permissions', [
  { name: 'root-owned 0644 in root-owned directories', config: '', files: { [ALICE]: `${ED25519}\n` }, status: 'pass', message: '1 authorized_keys file with safe owners and modes' },
  { name: 'owned by the user, 0600, ~/.ssh 0700', config: '', files: { '/home/alice': d({ uid: 1000, gid: 1000 }), '/home/alice/.ssh': d({ mode: 0o700, uid: 1000, gid: 1000 }), [ALICE]: f(`${ED25519}\n`, { mode: 0o600, uid: 1000, gid: 1000 }) }, status: 'pass' },
  { name: 'group-writable with the user private group (Debian user-group-modes)', config: '', files: { [ALICE]: f(`${ED25519}\n`, { mode: 0o664, uid: 1000, gid: 1000 }) }, status: 'pass' },
  { name: 'group-writable by a shared group', config: '', files: { [ALICE]: f(`${ED25519}\n`, { mode: 0o664, uid: 1000, gid: 2000 }) }, status: 'fail', message: `alice: ${ALICE}: ${ALICE} is writable by its group gid 2000, which has members other than alice (mode 0664): sshd (StrictModes yes) refuses every key in it`, locations: [`${ALICE}:0`] },
  { name: 'world-writable', config: '', files: { [ALICE]: f(`${ED25519}\n`, { mode: 0o602, uid: 1000 }) }, status: 'fail', message: 'is writable by others (mode 0602)' },
  { name: 'owned by another user', config: '', files: { [ALICE]: f(`${ED25519}\n`, { mode: 0o600, uid: 1001 }) }, status: 'fail', message: 'is owned by uid 1001, neither root nor alice' },
  { name: 'a directory up to the home', config: '', files: { '/home/alice/.ssh': d({ mode: 0o777, uid: 1000 }), [ALICE]: `${ED25519}\n` }, status: 'fail', message: '/home/alice/.ssh is writable by others (mode 0777)' },
  { name: 'the home itself, group-writable by a shared group', config: '', files: { '/home/alice': d({ mode: 0o775, uid: 1000, gid: 2000 }), [ALICE]: `${ED25519}\n` }, status: 'fail', message: '/home/alice is writable by its group gid 2000' },
  { name: 'above the home is not checked (safe_path stops at the home)', config: '', files: { '/home': d({ mode: 0o777 }), [ALICE]: `${ED25519}\n` }, status: 'pass' },
  { name: 'Proxmox: symlink to root-owned /etc/pve/priv/authorized_keys', config: '', files: { '/etc/pve/priv': d({ mode: 0o700 }), '/etc/pve/priv/authorized_keys': f(`${ED25519}\n`, { mode: 0o600 }), [ROOT]: { kind: 'symlink', target: '/etc/pve/priv/authorized_keys' } }, status: 'pass' },
  { name: 'a symlink into a world-writable directory outside the home: walked up to /', config: '', files: { '/tmp': d({ mode: 0o1777 }), '/tmp/k': f(`${ED25519}\n`, { mode: 0o600, uid: 1000 }), [ALICE]: { kind: 'symlink', target: '/tmp/k' } }, status: 'fail', message: `alice: ${ALICE} (-> /tmp/k): /tmp is writable by others (mode 1777)` },
  { name: 'not a regular file (auth_openfile refuses it)', config: '', files: { [ALICE]: d({}) }, status: 'fail', message: `${ALICE} is not a regular file`, locations: [`${ALICE}:0`] },
  { name: 'StrictModes no: still a finding, and says sshd accepts it', config: 'StrictModes no\n', files: { [ALICE]: f(`${ED25519}\n`, { mode: 0o666 }) }, status: 'fail', message: 'StrictModes is off, so sshd still reads it' },
]);

test('keys/require-safe-permissions: the remediation names the exact paths', async () => {
  const r = await runOnFiles('keys/require-safe-permissions', { config: '', files: { '/home/alice/.ssh': d({ mode: 0o777, uid: 1000 }), [ALICE]: f(`${ED25519}\n`, { mode: 0o666, uid: 1000 }) } });
  assert.deepEqual(r.remediation.map((x) => x.kind === 'manual' && x.command), [`chown alice: ${ALICE} && chmod go-w ${ALICE} && chmod go-w /home/alice/.ssh`]);
});

const K2 = '/root/.ssh/authorized_keys2';
run('keys/no-authorized-keys2', [
  { name: 'in the compiled-in default and present', config: '', files: { [K2]: `# old\n${ED25519}\n` }, status: 'fail', message: `root: ${K2}:2: the deprecated authorized_keys2 file is in use (1 key), named by AuthorizedKeysFile (compiled-in default)`, locations: [at(K2, 2)] },
  { name: 'named explicitly: the directive is located too', config: 'AuthorizedKeysFile .ssh/authorized_keys .ssh/authorized_keys2\n', files: { [K2]: `${ED25519}\n` }, status: 'fail', message: 'at /etc/ssh/sshd_config:1', locations: [at(K2, 1), '/etc/ssh/sshd_config:1'] },
  { name: 'not in the effective list: sshd never reads it', config: 'AuthorizedKeysFile .ssh/authorized_keys\n', files: { [K2]: `${ED25519}\n` }, status: 'pass' },
  { name: 'in the list but nobody has one', config: '', files: { [ALICE]: `${ED25519}\n` }, status: 'pass', message: 'no account has an authorized_keys2 file' },
  { name: 'an empty authorized_keys2 is still in use', config: '', files: { '/home/alice/.ssh/authorized_keys2': '' }, status: 'fail', locations: ['/home/alice/.ssh/authorized_keys2:1'] },
]);

test('every keys/ rule skips with the reason when the fact is missing', () => {
  const input = { specs: [], directives: [], diagnostics: [], mainConfig: '/etc/ssh/sshd_config', facts: { authorizedKeys: { missing: 'users unknown: /etc/passwd unreadable' } } } as unknown as RuleInput;
  for (const id of ['keys/restrict-key-types', 'keys/require-restrictions', 'keys/no-duplicate-keys', 'keys/require-safe-permissions', 'keys/no-authorized-keys2']) {
    const r = runRule(getRule(id)!, input, { pveAware: false });
    assert.equal(r.status, 'skip', id);
    assert.equal(r.message, 'authorized keys unknown: users unknown: /etc/passwd unreadable', id);
  }
});
