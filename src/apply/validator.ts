// Which real sshd may validate a candidate. On the live host it is the host's own daemon. For an
// offline root (--root) this machine's sshd is a faithful judge only when it is the same OpenSSH
// build as the root's: Debian 12's 9.2p1 rejects Debian 13 defaults such as mlkem768x25519-sha256,
// which would roll back a correct change. For another build the engine's prediction, which the
// differential tests hold equal to that build's `sshd -T`, is the validation, and the plan says so.
import type { HostExecutor } from '../host/executor.js';
import type { ReadOnlyFs } from '../host/fs.js';
import { bytesToText } from '../text/bytes.js';
import { detectBuild } from '../sshd/builds/index.js';

export interface Validator {
  /** The sshd binary to validate with, or undefined when none fits. */
  readonly sshd?: string;
  /** Why the real sshd is not used, for the admin. */
  readonly note?: string;
}

async function buildOf(fs: ReadOnlyFs, statusPath: string): Promise<string | undefined> {
  const r = await fs.readFile(statusPath);
  return r.ok ? detectBuild(bytesToText(r.bytes))?.id : undefined;
}

/** The host being changed: its offline root (if any), the view of it, and this machine. */
export interface ValidatedHost {
  readonly root?: string;
  readonly target: Pick<HostExecutor, 'fs'>;
  readonly machine: Pick<HostExecutor, 'fs'>;
}

export async function validatorFor(h: ValidatedHost, sshd: string, localStatus = '/var/lib/dpkg/status'): Promise<Validator> {
  if (h.root === undefined) return { sshd };
  const [rootBuild, localBuild] = await Promise.all([buildOf(h.target.fs, '/var/lib/dpkg/status'), buildOf(h.machine.fs, localStatus)]);
  if (rootBuild !== undefined && rootBuild === localBuild) return { sshd };
  return {
    note: `not validated by this machine's sshd (${localBuild ?? 'unknown build'}): the root runs ${rootBuild ?? 'an unknown build'}; the engine's prediction for that build stands`,
  };
}
