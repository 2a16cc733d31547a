// The `ca trust` and `ca sign-host` planners on in-memory hosts: where the directives go (a
// Debian layout with the drop-in directory included first: 00-sshield.conf), the CA appended to
// an already trusted file, principals files only for named accounts (root only when asked), the
// existing principals layout respected, a KRL that ssh-keygen cannot read refused, and
// HostCertificate lines beside HostKey with keys under /etc/pve left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryFs, type MemoryFsSpec } from '../../../src/host/memory-fs.js';
import { loadConfig, type LoadedConfig } from '../../../src/allow/engine.js';
import { planTrust } from '../../../src/ca/trust-plan.js';
import { revocationListReadable } from '../../../src/ca/keygen.js';
import { certAuthorityLine, hostKeysToSign, planHostCertificates } from '../../../src/ca/host-plan.js';

const CA = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeCaKeyForTests sshield user CA';
const OTHER = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtherCa other';
const base: MemoryFsSpec = {
  '/etc/passwd': 'root:x:0:0::/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n',
  '/etc/group': 'root:x:0:\nalice:x:1000:\n',
  '/etc/ssh': { kind: 'dir', mode: 0o755, uid: 0 },
  '/etc/ssh/sshd_config': 'Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication no\n',
  '/etc/ssh/sshd_config.d': { kind: 'dir', mode: 0o755, uid: 0 },
};

async function cfgOf(extra: MemoryFsSpec = {}): Promise<LoadedConfig> {
  const l = await loadConfig(memoryFs({ ...base, ...extra }), '/etc/ssh/sshd_config');
  assert.ok(l.ok);
  return l.value;
}
const none = { kind: 'none' as const, why: 'test' };
const byPath = (files: readonly { path: string; after: string }[]) => Object.fromEntries(files.map((f) => [f.path, f.after]));

test('ca trust: settings in the drop-in read first, the CA key file, a 0755 principals directory and one file per named account', async () => {
  const r = await planTrust({ cfg: await cfgOf(), caKey: CA, grants: [{ user: 'alice', principals: ['alice', 'ops'] }], allowRootPrincipals: false, overrides: new Set(), reload: none });
  assert.ok(r.ok, (r as { message?: string }).message);
  assert.equal(r.refusal, undefined);
  assert.equal(r.plan.kind, 'ca');
  assert.deepEqual(byPath(r.plan.files), {
    '/etc/ssh/sshd_config.d/00-sshield.conf': '# Managed by sshield harden: read first (Include at the top of /etc/ssh/sshd_config), so these values win.\nTrustedUserCAKeys /etc/ssh/sshield_user_ca_keys\nAuthorizedPrincipalsFile /etc/ssh/auth_principals/%u\n',
    '/etc/ssh/sshield_user_ca_keys': `${CA}\n`,
    '/etc/ssh/auth_principals/alice': 'alice\nops\n',
  });
  assert.deepEqual(r.plan.steps?.map((s) => [s.kind, s.describe]), [['make-dir', 'mkdir -m 0755 /etc/ssh/auth_principals']]);
  assert.ok(r.plan.files.every((f) => f.newFileMode === 0o644));
});

