// Benchmark: `sshield scan` (the built CLI, whole process, default 1 connection per target)
// against both Debian packages of ssh-audit on the same 100 real sshd instances on 127.0.0.1,
// in one run: Debian 12's 2.5.0 on the host (its faster mode: -T or one process per target,
// 32 at a time) and Debian 13's 3.3.0 (`chroot ROOT ssh-audit -j -T`, the version the issue
// describes: 54 connections per target including the DHEat rate test; install it with
// scripts/peer-ssh-audit3.sh). Next to them the physical floor (bench/floor-probe.mjs): bare
// sockets that only read each server's KEXINIT, in-process and as a whole process. On a small
// machine sshd's fork + re-exec per connection is most of that floor, which bounds every ratio.
// Four configs cycle over the instances (default, hardened, chacha20+CBC+etm with an RSA key,
// ssh-rsa allowed) so that "the algorithm lists agree" compares different lists, not one list
// 100 times; agreement is checked as sets, per category, against each ssh-audit version, with
// the raw lists as each tool prints them (no renaming). Every daemon is stopped by PID whatever
// happens (finally, exit and signal handlers).
//
// Default export: async () => rows (bench/run.ts's Row contract); run directly with
// `node --import tsx bench/scan.bench.ts [N]`.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startSshd, run, type SshdInstance } from '../test/helpers/sshd.js';
import { TRIXIE_ROOT } from '../test/helpers/trixie.js';
import { mapPool } from '../src/scan/pool.js';
import { floorProbe } from './floor-probe.mjs';
import { median, printRows, type Row } from './run.js';

const CONFIGS: { keys: ('ed25519' | 'rsa')[]; config: string }[] = [
  { keys: ['ed25519'], config: '' },
  { keys: ['ed25519'], config: 'KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256\nCiphers aes256-gcm@openssh.com,aes128-gcm@openssh.com\nMACs hmac-sha2-256-etm@openssh.com\n' },
  { keys: ['rsa'], config: 'Ciphers chacha20-poly1305@openssh.com,aes128-cbc,aes256-ctr\nMACs hmac-sha2-256-etm@openssh.com,hmac-sha1\n' },
  { keys: ['ed25519', 'rsa'], config: 'HostKeyAlgorithms ssh-ed25519,ssh-rsa,rsa-sha2-512\n' },
];
const RUNS_OURS = 5;
const RUNS_FLOOR = 5;
const RUNS_PEER = 2;
const FLOOR_SCRIPT = join(import.meta.dirname, 'floor-probe.mjs');
const CLI = join(import.meta.dirname, '..', 'bin', 'sshield.js');

const live = new Set<ChildProcess>();
const killAll = () => {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
};

async function timed(cmd: string, args: string[], timeoutMs = 600_000): Promise<{ ms: number; code: number | null; stdout: string; stderr: string }> {
  const t0 = performance.now();
  const r = await run(cmd, args, { timeoutMs });
  return { ms: performance.now() - t0, ...r };
}

const CATEGORIES = ['kex', 'key', 'enc', 'mac'] as const;
type Category = (typeof CATEGORIES)[number];
type Lists = Record<Category, string[]>;

/** ssh-audit's -j lists: 2.5.0 prints enc/mac as strings, 3.3.0 as {algorithm, notes}; kex/key are objects in both. */
type AuditEntry = string | { algorithm: string };
interface AuditJson {
  target?: string;
  kex: AuditEntry[];
  key: AuditEntry[];
  enc: AuditEntry[];
  mac: AuditEntry[];
}
const names = (xs: AuditEntry[] | undefined): string[] => (xs ?? []).map((x) => (typeof x === 'string' ? x : x.algorithm));
const auditLists = (j: AuditJson): Lists => ({ kex: names(j.kex), key: names(j.key), enc: names(j.enc), mac: names(j.mac) });

