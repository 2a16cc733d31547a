// Policy file loading (issue 14 item 7): before the linear loader, 200,000 unknown rule ids in a
// 2.9 MB policy took over 30 s and 40,000 took 23 s (quadratic lookups). Rows: the same shape of
// file (short ids, "  x<i>: on") at 40,000 and 200,000 entries, in-process, median of 3; the
// ratio row shows growth (linear: ~5x for 5x the entries).
import { parsePolicy } from '../src/policy/policy-file.js';
import { median, type Row } from './run.js';

const policy = (n: number) => `rules:\n${Array.from({ length: n }, (_, i) => `  sshd/no-${i}: on\n`).join('')}`;

function time(text: string): number {
  const runs: number[] = [];
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    const r = parsePolicy(text, 'bench.yml');
    runs.push(performance.now() - t0);
    if (r.ok || r.errors.length !== 1) throw new Error('expected exactly one error');
  }
  return median(runs);
}

export default async (): Promise<(Row | string)[]> => {
  const small = policy(40_000);
  const big = policy(200_000);
  const a = time(small);
  const b = time(big);
  return [
    { name: `policy with 40,000 unknown rule ids (${(small.length / 1e6).toFixed(1)} MB), in-process`, median_ms: a, target_ms: 1000, peer: 'before: 23 s', peer_median_ms: 23_000 },
    { name: `policy with 200,000 unknown rule ids (${(big.length / 1e6).toFixed(1)} MB), in-process`, median_ms: b, target_ms: 5000, peer: 'before: > 30 s', peer_median_ms: 30_000 },
    `growth 40k -> 200k entries: ${(b / a).toFixed(1)}x for 5x the entries (linear is ~5x)`,
  ];
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printRows } = await import('./run.js');
  printRows('policy', await (await import('./policy.bench.js')).default());
}
