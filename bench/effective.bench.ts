// Benchmarks of the sshd_config engine against the real daemon on this machine:
//   1. parse + evaluate a generated 10,000-line config (target < 50 ms) vs `sshd -T -f` on it;
//   2. evaluate one realistic config (Debian's sshd_config + 24 Match blocks + an Include) for
//      1,000 connection specs, tree loaded once (target < 100 ms) vs spawning `sshd -T -C` per
//      spec: measured on a sample of 100 spawns and extrapolated to 1,000 (said in the row);
//   3. whole-process `node bin/sshield.js effective` (the built CLI; target < 150 ms) vs `sshd -T`.
// Medians over several runs. Default export for bench/run.ts; or run this file directly.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { memoryFs } from '../src/host/memory-fs.js';
import { loadEffective, type ConnectionSpec } from '../src/sshd/evaluate/index.js';
import { BUILDS } from '../src/sshd/builds/index.js';
import { hostKeys } from '../test/helpers/sshd.js';
import { median, type Row } from './run.js';

const REPO = resolve(import.meta.dirname, '..');
const SSHD = '/usr/sbin/sshd';
const B92 = BUILDS['9.2p1-debian'];

/** A 10,000-line config: comments, blanks, global directives and Match blocks with overrides. */
export function bigConfig(hostKey: string, lines = 10_000): string {
  const global = ['PermitRootLogin prohibit-password', 'PasswordAuthentication no', 'X11Forwarding yes', 'AcceptEnv LANG LC_*', 'MaxAuthTries 4', 'LoginGraceTime 1m30s', 'Ciphers -*cbc', 'ClientAliveInterval 300', 'AllowUsers alice bob carol'];
  const inMatch = ['  PasswordAuthentication yes', '  X11Forwarding no', '  AllowTcpForwarding local', '  MaxSessions 3', '  PermitRootLogin no', '  Banner /etc/issue.net'];
  const out = [`HostKey ${hostKey}`, 'Port 22', 'Subsystem sftp /usr/lib/openssh/sftp-server'];
  let i = 0;
  while (out.length < lines * 0.4) out.push(i % 5 === 0 ? `# comment ${i++}` : i % 7 === 0 ? '' : global[i++ % global.length]!);
  let m = 0;
  while (out.length < lines) {
    out.push(`Match User u${m} Address 10.${m % 250}.0.0/16`);
    for (let k = 0; k < 9 && out.length < lines; k++) out.push(inMatch[(m + k) % inMatch.length]!);
    m++;
  }
  return `${out.join('\n')}\n`;
}

/** Debian 12's default sshd_config with 24 Match blocks and one Include: a busy real-world config. */
export function realisticConfig(hostKey: string, incDir: string): string {
  const head = `HostKey ${hostKey}\nInclude ${incDir}/*.conf\nKbdInteractiveAuthentication no\nUsePAM yes\nX11Forwarding yes\nPrintMotd no\nAcceptEnv LANG LC_*\nSubsystem sftp /usr/lib/openssh/sftp-server\nCiphers -*cbc\nKexAlgorithms -ecdh*\n`;
  const blocks: string[] = [];
  for (let i = 0; i < 24; i++) {
    const crit = i % 4 === 0 ? `User u${i},admin*` : i % 4 === 1 ? `Address 10.${i}.0.0/16,!10.${i}.9.9` : i % 4 === 2 ? `Host *.site${i}.example` : `LocalPort ${2200 + i}`;
    blocks.push(`Match ${crit}\n  PasswordAuthentication ${i % 2 ? 'yes' : 'no'}\n  AllowTcpForwarding no\n  MaxAuthTries ${2 + (i % 5)}\n  PubkeyAcceptedAlgorithms -ssh-rsa*\n`);
  }
  return head + blocks.join('');
}

function specs(n: number): ConnectionSpec[] {
  return Array.from({ length: n }, (_, i) => ({ user: i % 3 ? `u${i % 30}` : 'admin1', addr: `10.${i % 30}.${i % 256}.${(i * 7) % 256}`, host: `h${i}.site${i % 30}.example`, laddr: '127.0.0.1', lport: 2200 + (i % 30), rdomain: undefined as never }));
}
const specText = (s: ConnectionSpec) => `user=${s.user},addr=${s.addr},host=${s.host},laddr=${s.laddr},lport=${s.lport}`;

