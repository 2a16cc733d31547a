// Scripted hostile servers on 127.0.0.1 (node:net): each behaviour must end in a clean
// per-target error within the deadline, never a hang, a throw or unbounded buffering.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { probeKexinit } from '../../../src/scan/transport.js';
import { scanTarget, scanTargets } from '../../../src/scan/scan.js';
import { BUILTIN_PROFILES } from '../../../src/scan/profiles.js';
import { encodeKexinit, encodeUnencryptedPacket } from '../../../src/scan/wire.js';
import { freePort } from '../../helpers/sshd.js';
import { scriptedServers } from '../../helpers/scripted-server.js';

const { serve, closeAll } = scriptedServers();
after(closeAll);

const TIMEOUT = 1500;
async function probe(port: number, timeoutMs = TIMEOUT) {
  const t0 = Date.now();
  const r = await probeKexinit('127.0.0.1', port, { timeoutMs });
  return { ...r, elapsed: Date.now() - t0 };
}

test('endless banner: stopped by the preamble cap long before the deadline', async () => {
  const port = await serve((s) => {
    const line = Buffer.from('All work and no play makes Jack a dull boy\r\n'.repeat(200));
    const pump = () => {
      while (!s.destroyed && s.write(line));
      if (!s.destroyed) s.once('drain', pump);
    };
    pump();
  });
  const r = await probe(port, 10_000);
  assert.equal(r.error?.code, 'PREAMBLE_TOO_LONG');
  assert.ok(r.elapsed < 2000, `took ${r.elapsed} ms`);
});

test('endless identification line: IDENT_TOO_LONG', async () => {
  const port = await serve((s) => s.write(`SSH-2.0-${'A'.repeat(100_000)}`));
  const r = await probe(port);
  assert.equal(r.error?.code, 'IDENT_TOO_LONG');
});

test('oversized packet length: refused without waiting for the body', async () => {
  const port = await serve((s) => {
    const hdr = Buffer.alloc(6);
    hdr.writeUInt32BE(0xfffffff0, 0);
    s.write(Buffer.concat([Buffer.from('SSH-2.0-evil\r\n'), hdr]));
  });
  const r = await probe(port);
  assert.equal(r.error?.code, 'PACKET_TOO_LARGE');
  assert.equal(r.ident?.softwareVersion, 'evil');
  assert.ok(r.elapsed < TIMEOUT);
});

test('binary garbage: a clean error, not a hang', async () => {
  const port = await serve((s) => s.end(Buffer.from(Array.from({ length: 20_000 }, (_, i) => (i * 131 + 7) % 256).filter((b) => b !== 10))));
  const r = await probe(port);
  assert.equal(r.error?.code, 'PREAMBLE_TOO_LONG');
});

test('one byte per second: TIMEOUT at the deadline', async () => {
  const banner = Buffer.from('SSH-2.0-OpenSSH_9.2p1\r\n');
  const port = await serve((s) => {
    let i = 0;
    const t = setInterval(() => (i < banner.length && !s.destroyed ? s.write(banner.subarray(i, ++i)) : clearInterval(t)), 1000);
    s.on('close', () => clearInterval(t));
  });
  const r = await probe(port, 1200);
  assert.equal(r.error?.code, 'TIMEOUT');
  assert.ok(r.elapsed >= 1150 && r.elapsed < 1700, `took ${r.elapsed} ms`);
});

test('reset in the middle of a packet: CONNECTION_RESET naming where', async () => {
  const transcript = readFileSync(new URL('../../fixtures/scan/openssh-9.2p1-deb12u10-default.bin', import.meta.url));
  const port = await serve((s) => {
    s.write(transcript.subarray(0, 200), () => setTimeout(() => s.resetAndDestroy(), 20));
  });
  const r = await probe(port);
  assert.ok(r.error?.code === 'CONNECTION_RESET' || r.error?.code === 'CLOSED_EARLY', String(r.error?.code));
  assert.match(r.error!.message, /middle of a packet/);
});