test('ca trust: a CA already trusted keeps its file (ours is appended); an existing principals layout is used; root only when asked', async () => {
  const cfg = await cfgOf({
    '/etc/ssh/sshd_config.d/10-ca.conf': 'TrustedUserCAKeys /etc/ssh/ca.pub\nAuthorizedPrincipalsFile /etc/ssh/p/%u\n',
    '/etc/ssh/ca.pub': `${OTHER}\n`,
    '/etc/ssh/p': { kind: 'dir', mode: 0o755, uid: 0 },
    '/etc/ssh/p/alice': 'ops\n',
  });
  const r = await planTrust({ cfg, caKey: CA, grants: [{ user: 'alice', principals: ['ops', 'alice'] }], allowRootPrincipals: false, overrides: new Set(), reload: none });
  assert.ok(r.ok, (r as { message?: string }).message);
  assert.deepEqual(byPath(r.plan.files), { '/etc/ssh/ca.pub': `${OTHER}\n${CA}\n`, '/etc/ssh/p/alice': 'ops\nalice\n' });
  assert.equal(r.plan.steps, undefined);
  const other = await planTrust({ cfg, caKey: CA, grants: [], principalsDir: '/etc/ssh/elsewhere', allowRootPrincipals: false, overrides: new Set(), reload: none });
  assert.match((other as { message: string }).message, /already "\/etc\/ssh\/p\/%u": use --principals-dir \/etc\/ssh\/p/);
  const root = await planTrust({ cfg, caKey: CA, grants: [{ user: 'root', principals: ['admins'] }], allowRootPrincipals: false, overrides: new Set(), reload: none });
  assert.match((root as { message: string }).message, /--allow-root-principals/);
  const asked = await planTrust({ cfg, caKey: CA, grants: [{ user: 'root', principals: ['admins'] }], allowRootPrincipals: true, overrides: new Set(), reload: none });
  assert.ok(asked.ok);
  assert.equal(byPath(asked.plan.files)['/etc/ssh/p/root'], 'admins\n');
  const nobody = await planTrust({ cfg, caKey: CA, grants: [{ user: 'mallory', principals: ['x'] }], allowRootPrincipals: false, overrides: new Set(), reload: none });
  assert.match((nobody as { message: string }).message, /no such account/);
});

test('ca trust: adding principals files under a CA trusted by user name is a guarded change; an unreadable KRL is refused by its guard', async () => {
  const cfg = await cfgOf({ '/etc/ssh/sshd_config.d/10-ca.conf': 'TrustedUserCAKeys /etc/ssh/ca.pub\n', '/etc/ssh/ca.pub': `${OTHER}\n` });
  const r = await planTrust({ cfg, caKey: CA, grants: [], allowRootPrincipals: false, overrides: new Set(), reload: none });
  assert.ok(r.ok);
  const g = r.plan.guards.find((x) => x.id === 'principals-change')!;
  assert.deepEqual([g.ok, g.overridden, g.overrideFlag], [false, false, '--allow-principals-change']);
  const krl = await planTrust({ cfg: await cfgOf(), caKey: CA, grants: [], allowRootPrincipals: false, revoked: { source: '/tmp/x.krl', bytes: new Uint8Array([1, 2]), readable: 'invalid magic number' }, overrides: new Set(), reload: none });
  assert.ok(krl.ok);
  const kg = krl.plan.guards.find((x) => x.id === 'revoked-keys-readable')!;
  assert.equal(kg.ok, false);
  assert.match(kg.message, /sshd refuses every public key when RevokedKeys cannot be read/);
  assert.match(krl.plan.files.find((f) => f.path === '/etc/ssh/sshield_revoked_keys')!.diff, /^Binary file \/etc\/ssh\/sshield_revoked_keys: KRL of 2 bytes/);
});

