// Test-only hook for the kill tests (test/integration/apply/kill.test.ts,
// test/integration/users/kill.test.ts): with SSHIELD_TEST_PAUSE_AT=<step>[#n] a changing command
// reports "sshield: paused at <step>#<n>" on stderr when the pipeline reaches the n-th (default
// first) occurrence of that step (pipeline.ts Step; 'host-step' is reported after each account or
// directory step is done and journaled) and then waits forever, so a test can SIGKILL it at
// exactly that point. With SSHIELD_TEST_RESUME_FILE=<path> as well, it waits only until that file
// exists and then goes on (the outcome table test changes a file at 'recheck' this way, to prove
// the stale outcome of the real CLI). A stop request (SIGINT/SIGTERM, `abort`) ends the wait too,
// so the signal tests (test/integration/apply/signal.test.ts) interrupt the run at exactly that
// step. It only ever stops this process; unset in normal use, it does nothing.
import { existsSync } from 'node:fs';

const stepSeen = new Map<string, number>();

export async function testPause(step: string, abort?: AbortSignal): Promise<void> {
  const want = process.env.SSHIELD_TEST_PAUSE_AT;
  if (!want) return;
  const n = (stepSeen.get(step) ?? 0) + 1;
  stepSeen.set(step, n);
  const [name, nth = '1'] = want.split('#');
  if (name !== step || Number(nth) !== n) return;
  process.stderr.write(`sshield: paused at ${step}#${n}\n`);
  const resume = process.env.SSHIELD_TEST_RESUME_FILE;
  if (!resume && !abort) return new Promise(() => setInterval(() => undefined, 1 << 30));
  while (!(resume && existsSync(resume)) && !abort?.aborted) await new Promise((r) => setTimeout(r, 50));
}
