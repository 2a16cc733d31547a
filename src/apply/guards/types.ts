// What every preflight guard reads and returns. A guard is a pure function over GuardContext:
// facts gathered beforehand (guard-facts.ts: accounts, authorized_keys files with the stat of
// every path component, host keys, chroot components, PVE cluster addresses, the session) and two
// evaluators, the current and the predicted effective configuration per connection spec. It
// returns a GuardVerdict (plan.ts): refused with the reason and the flag, named after the risk,
// that overrides it. No I/O here.
import type { BuildProfile } from '../../sshd/builds/index.js';
import type { ConnectionSpec, EffectiveConfig } from '../../sshd/evaluate/types.js';
import type { GuardVerdict } from '../plan.js';
import type { KeepLoss, MustKeepEntry } from '../../access/index.js';
import { candidateAddresses } from '../../access/addresses.js';

/** The credential model's judgment of the change (apply/guard-model.ts), when the accounts are known. */
export interface ModelView {
  readonly keep: readonly MustKeepEntry[];
  /** Who had a way in before and has none after (judgeKeep), from which address. */
  readonly losses: readonly KeepLoss[];
  readonly rootCapableBefore: boolean;
  readonly rootCapableAfter: boolean;
  /** A root-capable account keeping a shell way in through a certificate it is known to hold. */
  readonly certificateAdminAfter?: string;
}

export interface GuardUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
  readonly loginShell: boolean;
  /** Primary + supplementary group names. */
  readonly groups: readonly string[];
}

/** One path component's owner and mode (stat, following symlinks). */
export interface PathStat {
  readonly path: string;
  readonly kind: 'file' | 'directory' | 'symlink' | 'other';
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
}

export interface KeyFileFact {
  readonly user: string;
  /** As expanded from AuthorizedKeysFile. */
  readonly path: string;
  /** The file sshd opens after realpath(3) (misc.c safe_path), when it exists. */
  readonly realPath?: string;
  /** stat of the file (following symlinks); undefined when missing. */
  readonly stat?: PathStat;
  /** stat of every directory from the real file's parent up to "/" (nearest first). */
  readonly parents: readonly PathStat[];
  /** Key type names of the lines sshd would read (options accepted). */
  readonly keyTypes: readonly string[];
}

export interface HostKeyFact {
  readonly path: string;
  /** Public key type name (ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256, ...); undefined when unreadable. */
  readonly type?: string;
}

export interface GuardFacts {
  readonly users: readonly GuardUser[];
  /** Members of each group (primary and supplementary), for StrictModes' group-writable exception. */
  readonly groupMembers: (group: number) => readonly string[];
  /** authorized_keys files of the accounts that matter (admins, root, the current user). */
  readonly keyFiles: readonly KeyFileFact[];
  readonly hostKeys: readonly HostKeyFact[];
  /** stat of every component of every ChrootDirectory the prediction uses (expanded). */
  readonly chrootStats: ReadonlyMap<string, PathStat | undefined>;
  /** All IP addresses of the PVE cluster's nodes (see host/facts/cluster-addresses.ts) on a cluster node. */
  readonly clusterAddresses?: readonly string[];
  /** Cluster nodes without any known IP (ring names nothing resolves): they could connect from anywhere. */
  readonly clusterUnknownNodes?: readonly string[];
  /** From SSH_CONNECTION: the session that runs sshield. */
  readonly session?: { readonly user: string; readonly addr: string; readonly laddr: string; readonly lport: number };
  /**
   * /usr/bin/sudo exists. Membership in sudo/wheel/admin makes an account root-capable only then:
   * Proxmox VE does not install sudo, while Debian's base system has the sudo group anyway.
   */
  readonly sudoInstalled: boolean;
  /** SUDO_USER, else the invoking user. */
  readonly invokingUser?: string;
  /** False for an offline root: the session and the invoking user are of another machine. */
  readonly live: boolean;
}

export interface GuardContext {
  /** The facts of the predicted host (the plan's files and host steps applied). */
  readonly facts: GuardFacts;
  /** The facts of the host as it is; undefined = the same as `facts` (a plan that changes no fact). */
  readonly factsBefore?: GuardFacts;
  /**
   * Client addresses to try for an account whose own address is unknown: one inside every address
   * the configs name (Match Address, allowlists) and one outside them all (src/access
   * candidateAddresses). Undefined = the outside one alone.
   */
  readonly samples?: readonly string[];
  /**
   * The credential model's judgment (src/access: mustKeep + judgeKeep over the before and the
   * predicted facts). When present, the lockout guards take their losses from it (each guard the
   * losses of its own risk); without it (unit tables of hand-written facts) they use access.ts.
   */
  readonly model?: ModelView;
  readonly build: BuildProfile;
  /** Effective configuration now; spec undefined = the start-up (global) view. */
  readonly before: (spec?: ConnectionSpec) => EffectiveConfig;
  /** Effective configuration after the plan. */
  readonly after: (spec?: ConnectionSpec) => EffectiveConfig;
  /** The daemon's listen address and port (for specs). */
  readonly laddr: string;
  readonly lport: number;
}

export interface Guard {
  readonly id: string;
  /** The override flag, named after the risk. */
  readonly flag: string;
  readonly summary: string;
  check(ctx: GuardContext): { readonly ok: boolean; readonly message: string };
}

export function spec(ctx: GuardContext, user: string, addr: string): ConnectionSpec {
  return { user, host: addr, addr, laddr: ctx.laddr, lport: ctx.lport };
}

export function runGuard(g: Guard, ctx: GuardContext, overrides: ReadonlySet<string>): GuardVerdict {
  const r = g.check(ctx);
  return { id: g.id, ok: r.ok, message: r.message, overrideFlag: g.flag, overridden: !r.ok && overrides.has(g.flag) };
}

/** The facts of the host before the change. */
export const beforeFacts = (ctx: GuardContext): GuardFacts => ctx.factsBefore ?? ctx.facts;

/** The addresses to try for an account whose address is unknown. */
export const samplesOf = (ctx: GuardContext): readonly string[] => (ctx.samples?.length ? ctx.samples : OUTSIDE);

/** With no configuration files to name addresses: the model's one address outside them all. */
const OUTSIDE: readonly string[] = candidateAddresses([]).map((c) => c.addr);
