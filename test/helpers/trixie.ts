// Debian 13's real sshd (openssh-server 1:10.0p1-7+deb13u4) as a differential oracle: the
// trixie instance of test/helpers/debian-roots.ts, under the names the tests have always used.
import type { RunResult } from './sshd.js';
import { TRIXIE, type RootConfig } from './debian-roots.js';

export const TRIXIE_ROOT = TRIXIE.root;
/** Host key inside the root, as the chrooted sshd names it. */
export const TRIXIE_HOST_KEY = TRIXIE.hostKey;

/** Why the trixie oracle cannot run here, or undefined when it can. */
export function trixieUnavailable(): string | undefined {
  return TRIXIE.unavailable();
}

export function trixieAvailable(): boolean {
  return trixieUnavailable() === undefined;
}

export type TrixieConfig = RootConfig;

/** A config set copied into the root (see debian-roots.ts). */
export function trixieConfig(configText: string, extraFiles: Readonly<Record<string, string>> = {}): TrixieConfig {
  return TRIXIE.config(configText, extraFiles);
}

/** One-shot: copy, run `sshd -T [-C spec]` inside the root, remove. */
export async function trixieSshdT(configText: string, extraFiles: Readonly<Record<string, string>> = {}, spec?: string): Promise<RunResult> {
  const c = trixieConfig(configText, extraFiles);
  try {
    return await c.sshdT(spec);
  } finally {
    c.remove();
  }
}
