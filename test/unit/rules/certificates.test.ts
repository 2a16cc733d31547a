// The certificate audit rules (issue 16), ESLint-style tables over exact files through the real
// gather pipeline: principals control for a trusted CA, a RevokedKeys file sshd can read,
// cert-authority lines with principals=, strong CA keys, and expired certificates in
// authorized_keys. Keys and certificates are real (made once by ssh-keygen and pasted here; the
// expired one ended 2020-01-02, the valid one ends 2099-01-01).
import { test } from 'node:test';
import { checkCase, type Case } from '../../helpers/rule-tester.js';

const CA = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJgtl9dm7IyK4Shk/P/91McrfHHQU+qYux+vz4Q16I2n ca';
const RSA1024 = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC5PKMlBCF1zpMkN4IxU/iqzvF5V68WFnrL5S6MuOb+akChfJFg3eSyR9DAntwpWVpjsLUYS8oUdD2O4i+XE+4nB38lZ9MJ75XzZayY/tXR14tb1CpI5y/IHYBl4HRvxeYjF0VA+Y5HvbkRfhmHRn4kxC63NHrfjYoJdNYkljrmYQ== weakca';
const RSA2048 = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCkV+TjiBeZavZVVbCd8hMtkllMKhu8SwzLq+GzazSk/ihIqTJotbwF8vvUww3E3hVct8U1KC3LR0XrKFNiRSafASybogu8V25Fiue8jWZgUOIsA5RxfiOM8PXidVaSqdHak1Mrb8dmKJpidLQ9pRS6o9AV3PcIrE2v7ybE00p6yYb1Kxep0xrc6sovLjgQRstkZTFdxZLKDAozU7YSPyWtNlNJbGOBTi9tPwaJG2vwoAHifjFRNxB3npVtbndYkQz99S3VOpLHvtqhv9PmBOUeJRJLvVe10Nt/WReT4rndqqKlzXcnA5zQAUu1PvM/6MVs22VZAkxmSinqWWi9LGc7 midca';
const EXPIRED = 'ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAIBuAPntr8xeTm3y1JXuKP4RHc7xKpOKWQywVkq9E8cQIAAAAIBVMvkfUUJBSukEXhOFyxB2puligUdQDDbI4d6dpXVL+AAAAAAAAAAEAAAABAAAAA29sZAAAAAkAAAAFYWxpY2UAAAAAXgvhAAAAAABeDTKAAAAAAAAAAIIAAAAVcGVybWl0LVgxMS1mb3J3YXJkaW5nAAAAAAAAABdwZXJtaXQtYWdlbnQtZm9yd2FyZGluZwAAAAAAAAAWcGVybWl0LXBvcnQtZm9yd2FyZGluZwAAAAAAAAAKcGVybWl0LXB0eQAAAAAAAAAOcGVybWl0LXVzZXItcmMAAAAAAAAAAAAAADMAAAALc3NoLWVkMjU1MTkAAAAgmC2X12bsjIrhKGT8//3Uxyt8cdBT6pi7H6/PhDXojacAAABTAAAAC3NzaC1lZDI1NTE5AAAAQB/fa+CEJSMdp3olRjbzm/kU7pNqZtLb5wg7b4fURAXql3PnQBD1aQA7jDIZSagvrrh5tQpjxfEpYRnn7OibvgI= user';
const VALID = 'ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAILMSNdx8njuXC67KsMe2fdF0USs9rLyIviLQfc0l0IBvAAAAIBVMvkfUUJBSukEXhOFyxB2puligUdQDDbI4d6dpXVL+AAAAAAAAAAIAAAABAAAAA25ldwAAAAkAAAAFYWxpY2UAAAAAXgvhAAAAAADypSOAAAAAAAAAAIIAAAAVcGVybWl0LVgxMS1mb3J3YXJkaW5nAAAAAAAAABdwZXJtaXQtYWdlbnQtZm9yd2FyZGluZwAAAAAAAAAWcGVybWl0LXBvcnQtZm9yd2FyZGluZwAAAAAAAAAKcGVybWl0LXB0eQAAAAAAAAAOcGVybWl0LXVzZXItcmMAAAAAAAAAAAAAADMAAAALc3NoLWVkMjU1MTkAAAAgmC2X12bsjIrhKGT8//3Uxyt8cdBT6pi7H6/PhDXojacAAABTAAAAC3NzaC1lZDI1NTE5AAAAQDCc7D4mn/SgqV8myY4uPd+sxxWZxyDwGkslC3Sm/nAbJlhOEq3auPKUxqfHDlUjIgQQjlH/j5hF7IARWKGpDAg= user';
const DSA = 'ssh-dss AAAAB3NzaC1kc3MAAACBAMuC7LZ2ft8gTyMXz6r9Jl4EwUTYiSpZgL5YlXbGX7RbQILe7DNLbvpywkTVuD1r6sh/xJH0vzR9ag1tBXkYnaHQvqYcQTJO5X9sAiX7CaNfEnhRPwFn9jSpV8AZdAF5WnKMPi96trkvjKqOXuEHxbZbdYoil1tFQiPMQtUBCVsBAAAAFQDXIMFFY1blrE5AMZMWFKnBd00UYwAAAIEAmLGvokvBEorA5pZzNVSYuzZ7KvJSFZ3g9zZIEotbekYF9x5h3wzOAeNc1KHxgVIAGWofGHOf7yKn80CgI+5KI5iHrPr7PPmMT/sSwG1RLQwKsSaUAoLpDOzGZtUK9b75C14ilmZ5ebFe+HfD6N1EYBjUNN/ERBZ9NoNX8lAyHioAAACBALRdRwV5SFlZnkm7knqm4EUx/CKHFnQea2KORKYu/q0zC0Ik231dboWC80h29AOB2pTyFFLAI35w98o/8lOArJR2dRbJbWhUfJKxINp8B8MSp3woFeguB+7Z214WkOiVsQGAXoOGOIfwqgbNJncRLAwiFHkkd45lDgJxlVA4ZHkk dsaca';
const AK = '/home/alice/.ssh/authorized_keys';
const home = { '/home/alice': { kind: 'dir' as const, mode: 0o755, uid: 1000, gid: 1000 }, '/home/alice/.ssh': { kind: 'dir' as const, mode: 0o700, uid: 1000, gid: 1000 } };
const ak = (text: string) => ({ ...home, [AK]: { content: text, mode: 0o600, uid: 1000, gid: 1000 } });

