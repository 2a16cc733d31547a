// The single benchmark entry point (`npm run bench [filter...]`): runs every bench/*.bench.ts
// whose file name contains one of the filters (all without a filter), one after another, and
// prints one table per file. Benchmarks are not tests: nothing here fails on a missed target;
// rows show it.
//
// CONTRACT for bench files: `export default async (): Promise<(Row | string)[]>`.
//   Row = { name, median_ms, target_ms?, peer?, peer_median_ms?, ratio? }
//     name            what was measured, with its conditions (in-process / whole process, sizes)
//     median_ms       median over several runs (say how many in `name` if it matters)
//     target_ms       the goal; the table prints "met" / "MISSED"
//     peer            what we compare with (e.g. "sshd -T -C", "ssh-audit"), and how if unusual
//     peer_median_ms  the peer's median on the same machine and input
//     ratio           peer_median_ms / median_ms (> 1: we are faster); computed when omitted
//   A plain string is printed as a note line (older benches return strings only).
// Each bench file may also be run directly: `node --import tsx bench/<name>.bench.ts`.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface Row {
  readonly name: string;
  readonly median_ms: number;
  readonly target_ms?: number;
  readonly peer?: string;
  readonly peer_median_ms?: number;
  readonly ratio?: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const fmt = (ms: number | undefined) => (ms === undefined ? '' : ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

export function printRows(title: string, rows: readonly (Row | string)[]): void {
  const table = rows.filter((r): r is Row => typeof r !== 'string');
  const head = ['benchmark', 'median ms', 'target ms', 'status', 'peer', 'peer ms', 'ratio'];
  const body = table.map((r) => {
    const ratio = r.ratio ?? (r.peer_median_ms !== undefined ? r.peer_median_ms / r.median_ms : undefined);
    return [r.name, fmt(r.median_ms), fmt(r.target_ms), r.target_ms === undefined ? '' : r.median_ms < r.target_ms ? 'met' : 'MISSED', r.peer ?? '', fmt(r.peer_median_ms), ratio === undefined ? '' : `${ratio.toFixed(ratio >= 10 ? 0 : 1)}x`];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  process.stdout.write(`\n== ${title}\n`);
  if (body.length) process.stdout.write(`${line(head)}\n${line(widths.map((w) => '-'.repeat(w)))}\n${body.map(line).join('\n')}\n`);
  for (const r of rows) if (typeof r === 'string') process.stdout.write(`  ${r}\n`);
}

async function main(filters: string[]): Promise<number> {
  const dir = import.meta.dirname;
  const files = readdirSync(dir).filter((f) => f.endsWith('.bench.ts') && (filters.length === 0 || filters.some((x) => f.includes(x)))).sort();
  if (files.length === 0) {
    process.stderr.write(`no bench/*.bench.ts matches ${filters.join(' ')}\n`);
    return 2;
  }
  let failed = 0;
  for (const f of files) {
    try {
      const mod = (await import(pathToFileURL(join(dir, f)).href)) as { default: () => Promise<(Row | string)[]> };
      printRows(f.replace(/\.bench\.ts$/, ''), await mod.default());
    } catch (e) {
      failed++;
      process.stdout.write(`\n== ${f}: FAILED: ${(e as Error).stack ?? String(e)}\n`);
    }
  }
  return failed ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // no top-level await: bench files import this module (Row, median) while main() imports them
  void main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
