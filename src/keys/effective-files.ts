// Which authorized_keys files sshd reads for a user: the effective AuthorizedKeysFile of the
// host's (or root's) sshd_config for that user, as `sshd -T -C user=U` would print it, so `keys
// list/restrict` see exactly the files sshd consults (a Match User block or a drop-in may point
// elsewhere than Debian's default). Falls back to the default list when the config cannot be
// read or sshd would reject it, and says why.
import type { ReadOnlyFs } from '../host/fs.js';
import { bytesToText } from '../text/bytes.js';
import { BUILDS, detectBuild } from '../sshd/builds/index.js';
import { accountsFrom, loadEffective } from '../sshd/evaluate/index.js';

export interface KeyFilesResolver {
  /** Patterns (as AuthorizedKeysFile takes them) for the user, or undefined for the default. */
  patternsFor(user: string): readonly string[] | undefined;
  /** Why the default list is used, when it is. */
  readonly fallbackReason?: string;
}

async function text(fs: ReadOnlyFs, path: string): Promise<string | undefined> {
  const r = await fs.readFile(path);
  return r.ok ? bytesToText(r.bytes) : undefined;
}

export async function keyFilesResolver(fs: ReadOnlyFs, mainConfig = '/etc/ssh/sshd_config'): Promise<KeyFilesResolver> {
  if (!(await fs.stat(mainConfig))) return { patternsFor: () => undefined, fallbackReason: `${mainConfig} not found: using the default AuthorizedKeysFile` };
  const [status, passwd, group] = await Promise.all([text(fs, '/var/lib/dpkg/status'), text(fs, '/etc/passwd'), text(fs, '/etc/group')]);
  const build = detectBuild(status) ?? BUILDS['9.2p1-debian'];
  const loaded = await loadEffective(fs, mainConfig, { build, accounts: accountsFrom(passwd, group) });
  if (!loaded.effective.ok) {
    const d = loaded.effective.diagnostics.find((x) => x.severity === 'error');
    return { patternsFor: () => undefined, fallbackReason: `sshd would reject ${mainConfig}${d ? ` (${d.file}:${d.line}: ${d.message})` : ''}: using the default AuthorizedKeysFile` };
  }
  return {
    patternsFor: (user) => {
      const entry = loaded.evaluate({ user }).get('authorizedkeysfile');
      return entry ? entry.values.flatMap((v) => v.split(/\s+/)).filter(Boolean) : undefined;
    },
  };
}
