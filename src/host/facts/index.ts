// Host facts for the audit: one call, never throws. Each fact is `known` with a value or
// `unknown` with a reason a rule prints when it skips. Reads only through the executor (its fs,
// and `run` on live hosts for `sshd -V` / `pveversion`); an offline root never executes.
//
// API (for src/rules and src/cli):
//   gatherFacts(exec, opts?) -> Promise<HostFacts>
//     opts.authorizedKeysFiles: effective AuthorizedKeysFile values (default Debian's)
//     opts.hostKeys: effective HostKey paths (default rsa/ecdsa/ed25519 in /etc/ssh)
//     opts.pidFile: effective PidFile (default /run/sshd.pid)
//   HostFacts.os / dpkg / openssh / pve / accounts / authorizedKeys / hostKeys / sshd : Fact<...>
//   accounts.value.groupsOf(user) (Match Group), inspectAuthorizedKeys(fs, user, values) for
//   per-user AuthorizedKeysFile from a Match, expandAuthorizedKeysPath(value, user).
import type { HostExecutor } from '../executor.js';
import { type Accounts, gatherAccounts } from './accounts.js';
import { type AuthorizedKeysFileInfo, DEFAULT_AUTHORIZED_KEYS_FILES, inspectAuthorizedKeys } from './authorized-keys.js';
import { type DpkgDatabase, gatherDpkg } from './dpkg-status.js';
import { DEFAULT_HOST_KEYS, type HostKeyInfo, inspectHostKeys } from './host-keys.js';
import { type OpensshBuild, gatherOpensshBuild } from './openssh-build.js';
import { type OsRelease, gatherOs } from './os-release.js';
import { type PveInfo, gatherPve } from './pve.js';
import { type SshdService, gatherSshdService } from './sshd-service.js';
import { type Fact, known, unknown } from './types.js';

export * from './types.js';
export * from './os-release.js';
export * from './dpkg-status.js';
export * from './openssh-build.js';
export * from './corosync.js';
export * from './pve.js';
export * from './accounts.js';
export * from './authorized-keys.js';
export * from './host-keys.js';
export * from './sshd-service.js';

export interface GatherOptions {
  readonly authorizedKeysFiles?: readonly string[];
  readonly hostKeys?: readonly string[];
  readonly pidFile?: string;
  /** Path of the sshd binary for `sshd -V` on a live host. */
  readonly sshdPath?: string;
}

export interface HostFacts {
  readonly target: { readonly kind: HostExecutor['kind']; readonly label: string };
  readonly os: Fact<OsRelease>;
  readonly dpkg: Fact<DpkgDatabase>;
  readonly openssh: Fact<OpensshBuild>;
  readonly pve: Fact<PveInfo>;
  readonly accounts: Fact<Accounts>;
  /** Files of users with a login shell, plus root; per the AuthorizedKeysFile values given. */
  readonly authorizedKeys: Fact<readonly AuthorizedKeysFileInfo[]>;
  readonly hostKeys: Fact<readonly HostKeyInfo[]>;
  readonly sshd: Fact<SshdService>;
}

async function guard<T>(what: string, f: () => Promise<Fact<T>>): Promise<Fact<T>> {
  try {
    return await f();
  } catch (e) {
    return unknown(`${what}: internal error: ${(e as Error).message}`);
  }
}

export async function gatherFacts(exec: HostExecutor, opts: GatherOptions = {}): Promise<HostFacts> {
  const fs = exec.fs;
  const [os, dpkg, accounts] = await Promise.all([
    guard('os', () => gatherOs(fs)),
    guard('dpkg', () => gatherDpkg(fs)),
    guard('accounts', () => gatherAccounts(fs)),
  ]);
  const [openssh, pve, hostKeys, sshd, authorizedKeys] = await Promise.all([
    guard('openssh', () => gatherOpensshBuild(exec, dpkg, os, opts.sshdPath)),
    guard('pve', () => gatherPve(exec, dpkg)),
    guard('hostKeys', async () => known<readonly HostKeyInfo[]>(await inspectHostKeys(fs, opts.hostKeys ?? DEFAULT_HOST_KEYS))),
    guard('sshd', () => gatherSshdService(exec, opts.pidFile)),
    guard('authorizedKeys', async (): Promise<Fact<readonly AuthorizedKeysFileInfo[]>> => {
      if (accounts.status === 'unknown') return unknown(`users unknown: ${accounts.reason}`);
      const out: AuthorizedKeysFileInfo[] = [];
      for (const u of accounts.value.users) {
        if (!u.loginShell && u.uid !== 0) continue;
        const r = await inspectAuthorizedKeys(fs, u, opts.authorizedKeysFiles ?? DEFAULT_AUTHORIZED_KEYS_FILES, accounts.value);
        out.push(...r.files);
      }
      return known(out);
    }),
  ]);
  return { target: { kind: exec.kind, label: exec.label }, os, dpkg, openssh, pve, accounts, authorizedKeys, hostKeys, sshd };
}
