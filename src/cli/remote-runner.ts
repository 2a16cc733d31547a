// The remote runner the changing commands use over --host/--inventory/--cluster
// (fleet-change.ts useFleetRunner, set by main.ts): the controller's flags turned into
// remote-change.ts options. --confirm-timeout sets each host's window (never off: the controller
// confirms only after its new connection, so a host without a window could not be undone);
// --verify-key is the identity the proof's new connection offers first; --remote-binary (else
// $SSHIELD_REMOTE_BINARY) the executable copied to the hosts. Each step is a test pause point
// (SSHIELD_TEST_PAUSE_AT=remote-applied: after a host applied, before the proof), so a test can
// kill the controller exactly there.
import { resolve } from 'node:path';
import { confirmWindowOf } from '../apply/confirm.js';
import type { HostChangeRunner } from '../fleet/change-types.js';
import { remoteChangeRunner } from '../fleet/remote-change.js';
import { targetText } from '../fleet/target.js';
import type { RunnerFactory } from './fleet-change.js';
import { testPause } from './test-hooks.js';

/** A runner that refuses every host with one reason (a controller flag that cannot apply). */
function refuseAll(reason: string): HostChangeRunner {
  return async (t) => ({ name: t.name, target: targetText(t), status: 'refused', reason, ms: 0 });
}

export const remoteRunnerFactory: RunnerFactory = (r) => {
  const c = r.controller;
  let seconds: number | undefined;
  if (c.confirmTimeout !== undefined) {
    const w = confirmWindowOf({ given: c.confirmTimeout, interactive: false, overSsh: false });
    if (typeof w === 'string') return refuseAll(w);
    if (w.seconds === undefined) return refuseAll('--confirm-timeout 0: a change over --host/--inventory/--cluster always has a confirm window (the controller confirms it after a new connection works; without a window a host could not be rolled back when that fails)');
    seconds = w.seconds;
  }
  if (c.verifyUser !== undefined) return refuseAll(`--verify-user ${c.verifyUser}: over --host the proof logs in as the target's own user (user@host, ansible_user or ssh_config User)`);
  const binary = c.remoteBinary ?? process.env.SSHIELD_REMOTE_BINARY;
  return remoteChangeRunner({
    pool: r.pool,
    argv: r.argv,
    deadlineMs: r.deadlineMs,
    ...(binary ? { binary } : {}),
    ...(seconds !== undefined ? { confirmTimeoutSec: seconds } : {}),
    ...(c.verifyKey !== undefined ? { proofOptions: [`IdentityFile=${resolve(c.verifyKey)}`] } : {}),
    onStep: (_t, step) => testPause(`remote-${step}`),
  });
};
