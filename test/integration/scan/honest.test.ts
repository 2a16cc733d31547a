// Honest scans: a server that answers the clear-text probe and then stalls the second connection
// (the --user or --host-keys probe) must not be reported clean. The target is an error (exit 2)
// naming the probe, and --timeout is one deadline for the whole target, not one per probe.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { scanTarget } from '../../../src/scan/scan.js';
import { BUILTIN_PROFILES } from '../../../src/scan/profiles.js';
import { encodeKexinit, encodeUnencryptedPacket } from '../../../src/scan/wire.js';
import { scriptedServers } from '../../helpers/scripted-server.js';

const { serve, closeAll } = scriptedServers();
after(closeAll);

const CLI = ['--import', 'tsx', join(process.cwd(), 'src/cli/main.ts')];

/** Answers the first connection with an ident and a KEXINIT; every later connection gets nothing. */
function stallsSecondProbe(): (s: Socket) => void {
  const kexinit = encodeKexinit(
    {
      kex: ['curve25519-sha256', 'ecdh-sha2-nistp256', 'kex-strict-s-v00@openssh.com'],
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
    Buffer.alloc(16, 0x17),
  );
  let n = 0;
  return (s) => {
    if (n++ === 0) s.write(Buffer.concat([Buffer.from('SSH-2.0-OpenSSH_9.9\r\n'), encodeUnencryptedPacket(kexinit)]));
    // later connections: accepted, read, never answered
  };
}

const opts = (timeoutMs: number) => ({ profile: BUILTIN_PROFILES.default!, timeoutMs, concurrency: 1, toolVersion: 't' });

test('the --user probe stalls: the target is an error naming the auth probe, within the one deadline', async () => {
  const port = await serve(stallsSecondProbe());
  const t0 = Date.now();
  const r = await scanTarget({ spec: `127.0.0.1:${port}`, host: '127.0.0.1', port }, { ...opts(1200), user: 'root' });
  const took = Date.now() - t0;
  assert.equal(r.status, 'error');
  assert.equal(r.error?.code, 'TIMEOUT');
  assert.equal(r.error?.probe, 'auth (--user root)');
  assert.match(r.error!.message, /^auth \(--user root\) probe failed/);
  assert.ok(r.algorithms, 'what the first probe saw is kept');
  assert.ok(took < 1200 + 700, `one deadline for the target: took ${took} ms with --timeout 1200`);
});

test('the --host-keys probe stalls: an error naming the host-key probe', async () => {
  const port = await serve(stallsSecondProbe());
  const t0 = Date.now();
  const r = await scanTarget({ spec: `127.0.0.1:${port}`, host: '127.0.0.1', port }, { ...opts(1000), hostKeys: true });
  const took = Date.now() - t0;
  assert.equal(r.status, 'error');
  assert.equal(r.error?.probe, 'host-key (ssh-ed25519)');
  assert.ok(took < 1000 + 700, `took ${took} ms with --timeout 1000`);
});

test('both extra probes stall: they share the one deadline (not 2x --timeout)', async () => {
  const port = await serve(stallsSecondProbe());
  const t0 = Date.now();
  const r = await scanTarget({ spec: `127.0.0.1:${port}`, host: '127.0.0.1', port }, { ...opts(1000), hostKeys: true, user: 'root' });
  const took = Date.now() - t0;
  assert.equal(r.status, 'error');
  assert.equal(r.error?.code, 'TIMEOUT');
  assert.ok(took < 1000 + 700, `took ${took} ms with --timeout 1000`);
});

test('sshield scan --user against a server that stalls the second probe: exit 2, the probe named', async () => {
  const port = await serve(stallsSecondProbe());
  const t0 = Date.now();
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const p = spawn(process.execPath, [...CLI, 'scan', '--user', 'root', '--timeout', '1500', '--json', `127.0.0.1:${port}`], { env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
  });
  const wall = Date.now() - t0;
  assert.equal(code, 2, stderr);
  const rep = JSON.parse(stdout);
  assert.equal(rep.summary.errors, 1);
  assert.equal(rep.summary.ok, 0);
  const t = rep.targets[0];
  assert.equal(t.status, 'error');
  assert.equal(t.error.probe, 'auth (--user root)');
  assert.ok(t.timings.totalMs < 1500 + 500, `target took ${t.timings.totalMs} ms with --timeout 1500`);
  // The process also starts Node and loads the CLI from source; the scan itself is bounded above.
  assert.ok(wall < 1500 + 8000, `process took ${wall} ms`);
  // text output names the probe too (a fresh server: its first connection answers again)
  const port2 = await serve(stallsSecondProbe());
  const text = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
    const p = spawn(process.execPath, [...CLI, 'scan', '--user', 'root', '--timeout', '800', `127.0.0.1:${port2}`], { env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('close', (c) => resolve({ code: c, stdout: out }));
  });
  assert.equal(text.code, 2);
  assert.match(text.stdout, /ERROR TIMEOUT: auth \(--user root\) probe failed/);
  assert.match(text.stdout, /0 scanned, 1 error/);
});
