// The guard that keeps an account's own way in when the person changing its keys is that account
// (an ordinary user on their own keys, or an admin on the account of their SSH session): removing
// or restricting keys must leave at least one key sshd accepts for a shell from where they are
// (the session's address when known): options sshd takes, not expired, from= admitting that
// address (access/keys.ts keyOptionsProblem, as auth_authorise_keyopts), no forced command other
// than their shell, type and size sshd accepts (working-key.ts). Override: --force. Pure.
import type { GuardVerdict } from '../apply/plan.js';
import { keyOptionsProblem } from '../access/keys.js';
import type { KeyLine } from './parser.js';
import { keyNotWorking, type KeyAcceptance } from './working-key.js';

export const OWN_KEY_OVERRIDE = '--force';

export interface OwnKeyContext {
  readonly user: string;
  /** The account's login shell (a command= equal to it still gives a shell). */
  readonly shell: string;
  readonly acceptance: KeyAcceptance;
  /** The client address of the current SSH session, when known. */
  readonly addr?: string;
  readonly now: number;
}

/** Why this key gives no shell from ctx.addr, or undefined when it does. */
export function noShellWith(k: KeyLine, ctx: OwnKeyContext): string | undefined {
  const bad = keyNotWorking(k, ctx.acceptance, ctx.now);
  if (bad) return bad;
  const o = k.options ?? [];
  const addr = ctx.addr;
  const why = addr ? keyOptionsProblem(o, { user: ctx.user, host: addr, addr }, Math.floor(ctx.now / 1000)) : undefined;
  if (why) return why;
  const cmd = o.find((x) => x.kind === 'value' && x.name === 'command');
  if (cmd && cmd.kind === 'value' && cmd.value !== ctx.shell) return `command="${cmd.value}" forces a command, not ${ctx.shell}`;
  return undefined;
}

/** The verdict on keys `before` -> `after` of the account; undefined when it had no working key before either. */
export function ownKeyGuard(before: readonly KeyLine[], after: readonly KeyLine[], ctx: OwnKeyContext, overridden: boolean): GuardVerdict | undefined {
  const had = before.filter((k) => noShellWith(k, ctx) === undefined);
  if (had.length === 0) return undefined;
  const keeps = after.filter((k) => noShellWith(k, ctx) === undefined);
  const from = ctx.addr ? ` from ${ctx.addr}` : '';
  if (keeps.length) return { id: 'own-key', ok: true, overridden: false, overrideFlag: OWN_KEY_OVERRIDE, message: `${ctx.user} keeps ${keeps.length} key(s) that log in with a shell${from}` };
  const lost = had.map((k) => `${k.key.fingerprint} (line ${k.line})`).join(', ');
  return { id: 'own-key', ok: false, overridden, overrideFlag: OWN_KEY_OVERRIDE, message: `this would leave ${ctx.user}, the account you are, no key that logs in with a shell${from} (now: ${lost}); keep another key or override only if you have another way in` };
}
