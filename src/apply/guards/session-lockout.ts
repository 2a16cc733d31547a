// (b) The session that runs sshield (SSH_CONNECTION: client address and port, server address and
// port) losing access: its user could log in from that address before and could not after, per
// the predicted effective configuration for exactly that connection (sshd -T -C semantics).
// Override: --allow-session-lockout.
import { canLogIn } from './access.js';
import { lossesOf } from './lost-way-in.js';
import { beforeFacts, type Guard } from './types.js';

export const sessionLockout: Guard = {
  id: 'session-lockout',
  flag: '--allow-session-lockout',
  summary: 'the current SSH session could not log in again',
  check(ctx) {
    const s = ctx.facts.session;
    if (!ctx.facts.live || !s) return { ok: true, message: 'not run from an SSH session' };
    if (ctx.model) {
      const l = lossesOf(ctx, 'session')[0];
      if (l) return { ok: false, message: `your session (${s.user} from ${s.addr}) could not log in again after this change: ${l.message}` };
      return { ok: true, message: `${s.user} from ${s.addr} keeps a way in (or had none)` };
    }
    const was = beforeFacts(ctx);
    const u0 = was.users.find((x) => x.name === s.user);
    if (!u0) return { ok: true, message: `session user ${s.user} is not a local account` };
    const c = { user: s.user, host: s.addr, addr: s.addr, laddr: s.laddr, lport: s.lport };
    const before = canLogIn(ctx.before(c), u0, s.addr, was);
    if (!before.ok) return { ok: true, message: `${s.user} from ${s.addr} could not log in before either (${before.why})` };
    const u = ctx.facts.users.find((x) => x.name === s.user);
    const after = u ? canLogIn(ctx.after(c), u, s.addr, ctx.facts) : { ok: false as const, why: 'the account would be removed' };
    if (after.ok) return { ok: true, message: `${s.user} from ${s.addr} can still log in (${after.how})` };
    return { ok: false, message: `your session (${s.user} from ${s.addr}) could not log in again after this change: ${after.why}` };
  },
};