async function table(id: string, cases: readonly Case[]) {
  for (const c of cases) await checkCase(id, c);
}

test('sshd/require-principals-control', async () => {
  await table('sshd/require-principals-control', [
    { name: 'no CA', config: 'PermitRootLogin no\n', status: 'pass', message: 'no user CA is trusted' },
    { name: 'CA with a principals file', config: 'TrustedUserCAKeys /etc/ssh/ca.pub\nAuthorizedPrincipalsFile /etc/ssh/auth_principals/%u\n', files: { '/etc/ssh/ca.pub': `${CA}\n` }, status: 'pass', message: 'AuthorizedPrincipalsFile /etc/ssh/auth_principals/%u' },
    { name: 'CA with a principals command', config: 'TrustedUserCAKeys /etc/ssh/ca.pub\nAuthorizedPrincipalsCommand /usr/local/bin/p %u\nAuthorizedPrincipalsCommandUser nobody\n', files: { '/etc/ssh/ca.pub': `${CA}\n` }, status: 'pass', message: 'AuthorizedPrincipalsCommand' },
    { name: 'CA alone, root by key', config: 'PasswordAuthentication no\ntrustedusercakeys=/etc/ssh/ca.pub\n', files: { '/etc/ssh/ca.pub': `${CA}\n` }, status: 'fail', message: /without AuthorizedPrincipalsFile.*root included \(PermitRootLogin (prohibit|without)-password\)/, locations: ['/etc/ssh/sshd_config:2'] },
    { name: 'CA alone, no root', config: 'PermitRootLogin no\nTrustedUserCAKeys /etc/ssh/ca.pub # ours\n', files: { '/etc/ssh/ca.pub': `${CA}\n` }, status: 'fail', message: /logs in as it$/ },
  ]);
});

