// Validation of a staged candidate tree by the real daemon: `sshd -t` must accept it, and
// `sshd -T` (per connection spec, `-C`) must print the values the planner predicted. Under an
// offline root the host keys named by the config usually do not exist here, so a throwaway key
// is added with `-h` (sshd(8): "-h host_key_file ... can be given multiple times"); a live host
// is validated exactly as it will run.
import type { ConnectionSpec } from '../sshd/evaluate/types.js';
import type { ApplyHost } from './host.js';
import type { Plan, PredictedValue } from './plan.js';

export interface ValidateOptions {
  readonly sshd: string;
  /** Extra host key for offline roots. */
  readonly extraHostKey?: string;
}

export interface Mismatch {
  readonly label: string;
  readonly key: string;
  readonly expected: readonly string[];
  readonly actual: readonly string[];
}

export type ValidateResult = { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly mismatches?: readonly Mismatch[] };

export function specArg(spec: ConnectionSpec): string {
  const parts: string[] = [];
  if (spec.user !== undefined) parts.push(`user=${spec.user}`);
  if (spec.host !== undefined) parts.push(`host=${spec.host}`);
  if (spec.addr !== undefined) parts.push(`addr=${spec.addr}`);
  if (spec.laddr !== undefined) parts.push(`laddr=${spec.laddr}`);
  if (spec.lport !== undefined) parts.push(`lport=${spec.lport}`);
  if (spec.rdomain !== undefined) parts.push(`rdomain=${spec.rdomain}`);
  return parts.join(',');
}

/** Parses `sshd -T` output into key -> values (one per printed line). */
export function parseSshdT(stdout: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    const t = line.trim();
    if (!t) continue;
    const i = t.indexOf(' ');
    const k = (i < 0 ? t : t.slice(0, i)).toLowerCase();
    const v = i < 0 ? '' : t.slice(i + 1);
    const arr = m.get(k);
    if (arr) arr.push(v);
    else m.set(k, [v]);
  }
  return m;
}

export async function validateStaged(host: ApplyHost, main: string, plan: Plan, opts: ValidateOptions): Promise<ValidateResult> {
  const base = ['-f', main, ...(opts.extraHostKey ? ['-h', opts.extraHostKey] : [])];
  const t = await host.run(opts.sshd, ['-t', ...base], { timeoutMs: 30_000 });
  if (t.code !== 0) return { ok: false, reason: `sshd -t rejected the candidate: ${firstLines(t.stderr || t.error || `exit ${t.code}`)}` };
  const groups = new Map<string, { spec?: ConnectionSpec; values: PredictedValue[] }>();
  for (const p of plan.predicted) {
    const k = p.spec ? specArg(p.spec) : '';
    const g = groups.get(k) ?? { ...(p.spec ? { spec: p.spec } : {}), values: [] };
    g.values.push(p);
    groups.set(k, g);
  }
  const mismatches: Mismatch[] = [];
  for (const [k, g] of groups) {
    const r = await host.run(opts.sshd, ['-T', ...base, ...(k ? ['-C', k] : [])], { timeoutMs: 30_000 });
    if (r.code !== 0) return { ok: false, reason: `sshd -T failed${k ? ` for ${k}` : ''}: ${firstLines(r.stderr || r.error || `exit ${r.code}`)}` };
    const actual = parseSshdT(r.stdout);
    for (const p of g.values) {
      const got = actual.get(p.key);
      // A key this binary does not print (Debian 12's sshd -T omits debianbanner) cannot be compared.
      if (got === undefined) continue;
      if (!sameValues(p.values, got)) mismatches.push({ label: p.label, key: p.key, expected: p.values, actual: got });
    }
  }
  if (mismatches.length) {
    return {
      ok: false,
      reason: `sshd -T differs from the prediction: ${mismatches.map((m) => `${m.key} (${m.label}) expected "${m.expected.join(' | ')}", got "${m.actual.join(' | ')}"`).join('; ')}`,
      mismatches,
    };
  }
  return { ok: true };
}

function sameValues(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((v, i) => v.toLowerCase() === (b[i] ?? '').toLowerCase());
}

function firstLines(s: string): string {
  return s.trim().split(/\r?\n/).slice(0, 3).join(' / ');
}
