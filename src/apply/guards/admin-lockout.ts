// (g) An account that can become root losing its last way in: every member of the sudo, wheel
// or admin group (where sudo is installed) and root, each judged before and after the change
// (lost-way-in.ts: its known address, else some address the configs admit), whoever runs
// sshield: from a root shell (no SUDO_USER) the admins are protected all the same. root losing
// its login to an explicit PermitRootLogin no is the change's point and not judged alone; but
// if nobody who can become root keeps a way in, that is refused too. The account running
// sshield is guard (c)'s. Override: --allow-admin-lockout.
import { invokingJudged, lossesOf, lostWayIn } from './lost-way-in.js';
import { ADMIN_GROUPS, noKeyAdmin } from './no-key-admin.js';
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
    if (ctx.model) {
      // root refused by an explicit PermitRootLogin no after the change is the change's point.
      const rootOff = (addr: string) => ctx.after(spec(ctx, 'root', addr)).value('permitrootlogin') === 'no';
      const lost = lossesOf(ctx, 'admin').filter((l) => !(l.account === 'root' && rootOff(l.after.spec.addr ?? l.addr)));
      const msgs = lost.map((l) => l.message);
      // Nobody root-capable keeping a shell while passwords go off with no admin key is no-key-admin's risk (its flag).
      if (ctx.model.rootCapableBefore && !ctx.model.rootCapableAfter && msgs.length === 0 && noKeyAdmin.check(ctx).ok) msgs.push('nobody who can become root (root, or an account sudo lets run ALL) would keep a way in to a shell');
      if (msgs.length) return { ok: false, message: msgs.join('; ') };
      const who = ctx.model.keep.map((k) => k.account).join(', ');
      return { ok: true, message: who ? `everyone who must keep a way in keeps one (${who})` : 'nobody who can become root logs in today' };
    }
    const judgedByC = invokingJudged(ctx);
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
