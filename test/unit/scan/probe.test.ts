// The pure probe: recorded transcript replay (whole and byte by byte), limits, framing errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ProbeMachine, DEFAULT_PROBE_LIMITS, type ProbeEvent } from '../../../src/scan/probe.js';
import { encodeKexinit, encodeUnencryptedPacket, frameUnencryptedPacket, parseKexinit } from '../../../src/scan/wire.js';
import { parseIdentLine } from '../../../src/scan/ident.js';

const transcript = readFileSync(new URL('../../fixtures/scan/openssh-9.2p1-deb12u10-default.bin', import.meta.url));

function feed(chunks: Buffer[]): ProbeEvent[] {
  const m = new ProbeMachine();
  return chunks.flatMap((c) => m.push(c));
}

test('recorded Debian 12 transcript gives the identification and all ten name-lists', () => {
  const ev = feed([transcript]);
  assert.equal(ev.length, 2);
  assert.equal(ev[0]!.kind, 'ident');
  assert.equal(ev[0]!.kind === 'ident' && ev[0]!.ident.raw, 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10');
  const k = ev[1]!.kind === 'kexinit' ? ev[1]!.kexinit : assert.fail('no kexinit');
  assert.deepEqual(k.kex.at(-1), 'kex-strict-s-v00@openssh.com');
  assert.ok(k.kex.includes('sntrup761x25519-sha512@openssh.com'));
  assert.deepEqual(k.hostKey, ['ssh-ed25519', 'rsa-sha2-512', 'rsa-sha2-256', 'ecdsa-sha2-nistp256']);
  assert.deepEqual(k.ciphersClientToServer, ['chacha20-poly1305@openssh.com', 'aes128-ctr', 'aes192-ctr', 'aes256-ctr', 'aes128-gcm@openssh.com', 'aes256-gcm@openssh.com']);
  assert.deepEqual(k.ciphersServerToClient, k.ciphersClientToServer);
  assert.equal(k.macsClientToServer.length, 10);
  assert.deepEqual(k.compressionClientToServer, ['none', 'zlib@openssh.com']);
  assert.deepEqual(k.languagesClientToServer, []);
  assert.deepEqual(k.languagesServerToClient, []);
  assert.equal(k.firstKexPacketFollows, false);
});

test('byte-at-a-time replay gives the same result', () => {
  const chunks = [...transcript].map((b) => Buffer.from([b]));
  const ev = feed(chunks);
  const whole = feed([transcript]);
  assert.deepEqual(ev, whole);
});

test('preamble lines before the identification are kept (RFC 4253 §4.2)', () => {
  const ev = feed([Buffer.from('Welcome\r\nsecond line\n'), transcript]);
  assert.equal(ev[0]!.kind, 'ident');
  assert.deepEqual(ev[0]!.kind === 'ident' && ev[0]!.preamble, ['Welcome', 'second line']);
  assert.equal(ev[1]!.kind, 'kexinit');
});

function errorOf(chunks: Buffer[], limits = DEFAULT_PROBE_LIMITS): string | undefined {
  const m = new ProbeMachine(limits);
  for (const c of chunks) for (const e of m.push(c)) if (e.kind === 'error') return e.error.code;
  return undefined;
}

test('limits: identification, preamble, packet length, total bytes', () => {
  assert.equal(errorOf([Buffer.from(`SSH-2.0-${'x'.repeat(300)}`)]), 'IDENT_TOO_LONG');
  assert.equal(errorOf([Buffer.from('x'.repeat(9000))]), 'PREAMBLE_TOO_LONG');
  assert.equal(errorOf([Buffer.from('line\n'.repeat(1100))]), 'PREAMBLE_TOO_LONG');
  const big = Buffer.alloc(5);
  big.writeUInt32BE(0x7fffffff, 0);
  assert.equal(errorOf([Buffer.from('SSH-2.0-x\r\n'), big]), 'PACKET_TOO_LARGE');
  assert.equal(errorOf([Buffer.from('SSH-2.0-x\r\n'), Buffer.from([0, 0, 0, 8, 1, 0, 0, 0, 0, 0, 0, 0])]), 'BAD_PACKET');
  assert.equal(errorOf([Buffer.from('SSH-1.5-old\r\n')]), 'NOT_SSH2');
  assert.equal(errorOf([Buffer.from('SSH-2.0-a\0b\r\n')]), 'BAD_IDENT');
  assert.equal(errorOf([Buffer.from('SSH-2.0-x\r\n'), encodeUnencryptedPacket(Buffer.from([5, 1, 2, 3]))]), 'UNEXPECTED_MESSAGE');
  assert.equal(errorOf([Buffer.from('SSH-2.0-x\r\n'), encodeUnencryptedPacket(Buffer.from([20, 1, 2]))]), 'BAD_KEXINIT');
  assert.equal(errorOf([Buffer.from('a\n'.repeat(100))], { ...DEFAULT_PROBE_LIMITS, totalMaxBytes: 100 }), 'TOO_MUCH_DATA');
});

test('DISCONNECT before KEXINIT is reported with its text', () => {
  const desc = Buffer.from('too many connections');
  const p = Buffer.concat([Buffer.from([1, 0, 0, 0, 2, 0, 0, 0, desc.length]), desc, Buffer.from([0, 0, 0, 0])]);
  const m = new ProbeMachine();
  const ev = [...m.push(Buffer.from('SSH-2.0-x\r\n')), ...m.push(encodeUnencryptedPacket(p))];
  const e = ev.find((x) => x.kind === 'error');
  assert.ok(e && e.kind === 'error' && e.error.code === 'SERVER_DISCONNECT' && e.error.message.includes('too many connections'));
});

test('encodeKexinit and parseKexinit round-trip; framing pads to 8 with >= 4 bytes', () => {
  const lists = { kex: ['a', 'b'], hostKey: ['h'], ciphersClientToServer: ['c1'], ciphersServerToClient: ['c2'], macsClientToServer: [], macsServerToClient: ['m'], compressionClientToServer: ['none'], compressionServerToClient: ['none'], languagesClientToServer: [], languagesServerToClient: [], firstKexPacketFollows: true };
  const payload = encodeKexinit(lists, Buffer.alloc(16, 7));
  const pkt = encodeUnencryptedPacket(payload);
  assert.equal(pkt.length % 8, 0);
  assert.ok(pkt[4]! >= 4);
  const f = frameUnencryptedPacket(pkt);
  assert.equal(f.kind, 'packet');
  const k = f.kind === 'packet' ? parseKexinit(f.payload) : assert.fail();
  assert.equal(k.kind, 'ok');
  assert.deepEqual(k.kind === 'ok' && { ...k.kexinit, cookie: undefined, reserved: undefined }, { ...lists, cookie: undefined, reserved: undefined });
});

test('parseIdentLine splits software and comments', () => {
  assert.deepEqual(parseIdentLine('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10'), { raw: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10', protoVersion: '2.0', softwareVersion: 'OpenSSH_9.2p1', comments: 'Debian-2+deb12u10' });
  assert.equal(parseIdentLine('SSH-2.0-dropbear_2022.83')!.comments, null);
  assert.equal(parseIdentLine('HTTP/1.1 400'), null);
});
