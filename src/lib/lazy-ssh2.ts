// Loads the ssh2 library on first use. ssh2 costs ~16 ms of start-up (measured on the bundled
// CLI), and only the commands that open SSH connections (scan --host-keys/--user, the apply
// pipeline's verify step) need it; every other command should not pay for it.
import type ssh2Types from 'ssh2';

let cached: Promise<typeof ssh2Types> | undefined;

export function loadSsh2(): Promise<typeof ssh2Types> {
  cached ??= import('ssh2').then((m) => ((m as { default?: typeof ssh2Types }).default ?? (m as unknown as typeof ssh2Types)));
  return cached;
}
