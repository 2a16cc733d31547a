// Benchmark: `sshield scan` (the built CLI, whole process) against ssh-audit (Debian package) on
// the same 100 real sshd instances on 127.0.0.1, in one run. Four configs cycle over the
// instances (default, hardened, chacha20+CBC+etm with an RSA key, ssh-rsa allowed) so that "the
// algorithm findings agree" compares different lists, not one list 100 times. Every daemon is
// stopped by PID whatever happens (finally, exit and signal handlers).
//
// Default export: async () => rows (strings, already printed by the caller); run directly with
// `node --import tsx bench/scan.bench.ts [N]`.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startSshd, run, type SshdInstance } from '../test/helpers/sshd.js';
import { mapPool } from '../src/scan/pool.js';

const CONFIGS: { keys: ('ed25519' | 'rsa')[]; config: string }[] = [
  { keys: ['ed25519'], config: '' },
  { keys: ['ed25519'], config: 'KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256\nCiphers aes256-gcm@openssh.com,aes128-gcm@openssh.com\nMACs hmac-sha2-256-etm@openssh.com\n' },
  { keys: ['rsa'], config: 'Ciphers chacha20-poly1305@openssh.com,aes128-cbc,aes256-ctr\nMACs hmac-sha2-256-etm@openssh.com,hmac-sha1\n' },
  { keys: ['ed25519', 'rsa'], config: 'HostKeyAlgorithms ssh-ed25519,ssh-rsa,rsa-sha2-512\n' },
];

const live = new Set<ChildProcess>();
const killAll = () => {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timed(cmd: string, args: string[], timeoutMs = 600_000): Promise<{ ms: number; code: number | null; stdout: string; stderr: string }> {
  const t0 = performance.now();
  const r = await run(cmd, args, { timeoutMs });
  return { ms: performance.now() - t0, ...r };
}

interface Lists {
  kex: string[];
  key: string[];
  enc: string[];
  mac: string[];
}

export default async function bench(n = Number(process.env.SSHIELD_BENCH_TARGETS ?? 100)): Promise<string[]> {
  const rows: string[] = [];
  const instances: SshdInstance[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'sshield-bench-scan-'));
  const onSignal = () => {
    killAll();
    process.exit(130);
  };
  process.once('exit', killAll);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const t0 = performance.now();
    await mapPool(Array.from({ length: n }, (_, i) => i), 8, async (i) => {
      const c = CONFIGS[i % CONFIGS.length]!;
      const inst = await startSshd({ hostKeyTypes: c.keys, config: `LogLevel QUIET\nMaxStartups 100:30:200\n${c.config}` });
      instances[i] = inst;
      live.add(inst.child);
    });
    rows.push(`started ${n} sshd instances on 127.0.0.1 in ${Math.round(performance.now() - t0)} ms`);
    const targets = join(dir, 'targets.txt');
    writeFileSync(targets, instances.map((s) => `127.0.0.1:${s.port}\n`).join(''));

    // sshield: the built CLI, whole process, 5 runs.
    const ours: number[] = [];
    let json = '';
    for (let r = 0; r < 5; r++) {
      const res = await timed(process.execPath, ['bin/sshield.js', 'scan', '--targets', targets, '--json', '--concurrency', '100']);
      if (res.code === 2) throw new Error(`sshield scan failed: ${res.stderr.slice(0, 500)}`);
      ours.push(res.ms);
      json = res.stdout;
    }
    const report = JSON.parse(json) as { summary: { errors: number; wallMs: number }; targets: { port: number; error?: unknown; algorithms?: { kex: string[]; hostKey: string[]; ciphersServerToClient: string[]; macsServerToClient: string[] } }[] };

    // ssh-audit: its own multi-target mode (-T, default 32 threads), and one process per target
    // (32 at a time) because 2.5.0's -T JSON names the host without the port.
    const theirsT: number[] = [];
    for (let r = 0; r < 2; r++) theirsT.push((await timed('ssh-audit', ['-n', '-T', targets])).ms);
    const perTarget: (Lists | undefined)[] = [];
    const tp = performance.now();
    await mapPool(instances, 32, async (s, i) => {
      const r = await run('ssh-audit', ['-j', '-p', String(s.port), '127.0.0.1'], { timeoutMs: 60_000 });
      try {
        const j = JSON.parse(r.stdout) as { kex: { algorithm: string }[]; key: { algorithm: string }[]; enc: string[]; mac: string[] };
        perTarget[i] = { kex: j.kex.map((k) => k.algorithm), key: j.key.map((k) => k.algorithm), enc: j.enc, mac: j.mac };
      } catch {
        perTarget[i] = undefined;
      }
    });
    const theirsEach = performance.now() - tp;

    let agree = 0;
    const diffs: string[] = [];
    report.targets.forEach((t, i) => {
      const a = t.algorithms;
      const b = perTarget[i];
      if (!a || !b) {
        diffs.push(`127.0.0.1:${t.port}: ${!a ? 'sshield error' : 'ssh-audit error'}`);
        return;
      }
      const same = (x: string[], y: string[]) => JSON.stringify([...x].sort()) === JSON.stringify([...y].sort());
      const bad = (['kex', 'key', 'enc', 'mac'] as const).filter((k) => !same(k === 'kex' ? a.kex : k === 'key' ? a.hostKey : k === 'enc' ? a.ciphersServerToClient : a.macsServerToClient, b[k]));
      if (bad.length === 0) agree++;
      else diffs.push(`127.0.0.1:${t.port}: ${bad.join(',')} differ`);
    });

    const m = median(ours);
    const mt = median(theirsT);
    const best = Math.min(mt, theirsEach);
    rows.push(`sshield scan (built CLI, ${n} targets, 1 connection each): median ${Math.round(m)} ms of 5 runs [${ours.map((x) => Math.round(x)).join(', ')}], ${report.summary.errors} errors; of which scanning itself (summary.wallMs, last run) ${Math.round(report.summary.wallMs)} ms`);
    rows.push(`ssh-audit 2.5.0 -T (32 threads): median ${Math.round(mt)} ms of 2 runs [${theirsT.map((x) => Math.round(x)).join(', ')}]`);
    rows.push(`ssh-audit 2.5.0 one process per target, 32 parallel: ${Math.round(theirsEach)} ms`);
    rows.push(`ratio (ssh-audit's faster mode / sshield): ${(best / m).toFixed(1)}x`);
    rows.push(`algorithm lists (kex incl. markers, host key, ciphers, MACs as sets) agree on ${agree}/${n} targets${diffs.length ? `; first differences: ${diffs.slice(0, 5).join('; ')}` : ''}`);
    return rows;
  } finally {
    await Promise.all(instances.filter(Boolean).map((s) => s.stop()));
    killAll();
    live.clear();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = process.argv[2] ? Number(process.argv[2]) : undefined;
  bench(n).then(
    (rows) => console.log(rows.join('\n')),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
