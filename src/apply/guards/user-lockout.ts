// (c) The current user (SUDO_USER, else the invoking user) losing SSH access in general: could
// log in before, could not after, for a connection from an arbitrary address (the session's own
// address is guard (b)'s). root
// at a local console (no SUDO_USER, no SSH_CONNECTION) is not judged here: taking root's SSH login
// away is the point of the baseline, and guard (a) makes sure an admin keeps a key.
// Override: --allow-user-lockout.
import { canLogIn } from './access.js';
import { ANY_ADDR, spec, type Guard } from './types.js';

export const userLockout: Guard = {
  id: 'user-lockout',
  flag: '--allow-user-lockout',
  summary: 'the user running sshield could not log in any more',
  check(ctx) {
    const name = ctx.facts.invokingUser;
    if (!ctx.facts.live || !name) return { ok: true, message: 'no invoking user to protect' };
    if (name === 'root' && !ctx.facts.session) return { ok: true, message: 'root at a local console (not over SSH)' };
    const u = ctx.facts.users.find((x) => x.name === name);
    if (!u) return { ok: true, message: `${name} is not a local account` };
    const addr = ANY_ADDR;
    const before = canLogIn(ctx.before(spec(ctx, name, addr)), u, addr, ctx.facts);
    if (!before.ok) return { ok: true, message: `${name} could not log in before either (${before.why})` };
    const after = canLogIn(ctx.after(spec(ctx, name, addr)), u, addr, ctx.facts);
    if (after.ok) return { ok: true, message: `${name} can still log in (${after.how})` };
    return { ok: false, message: `${name} (the user running sshield) could not log in any more: ${after.why}` };
  },
};