interface OurTarget {
  port: number;
  error?: unknown;
  algorithms?: { kex: string[]; hostKey: string[]; ciphersServerToClient: string[]; macsServerToClient: string[] };
}
/** sshield's KEXINIT lists in ssh-audit's categories: kex keeps its markers (kex-strict-s-v00@openssh.com, ext-info-s) as ssh-audit does. */
const ourLists = (a: NonNullable<OurTarget['algorithms']>): Lists => ({ kex: a.kex, key: a.hostKey, enc: a.ciphersServerToClient, mac: a.macsServerToClient });

interface Agreement {
  agree: number;
  diffs: string[];
}
/** Set comparison per category; a difference names what only one side lists. */
function compare(ours: readonly OurTarget[], theirs: readonly (Lists | undefined)[], peer: string): Agreement {
  let agree = 0;
  const diffs: string[] = [];
  ours.forEach((t, i) => {
    const b = theirs[i];
    if (!t.algorithms || !b) {
      diffs.push(`127.0.0.1:${t.port}: ${!t.algorithms ? 'sshield error' : `${peer}: no result`}`);
      return;
    }
    const a = ourLists(t.algorithms);
    const bad: string[] = [];
    for (const c of CATEGORIES) {
      const sa = new Set(a[c]);
      const sb = new Set(b[c]);
      const onlyOurs = [...sa].filter((x) => !sb.has(x));
      const onlyTheirs = [...sb].filter((x) => !sa.has(x));
      if (onlyOurs.length || onlyTheirs.length) bad.push(`${c}${onlyOurs.length ? ` only sshield: ${onlyOurs.join(',')}` : ''}${onlyTheirs.length ? ` only ${peer}: ${onlyTheirs.join(',')}` : ''}`);
    }
    if (bad.length === 0) agree++;
    else diffs.push(`127.0.0.1:${t.port}: ${bad.join('; ')}`);
  });
  return { agree, diffs };
}

const list = (xs: readonly number[]) => `[${xs.map((x) => Math.round(x)).join(', ')}]`;

/** Why ssh-audit 3.3.0 cannot run from the trixie root, or undefined when it can. */
function audit3Unavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (chroot)';
  if (!existsSync(join(TRIXIE_ROOT, 'usr/sbin/sshd'))) return `no Debian 13 root at ${TRIXIE_ROOT}`;
  if (!existsSync(join(TRIXIE_ROOT, 'usr/bin/ssh-audit'))) return `ssh-audit is not installed in ${TRIXIE_ROOT}`;
  return undefined;
}

