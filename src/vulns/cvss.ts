// CVSS v3.x base score from a vector string (FIRST CVSS v3.1 specification §7.1 and Appendix A:
// weights, Roundup). Used by `data update` for OSV records, which carry vectors without scores.
// Pure. Returns undefined for anything that is not a complete v3.0/v3.1 base vector.
const W = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  CIA: { H: 0.56, L: 0.22, N: 0 },
} as const;

/** Roundup of the v3.1 spec: the smallest number with one decimal >= x, free of float noise. */
function roundup(x: number): number {
  const i = Math.round(x * 100000);
  return i % 10000 === 0 ? i / 100000 : (Math.floor(i / 10000) + 1) / 10;
}

export function cvss3BaseScore(vector: string): { version: '3.0' | '3.1'; score: number } | undefined {
  const m = /^CVSS:(3\.[01])\/(.*)$/.exec(vector.trim());
  if (!m) return undefined;
  const metrics = new Map(m[2]!.split('/').map((p) => p.split(':') as [string, string]));
  const g = (k: string) => metrics.get(k);
  const av = W.AV[g('AV') as keyof typeof W.AV];
  const ac = W.AC[g('AC') as keyof typeof W.AC];
  const ui = W.UI[g('UI') as keyof typeof W.UI];
  const s = g('S');
  const c = W.CIA[g('C') as keyof typeof W.CIA];
  const i = W.CIA[g('I') as keyof typeof W.CIA];
  const a = W.CIA[g('A') as keyof typeof W.CIA];
  const prRaw = g('PR');
  if ([av, ac, ui, c, i, a].some((x) => x === undefined) || (s !== 'U' && s !== 'C') || !prRaw || !['N', 'L', 'H'].includes(prRaw)) return undefined;
  const pr = prRaw === 'N' ? 0.85 : prRaw === 'L' ? (s === 'C' ? 0.68 : 0.62) : s === 'C' ? 0.5 : 0.27;
  const iss = 1 - (1 - c!) * (1 - i!) * (1 - a!);
  const impact = s === 'U' ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15;
  const exploitability = 8.22 * av! * ac! * pr * ui!;
  const score = impact <= 0 ? 0 : s === 'U' ? roundup(Math.min(impact + exploitability, 10)) : roundup(Math.min(1.08 * (impact + exploitability), 10));
  return { version: m[1] as '3.0' | '3.1', score };
}
