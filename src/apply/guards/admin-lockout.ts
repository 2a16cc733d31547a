// (g) An account that can become root losing its last way in: every member of the sudo, wheel
// or admin group (where sudo is installed) and root, each judged before and after the change
// (lost-way-in.ts: its known address, else some address the configs admit), whoever runs
// sshield: from a root shell (no SUDO_USER) the admins are protected all the same. root losing
// its login to an explicit PermitRootLogin no is the change's point and not judged alone; but
// if nobody who can become root keeps a way in, that is refused too. The account running
// sshield is guard (c)'s. Override: --allow-admin-lockout.
import { lostWayIn } from './lost-way-in.js';
import { ADMIN_GROUPS } from './no-key-admin.js';
import { beforeFacts, samplesOf, spec, type Guard, type GuardContext } from './types.js';

/** The accounts that can become root, as the facts before the change say. */
export function rootCapable(ctx: GuardContext): string[] {
  const f = beforeFacts(ctx);
  return f.users.filter((u) => (u.uid === 0 && u.name === 'root') || (f.sudoInstalled && u.groups.some((g) => ADMIN_GROUPS.includes(g)))).map((u) => u.name);
}

export const adminLockout: Guard = {
  id: 'admin-lockout',
  flag: '--allow-admin-lockout',
  summary: 'an account that can become root (sudo/wheel/admin, root) loses its last way in',
  check(ctx) {
    const judgedByC = ctx.facts.live && ctx.facts.invokingUser && !(ctx.facts.invokingUser === 'root' && !ctx.facts.session) ? ctx.facts.invokingUser : undefined;
    const lost: string[] = [];
    const kept: string[] = [];
    let hadAny = false;
    for (const name of rootCapable(ctx)) {
      const r = lostWayIn(ctx, name);
      if (r.kind === 'unknown' || r.kind === 'none-before') continue;
      hadAny = true;
      if (r.kind === 'kept') {
        kept.push(`${name} (${r.how})`);
        continue;
      }
      if (name === judgedByC) continue;
      const rootOff = name === 'root' && samplesOf(ctx).every((a) => ctx.after(spec(ctx, 'root', a)).value('permitrootlogin') === 'no');
      if (rootOff) continue;
      lost.push(r.message);
    }
    if (hadAny && kept.length === 0 && lost.length === 0) lost.push('nobody who can become root (root, sudo/wheel/admin members) would keep a way in');
    if (lost.length === 0) return { ok: true, message: kept.length ? `every account that can become root and logs in today keeps a way in: ${kept.join(', ')}` : 'no account that can become root logs in today' };
    return { ok: false, message: `${lost.join('; ')}` };
  },
};
