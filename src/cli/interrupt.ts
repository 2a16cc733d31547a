// SIGINT and SIGTERM while a changing command runs. Before the admin said yes nothing has started,
// so the process ends at once (exit 128+n, as the default action would). Once the writer runs,
// a signal does not kill it: it aborts the run, and the writer stops at its next step and
// finishes exactly as the next run's recovery finishes a killed run (src/apply/pipeline.ts
// finishInterrupted: undo from the journal, or commit a change already verified), removes its
// staging tree and releases its locks; the command then reports that Outcome. A further signal
// while it finishes is answered with a note (SIGKILL remains, and the journal covers it).
import type { Output } from './io.js';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
const NUMBER = { SIGINT: 2, SIGTERM: 15 } as const;

export interface StopGuard {
  readonly signal: AbortSignal;
  /** From now on a signal stops the writer instead of the process. */
  applying(): void;
  dispose(): void;
}

export function guardStops(io: Output, command: string): StopGuard {
  const ctl = new AbortController();
  let applying = false;
  const on = (sig: (typeof SIGNALS)[number]) => {
    if (!applying) {
      io.err(`sshield ${command}: ${sig}: stopped before changing anything`);
      process.exit(128 + NUMBER[sig]);
    }
    if (ctl.signal.aborted) {
      io.err(`sshield ${command}: ${sig}: still finishing (undoing or committing from the journal); please wait`);
      return;
    }
    io.err(`sshield ${command}: ${sig}: stopping at the next step; finishing from the journal`);
    ctl.abort(`interrupted by ${sig}`);
  };
  const handlers = SIGNALS.map((s) => [s, () => on(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  return {
    signal: ctl.signal,
    applying: () => void (applying = true),
    dispose: () => {
      for (const [s, h] of handlers) process.off(s, h);
    },
  };
}
