// Exit codes every command uses, so scripts can rely on them.
export const EXIT = {
  /** Success; for audit/scan: nothing at or above --fail-on failed. */
  ok: 0,
  /** The check found problems (audit/scan findings, a config sshd would reject). */
  findings: 1,
  /** Usage or runtime error: bad flags, unreadable input, a refused or failed change. */
  error: 2,
  /** A change was not made because a safety guard refused it or the user declined. */
  refused: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
