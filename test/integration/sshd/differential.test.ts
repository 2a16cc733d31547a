// Differential test: random sshd_configs (seeded) with Includes (absolute paths into a temp dir,
// globs, dotfiles, no-match globs, Include inside Match, nested includes), every algorithm-list
// operator (+ - ^ -*), post-parse-check pairs (a keys/principals command with or without its
// user), version-specific Match criteria, PerSourcePenalties and LogLevel values, and UTF-8 /
// Latin-1 bytes in arguments, evaluated by the built-in evaluator (loadEffective over the include
// tree) and by the real sshd (`sshd -T -f F [-C spec]`, all specs of a config in one spawn):
// stdout must be byte-identical, and so must accept/reject. Three oracles (test/helpers/
// oracles.ts): Debian 12's /usr/sbin/sshd (9.2p1-debian), Debian 13's sshd in the cached trixie
// root (10.0p1-debian) and Debian unstable's in the sid root (10.6p1-debian); a root that is
// absent skips with the reason (for sid: only when the archive could not be reached). Seeds are
// printed; SSHIELD_DIFF_SEED and SSHIELD_DIFF_COUNT override the seed and the count (per build).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { oracles, type Oracle } from '../../helpers/oracles.js';
import { loadEffective, renderSshdT } from '../../../src/sshd/evaluate/index.js';
import { parseSpec } from '../../../src/cli/effective.js';
import type { BuildProfile } from '../../../src/sshd/builds/index.js';
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
  LogLevel: ['INFO', 'verbose', 'DEBUG', 'debug3', 'loud', 'QUIET', 'quiet', 'SILENT', 'fatal'],
  SyslogFacility: ['AUTH', 'authpriv', 'LOCAL7', 'nope'],
  // algorithm lists: every operator (+ - ^), wildcards, and `-*` (which empties the list: sshd
  // then prints the default, assemble_algorithms running twice)
  Ciphers: ['aes256-gcm@openssh.com,aes128-ctr', '+aes128-cbc', '-aes128-ctr', '^aes256-ctr', 'aes*', 'bogus-cipher', '-*cbc', '-*', '^aes128-cbc,3des-cbc', '-chacha*,aes*gcm*'],
  MACs: ['hmac-sha2-256,hmac-sha2-512', '-hmac-sha1*', '+hmac-md5', 'umac-64@openssh.com', '-*', '^hmac-sha2-512', '+hmac-sha1-96,hmac-md5'],
  KexAlgorithms: ['curve25519-sha256', '-ecdh*', '+diffie-hellman-group14-sha1', '^sntrup761x25519-sha512', '-*', '^diffie-hellman-group16-sha512,curve25519-sha256', '-sntrup*,mlkem*'],
  PubkeyAcceptedAlgorithms: ['+ssh-rsa', 'ssh-ed25519', '-rsa*', 'ssh-ed25519*', 'nokey', '-*', '^ssh-rsa', '^rsa-sha2-256,ssh-ed25519'],
  HostKeyAlgorithms: ['ssh-ed25519,rsa-sha2-512', '-ssh-rsa', '-*', '^ecdsa-sha2-nistp256', '*-cert-*'],
  CASignatureAlgorithms: ['ssh-ed25519', '+ssh-rsa', '-*', '^rsa-sha2-512'],
  HostbasedAcceptedAlgorithms: ['-*', '^ssh-ed25519', '+ssh-rsa', 'ecdsa*'],
  AcceptEnv: ['LANG LC_*', 'XMODIFIERS', 'BAD=1', `LC_${u8('Ñ')}`],
  // non-ASCII arguments: UTF-8 and Latin-1 bytes come back byte for byte
  AllowUsers: ['alice bob', 'root@10.0.0.1', 'carol', u8('ñandú'), 'ma\xefa \xf1and\xfa', `${u8('José')}@10.0.0.0/8`],
  // post-parse checks: a command without its user is fatal (sshd.c main), "none" is not a command
  AuthorizedKeysCommand: ['/usr/bin/true %u', 'none', `/opt/${u8('clés')}/get %u`],
  AuthorizedKeysCommandUser: ['nobody', 'none'],
  AuthorizedPrincipalsCommand: ['/usr/bin/true %u', 'none'],
  AuthorizedPrincipalsCommandUser: ['nobody'],
  RevokedKeys: ['/etc/ssh/revoked_keys', 'none'],
  TrustedUserCAKeys: ['/etc/ssh/ca.pub', 'none'],
  GSSAPIAuthentication: ['yes', 'no'],
  KerberosAuthentication: ['no'],
  DenyUsers: ['mallory', 'eve*'],
  AllowGroups: ['sudo adm', 'wheel'],
  DenyGroups: ['nogroup'],
  Banner: ['/etc/issue.net', 'none'],
  AuthorizedKeysFile: ['.ssh/authorized_keys', '.ssh/a .ssh/b', '/etc/ssh/keys/%u', 'none'],
  ForceCommand: ['/bin/true', 'internal-sftp -l INFO', 'none', `/usr/bin/echo ${u8('héllo')} \xe9t\xe9`],
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
  VersionAddendum: ['hello world', 'none', u8('ünïcode')],
  Subsystem: ['sftp /usr/lib/openssh/sftp-server', 'sftp internal-sftp -f AUTH', 'sftp "/opt/my sftp" -l "a b" x\\\\y', 'backup /usr/bin/true'],
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
/** A UTF-8 string as the byte string the config file holds (files are written as Latin-1 bytes). */
function u8(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

const MATCHES = ['User alice', 'User bob,carol', 'User !root,*', 'Group adm', 'Address 10.0.0.0/8', 'Address 192.168.1.*', 'Host *.example.com', 'LocalAddress 127.0.0.1', 'All', 'User alice Address 10.1.2.3', 'Address 10.0.0.1/8'];
const SPECS = ['user=alice,addr=10.1.2.3,host=a.example.com,laddr=127.0.0.1,lport=22', 'user=root,addr=192.168.1.5,host=b.example.org,laddr=127.0.0.2,lport=2222', 'user=bob,addr=::1,host=c,laddr=::1,lport=22'];

/** Keywords only 10.x knows (the 9.2 generator never emits them: 9.2 rejects them as unknown). */
const VALUES_10: Record<string, string[]> = {
  RefuseConnection: ['yes', 'no'],
  PerSourcePenalties: ['no', 'yes', 'authfail:300s min:350s max:900s', 'crash:1m overflow:deny-all', 'max-sources4:100 overflow6:deny-all', 'noauth:2 grace-exceeded:1h', 'bogus:1', 'yes authfail:2', 'invaliduser:3', 'authfail:1.5', 'Crash:5', 'max-sources6:x'],
  PerSourcePenaltyExemptList: ['10.0.0.0/8,192.168.0.0/16', 'none'],
};
/** Match criteria 10.0p1 added: invalid-user, version, attr=value (9.2 rejects them). */
const MATCHES_10 = ['invalid-user', 'Version OpenSSH_10*', 'version *Debian*', 'Version OpenSSH_9*', 'User=alice', 'Address=10.0.0.0/8 User bob', 'invalid-user User alice'];
/** What 10.6p1 adds or changes. */
const VALUES_106: Record<string, string[]> = {
  WarnWeakCrypto: ['yes', 'no', 'no-pq-kex', 'maybe'],
  AgentSocketPath: ['none', 'user:.ssh/agent.sock', '/tmp/agent'],
  TCPKeepAlive: ['yes', 'no', 'true', 'false'],
  PubkeyAuthOptions: ['none', 'touch-required', 'max-pk-ok:3', 'verify-required max-pk-ok:0', 'max-pk-ok:x'],
  RevokedKeys: ['/etc/ssh/revoked_keys', 'none', '/etc/ssh/r1 /etc/ssh/r2'],
};

function spell(k: string, r: () => number): string {
  const x = r();
  return x < 0.2 ? k.toLowerCase() : x < 0.3 ? k.toUpperCase() : k;
}

/** A generated config set: `main` and `files` (paths relative to @DIR@); "@DIR@" is the directory sshd sees. */
export interface Generated {
  readonly main: string;
  readonly files: Record<string, string>;
}

const INCLUDES = ['@DIR@/inc/a.conf', '@DIR@/inc/*.conf', '@DIR@/inc/[ab].conf', '@DIR@/none-*.conf', '@DIR@/inc/sub/*', '@DIR@/inc/a.conf @DIR@/inc/b.conf', '@DIR@/inc/c?.conf', '@DIR@/inc/.hidden.conf'];

export function generate(seed: number, hostKey: string, build: BuildProfile): Generated {
  const r = rng(seed);
  const values = build.version >= 10.6 ? { ...VALUES, ...VALUES_10, ...VALUES_106 } : build.version >= 10 ? { ...VALUES, ...VALUES_10 } : VALUES;
  const matches = build.version >= 10 ? [...MATCHES, ...MATCHES_10] : MATCHES;
  const keys = Object.keys(values);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const matchList = matches;
  const body = (min: number, spread: number, includes: boolean, matches: boolean): string[] => {
    const lines: string[] = [];
    const n = min + Math.floor(r() * spread);
    let inMatch = false;
    for (let i = 0; i < n; i++) {
      const x = r();
      if (matches && x < 0.12) { lines.push(`Match ${pick(matchList)}`); inMatch = true; continue; }
      if (includes && x < 0.22) { lines.push(`${inMatch ? '  ' : ''}${spell('Include', r)} ${pick(INCLUDES)}`); continue; }
      const k = pick(keys);
      const v = pick(values[k]!);
      const sep = r() < 0.15 ? ' = ' : r() < 0.1 ? '\t' : ' ';
      const val = r() < 0.1 && !v.includes(' ') ? `"${v}"` : v;
      lines.push(`${inMatch ? '  ' : ''}${spell(k, r)}${sep}${val}${r() < 0.05 ? (r() < 0.5 ? ' # note' : ` # ${u8('remarque: été')}`) : ''}`);
    }
    return lines;
  };
  const text = (lines: string[]) => (lines.length ? `${lines.join('\n')}\n` : '');
  const files: Record<string, string> = {
    'inc/a.conf': text(body(1, 4, false, true)),
    'inc/b.conf': text([...body(0, 3, false, true), ...(r() < 0.5 ? ['Include @DIR@/inc/sub/*'] : []), ...body(0, 2, false, true)]),
    'inc/c1.conf': text(body(0, 3, false, false)),
    'inc/.hidden.conf': 'Bogus keyword\n',
    'inc/sub/n.conf': text(body(1, 3, false, true)),
  };
  return { main: text([`HostKey ${hostKey}`, ...body(3, 10, true, true)]), files };
}

async function pool<T>(items: T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: limit }, async () => { while (i < items.length) await fn(items[i++]!); }));
}

