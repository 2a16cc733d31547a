// The text of a change, the same for every command that changes a host: the plan (a unified diff
// per file, the guards' verdicts, notes, the predicted values, how the daemon is reloaded) and
// one line per Outcome, with the follow-up commands spelled out for the backup directory in use
// (`sshield restore ID --backup-dir DIR`, `sshield confirm --backup-dir DIR`). Pure.
import type { Plan } from '../apply/plan.js';
import type { Outcome } from '../apply/outcome.js';
import { NO_COLOR, type Palette } from './text.js';

export const NO_TTY_MESSAGE = 'not changing anything: no terminal to ask on; re-run with --yes to apply, or --dry-run to only show the plan';

/** Where backups live unless --backup-dir says otherwise (src/apply/backup.ts DEFAULT_BACKUP_ROOT). */
const DEFAULT_BACKUP_DIR = '/var/backups/sshield';

/** A follow-up command with the backup directory carried over when it is not the default. */
export function followUp(command: string, backupDir: string | undefined): string {
  return `sshield ${command}${backupDir !== undefined && backupDir !== DEFAULT_BACKUP_DIR ? ` --backup-dir ${backupDir}` : ''}`;
}

function reloadText(r: Plan['reload']): string {
  return r.kind === 'systemd' ? `systemctl reload ${r.unit}` : r.kind === 'pidfile' ? `SIGHUP to the pid in ${r.pidFile}` : `none (${r.why})`;
}

export function renderPlanText(plan: Plan, c: Palette = NO_COLOR): string {
  const out: string[] = [];
  for (const f of plan.files) {
    const diff = f.diff
      .replace(/\n$/, '')
      .split('\n')
      .map((l) => (l.startsWith('+') && !l.startsWith('+++') ? c.green(l) : l.startsWith('-') && !l.startsWith('---') ? c.red(l) : l))
      .join('\n');
    out.push(`${c.bold(`${f.hostPath}:`)}\n${diff}`);
  }
  for (const st of plan.steps ?? []) out.push(`${c.bold('step')}: ${st.describe}`);
  for (const g of plan.guards) out.push(g.ok ? `${c.green('guard ok')}: ${g.message}` : g.overridden ? `${c.yellow(`guard overridden ${g.id}`)}: ${g.message}` : `${c.red(`REFUSED by guard ${g.id}`)}: ${g.message} (override: ${g.overrideFlag})`);
  if (plan.remediated.length) out.push(`Rules fixed: ${plan.remediated.join(', ')}`);
  const global = plan.predicted.filter((p) => p.label === 'global').map((p) => `${p.key} ${p.values.join(' ')}`);
  if (global.length && plan.files.length) out.push(`predicted (sshd -T): ${global.join(', ')}`);
  for (const n of plan.notes) out.push(`note: ${n}`);
  if (plan.files.length || plan.steps?.length) out.push(`reload: ${reloadText(plan.reload)}`);
  return out.length ? `${out.join('\n')}\n` : '';
}

export interface OutcomeLine {
  /** stdout for what was asked and for an attempt of the writer (applied, nothing to do, dry run, failed), stderr for a change not attempted. */
  readonly stream: 'out' | 'err';
  readonly text: string;
}

/** One line (or a few) saying what happened and what to run next. */
export function describeOutcome(o: Outcome, ctx: { readonly backupDir?: string; readonly plan?: Plan } = {}): OutcomeLine {
  const restore = (id: string) => followUp(`restore ${id}`, ctx.backupDir);
  switch (o.kind) {
    case 'applied': {
      const confirm = o.confirmDeadline !== undefined ? ` Run \`${followUp('confirm', ctx.backupDir)}\` from a NEW login before ${new Date(o.confirmDeadline).toISOString()} or the change is rolled back.` : '';
      const r = ctx.plan?.reload;
      const how = !r ? '' : r.kind === 'none' ? `; ${r.why}` : o.notes.some((n) => n.startsWith('verified: ')) ? ', daemon reloaded and verified' : ', daemon reloaded';
      return { stream: 'out', text: `Applied (backup ${o.backupId}${how}).${confirm}\nUndo with: ${restore(o.backupId)}` };
    }
    case 'nothing-to-do':
      return { stream: 'out', text: 'Nothing to change.' };
    case 'dry-run':
      return o.wouldRefuse ? { stream: 'err', text: `dry run: nothing written; it would be refused: ${o.wouldRefuse}` } : { stream: 'out', text: 'Dry run: nothing written.' };
    case 'refused':
      return { stream: 'err', text: `refused: ${o.reason}` };
    case 'declined':
      return { stream: 'err', text: 'declined: nothing changed' };
    case 'no-tty':
      return { stream: 'err', text: NO_TTY_MESSAGE };
    case 'stale':
      return { stream: 'err', text: `not applied: ${o.reason}` };
    case 'pending-confirm':
      return { stream: 'err', text: `not applied: change ${o.backupId} awaits confirmation: run \`${followUp('confirm', ctx.backupDir)}\` from a new login, or wait for its rollback` };
    case 'failed': {
      // An attempt that reached the writer reports on stdout, as `applied` does.
      const head = `Failed at ${o.step}: ${o.reason.replace(/\.+$/, '')}.`;
      if (o.rolledBack) return { stream: 'out', text: `${head} The previous configuration was restored.` };
      if (o.rollbackError !== undefined) return { stream: 'out', text: `${head} ROLLBACK FAILED: ${o.rollbackError}; backup ${o.backupId ?? '?'} holds the old files${o.backupId ? ` (${restore(o.backupId)})` : ''}.` };
      return { stream: 'out', text: `${head} Nothing was changed.` };
    }
    case 'error':
      return { stream: 'err', text: o.reason };
  }
}
