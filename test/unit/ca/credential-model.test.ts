// The credential model's certificate judgment (src/access/certificates.ts) on exact hosts: a
// known certificate (SSH_USER_AUTH text) is accepted through TrustedUserCAKeys with a principals
// file, and refused when its CA is not trusted, its principal is not listed, it has expired, the
// client is outside source-address, or the KRL (as `ssh-keygen -Q -l` dumps it) revokes its serial.
// The certificates are real (ssh-keygen; VALID: serial 2, principal alice, until 2099; EXPIRED:
// serial 1, 2020-01-01..02).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryFs, type MemoryFsSpec } from '../../../src/host/memory-fs.js';
import { loadConfig } from '../../../src/allow/engine.js';
import { gatherAccessFacts } from '../../../src/host/facts/access-facts.js';
import { certificateVerdict, certificatesFromUserAuth, krlCertSections } from '../../../src/access/certificates.js';

const CA = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJgtl9dm7IyK4Shk/P/91McrfHHQU+qYux+vz4Q16I2n ca';
const VALID = 'ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAILMSNdx8njuXC67KsMe2fdF0USs9rLyIviLQfc0l0IBvAAAAIBVMvkfUUJBSukEXhOFyxB2puligUdQDDbI4d6dpXVL+AAAAAAAAAAIAAAABAAAAA25ldwAAAAkAAAAFYWxpY2UAAAAAXgvhAAAAAADypSOAAAAAAAAAAIIAAAAVcGVybWl0LVgxMS1mb3J3YXJkaW5nAAAAAAAAABdwZXJtaXQtYWdlbnQtZm9yd2FyZGluZwAAAAAAAAAWcGVybWl0LXBvcnQtZm9yd2FyZGluZwAAAAAAAAAKcGVybWl0LXB0eQAAAAAAAAAOcGVybWl0LXVzZXItcmMAAAAAAAAAAAAAADMAAAALc3NoLWVkMjU1MTkAAAAgmC2X12bsjIrhKGT8//3Uxyt8cdBT6pi7H6/PhDXojacAAABTAAAAC3NzaC1lZDI1NTE5AAAAQDCc7D4mn/SgqV8myY4uPd+sxxWZxyDwGkslC3Sm/nAbJlhOEq3auPKUxqfHDlUjIgQQjlH/j5hF7IARWKGpDAg= user';
const EXPIRED = 'ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAIBuAPntr8xeTm3y1JXuKP4RHc7xKpOKWQywVkq9E8cQIAAAAIBVMvkfUUJBSukEXhOFyxB2puligUdQDDbI4d6dpXVL+AAAAAAAAAAEAAAABAAAAA29sZAAAAAkAAAAFYWxpY2UAAAAAXgvhAAAAAABeDTKAAAAAAAAAAIIAAAAVcGVybWl0LVgxMS1mb3J3YXJkaW5nAAAAAAAAABdwZXJtaXQtYWdlbnQtZm9yd2FyZGluZwAAAAAAAAAWcGVybWl0LXBvcnQtZm9yd2FyZGluZwAAAAAAAAAKcGVybWl0LXB0eQAAAAAAAAAOcGVybWl0LXVzZXItcmMAAAAAAAAAAAAAADMAAAALc3NoLWVkMjU1MTkAAAAgmC2X12bsjIrhKGT8//3Uxyt8cdBT6pi7H6/PhDXojacAAABTAAAAC3NzaC1lZDI1NTE5AAAAQB/fa+CEJSMdp3olRjbzm/kU7pNqZtLb5wg7b4fURAXql3PnQBD1aQA7jDIZSagvrrh5tQpjxfEpYRnn7OibvgI= user';
const OTHER_CA = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCkV+TjiBeZavZVVbCd8hMtkllMKhu8SwzLq+GzazSk/ihIqTJotbwF8vvUww3E3hVct8U1KC3LR0XrKFNiRSafASybogu8V25Fiue8jWZgUOIsA5RxfiOM8PXidVaSqdHak1Mrb8dmKJpidLQ9pRS6o9AV3PcIrE2v7ybE00p6yYb1Kxep0xrc6sovLjgQRstkZTFdxZLKDAozU7YSPyWtNlNJbGOBTi9tPwaJG2vwoAHifjFRNxB3npVtbndYkQz99S3VOpLHvtqhv9PmBOUeJRJLvVe10Nt/WReT4rndqqKlzXcnA5zQAUu1PvM/6MVs22VZAkxmSinqWWi9LGc7 midca';
const PASSWD = 'root:x:0:0::/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n';
const host = { groupMembers: () => [], userName: () => undefined };