async function differential(o: Oracle): Promise<void> {
  const seed = Number(process.env.SSHIELD_DIFF_SEED ?? Date.now() % 1e9);
  const count = Number(process.env.SSHIELD_DIFF_COUNT ?? 300);
  const hostKey = await o.hostKey();
  const failures: string[] = [];
  let accepted = 0, withIncludedValues = 0;
  const specs = [undefined, ...SPECS];
  await pool(Array.from({ length: count }, (_, i) => seed + i), 4, async (s) => {
    const g = generate(s, hostKey, o.build);
    const placed = o.place(g.main, g.files);
    try {
      const loaded = await loadEffective(o.fs, placed.main, { build: o.build, cwd: o.cwd });
      if (loaded.effective.ok) {
        accepted++;
        if (loaded.effective.entries.some((e) => e.origin.kind === 'directive' && e.origin.file !== placed.main)) withIncludedValues++;
      }
      // every spec of this config in one spawn (spawning dominates on a loaded machine)
      const reals = await placed.sshdTMany(specs);
      for (const [i, specText] of specs.entries()) {
        const real = reals[i]!;
        const spec = specText ? (parseSpec(specText) as ConnectionSpec) : undefined;
        const eff = loaded.evaluate(spec);
        const mine = renderSshdT(eff);
        const realOk = real.code === 0;
        if (realOk !== eff.ok || (realOk && real.stdout !== mine)) {
          const shown = [`--- ${placed.main}`, g.main, ...Object.entries(g.files).map(([k, v]) => `--- @DIR@/${k}\n${v}`)].join('\n');
          failures.push(`seed ${s} spec ${specText ?? '(none)'}: real ${realOk ? 'accepts' : `rejects: ${real.stderr.trim()}`}, ours ${eff.ok ? 'accepts' : `rejects: ${eff.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.file}:${d.line}: ${d.message}`).join('; ')}`}\n${shown}${realOk && eff.ok ? diffLines(real.stdout, mine) : ''}`);
          break;
        }
      }
    } finally {
      placed.remove();
    }
  });
  assert.equal(failures.length, 0, `${o.build.id}: base seed ${seed}, ${failures.length} of ${count} configs differ:\n${failures.slice(0, 5).join('\n')}`);
  // the generator must keep producing accepted configs whose values come from included files
  assert.ok(accepted >= count * 0.15, `only ${accepted} of ${count} configs accepted: the generator lost its valid half`);
  assert.ok(withIncludedValues >= count * 0.02, `only ${withIncludedValues} accepted configs take a value from an included file`);
  console.log(`${o.build.id}: ${count} configs (seed ${seed}), ${accepted} accepted, ${withIncludedValues} with values from included files, 0 differences`);
}

const [DEBIAN12, DEBIAN13, UNSTABLE] = oracles();

test('built-in evaluator equals Debian 12 sshd -T on random configs with Includes', { skip: DEBIAN12!.unavailable ?? false }, async () => {
  await differential(DEBIAN12!);
});

test('built-in evaluator (10.0p1-debian) equals Debian 13 sshd -T on random configs with Includes', { skip: DEBIAN13!.unavailable ?? false }, async () => {
  await differential(DEBIAN13!);
});

test('built-in evaluator (10.6p1-debian) equals Debian unstable sshd -T on random configs with Includes', { skip: UNSTABLE!.unavailable ?? false }, async () => {
  await differential(UNSTABLE!);
});

function diffLines(a: string, b: string): string {
  const A = a.split('\n'), B = b.split('\n');
  return `--- only sshd:\n${A.filter((x) => !B.includes(x)).join('\n')}\n--- only ours:\n${B.filter((x) => !A.includes(x)).join('\n')}\n`;
}
