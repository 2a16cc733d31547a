// The text of the allow planner's proof and of the allowlist after the change: for people,
// beside the plan's diff. Pure.
import type { AllowPlanResult } from '../allow/planner.js';
import { NO_COLOR, type Palette } from './text.js';

export function renderAllowProof(r: AllowPlanResult, listAfter: readonly { user: string; addresses: readonly string[] }[], changes: boolean, c: Palette = NO_COLOR): string {
  const out = [c.bold('proof (evaluated effective config, auth.c allowed_user lists):')];
  const seen = new Set<string>();
  for (const p of r.proof.filter((p) => p.before.allowed !== p.after.allowed || p.expect === 'refused' || p.listed)) {
    const k = `${p.label} ${p.addr}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const v = (x: typeof p.after) => (x.allowed ? 'allowed' : `refused (${x.reason})`);
    out.push(`  ${p.ok ? c.green('ok') : c.red('FAIL')} ${p.label} from ${p.addr}: ${p.before.allowed === p.after.allowed ? v(p.after) : `${v(p.before)} -> ${v(p.after)}`}`);
  }
  for (const e of r.evalErrors) out.push(c.red(`  the candidate config has an error: ${e}`));
  if (listAfter.length === 0 && changes) out.push('after this change: no allowlist (logins from any address)');
  for (const l of listAfter) out.push(`after this change: ${l.user === '*' ? 'everyone' : l.user} only from ${l.addresses.join(', ')}`);
  return `${out.join('\n')}\n`;
}
