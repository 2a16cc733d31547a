// Scale: thousands of targets through the real pool and transport against scripted loopback
// servers that count their open connections. The pool must never hold more sockets than
// --concurrency, keep results in input order whatever finishes first, report progress once
// per target, and finish in time bounded by (slow targets x timeout / concurrency).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { syncBuiltinESMExports } from 'node:module';
import { scanTargets } from '../../../src/scan/scan.js';
import { BUILTIN_PROFILES } from '../../../src/scan/profiles.js';
import { encodeKexinit, encodeUnencryptedPacket } from '../../../src/scan/wire.js';
import { freePort } from '../../helpers/sshd.js';
import { scriptedServers } from '../../helpers/scripted-server.js';

const { serve, closeAll } = scriptedServers();

// Count the scanner's own sockets (client side): wrap net.connect, which src/scan/transport.ts
// imports by name (syncBuiltinESMExports makes named imports of a builtin see the patch).
let open = 0;
let peak = 0;
const realConnect = net.connect;
net.connect = ((...args: Parameters<typeof net.connect>) => {
  const s = realConnect(...args);
  open++;
  peak = Math.max(peak, open);
  s.once('close', () => open--);
  return s;
}) as typeof net.connect;
syncBuiltinESMExports();

after(async () => {
  net.connect = realConnect;
  syncBuiltinESMExports();
  await closeAll();
});

const KEXINIT = encodeUnencryptedPacket(
  encodeKexinit(
    {
      kex: ['mlkem768x25519-sha256', 'curve25519-sha256', 'ext-info-s', 'kex-strict-s-v00@openssh.com'],
      hostKey: ['ssh-ed25519'],
      ciphersClientToServer: ['aes256-gcm@openssh.com'],
      ciphersServerToClient: ['aes256-gcm@openssh.com'],
      macsClientToServer: ['hmac-sha2-256-etm@openssh.com'],
      macsServerToClient: ['hmac-sha2-256-etm@openssh.com'],
      compressionClientToServer: ['none'],
      compressionServerToClient: ['none'],
      languagesClientToServer: [],
      languagesServerToClient: [],
      firstKexPacketFollows: false,
    },
    Buffer.alloc(16, 7),
  ),
);

test('3000 targets: at most --concurrency sockets, input order, progress per target, bounded time and memory', async () => {
  // Answers after a random short delay, so completion order differs from input order.
  const good = await Promise.all(
    [0, 1, 2, 3].map(() => serve((s) => setTimeout(() => s.writable && s.write(Buffer.concat([Buffer.from('SSH-2.0-OpenSSH_10.0p2 Debian-7\r\n'), KEXINIT])), Math.random() * 5))),
  );
  const silent = await serve(() => {});
  const closed = await freePort();
  const N = 3000;
  const concurrency = 50;
  const timeoutMs = 400;
  const ports = Array.from({ length: N }, (_, i) => (i % 50 === 7 ? silent : i % 50 === 13 ? closed : good[i % 4]!));
  const slow = ports.filter((p) => p === silent).length;
  const seen: number[] = [];
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const rep = await scanTargets(
    ports.map((p, i) => ({ spec: `127.0.0.1:${p}#${i}`, host: '127.0.0.1', port: p })),
    { profile: BUILTIN_PROFILES.default!, timeoutMs, concurrency, toolVersion: 't' },
    (done) => seen.push(done),
  );
  const ms = performance.now() - t0;
  const rssGrowth = process.memoryUsage().rss - rss0;
  assert.equal(rep.targets.length, N);
  assert.deepEqual(rep.targets.map((t) => t.target), ports.map((p, i) => `127.0.0.1:${p}#${i}`), 'results in input order');
  assert.deepEqual(rep.targets.map((t) => t.error?.code ?? 'ok'), ports.map((p) => (p === silent ? 'TIMEOUT' : p === closed ? 'CONNECT_REFUSED' : 'ok')));
  assert.deepEqual(seen, Array.from({ length: N }, (_, i) => i + 1), 'one progress call per target, counting up');
  assert.ok(peak > 0, 'the connection counter saw the scanner connect');
  assert.ok(peak <= concurrency, `peak open sockets ${peak} > concurrency ${concurrency}`);
  // The silent targets alone need slow x timeout / concurrency; everything else is loopback-fast.
  const floor = (slow * timeoutMs) / concurrency;
  assert.ok(ms < floor + 20_000, `took ${Math.round(ms)} ms (floor ${floor} ms)`);
  assert.ok(rssGrowth < 200 * 1024 * 1024, `rss grew by ${Math.round(rssGrowth / 1048576)} MiB`);
  console.log(`# 3000 targets in ${Math.round(ms)} ms, peak ${peak} open connections, rss +${Math.round(rssGrowth / 1048576)} MiB`);
});
