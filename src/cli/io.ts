// Terminal conventions shared by every command: colour (picocolors honours NO_COLOR,
// FORCE_COLOR and non-TTY output), progress on stderr only when stderr is a TTY, and the one
// rule for asking: never prompt without a TTY; --yes answers yes; --dry-run never gets here.
import { createColors } from 'picocolors';
import { colorEnabled } from './color.js';
import { createInterface } from 'node:readline/promises';

/** Colours for stdout, by the one rule of src/cli/color.ts (NO_COLOR, FORCE_COLOR, a terminal). */
export const color = createColors(colorEnabled(Boolean(process.stdout.isTTY), process.env));

export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** Writes to stderr as given (no newline added): the progress line redraws itself with \r. */
  errRaw(text: string): void;
  readonly stdoutIsTTY: boolean;
  readonly stdinIsTTY: boolean;
  readonly stderrIsTTY: boolean;
}

export const processOutput: Output = {
  out: (t) => void process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => void process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  errRaw: (t) => void process.stderr.write(t),
  stdoutIsTTY: Boolean(process.stdout.isTTY),
  stdinIsTTY: Boolean(process.stdin.isTTY),
  stderrIsTTY: Boolean(process.stderr.isTTY),
};

export type ConfirmOutcome = 'yes' | 'no' | 'no-tty';

/**
 * Asks before a change. With `yes` it does not ask. Without a TTY on stdin it does not ask
 * either and answers 'no-tty': the caller stops before writing and says to pass --yes.
 */
export async function confirm(question: string, opts: { yes?: boolean }, io: Output = processOutput): Promise<ConfirmOutcome> {
  if (opts.yes) return 'yes';
  if (!io.stdinIsTTY) return 'no-tty';
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(`${question} [y/N] `)).trim().toLowerCase();
    return answer === 'y' || answer === 'yes' ? 'yes' : 'no';
  } finally {
    rl.close();
  }
}

export const NO_TTY_MESSAGE = 'not changing anything: no terminal to ask on; re-run with --yes to apply, or --dry-run to only show the plan';

/** A tiny progress line for long work, on stderr, only when it is a TTY. */
export function progress(io: Output = processOutput): { update(done: number, total: number, label?: string): void; done(): void } {
  if (!io.stderrIsTTY) return { update() {}, done() {} };
  return {
    update(done, total, label) {
      io.errRaw(`\r\x1b[K${done}/${total}${label ? ` ${label}` : ''}`);
    },
    done() {
      io.errRaw('\r\x1b[K');
    },
  };
}

/** All of this process's stdin (`keys add -`: a key, or a few). */
export async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