test('sshd/require-readable-revoked-keys', async () => {
  await table('sshd/require-readable-revoked-keys', [
    { name: 'not set', config: 'PermitRootLogin no\n', status: 'pass', message: 'not set' },
    { name: 'a key list', config: 'RevokedKeys /etc/ssh/revoked\n', files: { '/etc/ssh/revoked': `${RSA1024}\n` }, status: 'pass', message: 'a list of keys' },
    { name: 'missing', config: 'PermitRootLogin no\nRevokedKeys /etc/ssh/revoked.krl\n', status: 'fail', message: /cannot be read .*refuses public key authentication for every user/, locations: ['/etc/ssh/sshd_config:2'] },
    { name: 'a KRL an offline root cannot check', config: 'RevokedKeys "/etc/ssh/r.krl"\n', files: { '/etc/ssh/r.krl': 'SSHKRL\n\0\x01rest' }, status: 'warn', message: /KRL that could not be checked here/ },
  ]);
});

test('keys/require-cert-authority-principals', async () => {
  await table('keys/require-cert-authority-principals', [
    { name: 'no cert-authority', config: 'PermitRootLogin no\n', files: ak(`${RSA2048}\n`), status: 'pass', message: 'no cert-authority lines' },
    { name: 'with principals', config: 'PermitRootLogin no\n', files: ak(`cert-authority,principals="alice,ops" ${CA}\n`), status: 'pass', message: 'each with principals=' },
    { name: 'without', config: 'PermitRootLogin no\n', files: ak(`# ops CA\nCert-Authority ${CA}\n`), status: 'fail', message: /alice: .*authorized_keys:2: cert-authority ssh-ed25519 SHA256:\S+ without principals=/, locations: [`${AK}:2`] },
  ]);
});

test('keys/restrict-ca-key-types', async () => {
  await table('keys/restrict-ca-key-types', [
    { name: 'no CA', config: 'PermitRootLogin no\n', files: ak(`${RSA1024}\n`), status: 'pass', message: 'no user CA keys' },
    { name: 'ed25519', config: 'TrustedUserCAKeys /etc/ssh/ca.pub\n', files: { '/etc/ssh/ca.pub': `${CA}\n` }, status: 'pass', message: '1 CA key, all strong' },
    { name: 'RSA 1024 trusted', config: 'TrustedUserCAKeys /etc/ssh/ca.pub\n', files: { '/etc/ssh/ca.pub': `${CA}\n${RSA1024}\n` }, status: 'fail', message: /ca\.pub:2: .*RSA CA key of 1024 bits/, locations: ['/etc/ssh/ca.pub:2'] },
    { name: 'DSA cert-authority', config: 'PermitRootLogin no\n', files: ak(`cert-authority,principals="a" ${DSA}\n`), status: 'fail', message: /DSA CA key/ },
    { name: 'RSA 2048 warns', config: 'TrustedUserCAKeys /etc/ssh/ca.pub\n', files: { '/etc/ssh/ca.pub': `${RSA2048}\n` }, status: 'warn', message: /2048 bits \(under 3072\)/ },
  ]);
});

test('keys/no-expired-certificates', async () => {
  await table('keys/no-expired-certificates', [
    { name: 'none', config: 'PermitRootLogin no\n', files: ak(`${CA}\n`), status: 'pass', message: 'no certificates' },
    { name: 'valid', config: 'PermitRootLogin no\n', files: ak(`${VALID}\n`), status: 'pass', message: '1 certificate, none expired' },
    { name: 'expired', config: 'PermitRootLogin no\n', files: ak(`${CA}\n${EXPIRED}\n`), status: 'fail', message: /authorized_keys:2: certificate ssh-ed25519-cert-v01@openssh\.com SHA256:\S+ expired 2020-01-02T00:00:00Z/, locations: [`${AK}:2`] },
  ]);
});
