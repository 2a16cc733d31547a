// Differential test: random sshd_configs (seeded) evaluated by the built-in evaluator and by the
// real Debian 12 sshd (`sshd -T -f F [-C spec]`): stdout must be identical, and so must
// accept/reject. SSHIELD_DIFF_SEED and SSHIELD_DIFF_COUNT override the seed and the count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sshdAvailable, sshdT, hostKeys } from '../../helpers/sshd.js';
import { evaluateEffective } from '../../../src/sshd/evaluate/evaluate.js';
import { loadItems, parseSpec } from '../../../src/cli/effective.js';
import { BUILDS } from '../../../src/sshd/builds/index.js';
import type { ConnectionSpec } from '../../../src/sshd/evaluate/types.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VALUES: Record<string, string[]> = {
  PermitRootLogin: ['yes', 'no', 'prohibit-password', 'without-password', 'forced-commands-only', 'maybe'],
  PasswordAuthentication: ['yes', 'no', 'YES', 'off'],
  KbdInteractiveAuthentication: ['yes', 'no'],
  ChallengeResponseAuthentication: ['yes', 'no'],
  PubkeyAuthentication: ['yes', 'no'],
  X11Forwarding: ['yes', 'no'],
  AllowTcpForwarding: ['yes', 'no', 'all', 'local', 'remote', 'sometimes'],
  GatewayPorts: ['yes', 'no', 'clientspecified'],
  MaxAuthTries: ['3', '6', '0', '-1', 'x'],
  MaxSessions: ['2', '10'],
  LoginGraceTime: ['30', '1m30s', '2h', '0', '1x'],
  ClientAliveInterval: ['300', '5m', 'bad'],
  ClientAliveCountMax: ['0', '3'],
  LogLevel: ['INFO', 'verbose', 'DEBUG', 'debug3', 'loud'],
  SyslogFacility: ['AUTH', 'authpriv', 'LOCAL7', 'nope'],
  Ciphers: ['aes256-gcm@openssh.com,aes128-ctr', '+aes128-cbc', '-aes128-ctr', '^aes256-ctr', 'aes*', 'bogus-cipher', '-*cbc'],
  MACs: ['hmac-sha2-256,hmac-sha2-512', '-hmac-sha1*', '+hmac-md5', 'umac-64@openssh.com'],
  KexAlgorithms: ['curve25519-sha256', '-ecdh*', '+diffie-hellman-group14-sha1', '^sntrup761x25519-sha512'],
  PubkeyAcceptedAlgorithms: ['+ssh-rsa', 'ssh-ed25519', '-rsa*', 'ssh-ed25519*', 'nokey'],
  HostKeyAlgorithms: ['ssh-ed25519,rsa-sha2-512', '-ssh-rsa'],
  CASignatureAlgorithms: ['ssh-ed25519', '+ssh-rsa'],
  AcceptEnv: ['LANG LC_*', 'XMODIFIERS', 'BAD=1'],
  AllowUsers: ['alice bob', 'root@10.0.0.1', 'carol'],
  DenyUsers: ['mallory', 'eve*'],
  AllowGroups: ['sudo adm', 'wheel'],
  DenyGroups: ['nogroup'],
  Banner: ['/etc/issue.net', 'none'],
  AuthorizedKeysFile: ['.ssh/authorized_keys', '.ssh/a .ssh/b', '/etc/ssh/keys/%u', 'none'],
  ForceCommand: ['/bin/true', 'internal-sftp -l INFO', 'none'],
  ChrootDirectory: ['/srv/%u', 'none'],
  IPQoS: ['lowdelay', 'af21 cs1', 'ef', '0x10', 'bogus'],
  MaxStartups: ['10:30:60', '5', '20:50:10', '1:101:5'],
  PerSourceMaxStartups: ['5', 'none'],
  PerSourceNetBlockSize: ['24:64', '32', '33'],
  RekeyLimit: ['1G 1h', 'default none', '512M', '10'],
  Compression: ['yes', 'no', 'delayed'],
  UseDNS: ['yes', 'no'],
  PrintMotd: ['no', 'yes'],
  TCPKeepAlive: ['no'],
  StreamLocalBindMask: ['0177', '022', '0999'],
  FingerprintHash: ['md5', 'sha256', 'sha1'],
  PermitTunnel: ['yes', 'no', 'point-to-point', 'ethernet', 'maybe'],
  PermitUserEnvironment: ['yes', 'no', 'LANG,LC_*'],
  PermitOpen: ['any', 'none', 'localhost:80 127.0.0.1:443'],
  PermitListen: ['any', '8080', 'localhost:80'],
  AuthenticationMethods: ['publickey,password', 'any', 'publickey keyboard-interactive:pam', 'bogus'],
  SetEnv: ['FOO=bar', 'A=1 B=2', 'BAD'],
  UnusedConnectionTimeout: ['none', '5m'],
  ChannelTimeout: ['session=5m', 'none'],
  VersionAddendum: ['hello world', 'none'],
  Subsystem: ['sftp /usr/lib/openssh/sftp-server', 'sftp internal-sftp -f AUTH'],
  UsePAM: ['yes', 'no'],
  Port: ['22', '2222', '0', 'ssh'],
  AddressFamily: ['inet', 'any'],
  ListenAddress: ['127.0.0.1', '127.0.0.1:2200', '0.0.0.0'],
  IgnoreRhosts: ['yes', 'shosts-only'],
  ExposeAuthInfo: ['yes'],
  DisableForwarding: ['yes'],
  Protocol: ['2'],
  UsePrivilegeSeparation: ['sandbox'],
  ObscureKeystrokeTiming: ['yes'],
  DebianBanner: ['no'],
  RequiredRSASize: ['2048'],
  PubkeyAuthOptions: ['none', 'touch-required', 'verify-required touch-required'],
};
const MATCHES = ['User alice', 'User bob,carol', 'User !root,*', 'Group adm', 'Address 10.0.0.0/8', 'Address 192.168.1.*', 'Host *.example.com', 'LocalAddress 127.0.0.1', 'All', 'User alice Address 10.1.2.3', 'Address 10.0.0.1/8'];
const SPECS = ['user=alice,addr=10.1.2.3,host=a.example.com,laddr=127.0.0.1,lport=22', 'user=root,addr=192.168.1.5,host=b.example.org,laddr=127.0.0.2,lport=2222', 'user=bob,addr=::1,host=c,laddr=::1,lport=22'];

