// What every changing command does after its planner, on the terminal: recover a killed run
// first, show the plan (text) or nothing until the end (--json), ask, run the one change flow
// (src/apply/flow.ts) and print the one Outcome: a line with the follow-up commands for the
// backup directory in use, or the one JSON envelope (src/report/outcome-json.ts). Returns the
// exit code from the one table (src/apply/outcome.ts). Not a command: command files call it.
// Also decides, for every changing command alike (proofOf), how the change proves itself: the
// admin's own login (their agent, or --verify-key; as --verify-user, SUDO_USER or the session
// user) and the confirm window (--confirm-timeout, by default 120 s for a person at a terminal
// inside an SSH session; none for scripts without a terminal).
import type { ApplyHost } from '../apply/host.js';
import { findSshd } from '../host/executor.js';
import { DEFAULT_BACKUP_ROOT } from '../apply/backup.js';
import { recoverFirst, runChange, type ChangeRequest, type FlowOptions } from '../apply/flow.js';
import { guardPlan } from '../apply/guard-stage.js';
import type { LoadedHost } from '../host/loaded-host.js';
import type { SessionFacts } from '../host/session.js';
import { exitCodeOf, type ExitCode, type Outcome } from '../apply/outcome.js';
import { renderChangeJson, type ChangeResult } from '../report/outcome-json.js';
import { describeOutcome, renderPlanText } from '../report/outcome-text.js';
import { color, confirm, type Output } from './io.js';
import { testPause } from './test-hooks.js';
import { defaultBackupDir, defaultLockDir, plainErrno } from './user-scope.js';
import { guardStops } from './interrupt.js';
import { accessSync, constants as FS } from 'node:fs';
import { resolve } from 'node:path';
import { confirmWindowOf, type ConfirmWindow } from '../apply/confirm.js';
import { credentialRequestOf, refusedByAddress, type CredentialRequest } from '../apply/credential.js';
import { candidateFiles } from '../apply/candidate.js';
import { accessListsOf } from '../sshd/access.js';
import type { VerifyFlags } from './flags.js';
import { sessionOfProcess } from './target.js';
import type { Plan } from '../apply/plan.js';
import type { EffectiveConfig } from '../sshd/evaluate/types.js';
import { listenOf } from '../allow/target.js';

export const DEFAULT_SSHD = '/usr/sbin/sshd';

export interface ChangeFlags extends Readonly<VerifyFlags> {
  readonly dryRun?: boolean;
  readonly yes?: boolean;
  readonly json?: boolean;
  readonly backupDir: string;
}

/** How a change proves itself: the confirm window and the admin's own login. */
export interface Proof {
  readonly window: ConfirmWindow;
  readonly credential: CredentialRequest;
}

/**
 * The proof of a run from its flags, its terminal (io) and its session; a string: a flag is wrong.
 * Interactive = stdin is a terminal (the rule that decides whether sshield may ask).
 */
export function proofOf(io: Pick<Output, 'stdinIsTTY'>, flags: VerifyFlags, session: SessionFacts, keyReadable: (path: string) => boolean = readable): Proof | string {
  const window = confirmWindowOf({ ...(flags.confirmTimeout !== undefined ? { given: flags.confirmTimeout } : {}), interactive: io.stdinIsTTY, overSsh: session.sshConnection !== undefined });
  if (typeof window === 'string') return window;
  if (flags.verifyKey !== undefined && !keyReadable(flags.verifyKey)) return `--verify-key ${flags.verifyKey}: not a readable file`;
  if (flags.verifyUser !== undefined && !/^[a-z_][a-z0-9_.-]*\$?$/i.test(flags.verifyUser)) return `--verify-user ${flags.verifyUser}: not an account name`;
  const credential = credentialRequestOf({ ...(flags.verifyKey !== undefined ? { verifyKey: resolve(flags.verifyKey) } : {}), ...(flags.verifyUser !== undefined ? { verifyUser: flags.verifyUser } : {}), session });
  return { window, credential };
}