async function judge(config: string, cert: string, files: MemoryFsSpec = {}, krlDump?: string, addr = '192.0.2.1') {
  const fs = memoryFs({
    '/etc/passwd': PASSWD,
    '/etc/group': 'root:x:0:\nalice:x:1000:\n',
    '/etc/ssh/sshd_config': config,
    '/etc/ssh/ca.pub': `${CA}\n`,
    '/etc/ssh/p': { kind: 'dir', mode: 0o755, uid: 0 },
    '/etc/ssh/p/alice': { content: 'ops\nalice\n', mode: 0o644, uid: 0 },
    '/etc/ssh/r.krl': 'SSHKRL\n\0binary',
    ...files,
  });
  const l = await loadConfig(fs, '/etc/ssh/sshd_config');
  assert.ok(l.ok);
  const spec = { user: 'alice', host: addr, addr };
  const cfg = l.value.host.evaluate(spec);
  const exec = { fs, live: true, run: async () => ({ code: 0, signal: null, stdout: krlDump ?? '', stderr: '' }) };
  const facts = await gatherAccessFacts({ exec, accounts: l.value.accounts, users: ['alice'], configs: [cfg], now: Date.UTC(2026, 11, 4) });
  const [c] = certificatesFromUserAuth({ source: 'SSH_USER_AUTH /tmp/x', text: `password\npublickey ${cert}\n` });
  assert.ok(c);
  const user = l.value.accounts.user('alice')!;
  return certificateVerdict(c, { facts, cfg, user, spec, host });
}

const TRUST = 'TrustedUserCAKeys /etc/ssh/ca.pub\nAuthorizedPrincipalsFile /etc/ssh/p/%u\n';

test('a known certificate: accepted through TrustedUserCAKeys and the principals file; refused as sshd refuses it', async () => {
  const ok = await judge(TRUST, VALID);
  assert.equal(ok.kind, 'accepted', JSON.stringify(ok));
  const cases: [string, string, string, MemoryFsSpec?, string?][] = [
    ['expired', TRUST, EXPIRED],
    ['is not in TrustedUserCAKeys', TRUST, VALID, { '/etc/ssh/ca.pub': `${OTHER_CA}\n` }],
    ['none of its principals (alice) is in /etc/ssh/p/alice', TRUST, VALID, { '/etc/ssh/p/alice': { content: 'ops\n', mode: 0o644, uid: 0 } }],
    ['principals file /etc/ssh/p/alice', TRUST, VALID, { '/etc/ssh/p/alice': { content: 'alice\n', mode: 0o666, uid: 0 } }],
    ['TrustedUserCAKeys is none', 'AuthorizedPrincipalsFile /etc/ssh/p/%u\n', VALID],
    ['serial 2 of CA', `${TRUST}RevokedKeys /etc/ssh/r.krl\n`, VALID, {}, `# KRL version 1\n\n# CA key ssh-ed25519 SHA256:SHyc3q2l/zlHMvmwtQIhGYJWat2SFdsTgYlGSv+CMGk\nserial: 1-3\n`],
    ['RevokedKeys /etc/ssh/gone cannot be read', `${TRUST}RevokedKeys /etc/ssh/gone\n`, VALID],
  ];
  for (const [why, config, cert, files, dump] of cases) {
    const v = await judge(config, cert, files ?? {}, dump);
    assert.equal(v.kind, 'refused', `${why}: ${JSON.stringify(v)}`);
    assert.ok((v as { why: string }).why.includes(why), `${why}: ${(v as { why: string }).why}`);
  }
  // Without AuthorizedPrincipalsFile the account name must be a principal: alice is.
  assert.equal((await judge('TrustedUserCAKeys /etc/ssh/ca.pub\n', VALID)).kind, 'accepted');
  // A KRL section for another CA leaves it alone.
  assert.equal((await judge(`${TRUST}RevokedKeys /etc/ssh/r.krl\n`, VALID, {}, '# CA key ssh-ed25519 SHA256:other\nserial: 2\n')).kind, 'accepted');
});

test('KRL dumps: serial ranges and key ids per CA section', () => {
  const s = krlCertSections('# KRL version 7\n\n# CA key ssh-ed25519 SHA256:abc\nserial: 3-5\nserial: 9\nid: bob\n# Wildcard CA\nid: eve\n');
  assert.deepEqual(s.get('SHA256:abc'), { serials: [[3n, 5n], [9n, 9n]], ids: new Set(['bob']) });
  assert.deepEqual(s.get('*')?.ids, new Set(['eve']));
  assert.deepEqual(certificatesFromUserAuth({ source: 's', text: `password\npublickey ${CA}\n` }), [], 'plain keys are not certificates');
});