function timeMs(f: () => void): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}
async function timeAsync(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}
function spawnMs(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${String(r.stderr).slice(0, 300)}`);
  return ms;
}

export default async function bench(runs = 9): Promise<(Row | string)[]> {
  const rows: (Row | string)[] = [];
  const haveSshd = existsSync(SSHD) && process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'sshield-bench-eff-'));
  try {
    const [hk] = await hostKeys(['ed25519']);
    const big = bigConfig(hk!);
    const bigPath = join(dir, 'big.conf');
    writeFileSync(bigPath, big);
    const fsBig = memoryFs({ [bigPath]: big });
    // warm-up, then medians
    for (let i = 0; i < 3; i++) await loadEffective(fsBig, bigPath, { build: B92 });
    const parse: number[] = [];
    for (let i = 0; i < runs; i++) parse.push(await timeAsync(async () => { const r = await loadEffective(fsBig, bigPath, { build: B92 }); if (!r.effective.ok) throw new Error(r.effective.diagnostics[0]?.message); }));
    const peerBig = haveSshd ? median(Array.from({ length: runs }, () => spawnMs(SSHD, ['-T', '-f', bigPath]))) : undefined;
    rows.push(row('parse + evaluate 10,000-line config (in-process)', median(parse), 50, 'sshd -T -f (spawn)', peerBig));

    const incDir = join(dir, 'inc');
    execFileSync('mkdir', ['-p', incDir]);
    writeFileSync(join(incDir, '10-local.conf'), 'PermitRootLogin no\nPasswordAuthentication no\n');
    const realPath = join(dir, 'real.conf');
    const realText = realisticConfig(hk!, incDir);
    writeFileSync(realPath, realText);
    const fsReal = memoryFs({ [realPath]: realText, [join(incDir, '10-local.conf')]: 'PermitRootLogin no\nPasswordAuthentication no\n' });
    const ss = specs(1000);
    const many: number[] = [];
    for (let i = 0; i < runs + 2; i++) {
      many.push(await timeAsync(async () => {
        const l = await loadEffective(fsReal, realPath, { build: B92 });
        for (const s of ss) if (!l.evaluate(s).ok) throw new Error('rejected');
      }));
    }
    many.splice(0, 2);
    let peerMany: number | undefined;
    if (haveSshd) {
      const sample = ss.filter((_, i) => i % 10 === 0); // 100 spawns, extrapolated x10
      const t = timeMs(() => { for (const s of sample) spawnMs(SSHD, ['-T', '-f', realPath, '-C', specText(s)]); });
      peerMany = t * (ss.length / sample.length);
    }
    rows.push(row('load + evaluate 1 config for 1,000 specs (in-process)', median(many), 100, 'sshd -T -C x1000 (100 spawned, x10)', peerMany));

    const built = join(REPO, 'dist', 'sshield.cjs');
    if (!existsSync(built)) execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO, stdio: 'ignore' });
    const args = [join(REPO, 'bin', 'sshield.js'), 'effective', '--engine', 'builtin', '--openssh', '9.2p1-debian', '-f', realPath, '-C', specText(ss[1]!)];
    spawnMs(process.execPath, args);
    const cli = Array.from({ length: runs }, () => spawnMs(process.execPath, args));
    const peerCli = haveSshd ? median(Array.from({ length: runs }, () => spawnMs(SSHD, ['-T', '-f', realPath, '-C', specText(ss[1]!)]))) : undefined;
    rows.push(row('sshield effective -f -C (whole process, built CLI)', median(cli), 150, 'sshd -T -f -C', peerCli));
    // the floor under any command: node start + loading the one shared bundle
    const floor = median(Array.from({ length: runs }, () => spawnMs(process.execPath, [join(REPO, 'bin', 'sshield.js'), '--version'])));
    const bare = median(Array.from({ length: runs }, () => spawnMs(process.execPath, ['-e', '0'])));
    rows.push({ name: 'startup floor: sshield --version (whole process)', median_ms: floor });
    rows.push({ name: 'startup floor: node -e 0', median_ms: bare });
    rows.push(`whole-process effective = node start ${bare.toFixed(0)} ms + bundle load ${(floor - bare).toFixed(0)} ms + the command ${(median(cli) - floor).toFixed(0)} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

function row(name: string, median_ms: number, target_ms: number, peer: string, peer_median_ms: number | undefined): Row {
  return peer_median_ms === undefined
    ? { name, median_ms, target_ms, peer: `${peer}: unavailable (needs root and ${SSHD})` }
    : { name, median_ms, target_ms, peer, peer_median_ms, ratio: peer_median_ms / median_ms };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { printRows } = await import('./run.js');
  printRows('effective', await bench());
}
