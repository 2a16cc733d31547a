// What the `keys` command files share: the host read once with its accounts, the live session
// the own-session-key guards judge, and the key selector flags. Not a command.
import type { Command } from '@commander-js/extra-typings';
import type { Accounts } from '../host/facts/accounts.js';
import type { HostExecutor } from '../host/executor.js';
import type { OpenedHost } from '../apply/open-host.js';
import { loadHost, type LoadedHost } from '../host/loaded-host.js';
import type { KeysSession } from '../keys/change-plan.js';

export const MAIN_CONFIG = '/etc/ssh/sshd_config';

/** The host read once (src/host/loaded-host.ts: config, build, accounts), with the accounts it must know. */
export async function loadedOf(target: HostExecutor, mainConfig: string): Promise<{ host: LoadedHost; accounts: Accounts } | string> {
  const host = await loadHost(target, { mainPath: mainConfig, facts: 'config' });
  const a = host.facts.accounts;
  return a.status === 'unknown' ? `cannot read the accounts (${a.reason})` : { host, accounts: a.value };
}

/** The SSH session running this command (live hosts only), for the own-session-key guards. */
export function keysSessionOf(t: OpenedHost): { session?: KeysSession } {
  const s = t.session;
  if (!s.sshConnection) return {};
  return { session: { ...(s.user ? { me: s.user } : {}), sshConnection: s.sshConnection, ...(s.userAuthFile ? { sshUserAuth: s.userAuthFile } : {}), hostFs: t.machine.fs } };
}

/** --fingerprint, --line, --comment (and --all where offered): the selectors of src/keys/select.ts. */
export function withKeySelectors<C extends Command<any, any, any>>(c: C, verb: string, all = true): C {
  c.option('--fingerprint <fp>', `the key to ${verb} (SHA256:..., as \`keys list\` prints it)`)
    .option('--line <N>', `the key on line N (FILE:N when the account has keys in several files)`)
    .option('--comment <text>', `the key(s) whose comment is exactly this`);
  if (all) c.option('--all', `every key of the account`);
  return c;
}
