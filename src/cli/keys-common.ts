// What the `keys` command files share: the host read once with its accounts, the live session
// the own-session-key guards judge, and the key selector flags. Not a command.
import type { Command } from '@commander-js/extra-typings';
import type { Accounts } from '../host/facts/accounts.js';
import type { HostExecutor } from '../host/executor.js';
import type { OpenedHost } from '../apply/open-host.js';
import { loadHost, type LoadedHost } from '../host/loaded-host.js';
import type { KeysChangeResult, KeysSession } from '../keys/change-plan.js';
import { sha256, type FileChange } from '../apply/plan.js';
import { userKeys } from '../keys/select.js';
import { FIX_MODES_FLAG, strictModesCheck } from '../keys/strict-modes-plan.js';
import type { ReadOnlyFs } from '../host/fs.js';
import type { Plan } from '../apply/plan.js';
import { notCallersToWrite } from '../keys/own-files.js';
import { caller, type Caller } from './user-scope.js';
import type { ExitCode } from './exit-codes.js';
import type { Output } from './io.js';
import { applyAndReport, recoverOrStop, report, sshdFor, withLoginTarget } from './change.js';
import { guardOverrides, type CommonChangeFlags } from './flags.js';
import { open } from './target.js';

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

/** For a non-root caller: refuses a plan that writes anything not theirs (a sentence, never EACCES). */
export async function callerScopeProblem(fs: ReadOnlyFs, plan: Plan, who: Caller = caller()): Promise<string | undefined> {
  return who.root ? undefined : notCallersToWrite(fs, plan, who.uid, who.name ?? `uid ${who.uid}`);
}

/**
 * The plan made to leave the account's key files as StrictModes accepts them (src/keys/strict-modes-plan.ts):
 * refused when it would not, fixed (go-w on what the account owns) with --fix-modes.
 */
export async function withStrictModes(loaded: { host: LoadedHost; accounts: Accounts }, r: KeysChangeResult, user: string, mainConfig: string, fix: boolean): Promise<KeysChangeResult> {
  if (r.kind !== 'plan') return r;
  const u = loaded.accounts.user(user);
  if (!u) return r;
  const strict = loaded.host.evaluate({ user }).value('strictmodes') !== 'no';
  let unchanged: FileChange[] = [];
  if (fix) {
    const uk = await userKeys(loaded.host.fs, loaded.host, loaded.accounts, user, mainConfig);
    if (typeof uk !== 'string') {
      unchanged = uk.files.flatMap((f) => (f.parsed && f.info.lstat?.kind !== 'symlink' ? [{ path: f.info.path, hostPath: r.plan.root !== undefined ? `${r.plan.root.replace(/\/+$/, '')}${f.info.path}` : f.info.path, action: 'write' as const, beforeSha256: sha256(f.parsed.text), before: f.parsed.text, after: f.parsed.text, edits: [], diff: '', newFileMode: 0o600, reasons: [`keys ${FIX_MODES_FLAG} ${user}`] }] : []));
    }
  }
  const sm = await strictModesCheck(loaded.host.fs, r.plan, u, loaded.accounts, fix, strict, unchanged);
  if (!sm.ok) return { kind: 'refused', reason: sm.reason };
  const notes = sm.fixed.length ? [...r.plan.notes, `StrictModes: ${sm.fixed.join(', ')}`] : r.plan.notes;
  return { ...r, plan: { ...sm.plan, notes } };
}

/** Opens the host, recovers, loads it, plans with `plan` and runs the one change flow. */
export async function runKeys(io: Output, command: string, o: Omit<CommonChangeFlags, 'file'> & { fixModes?: true }, user: string, config: string, env: NodeJS.ProcessEnv, plan: (ctx: { t: OpenedHost; loaded: { host: LoadedHost; accounts: Accounts } }) => Promise<KeysChangeResult>): Promise<ExitCode> {
  const bad = (reason: string): ExitCode => report(io, { command, outcome: { kind: 'error', reason } }, o);
  const t = await open({ ...(o.root !== undefined ? { root: o.root } : {}) }, env);
  if (typeof t === 'string') return bad(t);
  const host = t.machine;
  const sshd = await sshdFor(host);
  const stop = await recoverOrStop(io, command, host, o, sshd, t.root);
  if (stop !== undefined) return stop;
  const loaded = await loadedOf(t.target, config);
  if (typeof loaded === 'string') return bad(loaded);
  const planned = await withStrictModes(loaded, await plan({ t, loaded }), user, config, Boolean(o.fixModes));
  if (planned.kind === 'error') return bad(planned.reason);
  const notMine = planned.kind === 'plan' ? await callerScopeProblem(loaded.host.fs, planned.plan) : undefined;
  const r: KeysChangeResult = notMine ? { kind: 'refused', reason: notMine } : planned;
  if (r.kind === 'refused') return report(io, { command, outcome: o.dryRun ? { kind: 'dry-run', wouldRefuse: r.reason } : { kind: 'refused', reason: r.reason } }, o);
  return applyAndReport(io, { command, host, target: t.target, plan: withLoginTarget(r.plan, loaded.host), guard: { host: loaded.host, overrides: guardOverrides(o as Record<string, unknown>), session: t.session }, details: r.details, extraText: () => r.summary, flow: { ...(sshd ? { sshd } : {}) } }, o);
}
