// The one change flow every command that changes a host runs once its planner has made a Plan:
// recover a killed earlier run first (recoverFirst) -> the planner's own refusal and the guards
// -> nothing to do / dry run -> ask (the caller's prompt; never without a TTY) -> the writer
// (pipeline.ts applyPlan, with the validating sshd chosen by validator.ts and, for an offline
// root, a throwaway host key made by the writer) -> one Outcome (outcome.ts) plus where the backup is. No text and
// no process access here: renderers print the Outcome, src/cli maps it to the exit code.
import type { ApplyHost } from './host.js';
import type { Plan } from './plan.js';
import { blockingGuards, isEmptyPlan } from './plan.js';
import { applyPlan, recover, touchesSshdConfig, type PipelineOptions } from './pipeline.js';
import type { HostExecutor } from '../host/executor.js';
import { loadBackup } from './backup.js';
import { validatorFor } from './validator.js';
import { outcomeOfApply, type Outcome } from './outcome.js';
import type { BackupSummary, Message } from '../report/outcome-json.js';
import type { CredentialProof } from './credential.js';

export type Answer = 'yes' | 'no' | 'no-tty';

/** What the caller decides of the writer's options (pipeline.ts PipelineOptions); `sshd` is the machine's, the flow picks the validating one. */
export type FlowOptions = Pick<PipelineOptions, 'backupRoot' | 'lockDir' | 'sshd' | 'confirmTimeoutSec' | 'madeFrom' | 'watcherArgs' | 'verifyTimeoutMs' | 'credential' | 'onStep' | 'abort'>;

/**
 * Finishes what a killed earlier run left half done, BEFORE planning: a plan made on half-changed
 * files would not describe them once recovery restores them. An Outcome when this run must stop
 * (another change awaits confirmation, or recovery itself failed). `root`: the offline root the
 * command works on (undefined: this machine).
 */
export async function recoverFirst(host: ApplyHost, o: FlowOptions, root?: string): Promise<Outcome | undefined> {
  try {
    // The runs of this root only, under this root's lock (an offline root's own, not "/"'s).
    const pending = await recover(host, { backupRoot: o.backupRoot, ...(o.lockDir ? { lockDir: o.lockDir } : {}), ...(o.sshd ? { sshd: o.sshd } : {}) }, root);
    return pending ? outcomeOfApply(pending) : undefined;
  } catch (e) {
    return { kind: 'error', reason: e instanceof Error ? e.message : String(e) };
  }
}

export interface ChangeRequest {
  /** The machine sshield acts through (writes, sshd -t, reload, probe). */
  readonly host: ApplyHost;
  /** The view of the system changed (under --root: the root seen as "/"), for its build. */
  readonly target: Pick<HostExecutor, 'fs'>;
  readonly plan: Plan;
  /** The planner's own refusal (e.g. a result it could not prove): stops before asking. */
  readonly refusal?: string;
  readonly dryRun?: boolean;
  /** Asks the admin; called only when there is something to apply. */
  readonly ask: () => Promise<Answer>;
}

export interface ChangeResult {
  readonly outcome: Outcome;
  readonly backup?: BackupSummary;
  readonly messages: readonly Message[];
  /** The admin's own login after the change (or why it proves nothing), when the verify step ran. */
  readonly credential?: CredentialProof;
}

/** Runs a plan through the guards, the question and the writer. */
export async function runChange(req: ChangeRequest, o: FlowOptions): Promise<ChangeResult> {
  const { host, plan } = req;
  const messages: Message[] = [];
  let credential: CredentialProof | undefined;
  const done = (outcome: Outcome, backup?: BackupSummary): ChangeResult => ({ outcome, messages, ...(backup ? { backup } : {}), ...(credential ? { credential } : {}) });
  const blocking = blockingGuards(plan);
  const guardReason = blocking.length ? blocking.map((g) => `${g.message} (override: ${g.overrideFlag})`).join('; ') : undefined;
  const refusal = req.refusal ?? guardReason;
  if (req.dryRun) return done({ kind: 'dry-run', ...(refusal ? { wouldRefuse: refusal } : {}) });
  if (refusal) return done({ kind: 'refused', reason: refusal });
  if (isEmptyPlan(plan)) return done({ kind: 'nothing-to-do' });
  const answer = await req.ask();
  if (answer !== 'yes') return done({ kind: answer === 'no-tty' ? 'no-tty' : 'declined' });
  const validator = o.sshd ? await validatorFor({ ...(plan.root !== undefined ? { root: plan.root } : {}), target: req.target, machine: host }, o.sshd) : { note: 'not validated by sshd: none on this machine' };
  if (validator.note && touchesSshdConfig(plan)) messages.push({ level: 'warning', text: validator.note });
  // An offline root's host keys are not this machine's: sshd -t gets a throwaway one, made inside
  // the run's staging tree and gone with it (on a kill, the next run's recovery removes it).
  const extraHostKey = plan.root !== undefined && validator.sshd ? ('throwaway' as const) : undefined;
  let outcome: Outcome;
  try {
    const { sshd: _machineSshd, ...passed } = o;
    const applied = await applyPlan(host, plan, {
      ...passed,
      ...(validator.sshd ? { sshd: validator.sshd } : {}),
      ...(extraHostKey ? { extraHostKey } : {}),
      verifyTimeoutMs: o.verifyTimeoutMs ?? 10_000,
    });
    if ((applied.status === 'applied' || applied.status === 'failed') && applied.credential) credential = applied.credential;
    outcome = outcomeOfApply(applied);
  } catch (e) {
    outcome = { kind: 'error', reason: e instanceof Error ? e.message : String(e) };
  }
  for (const n of outcome.kind === 'applied' ? outcome.notes : []) messages.push({ level: 'info', text: n });
  if (credential?.status === 'proven') messages.push({ level: 'info', text: `Proven with your credentials: ${credential.detail}.` });
  else if (credential?.status === 'not-proven') messages.push({ level: 'warning', text: credential.detail });
  const id = 'backupId' in outcome ? outcome.backupId : undefined;
  return done(outcome, id ? await backupSummary(host, o.backupRoot, id) : undefined);
}

/** Where a change's old files are: the backup directory and each file's copy. */
export async function backupSummary(host: ApplyHost, backupRoot: string, id: string): Promise<BackupSummary | undefined> {
  const rec = await loadBackup(host, backupRoot, id);
  if (!rec?.manifest) return undefined;
  return { id, dir: rec.dir, files: rec.manifest.files.map((f) => ({ path: f.path, hostPath: f.hostPath, existed: f.existed, copy: f.copy ? `${rec.dir}/${f.copy}` : null })) };
}
