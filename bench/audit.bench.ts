// Benchmark: whole-process `sshield audit` of this machine (node bin/sshield.js audit --json,
// the built bundle, start to exit), median of N runs, and the ratio to the peer tool
// `lynis audit system --tests-from-group ssh` (median of a few runs; skipped when lynis is not
// installed). Target: under 200 ms. Also the in-process audit (gather + rules) for reference.
//
// Default export: async () => rows (strings, printed by the caller); run directly with
// `node --import tsx bench/audit.bench.ts [runs]`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { localFs } from '../src/host/local-fs.js';
import { localExecutor } from '../src/host/executor.js';
import { gatherAudit } from '../src/audit/gather.js';
import { runAudit } from '../src/audit/run.js';
import { PROFILES } from '../src/policy/profiles.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeRun(cmd: string, args: string[]): { ms: number; status: number | null } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
  return { ms: performance.now() - t0, status: r.status };
}

export default async function bench(runs = 15): Promise<string[]> {
  const rows: string[] = [];
  if (!existsSync('dist/sshield.cjs')) spawnSync(process.execPath, ['build.mjs'], { stdio: 'ignore' });
  timeRun(process.execPath, ['bin/sshield.js', 'audit', '--json']); // warm the page cache
  const whole: number[] = [];
  let status: number | null = null;
  for (let i = 0; i < runs; i++) {
    const r = timeRun(process.execPath, ['bin/sshield.js', 'audit', '--json']);
    whole.push(r.ms);
    status = r.status;
  }
  const m = median(whole);
  rows.push(`audit (whole process, this machine): median ${m.toFixed(0)} ms over ${runs} runs (exit ${status}); target < 200 ms: ${m < 200 ? 'met' : 'MISSED'}`);
  const inproc: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const a = await gatherAudit(localExecutor(localFs()));
    runAudit(a, { profile: a.isPve ? PROFILES.proxmox : PROFILES.baseline, source: 'builtin', waivers: [] }, { version: 'bench', today: '2026-11-24' });
    inproc.push(performance.now() - t0);
  }
  rows.push(`audit (in-process gather + rules): median ${median(inproc).toFixed(1)} ms`);
  const lynis = ['/usr/sbin/lynis', '/usr/bin/lynis'].find(existsSync);
  if (!lynis) {
    rows.push('lynis not installed: no ratio');
    return rows;
  }
  const lt: number[] = [];
  for (let i = 0; i < 3; i++) lt.push(timeRun(lynis, ['audit', 'system', '--tests-from-group', 'ssh', '--quick', '--no-colors', '--no-log']).ms);
  const lm = median(lt);
  rows.push(`lynis audit system --tests-from-group ssh: median ${lm.toFixed(0)} ms over 3 runs`);
  rows.push(`ratio lynis / sshield audit: ${(lm / m).toFixed(1)}x faster`);
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of await bench(Number(process.argv[2] ?? 15))) console.log(row);
}
