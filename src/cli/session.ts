// The pinned "today" of the tests (only src/cli touches process). The session itself
// (SSH_CONNECTION, SUDO_USER) is read by src/host/session.ts sessionFromEnv (./target.ts); the
// kill tests' pause hook is ./test-hooks.ts.
/** SSHIELD_TODAY=YYYY-MM-DD pins "today" for waiver expiry (tests); undefined otherwise. */
export function todayOverride(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.SSHIELD_TODAY && /^\d{4}-\d{2}-\d{2}$/.test(env.SSHIELD_TODAY) ? env.SSHIELD_TODAY : undefined;
}
