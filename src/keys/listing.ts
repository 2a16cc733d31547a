// What `sshield keys list` shows of one host: every user's authorized keys (the files the effective
// AuthorizedKeysFile names for each user), one row per key line sshd reads, the lines it ignores
// as diagnostics and unreadable files as problems. Reads only, through the executor it is given:
// this machine, an offline root, or a host gathered over SSH (src/fleet/remote-host.ts), so the
// local and the remote listing are this one function. Rendering is the caller's.
import type { HostExecutor } from '../host/executor.js';
import { loadHost } from '../host/loaded-host.js';
import { keyFilesResolver } from './effective-files.js';
import { collectUserKeys } from './inventory.js';
import { keyLines, type KeysDiagnostic } from './parser.js';
import { keyRow } from './rows.js';

export type KeyListRow = ReturnType<typeof keyRow>;

/** The body of `keys list --json` (without schemaVersion/command). */
export interface KeysListing {
  /** The host's label: "localhost", "root:DIR", or the fleet host name. */
  readonly target: string;
  readonly keys: readonly KeyListRow[];
  readonly diagnostics: readonly KeysDiagnostic[];
  readonly problems: readonly string[];
}

/** The listing, or a message (no such user, unreadable accounts). */
export async function listKeys(exec: HostExecutor, o: { readonly mainConfig: string; readonly user?: string }): Promise<KeysListing | string> {
  const host = await loadHost(exec, { mainPath: o.mainConfig, facts: 'config' });
  const a = host.facts.accounts;
  if (a.status === 'unknown') return `cannot read the accounts (${a.reason})`;
  const accounts = a.value;
  if (o.user && !accounts.user(o.user)) return `no such user: ${o.user}`;
  const resolver = await keyFilesResolver(host, o.mainConfig);
  const { files, problems: found } = await collectUserKeys(host.fs, accounts, { ...(o.user ? { user: o.user } : {}), authorizedKeysFilesFor: resolver.patternsFor });
  const problems = [...(resolver.fallbackReason ? [resolver.fallbackReason] : []), ...found, ...files.flatMap((f) => (f.readError ? [f.readError] : []))];
  return {
    target: host.fs.label,
    keys: files.flatMap((f) => (f.parsed ? keyLines(f.parsed).map((k) => keyRow(f, k)) : [])),
    diagnostics: files.flatMap((f) => f.parsed?.diagnostics ?? []),
    problems,
  };
}
