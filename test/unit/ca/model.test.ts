// The CA's pure model: validity intervals (parsed once into UTC instants, judged against the
// policy), the ledger (serials only grow; a damaged ledger is a message, never a second serial),
// the KRL specification, principals and public keys, and when a CA directory is trusted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, overPolicy, parseDuration, parseValidity, validityArg } from '../../../src/ca/validity.js';
import { EMPTY_LEDGER, krlSpec, parseLedger, recordCertificate, recordRevocation, serialiseJson } from '../../../src/ca/ledger.js';
import { unsafeCaDirReason, ancestors } from '../../../src/ca/ca-dir.js';
import { parsePrincipals } from '../../../src/ca/sign.js';
import { parseFingerprint, publicKeyLine, signArgs, unsignableReason } from '../../../src/ca/keygen.js';
import type { FileStat } from '../../../src/host/fs.js';

const NOW = Date.UTC(2026, 11, 4, 21, 0, 0) / 1000;

test('validity: relative, ranges and absolute UTC; local times, reversed and malformed intervals are errors', () => {
  const cases: [string, number, number][] = [
    ['+8h', NOW, NOW + 8 * 3600],
    ['-5m:+1h', NOW - 300, NOW + 3600],
    ['+1d12h', NOW, NOW + 36 * 3600],
    ['20261204000000Z:20261205000000Z', Date.UTC(2026, 11, 4) / 1000, Date.UTC(2026, 11, 5) / 1000],
    ['20261205Z', NOW, Date.UTC(2026, 11, 5) / 1000],
  ];
  for (const [text, from, to] of cases) assert.deepEqual(parseValidity(text, NOW), { ok: true, value: { from, to } }, text);
  for (const [text, msg] of [['20261205', /trailing Z/], ['+1h:-1h', /ends before it starts/], ['soon', /not a time/], ['+1h:', /\[FROM:\]TO/], ['20261332Z', /not a calendar time/], ['a:b:c', /\[FROM:\]TO/]] as const) {
    const r = parseValidity(text, NOW);
    assert.equal(r.ok, false, text);
    assert.match((r as { message: string }).message, msg, text);
  }
  assert.equal(validityArg({ from: NOW, to: NOW + 300 }), '20261204210000Z:20261204210500Z');
  assert.equal(parseDuration('1d'), 86400);
  assert.equal(parseDuration('0h'), undefined);
  assert.equal(parseDuration('8'), undefined);
  assert.equal(formatDuration(366 * 86400), '366d');
  assert.equal(overPolicy({ from: 0, to: 86400 }, 86400), undefined);
  assert.match(overPolicy({ from: 0, to: 86401 }, 86400)!, /longer than this CA's maximum of 1d/);
});

test('ledger: serials are handed out in order and never twice; a damaged ledger is refused with its file name', () => {
  const base = { kind: 'user' as const, keyId: 'k', principals: ['x'], validFrom: 'a', validTo: 'b', keyFingerprint: 'SHA256:x', keyType: 'ED25519', options: [], signedAt: 'c', signedBy: 'root' };
  const a = recordCertificate(EMPTY_LEDGER, base);
  const b = recordCertificate(a.ledger, base);
  assert.deepEqual([a.entry.serial, b.entry.serial, b.ledger.nextSerial], [1, 2, 3]);
  const round = parseLedger(serialiseJson(b.ledger), 'l.json');
  assert.deepEqual(round, { ok: true, value: b.ledger });
  const rewound = parseLedger(serialiseJson({ ...b.ledger, nextSerial: 2 }), 'l.json');
  assert.equal(rewound.ok, false);
  assert.match((rewound as { message: string }).message, /^l\.json: nextSerial 2 is not above the highest serial issued \(2\)/);
  assert.match((parseLedger('{"version":1,', 'l.json') as { message: string }).message, /^l\.json: not valid JSON/);
  assert.match((parseLedger('{"version":9}', 'l.json') as { message: string }).message, /version 9/);
  const r = recordRevocation(b.ledger, { kind: 'serial', serial: 2 }, 'now', 'me');
  assert.ok(r.ok && r.value.changed);
  const again = recordRevocation((r as { value: { ledger: typeof b.ledger } }).value.ledger, { kind: 'serial', serial: 2 }, 'later', 'me');
  assert.ok(again.ok && !again.value.changed);
  assert.match((recordRevocation(b.ledger, { kind: 'serial', serial: 9 }, 'now', 'me') as { message: string }).message, /serial 9 was not issued by this CA/);
  const k = recordRevocation((r as { value: { ledger: typeof b.ledger } }).value.ledger, { kind: 'key', fingerprint: 'SHA256:y', key: 'ssh-ed25519 AAAA' }, 'now', 'me');
  assert.equal(krlSpec((k as { value: { ledger: typeof b.ledger } }).value.ledger), '# sshield ca: revoked user certificates and keys\nserial: 2\nkey: ssh-ed25519 AAAA\n');
});

test('CA directory: 0700 and yours, nothing above it others can change; links, group access and foreign owners refused', () => {
  const dir = (mode: number, uid = 1000): FileStat => ({ kind: 'directory', size: 0, mode, uid, gid: uid, mtimeMs: 0 });
  const ok = new Map<string, FileStat | undefined>([['/', dir(0o755, 0)], ['/home', dir(0o755, 0)], ['/home/a', dir(0o750)], ['/home/a/ca', dir(0o700)]]);
  assert.deepEqual(ancestors('/home/a/ca'), ['/', '/home', '/home/a']);
  assert.equal(unsafeCaDirReason('/home/a/ca', ok, 1000, false), undefined);
  const withTmp = new Map(ok).set('/home', dir(0o1777, 0));
  assert.equal(unsafeCaDirReason('/home/a/ca', withTmp, 1000, false), undefined, 'a sticky directory above is fine');
  const cases: [string, Map<string, FileStat | undefined>, RegExp][] = [
    ['group-readable', new Map(ok).set('/home/a/ca', dir(0o740)), /mode 0740: others could read/],
    ['a link', new Map(ok).set('/home/a/ca', { ...dir(0o777), kind: 'symlink' }), /is a symbolic link/],
    ['another owner', new Map(ok).set('/home/a/ca', dir(0o700, 1001)), /owned by uid 1001, not by you/],
    ['a writable parent', new Map(ok).set('/home/a', dir(0o775)), /\/home\/a \(above \/home\/a\/ca\).*mode 0775/],
    ['a foreign parent', new Map(ok).set('/home/a', dir(0o755, 1002)), /owned by uid 1002/],
    ['missing', new Map(ok).set('/home/a/ca', undefined), /no such directory/],
  ];
  for (const [label, stats, msg] of cases) assert.match(unsafeCaDirReason('/home/a/ca', stats, 1000, false) ?? '', msg, label);
  assert.equal(unsafeCaDirReason('/home/a/ca', new Map(ok).set('/home/a/ca', undefined), 1000, true), undefined, 'init creates it');
});

test('principals, public keys and the ssh-keygen command line', () => {
  assert.deepEqual(parsePrincipals('alice,ops,alice'), { ok: true, value: ['alice', 'ops'] });
  for (const bad of ['', 'a,,b', 'a b', '*', 'a,!b']) assert.equal(parsePrincipals(bad).ok, false, bad);
  const pub = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHZ2 alice@x';
  assert.deepEqual(publicKeyLine(pub), { type: 'ssh-ed25519', blob: 'AAAAC3NzaC1lZDI1NTE5AAAAIHZ2', comment: 'alice@x' });
  assert.equal(unsignableReason(pub), undefined);
  assert.match(unsignableReason('-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----\n')!, /PRIVATE key/);
  assert.match(unsignableReason('ssh-ed25519-cert-v01@openssh.com AAAA x')!, /already a certificate/);
  assert.match(unsignableReason('ssh-dss AAAA x')!, /DSA/);
  assert.match(unsignableReason('ssh-rsa AAAA x', { bits: 2048, fingerprint: 'f', comment: '', type: 'RSA' })!, /2048 bits is too weak/);
  assert.match(unsignableReason(`${pub}\n${pub}\n`)!, /not one OpenSSH public key line/);
  assert.deepEqual(parseFingerprint('256 SHA256:LW001zWH6yuqeBOXsLOMUMaXGqv7w4IaYlqLptCFe+o a b (ED25519)\n'), { bits: 256, fingerprint: 'SHA256:LW001zWH6yuqeBOXsLOMUMaXGqv7w4IaYlqLptCFe+o', comment: 'a b', type: 'ED25519' });
  assert.deepEqual(signArgs({ caKey: '/ca/user_ca', keyId: 'id', principals: ['a', 'b'], validity: 'V', serial: 7, options: ['no-pty', 'force-command=ls -l'], host: false, keyFile: '/w/key.pub' }), ['-q', '-s', '/ca/user_ca', '-I', 'id', '-n', 'a,b', '-V', 'V', '-z', '7', '-O', 'no-pty', '-O', 'force-command=ls -l', '/w/key.pub']);
});