function spell(k: string, r: () => number): string {
  const x = r();
  return x < 0.2 ? k.toLowerCase() : x < 0.3 ? k.toUpperCase() : k;
}

export function generate(seed: number, hostKey: string): string {
  const r = rng(seed);
  const keys = Object.keys(VALUES);
  const lines = [`HostKey ${hostKey}`];
  const n = 3 + Math.floor(r() * 10);
  let inMatch = false;
  for (let i = 0; i < n; i++) {
    if (r() < 0.12) { lines.push(`Match ${MATCHES[Math.floor(r() * MATCHES.length)]}`); inMatch = true; continue; }
    const k = keys[Math.floor(r() * keys.length)]!;
    const vals = VALUES[k]!;
    const v = vals[Math.floor(r() * vals.length)]!;
    const sep = r() < 0.15 ? ' = ' : r() < 0.1 ? '\t' : ' ';
    const val = r() < 0.1 && !v.includes(' ') ? `"${v}"` : v;
    lines.push(`${inMatch ? '  ' : ''}${spell(k, r)}${sep}${val}${r() < 0.05 ? ' # note' : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

async function pool<T>(items: T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: limit }, async () => { while (i < items.length) await fn(items[i++]!); }));
}

test('built-in evaluator equals Debian 12 sshd -T on random configs', { skip: !sshdAvailable() && 'needs root and /usr/sbin/sshd' }, async () => {
  const [hk] = await hostKeys(['ed25519']);
  const seed = Number(process.env.SSHIELD_DIFF_SEED ?? Date.now() % 1e9);
  const count = Number(process.env.SSHIELD_DIFF_COUNT ?? 300);
  const dir = mkdtempSync(join(tmpdir(), 'sshield-diff-'));
  const failures: string[] = [];
  try {
    await pool(Array.from({ length: count }, (_, i) => seed + i), 4, async (s) => {
      const text = generate(s, hk!);
      const f = join(dir, `c${s}`);
      writeFileSync(f, text);
      for (const specText of [undefined, ...SPECS]) {
        const real = await sshdT(f, specText);
        const spec = specText ? (parseSpec(specText) as ConnectionSpec) : undefined;
        const eff = evaluateEffective(loadItems('/', f), { build: BUILDS['9.2p1-debian'], spec, cwd: process.cwd() });
        const mine = eff.entries.flatMap((e) => e.values.map((v) => `${e.key} ${v}\n`)).join('');
        const realOk = real.code === 0;
        if (realOk !== eff.ok || (realOk && real.stdout !== mine)) {
          failures.push(`seed ${s} spec ${specText ?? '(none)'}: real ${realOk ? 'accepts' : `rejects: ${real.stderr.trim()}`}, ours ${eff.ok ? 'accepts' : `rejects: ${eff.diagnostics.map((d) => d.message).join('; ')}`}\n--- config\n${text}${realOk && eff.ok ? diffLines(real.stdout, mine) : ''}`);
          break;
        }
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(failures.length, 0, `base seed ${seed}, ${failures.length} of ${count} configs differ:\n${failures.slice(0, 5).join('\n')}`);
});

function diffLines(a: string, b: string): string {
  const A = a.split('\n'), B = b.split('\n');
  return `--- only sshd:\n${A.filter((x) => !B.includes(x)).join('\n')}\n--- only ours:\n${B.filter((x) => !A.includes(x)).join('\n')}\n`;
}
