// One call that prepares everything the model needs for one state of a host (before a change, or
// after it over an overlay of predicted files): the facts for the accounts to judge, read for
// every configuration they will be asked about, and the candidate addresses (addresses.ts). Two
// passes, because the candidates depend on the keys' from= options and the keys read depend on the
// configurations per candidate. The only I/O is through the executor handed in
// (src/host/facts/access-facts.ts gatherAccessFacts); the decisions stay pure.
import type { HostExecutor } from '../host/executor.js';
import type { Accounts } from '../host/facts/accounts.js';
import { gatherAccessFacts } from '../host/facts/access-facts.js';
import type { ConfigFile } from '../sshd/cst.js';
import type { ConnectionSpec } from '../sshd/evaluate/types.js';
import { candidateAddresses } from './addresses.js';
import type { ModelState } from './must-keep.js';
import type { ConfigFor } from './ways-in.js';

export interface ModelStateInput {
  readonly exec: Pick<HostExecutor, 'fs' | 'run' | 'live'>;
  /** The accounts of this state (for a predicted state: gathered from the same overlay). */
  readonly accounts: Accounts;
  /** The state's configuration files (the tree's files), for the addresses they name. */
  readonly files: readonly ConfigFile[];
  readonly configFor: ConfigFor;
  readonly users: readonly string[];
  /** The daemon's listen address and port, for every spec. */
  readonly base: Pick<ConnectionSpec, 'laddr' | 'lport'>;
  /** Addresses known to matter (the session's client, PVE nodes, login history), sampled first. */
  readonly extraAddresses?: readonly { readonly addr: string; readonly why: string }[];
  readonly now?: number;
}

export async function buildModelState(i: ModelStateInput): Promise<ModelState> {
  const users = [...new Set(i.users)].filter((u) => i.accounts.user(u));
  const spec = (user: string, addr: string): ConnectionSpec => ({ user, host: addr, addr, ...i.base });
  const now = i.now ?? Date.now();
  const first = candidateAddresses(i.files, undefined, i.extraAddresses ?? []);
  const pre = await gatherAccessFacts({ exec: i.exec, accounts: i.accounts, users, configs: users.flatMap((u) => first.map((c) => i.configFor(spec(u, c.addr)))), now });
  const candidates = candidateAddresses(i.files, pre, i.extraAddresses ?? []);
  const extra = candidates.filter((c) => !first.some((f) => f.addr === c.addr));
  const facts = extra.length === 0 ? pre : await gatherAccessFacts({ exec: i.exec, accounts: i.accounts, users, configs: users.flatMap((u) => candidates.map((c) => i.configFor(spec(u, c.addr)))), now });
  return { facts, configFor: i.configFor, candidates };
}
