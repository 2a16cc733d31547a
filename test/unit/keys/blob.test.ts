// Differential test: for every key type the installed ssh-keygen can make (and certificates
// signed by a test CA), our type, bits and SHA256 fingerprint equal `ssh-keygen -lf`, read from an
// authorized_keys file whose lines also carry options. FIDO keys cannot be generated without a
// token: their blobs are built by hand and checked against the fingerprint computed independently.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseAuthorizedKeys, keyLines } from '../../../src/keys/parser.js';
import { analyseBlob } from '../../../src/keys/blob.js';
import { keyTypeByName } from '../../../src/keys/key-types.js';

const run = promisify(execFile);
let dir = '';
const specs: [string, string[]][] = [
  ['ed25519', ['-t', 'ed25519']],
  ['rsa1024', ['-t', 'rsa', '-b', '1024']],
  ['rsa2048', ['-t', 'rsa', '-b', '2048']],
  ['rsa3072', ['-t', 'rsa', '-b', '3072']],
  ['rsa4096', ['-t', 'rsa', '-b', '4096']],
  ['ecdsa256', ['-t', 'ecdsa', '-b', '256']],
  ['ecdsa384', ['-t', 'ecdsa', '-b', '384']],
  ['ecdsa521', ['-t', 'ecdsa', '-b', '521']],
  ['dsa', ['-t', 'dsa']],
];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sshield-blob-'));
  await Promise.all([...specs, ['ca', ['-t', 'ed25519']] as [string, string[]], ['carsa', ['-t', 'rsa', '-b', '2048']] as [string, string[]]].map(([name, args]) =>
    run('ssh-keygen', ['-q', '-N', '', '-C', `${name}@test comment`, ...args, '-f', join(dir, name)])));
  // Certificates of several key types, signed by an ed25519 CA and by an RSA CA.
  await Promise.all([
    run('ssh-keygen', ['-q', '-s', join(dir, 'ca'), '-I', 'alice-id', '-n', 'alice,bob', '-V', '20200101:20300101', '-z', '42', '-O', 'force-command=/bin/true', '-O', 'source-address=127.0.0.1/32', join(dir, 'ed25519.pub')]),
    run('ssh-keygen', ['-q', '-s', join(dir, 'carsa'), '-I', 'rsa-id', '-n', 'root', '-z', '7', join(dir, 'rsa2048.pub')]),
    run('ssh-keygen', ['-q', '-s', join(dir, 'ca'), '-I', 'ec-id', '-h', '-n', 'host.example', join(dir, 'ecdsa384.pub')]),
    run('ssh-keygen', ['-q', '-s', join(dir, 'ca'), '-I', 'dsa-id', join(dir, 'dsa.pub')]),
  ]);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function keygenL(file: string): Promise<string[]> {
  return run('ssh-keygen', ['-l', '-E', 'sha256', '-f', file]).then((r) => r.stdout.trim().split('\n'));
}

test('bits, SHA256 fingerprint and type equal ssh-keygen -lf for every generated key and certificate', async () => {
  const pubs = [...specs.map(([n]) => `${n}.pub`), 'ca.pub', 'carsa.pub', 'ed25519-cert.pub', 'rsa2048-cert.pub', 'ecdsa384-cert.pub', 'dsa-cert.pub'];
  const options = ['', 'no-pty ', 'restrict,command="echo \\"hi there\\"",from="127.0.0.1" ', 'cert-authority,principals="a,b" '];
  const text = pubs.map((p, i) => options[i % options.length] + readFileSync(join(dir, p), 'latin1')).join('');
  const file = join(dir, 'authorized_keys');
  writeFileSync(file, text, 'latin1');
  const expected = await keygenL(file);
  const parsed = parseAuthorizedKeys(text, file);
  assert.deepEqual(parsed.diagnostics, []);
  const keys = keyLines(parsed);
  assert.equal(keys.length, pubs.length);
  assert.equal(expected.length, pubs.length);
  keys.forEach((k, i) => {
    const ours = `${k.key.bits} ${k.key.fingerprint} ${k.comment} (${k.key.type.shortName})`;
    assert.equal(ours, expected[i], pubs[i]);
  });
});