function readable(path: string): boolean {
  try {
    accessSync(path, FS.R_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * A plan sshd needs no reload for (authorized_keys, read at every login) still has a live daemon
 * the admin logs in to: name it (its listen address and port) so the writer's login before and
 * after the change, and the confirm window, cover it too. Not under an offline root.
 */
export function withLoginTarget(plan: Plan, view: { global(): EffectiveConfig }): Plan {
  if (plan.verify || plan.root !== undefined) return plan;
  return { ...plan, verify: { ...listenOf(view.global()), user: 'root' } };
}

/**
 * The proof logs in from the daemon's own listen address (loopback, usually). A change that closes
 * that address for the admin by design (an allowlist without it) would fail that login while the
 * admin's own address keeps its way in: such a login proves nothing, and the result says why.
 */
async function scopedCredential(req: CredentialRequest, plan: Plan, host: LoadedHost | undefined): Promise<CredentialRequest> {
  if (!('identity' in req) || !host || !plan.verify || plan.files.length === 0) return req;
  const { user } = req.identity;
  const addr = plan.verify.address;
  const after = await host.candidate(candidateFiles(plan));
  const why = refusedByAddress(accessListsOf(after.evaluate({ user, addr, laddr: addr, lport: plan.verify.port })), user, addr);
  return why ? { unavailable: `not proven with your credentials: after this change sshd refuses ${user} from ${addr}, where the proof logs in from (${why}); your own address is judged by the guards` } : req;
}

/** What the admin is told when the confirm window is the default one (not asked for). */
export function defaultWindowMessage(seconds: number, backupDir: string): string {
  return `Confirm window (the default on a terminal inside an SSH session): this change stays only if \`${followUpConfirm(backupDir)}\` runs from a NEW login within ${seconds} s; otherwise it is rolled back. --confirm-timeout 0 turns the window off.`;
}

function followUpConfirm(backupDir: string): string {
  return backupDir === DEFAULT_BACKUP_ROOT ? 'sshield confirm' : `sshield confirm --backup-dir ${backupDir}`;
}

/** The sshd that validates and recovers: the given one, else /usr/sbin/sshd when installed. */
export async function sshdFor(host: ApplyHost, given?: string): Promise<string | undefined> {
  return given ?? (await findSshd(host, [DEFAULT_SSHD]));
}

/** What a changing command reports: the envelope's input (src/report/outcome-json.ts). */
export type Reported = ChangeResult;

/** Prints an Outcome (text line or JSON envelope) and returns its exit code. */
export function report(io: Output, given: Reported, flags: Pick<ChangeFlags, 'json' | 'backupDir'>): ExitCode {
  const o = given.outcome;
  // A system error that reached the outcome is said in words (never a bare "EACCES: ..."), naming who ran it.
  const r: Reported = 'reason' in o && typeof o.reason === 'string' && /\b(EACCES|EPERM)\b/.test(o.reason) ? { ...given, outcome: { ...o, reason: plainErrno(o.reason) } as typeof o } : given;
  if (flags.json) io.out(renderChangeJson(r).trimEnd());
  else {
    for (const m of r.messages ?? []) if (m.level === 'info') io.out(m.text);
    else io.err(`sshield ${r.command}: ${m.text}`);
    // The follow-up commands name --backup-dir only when it is not this caller's default (root's, or a user's own state directory).
    const line = describeOutcome(r.outcome, { ...(flags.backupDir !== defaultBackupDir() ? { backupDir: flags.backupDir } : {}), ...(r.plan ? { plan: r.plan } : {}) });
    if (line.stream === 'out') io.out(line.text);
    else io.err(`sshield ${r.command}: ${line.text}`);
  }
  return exitCodeOf(r.outcome);
}

/**
 * SSHIELD_LOCK_DIR moves the host-wide locks (default /run/lock/sshield): tests that run side by
 * side give each file its own, so they do not wait on each other's changes.
 */
export function lockDirFromEnv(env: NodeJS.ProcessEnv = process.env): { lockDir?: string } {
  if (env.SSHIELD_LOCK_DIR) return { lockDir: env.SSHIELD_LOCK_DIR };
  // A user managing their own keys locks in their own state directory (never /run/lock/sshield).
  const own = defaultLockDir(env);
  return own ? { lockDir: own } : {};
}

/** Recovery before planning (skipped by --dry-run, which writes nothing); an exit code when the run must stop. */
export async function recoverOrStop(io: Output, command: string, host: ApplyHost, flags: ChangeFlags, sshd: string | undefined, root?: string): Promise<ExitCode | undefined> {
  if (flags.dryRun) return undefined;
  const stop = await recoverFirst(host, { backupRoot: flags.backupDir, ...lockDirFromEnv(), ...(sshd ? { sshd } : {}) }, root);
  return stop ? report(io, { command, outcome: stop }, flags) : undefined;
}

export interface ApplySpec extends Omit<ChangeRequest, 'ask' | 'dryRun'> {
  readonly command: string;
  readonly details?: Readonly<Record<string, unknown>>;
  /** The command's own text after the plan (the allow proof, the chroot check). */
  readonly extraText?: () => string;
  readonly flow?: Omit<FlowOptions, 'backupRoot' | 'onStep'>;
  /**
   * The one guard stage (src/apply/guard-stage.ts) over the host the plan was made from: every
   * guard judges the predicted host. Undefined only for a plan its planner already guarded (harden).
   */
  readonly guard?: { readonly host: LoadedHost; readonly overrides: ReadonlySet<string>; readonly session?: SessionFacts };
}

/** Shows the plan, asks, applies through the one flow, reports the Outcome. */
export async function applyAndReport(io: Output, spec: ApplySpec, flags: ChangeFlags, session: SessionFacts = sessionOfProcess()): Promise<ExitCode> {
  const proof = proofOf(io, flags, session);
  if (typeof proof === 'string') return report(io, { command: spec.command, outcome: { kind: 'error', reason: proof } }, flags);
  const s = spec.guard ? { ...spec, plan: await guardPlan({ host: spec.guard.host, plan: spec.plan, overrides: spec.guard.overrides, ...(spec.guard.session ? { session: spec.guard.session } : {}) }) } : spec;
  const credential = await scopedCredential(proof.credential, s.plan, spec.guard?.host);
  const bk = flags.backupDir;
  const sshd = s.flow?.sshd;
  if (!flags.json) {
    const text = renderPlanText(s.plan, color) + (s.extraText?.() ?? '');
    if (text) io.out(text.trimEnd());
  }
  // SIGINT/SIGTERM once the writer runs: it stops at its next step and finishes from the journal.
  const stops = guardStops(io, s.command);
  const ask = async () => {
    const a = await confirm('Apply this change?', flags.yes ? { yes: true } : {}, io);
    if (a === 'yes') stops.applying();
    return a;
  };
  const res = await runChange(
    { host: s.host, target: s.target, plan: s.plan, ...(s.refusal ? { refusal: s.refusal } : {}), dryRun: Boolean(flags.dryRun), ask },
    {
      ...s.flow,
      ...(proof.window.seconds !== undefined ? { confirmTimeoutSec: proof.window.seconds } : {}),
      watcherArgs: s.flow?.watcherArgs ?? ((id) => ['confirm', '--watch', id, '--backup-dir', bk, ...(sshd ? ['--sshd', sshd] : [])]),
      credential,
      ...(session.sshConnection ? { madeFrom: session.sshConnection } : {}),
      ...lockDirFromEnv(),
      backupRoot: flags.backupDir,
      abort: stops.signal,
      onStep: async (step, d) => {
        if (!flags.json && io.stderrIsTTY) io.err(color.dim(`… ${step}${d ? `: ${d}` : ''}`));
        await testPause(step, stops.signal);
      },
    },
  ).finally(() => stops.dispose());
  const windowNote = proof.window.why === 'ssh-terminal' && res.outcome.kind === 'applied' && res.outcome.confirmDeadline !== undefined ? [{ level: 'info' as const, text: defaultWindowMessage(proof.window.seconds!, bk) }] : [];
  return report(
    io,
    { command: s.command, outcome: res.outcome, plan: s.plan, ...(s.details ? { details: s.details } : {}), ...(res.backup ? { backup: res.backup } : {}), messages: [...res.messages, ...windowNote], ...(res.credential ? { credential: res.credential } : {}) },
    flags,
  );
}
