// The plan: pure data describing one change to a host, built by a planner (or by restore from a
// backup) and consumed by the only writer, the pipeline. It holds, per file, the text-range edits
// and the resulting text, the unified diff; the typed host steps (accounts, shells, directory
// owners and modes: PlanStep below), each with the state it found so it can be re-checked and
// undone; the effective values the evaluator predicts for the connection specs that matter, the
// guards' verdicts, how to reload and what a fresh connection must see afterwards. No I/O here;
// what each step kind does to a host is in host-steps.ts.
import { createHash } from 'node:crypto';
import type { ByteString } from '../text/bytes.js';
import type { TextEdit } from '../text/edit.js';
import type { ConnectionSpec } from '../sshd/evaluate/types.js';

export const PLAN_VERSION = 1;

export interface FileChange {
  /** The path as sshd names it (e.g. /etc/ssh/sshd_config.d/00-sshield.conf). */
  readonly path: string;
  /** Where the file is on this machine (differs from `path` under --root). */
  readonly hostPath: string;
  readonly action: 'write' | 'delete';
  /** sha256 (hex) of the file when planned; null when it did not exist. */
  readonly beforeSha256: string | null;
  readonly before: ByteString;
  readonly after: ByteString;
  /** The edits that turn `before` into `after` (empty for a new or deleted file). */
  readonly edits: readonly TextEdit[];
  readonly diff: string;
  /** Owner and mode for a file that does not exist yet (existing files keep theirs). */
  readonly newFileMode: number;
  /** Permission bits the file gets (e.g. go-w so StrictModes accepts it); absent: an existing file keeps its own. */
  readonly mode?: number;
  /** Owner of a file that does not exist yet; default root (0:0). A user's new authorized_keys is theirs. */
  readonly newFileOwner?: { readonly uid: number; readonly gid: number };
  /** Why: rule ids and one-line explanations. */
  readonly reasons: readonly string[];
}

/** Numeric owner, or an account's uid and primary gid read when the step runs (the account may be created by an earlier step). */
export type StepOwner = { readonly uid: number; readonly gid: number } | { readonly user: string };

/** When a step runs: before the files are installed (accounts, chroot directories: sshd must find them at its first login after the reload) or after the change is verified (a shell change that relies on the new config). */
export type StepStage = 'before-files' | 'after-files';

interface StepBase {
  /** One line for people: the command an admin would type ("useradd -m -s /usr/sbin/nologin bob"). */
  readonly describe: string;
  readonly stage: StepStage;
  /** Offline root (--root): paths and accounts are inside it (useradd --prefix), never the host's. */
  readonly root?: string;
}

/** A new account. Before: it did not exist (and whether its home existed, which an undo must not remove). */
export interface CreateAccountStep extends StepBase {
  readonly kind: 'create-account';
  readonly user: string;
  readonly shell: string;
  readonly home: string;
  /** useradd -m: make the home directory (only when it does not exist). */
  readonly createHome: boolean;
  /** Re-creating a deleted account (the inverse of delete-account): its ids, GECOS and private group. */
  readonly ids?: { readonly uid: number; readonly gid: number; readonly gecos: string; readonly group?: string };
  readonly before: { readonly exists: false; readonly homeExists: boolean };
}

/** Removes an account (restore of a create), keeping its home: nothing the user stored is lost. */
export interface DeleteAccountStep extends StepBase {
  readonly kind: 'delete-account';
  readonly user: string;
  readonly before: { readonly exists: true; readonly uid: number; readonly gid: number; readonly home: string; readonly shell: string; readonly gecos: string; readonly group?: string };
}

/** usermod -s. Before: the previous shell. */
export interface SetShellStep extends StepBase {
  readonly kind: 'set-shell';
  readonly user: string;
  readonly shell: string;
  readonly before: { readonly shell: string };
}

/** One directory (not its parents: each missing component is its own step). Before: absent. */
export interface MakeDirStep extends StepBase {
  readonly kind: 'make-dir';
  /** As the admin names it (inside the root under --root). */
  readonly path: string;
  /** Where it is on this machine. */
  readonly hostPath: string;
  readonly mode: number;
  readonly owner: StepOwner;
  readonly before: { readonly exists: false };
}

/** Removes an empty directory (restore of a make-dir); a directory with content is left alone. */
export interface RemoveDirStep extends StepBase {
  readonly kind: 'remove-dir';
  readonly path: string;
  readonly hostPath: string;
  readonly before: { readonly exists: true; readonly mode: number; readonly uid: number; readonly gid: number };
}

/** chown and/or chmod of an existing directory. Before: its owner, group and mode. */
export interface SetOwnershipStep extends StepBase {
  readonly kind: 'set-ownership';
  readonly path: string;
  readonly hostPath: string;
  readonly owner?: StepOwner;
  /** Permission bits (07777). */
  readonly mode?: number;
  readonly before: { readonly uid: number; readonly gid: number; readonly mode: number };
}

