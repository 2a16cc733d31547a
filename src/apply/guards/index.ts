// The preflight guards, in the order they are reported, and the one entry point that runs them.
// Each refuses with the reason; only its own flag (named after the risk) overrides it.
import type { GuardVerdict } from '../plan.js';
import { adminLockout } from './admin-lockout.js';
import { badChroot } from './bad-chroot.js';
import { clusterBreak } from './cluster-break.js';
import { hostkeyMismatch } from './hostkey-mismatch.js';
import { noKeyAdmin } from './no-key-admin.js';
import { sessionLockout } from './session-lockout.js';
import { runGuard, type Guard, type GuardContext } from './types.js';
import { userLockout } from './user-lockout.js';

export const GUARDS: readonly Guard[] = [noKeyAdmin, sessionLockout, userLockout, adminLockout, clusterBreak, badChroot, hostkeyMismatch];

export const OVERRIDE_FLAGS: readonly string[] = GUARDS.map((g) => g.flag);

export function runGuards(ctx: GuardContext, overrides: ReadonlySet<string>): GuardVerdict[] {
  return GUARDS.map((g) => runGuard(g, ctx, overrides));
}

export type { Guard, GuardContext, GuardFacts } from './types.js';