test('ca sign-host: certificates beside each HostKey, HostCertificate lines after the last HostKey, /etc/pve keys left alone', async () => {
  const cfg = await cfgOf({
    '/etc/ssh/sshd_config': 'HostKey /etc/ssh/ssh_host_ed25519_key\nHostKey /etc/pve/priv/ssh_host_rsa_key\nPasswordAuthentication no\nMatch User bob\n\tX11Forwarding yes\n',
    '/etc/ssh/ssh_host_ed25519_key.pub': 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHost root@h\n',
  });
  const { keys, notes } = await hostKeysToSign(cfg);
  assert.deepEqual(keys.map((k) => k.certPath), ['/etc/ssh/ssh_host_ed25519_key-cert.pub']);
  assert.match(notes.join('\n'), /\/etc\/pve\/priv\/ssh_host_rsa_key: under \/etc\/pve .*left alone/);
  const p = await planHostCertificates({ cfg, certs: [{ key: keys[0]!, cert: 'ssh-ed25519-cert-v01@openssh.com AAAA cert\n' }], reload: none, notes });
  assert.ok(p.ok);
  assert.deepEqual(byPath(p.plan.files), {
    '/etc/ssh/ssh_host_ed25519_key-cert.pub': 'ssh-ed25519-cert-v01@openssh.com AAAA cert\n',
    '/etc/ssh/sshd_config': 'HostKey /etc/ssh/ssh_host_ed25519_key\nHostKey /etc/pve/priv/ssh_host_rsa_key\nHostCertificate /etc/ssh/ssh_host_ed25519_key-cert.pub\nPasswordAuthentication no\nMatch User bob\n\tX11Forwarding yes\n',
  });
  assert.equal(certAuthorityLine(['*.example.com', 'pve1'], `${CA}\n`), `@cert-authority *.example.com,pve1 ${CA}`);
});

test('ca sign-host: with the default host keys (no HostKey line) the lines go before the first Match', async () => {
  const cfg = await cfgOf({
    '/etc/ssh/sshd_config': 'PasswordAuthentication no\nMatch User bob\n\tX11Forwarding yes\n',
    '/etc/ssh/ssh_host_ed25519_key.pub': 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHost root@h\n',
    '/etc/ssh/ssh_host_ecdsa_key.pub': 'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTY root@h\n',
  });
  const { keys } = await hostKeysToSign(cfg);
  assert.deepEqual(keys.map((k) => k.keyPath).sort(), ['/etc/ssh/ssh_host_ecdsa_key', '/etc/ssh/ssh_host_ed25519_key']);
  const p = await planHostCertificates({ cfg, certs: keys.map((key) => ({ key, cert: `cert of ${key.keyPath}\n` })), reload: none, notes: [] });
  assert.ok(p.ok);
  const main = byPath(p.plan.files)['/etc/ssh/sshd_config']!;
  assert.equal(main, `PasswordAuthentication no\n${keys.map((k) => `HostCertificate ${k.certPath}\n`).join('')}Match User bob\n\tX11Forwarding yes\n`);
});

test('a revocation list sshd can read: a KRL ssh-keygen -Q read, or a text list whose every line is blank, a comment or a public key', () => {
  const refused = { code: 255, stderr: 'Invalid KRL file x: KRL file has invalid magic number\n' };
  const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice';
  const enc = (t: string) => new TextEncoder().encode(t);
  assert.equal(revocationListReadable({ code: 0, stderr: '' }, enc('SSHKRL\n\0...')), true);
  assert.equal(revocationListReadable({ code: 1, stderr: '' }, enc('SSHKRL\n\0...')), true);
  assert.equal(revocationListReadable(refused, enc(`# revoked\n${key}\n\n${key.replace('alice', 'bob')}\n`)), true);
  assert.equal(revocationListReadable(refused, enc('')), true, 'an empty list revokes nothing and is read');
  assert.equal(revocationListReadable(refused, enc(`${key}\nnot a key\n`)), 'neither a KRL nor a text list of public keys (line 2 is not a key)');
  assert.equal(revocationListReadable(refused, enc(`from="10.0.0.1" ${key}\n`)), 'neither a KRL nor a text list of public keys (line 1 is not a key)', 'sshd reads no options in a revocation list');
  // A KRL ssh-keygen cannot read (truncated, a newer format): its own words.
  assert.equal(revocationListReadable({ code: 255, stderr: 'Invalid KRL file x: bad format\n' }, enc('SSHKRL\n\0\0\0')), 'Invalid KRL file x: bad format');
  // ssh-keygen did not run: never taken for a text list.
  assert.equal(revocationListReadable({ code: null, stderr: '', error: 'spawn ssh-keygen ENOENT' }, enc(key)), 'spawn ssh-keygen ENOENT');
});