test('closed before the identification: CLOSED_EARLY', async () => {
  const port = await serve((s) => s.end());
  const r = await probe(port);
  assert.equal(r.error?.code, 'CLOSED_EARLY');
});

test('never answering: TIMEOUT; nothing listening: CONNECT_REFUSED', async () => {
  const port = await serve(() => {});
  const r = await probe(port, 800);
  assert.equal(r.error?.code, 'TIMEOUT');
  assert.ok(r.elapsed < 1300);
  const closed = await freePort();
  const c = await probe(closed);
  assert.equal(c.error?.code, 'CONNECT_REFUSED');
});

/** An OpenSSH 9.5-style KEXINIT (before strict KEX existed): chacha20 and -etm MACs, no kex-strict-s. */
function preStrictServer(ident: string): (s: Socket) => void {
  const kexinit = encodeKexinit(
    {
      kex: ['sntrup761x25519-sha512@openssh.com', 'curve25519-sha256', 'curve25519-sha256@libssh.org', 'ecdh-sha2-nistp256', 'diffie-hellman-group16-sha512', 'ext-info-s'],
      hostKey: ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-ed25519'],
      ciphersClientToServer: ['chacha20-poly1305@openssh.com', 'aes128-ctr', 'aes256-gcm@openssh.com'],
      ciphersServerToClient: ['chacha20-poly1305@openssh.com', 'aes128-ctr', 'aes256-gcm@openssh.com'],
      macsClientToServer: ['umac-128-etm@openssh.com', 'hmac-sha2-256-etm@openssh.com'],
      macsServerToClient: ['umac-128-etm@openssh.com', 'hmac-sha2-256-etm@openssh.com'],
      compressionClientToServer: ['none'],
      compressionServerToClient: ['none'],
      languagesClientToServer: [],
      languagesServerToClient: [],
      firstKexPacketFollows: false,
    },
    Buffer.alloc(16, 0x42),
  );
  return (s) => s.write(Buffer.concat([Buffer.from(`${ident}\r\n`), encodeUnencryptedPacket(kexinit)]));
}

test('Terrapin-vulnerable server (no kex-strict-s-v00): scan/no-terrapin fails', async () => {
  const port = await serve(preStrictServer('SSH-2.0-OpenSSH_9.5'));
  const r = await scanTarget({ spec: `127.0.0.1:${port}`, host: '127.0.0.1', port }, { profile: BUILTIN_PROFILES.default!, timeoutMs: TIMEOUT, concurrency: 1, toolVersion: 't' });
  assert.equal(r.status, 'ok');
  assert.equal(r.algorithms?.strictKex, false);
  assert.equal(r.algorithms?.extInfo, true);
  const t = r.findings.find((f) => f.ruleId === 'scan/no-terrapin');
  assert.equal(t?.level, 'fail');
  assert.match(t!.message, /chacha20-poly1305@openssh\.com/);
});

test('a fleet of hostile and good servers: results in input order, bounded time', async () => {
  const good = await serve(preStrictServer('SSH-2.0-OpenSSH_9.5'));
  const silent = await serve(() => {});
  const garbage = await serve((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
  const specs = [good, silent, garbage, good, silent, good];
  const t0 = Date.now();
  const rep = await scanTargets(specs.map((p) => ({ spec: `127.0.0.1:${p}`, host: '127.0.0.1', port: p })), { profile: BUILTIN_PROFILES.default!, timeoutMs: 700, concurrency: 3, toolVersion: 't' });
  assert.ok(Date.now() - t0 < 2500);
  assert.deepEqual(rep.targets.map((t) => t.port), specs);
  assert.deepEqual(rep.targets.map((t) => t.error?.code ?? 'ok'), ['ok', 'TIMEOUT', 'CLOSED_EARLY', 'ok', 'TIMEOUT', 'ok']);
  assert.deepEqual(rep.targets[2]!.banner, undefined);
  assert.equal(rep.summary.errors, 3);
});
