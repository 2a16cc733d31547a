// Which authorized_keys files sshd reads for a user: the effective AuthorizedKeysFile of the
// host's (or root's) sshd_config for that user, as `sshd -T -C user=U` would print it, so `keys
// list/restrict` see exactly the files sshd consults (a Match User block or a drop-in may point
// elsewhere than Debian's default). Falls back to the default list when the config cannot be
// read or sshd would reject it, and says why.
import type { ReadOnlyFs } from '../host/fs.js';
import { offlineExecutor } from '../host/executor.js';
import { loadHost, type LoadedHost } from '../host/loaded-host.js';

export interface KeyFilesResolver {
  /** Patterns (as AuthorizedKeysFile takes them) for the user, or undefined for the default. */
  patternsFor(user: string): readonly string[] | undefined;
  /** Why the default list is used, when it is. */
  readonly fallbackReason?: string;
}

/** From the loaded host (its config, build and accounts: src/host/loaded-host.ts), or a file view loaded here. */
export async function keyFilesResolver(from: LoadedHost | ReadOnlyFs, mainConfig = '/etc/ssh/sshd_config'): Promise<KeyFilesResolver> {
  const fs = 'candidate' in from ? from.fs : from;
  if (!(await fs.stat(mainConfig))) return { patternsFor: () => undefined, fallbackReason: `${mainConfig} not found: using the default AuthorizedKeysFile` };
  const loaded = 'candidate' in from && from.mainPath === mainConfig ? from : await loadHost(offlineExecutor(fs), { mainPath: mainConfig, facts: 'config' });
  const effective = loaded.global();
  if (!effective.ok) {
    const d = effective.diagnostics.find((x) => x.severity === 'error');
    return { patternsFor: () => undefined, fallbackReason: `sshd would reject ${mainConfig}${d ? ` (${d.file}:${d.line}: ${d.message})` : ''}: using the default AuthorizedKeysFile` };
  }
  return {
    patternsFor: (user) => {
      const entry = loaded.evaluate({ user }).get('authorizedkeysfile');
      return entry ? entry.values.flatMap((v) => v.split(/\s+/)).filter(Boolean) : undefined;
    },
  };
}