test('certificate fields are read from the blob', () => {
  const line = readFileSync(join(dir, 'ed25519-cert.pub'), 'latin1');
  const k = keyLines(parseAuthorizedKeys(line, 'x'))[0]!.key;
  const c = k.certificate!;
  assert.equal(c.serial, 42n);
  assert.equal(c.certType, 'user');
  assert.equal(c.keyId, 'alice-id');
  assert.deepEqual(c.principals, ['alice', 'bob']);
  assert.equal(c.validAfter, BigInt(Date.UTC(2020, 0, 1) / 1000) + BigInt(new Date(2020, 0, 1).getTimezoneOffset() * 60));
  assert.deepEqual(c.criticalOptions, [{ name: 'force-command', value: '/bin/true' }, { name: 'source-address', value: '127.0.0.1/32' }]);
  assert.ok(c.extensions.includes('permit-pty'));
  assert.equal(c.caType, 'ssh-ed25519');
  const caFp = keyLines(parseAuthorizedKeys(readFileSync(join(dir, 'ca.pub'), 'latin1'), 'ca'))[0]!.key.fingerprint;
  assert.equal(c.caFingerprint, caFp);
  // The fingerprint of a certificate is the embedded plain key's.
  const plainFp = keyLines(parseAuthorizedKeys(readFileSync(join(dir, 'ed25519.pub'), 'latin1'), 'p'))[0]!.key.fingerprint;
  assert.equal(k.fingerprint, plainFp);
  const host = keyLines(parseAuthorizedKeys(readFileSync(join(dir, 'ecdsa384-cert.pub'), 'latin1'), 'h'))[0]!.key;
  assert.equal(host.certificate!.certType, 'host');
  assert.equal(host.curve, 'nistp384');
});

function str(b: Buffer | string): Buffer {
  const body = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

test('hand-built FIDO blobs: sk-ssh-ed25519 and sk-ecdsa-sha2-nistp256', () => {
  const pk = Buffer.alloc(32, 7);
  const ed = Buffer.concat([str('sk-ssh-ed25519@openssh.com'), str(pk), str('ssh:')]);
  const r = analyseBlob(ed, keyTypeByName('sk-ssh-ed25519@openssh.com'));
  assert.ok(r.ok);
  assert.equal(r.key.bits, 256);
  assert.equal(r.key.application, 'ssh:');
  assert.equal(r.key.type.shortName, 'ED25519-SK');
  assert.equal(r.key.fingerprint, `SHA256:${createHash('sha256').update(ed).digest('base64').replace(/=+$/, '')}`);
  const q = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 9)]);
  const ec = Buffer.concat([str('sk-ecdsa-sha2-nistp256@openssh.com'), str('nistp256'), str(q), str('ssh:test')]);
  const line = `no-touch-required sk-ecdsa-sha2-nistp256@openssh.com ${ec.toString('base64')} yubikey\n`;
  const k = keyLines(parseAuthorizedKeys(line, 'f'))[0]!;
  assert.equal(k.key.curve, 'nistp256');
  assert.equal(k.key.application, 'ssh:test');
  assert.equal(k.comment, 'yubikey');
  assert.deepEqual(k.options!.map((o) => o.text), ['no-touch-required']);
  // A certificate over a FIDO key: fingerprint is that of the plain sk key.
  const ca = Buffer.concat([str('ssh-ed25519'), str(Buffer.alloc(32, 1))]);
  const u64 = (n: bigint) => { const b = Buffer.alloc(8); b.writeBigUInt64BE(n); return b; };
  const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
  const cert = Buffer.concat([str('sk-ssh-ed25519-cert-v01@openssh.com'), str(Buffer.alloc(32)), str(pk), str('ssh:'), u64(5n), u32(1), str('kid'), str(str('alice')), u64(0n), u64(0xffffffffffffffffn), str(''), str(Buffer.concat([str('permit-pty'), str('')])), str(''), str(ca), str('sig')]);
  const cr = analyseBlob(cert, keyTypeByName('sk-ssh-ed25519-cert-v01@openssh.com'));
  assert.ok(cr.ok);
  assert.equal(cr.key.fingerprint, r.key.fingerprint);
  assert.deepEqual(cr.key.certificate!.principals, ['alice']);
  assert.deepEqual(cr.key.certificate!.extensions, ['permit-pty']);
});

test('malformed blobs are reported, never thrown', () => {
  const pk = Buffer.alloc(32, 7);
  const cases: [Buffer, string][] = [
    [Buffer.alloc(0), 'truncated'],
    [Buffer.concat([str('ssh-ed25519'), str(Buffer.alloc(31))]), 'not 32 bytes'],
    [Buffer.concat([str('ssh-ed25519'), str(pk), Buffer.from([0])]), 'trailing data'],
    [Buffer.concat([str('ssh-ed25519'), Buffer.from([0xff, 0xff, 0xff, 0xff])]), 'truncated'],
    [Buffer.concat([str('ssh-rsa'), str(Buffer.from([1, 0, 1])), str(Buffer.concat([Buffer.from([0x7f]), Buffer.alloc(63, 1)]))]), 'below 1024'],
    [Buffer.concat([str('ecdsa-sha2-nistp256'), str('nistp384'), str(Buffer.alloc(65, 4))]), 'curve'],
  ];
  for (const [blob, msg] of cases) {
    const r = analyseBlob(blob);
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.message : '', new RegExp(msg));
  }
  assert.match((analyseBlob(Buffer.concat([str('ssh-ed25519'), str(pk)]), keyTypeByName('ssh-rsa')) as { message: string }).message, /not ssh-rsa/);
});