export default async function bench(n = Number(process.env.SSHIELD_BENCH_TARGETS ?? 100)): Promise<(Row | string)[]> {
  const rows: (Row | string)[] = [];
  const instances: SshdInstance[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'sshield-bench-scan-'));
  let rootDir: string | undefined; // a copy of the targets inside the trixie root, for the chrooted ssh-audit
  // On a signal `finally` does not run: kill the daemons and remove every directory here.
  const onSignal = () => {
    killAll();
    for (const d of [dir, rootDir, ...instances.map((s) => s?.dir)]) if (d) rmSync(d, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('exit', killAll);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (!existsSync(join(import.meta.dirname, '..', 'dist', 'sshield.cjs'))) await run('npm', ['run', '-s', 'build'], { timeoutMs: 120_000 });
    const t0 = performance.now();
    await mapPool(Array.from({ length: n }, (_, i) => i), 8, async (i) => {
      const c = CONFIGS[i % CONFIGS.length]!;
      const inst = await startSshd({ hostKeyTypes: c.keys, config: `LogLevel QUIET\nMaxStartups 100:30:200\n${c.config}` });
      instances[i] = inst;
      live.add(inst.child);
    });
    rows.push(`started ${n} sshd instances (OpenSSH 9.2p1, Debian 12) on 127.0.0.1 in ${Math.round(performance.now() - t0)} ms`);
    const targetText = instances.map((s) => `127.0.0.1:${s.port}\n`).join('');
    const targets = join(dir, 'targets.txt');
    writeFileSync(targets, targetText);
    const floorTargets = instances.map((s) => ({ host: '127.0.0.1', port: s.port }));

    // The floor: bare sockets reading each KEXINIT, in-process (one warm-up) and as a bare node process.
    await floorProbe(floorTargets);
    const floorIn: number[] = [];
    let floorErrors: readonly string[] = [];
    for (let r = 0; r < RUNS_FLOOR; r++) {
      const f = await floorProbe(floorTargets);
      floorIn.push(f.ms);
      floorErrors = f.errors;
    }
    const floorWhole: number[] = [];
    for (let r = 0; r < RUNS_FLOOR; r++) {
      const res = await timed(process.execPath, [FLOOR_SCRIPT, targets]);
      if (res.code !== 0) throw new Error(`floor probe failed: ${res.stderr.slice(0, 500)}`);
      floorWhole.push(res.ms);
    }

    // sshield: the built CLI, whole process.
    const ours: number[] = [];
    const oursScanning: number[] = [];
    let json = '';
    for (let r = 0; r < RUNS_OURS; r++) {
      const res = await timed(process.execPath, [CLI, 'scan', '--targets', targets, '--json', '--concurrency', '100']);
      if (res.code === 2) throw new Error(`sshield scan failed: ${res.stderr.slice(0, 500)}`);
      ours.push(res.ms);
      json = res.stdout;
      oursScanning.push((JSON.parse(json) as { summary: { wallMs: number } }).summary.wallMs);
    }
    const report = JSON.parse(json) as { summary: { errors: number; wallMs: number }; targets: OurTarget[] };

    // ssh-audit 2.5.0: its own multi-target mode (-T, default 32 threads), and one process per
    // target (32 at a time) because 2.5.0's -T JSON names the host without the port.
    const a2T: number[] = [];
    for (let r = 0; r < RUNS_PEER; r++) a2T.push((await timed('ssh-audit', ['-n', '-T', targets])).ms);
    const a2Lists: (Lists | undefined)[] = [];
    const tp = performance.now();
    await mapPool(instances, 32, async (s, i) => {
      const r = await run('ssh-audit', ['-j', '-p', String(s.port), '127.0.0.1'], { timeoutMs: 60_000 });
      try {
        a2Lists[i] = auditLists(JSON.parse(r.stdout) as AuditJson);
      } catch {
        a2Lists[i] = undefined;
      }
    });
    const a2Each = performance.now() - tp;

    // ssh-audit 3.3.0 from the Debian 13 root: -j -T, results matched by their "target" field
    // (it prints them in completion order, not input order).
    const why3 = audit3Unavailable();
    const a3T: number[] = [];
    let a3Lists: (Lists | undefined)[] | undefined;
    let a3Note = '';
    if (!why3) {
      const tmp = join(TRIXIE_ROOT, 'tmp');
      mkdirSync(tmp, { recursive: true, mode: 0o1777 });
      rootDir = mkdtempSync(join(tmp, 'sshield-bench-scan-'));
      writeFileSync(join(rootDir, 'targets.txt'), targetText);
      const inRoot = `/tmp/${rootDir.slice(tmp.length + 1)}/targets.txt`;
      let out = '';
      for (let r = 0; r < RUNS_PEER; r++) {
        const res = await timed('chroot', [TRIXIE_ROOT, 'ssh-audit', '-j', '-T', inRoot]);
        a3T.push(res.ms);
        out = res.stdout;
        if (!out.trim()) a3Note = `ssh-audit 3.3.0 printed nothing (exit ${res.code}): ${res.stderr.slice(0, 300)}`;
      }
      try {
        const byTarget = new Map((JSON.parse(out) as AuditJson[]).map((j) => [j.target, auditLists(j)]));
        a3Lists = instances.map((s) => byTarget.get(`127.0.0.1:${s.port}`));
      } catch (e) {
        a3Note ||= `ssh-audit 3.3.0 -j -T output is not JSON: ${(e as Error).message}`;
      }
    }

    const m = median(ours);
    const mScan = median(oursScanning);
    const fIn = median(floorIn);
    const fWhole = median(floorWhole);
    const m2T = median(a2T);
    const best2 = Math.min(m2T, a2Each);
    const best2How = m2T <= a2Each ? '-T, 32 threads' : 'a process per target, 32 parallel';
    const m3 = a3T.length ? median(a3T) : undefined;
    const oursName = `sshield scan --json, ${n} targets, 1 conn each (built CLI, whole process, ${RUNS_OURS} runs)`;

    rows.push({ name: `floor: bare sockets, ident + KEXINIT, ${n} targets (in-process, ${RUNS_FLOOR} runs)`, median_ms: fIn });
    rows.push({ name: `floor: the same as a bare node process (node bench/floor-probe.mjs, ${RUNS_FLOOR} runs)`, median_ms: fWhole });
    rows.push({ name: oursName, median_ms: m, target_ms: 1000, peer: `ssh-audit 2.5.0 (${best2How})`, peer_median_ms: best2 });
    if (m3 !== undefined) rows.push({ name: oursName, median_ms: m, target_ms: 1000, peer: `ssh-audit 3.3.0 -j -T (Debian 13, chroot, ${RUNS_PEER} runs)`, peer_median_ms: m3 });
    rows.push({ name: 'sshield vs the floor, whole process (ratio < 1: slower than the floor)', median_ms: m, peer: 'floor, whole process', peer_median_ms: fWhole });
    rows.push({ name: 'sshield vs the floor, scanning only (summary.wallMs vs in-process floor)', median_ms: mScan, peer: 'floor, in-process', peer_median_ms: fIn });

    rows.push(`floor runs: in-process ${list(floorIn)}, whole process ${list(floorWhole)}${floorErrors.length ? `; ${floorErrors.length} errors, first: ${floorErrors[0]}` : ''}`);
    rows.push(`sshield runs: whole process ${list(ours)}, scanning only ${list(oursScanning)}; ${report.summary.errors} target errors (last run)`);
    rows.push(`ssh-audit 2.5.0 (host): -n -T ${list(a2T)}; one process per target, 32 parallel: ${Math.round(a2Each)} ms`);
    if (why3) rows.push(`ssh-audit 3.3.0: not run (${why3}); get it with scripts/peer-ssh-audit3.sh`);
    else rows.push(`ssh-audit 3.3.0 (Debian 13 root): -j -T ${list(a3T)}${a3Note ? `; ${a3Note}` : ''}`);
    const floorWithin = (x: number, f: number) => `${Math.round(x - f)} ms (${((x / f - 1) * 100).toFixed(0)}%)`;
    rows.push(`sshield above the floor: whole process ${floorWithin(m, fWhole)}, scanning only ${floorWithin(mScan, fIn)}`);
    const ratioBound = (peerMs: number) => `${(peerMs / m).toFixed(1)}x (a scanner at the floor would get ${(peerMs / fWhole).toFixed(1)}x)`;
    rows.push(`issue target >= 20x: vs 2.5.0 ${ratioBound(best2)}${m3 !== undefined ? `; vs 3.3.0 ${ratioBound(m3)}` : ''}`);

    const agreement = (peer: string, lists: readonly (Lists | undefined)[]) => {
      const r = compare(report.targets, lists, peer);
      return `algorithm lists vs ${peer} (kex incl. markers, host key, ciphers, MACs as sets) agree on ${r.agree}/${n} targets${r.diffs.length ? `; first differences: ${r.diffs.slice(0, 3).join(' | ')}` : ''}`;
    };
    rows.push(agreement('ssh-audit 2.5.0', a2Lists));
    if (a3Lists) rows.push(agreement('ssh-audit 3.3.0', a3Lists));
    return rows;
  } finally {
    await Promise.all(instances.filter(Boolean).map((s) => s.stop()));
    killAll();
    live.clear();
    process.removeListener('exit', killAll);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    rmSync(dir, { recursive: true, force: true });
    if (rootDir) rmSync(rootDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = process.argv[2] ? Number(process.argv[2]) : undefined;
  bench(n).then(
    (rows) => printRows('scan', rows),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
