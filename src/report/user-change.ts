// The text of the user planner's checks, beside the plan's diff and steps: each chroot component
// as sshd judges it (session.c safely_chroot) and the proof of the evaluated values. Pure.
import type { UserPlan } from '../users/plan.js';
import { NO_COLOR, type Palette } from './text.js';

export function renderUserChecks(p: UserPlan, c: Palette = NO_COLOR): string {
  const out: string[] = [];
  for (const x of p.chroot?.components ?? []) out.push(`chroot ${x.path}: ${x.problems.length ? c.red(x.problems.join(', ')) : c.green('ok (root-owned, not group/other-writable)')}`);
  const ok = p.proof.filter((x) => x.ok).length;
  out.push(`proof: ${ok}/${p.proof.length} evaluated values as intended${ok === p.proof.length ? '' : `; failing: ${p.proof.filter((x) => !x.ok).map((x) => `${x.identity} ${x.key}=${x.actual ?? 'unset'}`).join(', ')}`}`);
  return `${out.join('\n')}\n`;
}
