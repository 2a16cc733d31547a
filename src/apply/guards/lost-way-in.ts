// Whether one account keeps a way in across a change: it had a working way in before (from one
// of the addresses tried) and has one after from at least one of them; when its address is
// known, from that very address. The one judgment the lockout guards share (user-lockout,
// admin-lockout, cluster-break), over the before facts and the predicted facts. Pure.
import { canLogIn } from './access.js';
import type { KeepLoss } from '../../access/index.js';
import { beforeFacts, samplesOf, spec, type GuardContext } from './types.js';

export type WayIn =
  | { readonly kind: 'unknown' }
  | { readonly kind: 'none-before'; readonly why: string }
  | { readonly kind: 'kept'; readonly how: string; readonly addr: string }
  | { readonly kind: 'lost'; readonly addr: string; readonly how: string; readonly why: string; readonly message: string };

/**
 * `addrs`: the account's known addresses (each must keep working), or undefined when unknown
 * (then some address of the samples must keep working).
 */
export function lostWayIn(ctx: GuardContext, name: string, addrs?: readonly string[]): WayIn {
  const was = beforeFacts(ctx);
  const u0 = was.users.find((x) => x.name === name);
  if (!u0) return { kind: 'unknown' };
  const u1 = ctx.facts.users.find((x) => x.name === name);
  const tried = addrs ?? samplesOf(ctx);
  const whereText = addrs ? '' : ` (its address is unknown; tried ${tried.join(', ')})`;
  const before = tried.map((a) => ({ a, v: canLogIn(ctx.before(spec(ctx, name, a)), u0, a, was) }));
  const worked = before.filter((b) => b.v.ok);
  if (worked.length === 0) return { kind: 'none-before', why: before[0]?.v.ok === false ? before[0].v.why : 'no address' };
  const after = worked.map((b) => ({ a: b.a, how: b.v.ok ? b.v.how : '', v: u1 ? canLogIn(ctx.after(spec(ctx, name, b.a)), u1, b.a, ctx.facts) : { ok: false as const, why: 'the account would be removed' } }));
  const lost = after.filter((x) => !x.v.ok);
  const kept = after.find((x) => x.v.ok);
  if (kept && (!addrs || lost.length === 0)) return { kind: 'kept', how: kept.v.ok ? kept.v.how : '', addr: kept.a };
  const l = lost[0]!;
  const why = l.v.ok ? '' : l.v.why;
  return { kind: 'lost', addr: l.a, how: l.how, why, message: `${name} from ${l.a}${whereText} logs in today with ${l.how}, and would have no way in after this change: ${why}` };
}

/** The model's losses of one risk: the session's address, the invoking user, the PVE peers, everyone else. */
export type LossRisk = 'session' | 'user' | 'cluster' | 'admin';

/** The account guard (c) judges: the invoking user, unless root at a local console. */
export function invokingJudged(ctx: GuardContext): string | undefined {
  const f = ctx.facts;
  return f.live && f.invokingUser && !(f.invokingUser === 'root' && !f.session) ? f.invokingUser : undefined;
}

export function riskOf(ctx: GuardContext, l: KeepLoss): LossRisk {
  const s = ctx.facts.live ? ctx.facts.session : undefined;
  if (s && l.account === s.user && l.addr === s.addr) return 'session';
  if (l.account === invokingJudged(ctx)) return 'user';
  if (l.account === 'root' && ((ctx.facts.clusterAddresses ?? []).includes(l.addr) || (l.addr === 'any-admitted' && (ctx.facts.clusterUnknownNodes ?? []).length > 0))) return 'cluster';
  return 'admin';
}

/** The model's losses of one risk (empty without a model). */
export function lossesOf(ctx: GuardContext, risk: LossRisk): KeepLoss[] {
  return (ctx.model?.losses ?? []).filter((l) => riskOf(ctx, l) === risk);
}
