// (c) The current user (SUDO_USER, else the invoking user) losing SSH access in general: could
// log in before from some address, could log in from none after (the addresses tried: some
// address nothing names plus one inside every address the configs name; the session's own
// address is guard (b)'s). root at a local console (no SUDO_USER, no SSH_CONNECTION) is not
// judged here: taking root's SSH login away is the point of the baseline, and guards (a) and
// admin-lockout make sure the admins keep a way in. Override: --allow-user-lockout.
import { invokingJudged, lossesOf, lostWayIn } from './lost-way-in.js';
import type { Guard } from './types.js';

export const userLockout: Guard = {
  id: 'user-lockout',
  flag: '--allow-user-lockout',
  summary: 'the user running sshield could not log in any more',
  check(ctx) {
    const name = ctx.facts.invokingUser;
    if (!ctx.facts.live || !name) return { ok: true, message: 'no invoking user to protect' };
    if (name === 'root' && !ctx.facts.session) return { ok: true, message: 'root at a local console (not over SSH)' };
    if (ctx.model) {
      const l = lossesOf(ctx, 'user').filter((x) => x.account === invokingJudged(ctx));
      if (l.length) return { ok: false, message: `${name} (the user running sshield) could not log in any more: ${l.map((x) => x.message).join('; ')}` };
      return { ok: true, message: `${name} keeps a way in (or had none)` };
    }
    const r = lostWayIn(ctx, name);
    if (r.kind === 'unknown') return { ok: true, message: `${name} is not a local account` };
    if (r.kind === 'none-before') return { ok: true, message: `${name} could not log in before either (${r.why})` };
    if (r.kind === 'kept') return { ok: true, message: `${name} can still log in (${r.how})` };
    return { ok: false, message: `${name} (the user running sshield) could not log in any more: ${r.message}` };
  },
};