/**
 * Upgrades installed packages of one source (openssh-server, openssh-client, openssh-sftp-server)
 * with apt (`apt-get install --only-upgrade PKG=VERSION...`, inside the root with chroot under
 * --root), keeping the installed .debs first (in `keepDir`) so the undo can reinstall them with
 * `dpkg -i`; after the install the new `sshd -t` must accept the config. Before: the installed
 * versions. The daemon is restarted by the pipeline's reload (SIGHUP re-executes sshd from its
 * path, so the new binary serves) and, after an undo, by the undo itself.
 */
export interface InstallPackagesStep extends StepBase {
  readonly kind: 'install-packages';
  /** package -> target version (the apt candidate). */
  readonly packages: Readonly<Record<string, string>>;
  /** Where the kept .debs go (inside the root under --root, as the root sees it). */
  readonly keepDir: string;
  /** The config `sshd -t` checks with the new binary, and the sshd to run (as the root sees them). */
  readonly configPath: string;
  readonly sshd: string;
  /** How the daemon is restarted after an undo (live hosts); 'none' under --root. */
  readonly restart: ReloadTarget;
  readonly before: { readonly versions: Readonly<Record<string, string>> };
}

/**
 * A typed change to the host other than a file's bytes, journaled, backed up (its `before`) and
 * undone by the pipeline like a file. To add a kind: add it here (a `kind`, its fields, its
 * `before`), then its check/apply/undo/inverse in host-steps.ts (the table there is typed over
 * this union, so the compiler lists what is missing), the fake host's support in the tests, and
 * a row in the crash-at-every-operation test.
 */
export type PlanStep = CreateAccountStep | DeleteAccountStep | SetShellStep | MakeDirStep | RemoveDirStep | SetOwnershipStep | InstallPackagesStep;

export interface PredictedValue {
  /** The `sshd -T` key, lower case. */
  readonly key: string;
  readonly values: readonly string[];
  /** Which identity: "global", "admin alice from 10.0.0.5", ... */
  readonly label: string;
  /** The `-C` spec to check it with; undefined = globals (no -C). */
  readonly spec?: ConnectionSpec;
}

export interface GuardVerdict {
  /** Guard id, e.g. "no-key-admin". */
  readonly id: string;
  readonly ok: boolean;
  readonly message: string;
  /** The flag that overrides a refusal, named after the risk (e.g. --allow-no-key-admin). */
  readonly overrideFlag: string;
  readonly overridden: boolean;
}

export type ReloadTarget =
  | { readonly kind: 'systemd'; readonly unit: string }
  | { readonly kind: 'pidfile'; readonly pidFile: string }
  | { readonly kind: 'none'; readonly why: string };

/** What a new connection must show after the reload. */
export interface VerifyExpectation {
  readonly address: string;
  readonly port: number;
  /** The user named in the 'none' authentication request. */
  readonly user: string;
  /** Methods the server must offer, in any order; undefined = only require an answer. */
  readonly methods?: readonly string[];
  /** A substring the identification line must not contain (e.g. "Debian" with DebianBanner no). */
  readonly identExcludes?: string;
}

/**
 * Which command made a plan (recorded in the backup's manifest, shown by `sshield backups`):
 * every command that changes files goes through the same pipeline and says so.
 */
export type PlanKind = 'harden' | 'restore' | 'allow' | 'user' | 'keys' | 'upgrade' | 'ca';

export interface Plan {
  readonly version: typeof PLAN_VERSION;
  readonly kind: PlanKind;
  /** The main config as sshd names it. */
  readonly configPath: string;
  /** Offline root directory (--root), if any: host paths are inside it and nothing is reloaded. */
  readonly root?: string;
  readonly files: readonly FileChange[];
  /** Typed host steps in the order they run (within their stage); absent = none. */
  readonly steps?: readonly PlanStep[];
  /** Every file of the config tree as it will be after the change (for staging validation). */
  readonly tree: readonly { readonly path: string; readonly hostPath: string }[];
  readonly predicted: readonly PredictedValue[];
  readonly guards: readonly GuardVerdict[];
  /** Rule ids whose remediation the plan applies. */
  readonly remediated: readonly string[];
  /** Remediations left for the admin (manual, or refused by the planner), for people. */
  readonly notes: readonly string[];
  readonly reload: ReloadTarget;
  readonly verify?: VerifyExpectation;
}

export function sha256(bytes: Uint8Array | ByteString): string {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
  return createHash('sha256').update(buf).digest('hex');
}

/** The guards that refuse and were not overridden: a plan with any of these is not applied. */
export function blockingGuards(plan: Plan): GuardVerdict[] {
  return plan.guards.filter((g) => !g.ok && !g.overridden);
}

export function isEmptyPlan(plan: Plan): boolean {
  return plan.files.length === 0 && (plan.steps ?? []).length === 0;
}

export function stepsOf(plan: Pick<Plan, 'steps'>): readonly PlanStep[] {
  return plan.steps ?? [];
}
