// A restore is an ordinary plan: the files of a backup become the "after" text (files that did
// not exist before that run are deleted), so it goes through the same recheck, backup, sshd -t
// validation, install, reload and verify steps as harden, and is itself undoable. A backup of
// files sshd does not parse at start (kind 'keys': authorized_keys) restores without sshd -t
// (pipeline.ts touchesSshdConfig) and without a reload (its manifest's reload is 'none').
// Host steps the backed-up run made (accounts, shells, chroot directories) are undone by their
// inverse steps (host-steps.ts inverseStep), planned against the host as it is now: what cannot
// be undone without losing data (a directory that holds files, an account's home) stays and is
// named in the plan's notes.
import { createTwoFilesPatch } from 'diff';
import type { ReadOnlyFs } from '../host/fs.js';
import { offlineExecutor } from '../host/executor.js';
import { loadHost, type LoadedHost } from '../host/loaded-host.js';
import { bytesToText, displayText, type ByteString } from '../text/bytes.js';
import type { ApplyHost } from './host.js';
import type { FileChange, Plan, PlanStep } from './plan.js';
import { PLAN_VERSION, sha256 } from './plan.js';
import { type BackupRecord, isTerminal, readBackupCopy } from './backup.js';
import { inverseStep } from './host-steps.js';
import { packageRollback, type PackageRollback } from './package-step.js';

/**
 * The restore of backup `rec` as a plan. `target`: the loaded host the backup was made on (its
 * root seen as "/"; src/host/loaded-host.ts), whose candidate with the backup's files laid over
 * it gives the restored config tree; a bare file view is loaded here (tests, the library).
 */
export async function planRestore(host: ApplyHost, target: LoadedHost | ReadOnlyFs, rec: BackupRecord): Promise<Plan> {
  const m = rec.manifest;
  if (!m) throw new Error(`backup ${rec.id} has no manifest (its run was interrupted before changing anything)`);
  const loaded = 'candidate' in target && target.mainPath === m.configPath ? target : await loadHost(offlineExecutor('candidate' in target ? target.fs : target), { mainPath: m.configPath, facts: 'config' });
  const files: FileChange[] = [];
  const over = new Map<string, ByteString | null>();
  for (const e of m.files) {
    const cur = await host.fs.readFile(e.hostPath);
    const curText = cur.ok ? bytesToText(cur.bytes) : null;
    const after = e.existed ? bytesToText(await readBackupCopy(host, rec, e)) : null;
    // The old mode comes back too (a change may have made the file go-w for StrictModes).
    const curMode = cur.ok && e.existed ? ((await host.fs.stat(e.hostPath))?.mode ?? e.mode) & 0o7777 : e.mode;
    if (curText === after && curMode === (e.mode & 0o7777)) continue;
    over.set(e.path, after);
    files.push({
      path: e.path,
      hostPath: e.hostPath,
      action: after === null ? 'delete' : 'write',
      beforeSha256: cur.ok ? sha256(cur.bytes) : null,
      before: curText ?? '',
      after: after ?? '',
      edits: [],
      diff: createTwoFilesPatch(e.path, after === null ? '/dev/null' : e.path, displayText(curText ?? ''), displayText(after ?? ''), '', '', { context: 3 }),
      newFileMode: e.mode,
      ...(e.existed && curMode !== (e.mode & 0o7777) ? { mode: e.mode & 0o7777 } : {}),
      reasons: [`restore backup ${rec.id}`],
    });
  }
  const steps: PlanStep[] = [];
  const notes: string[] = [];
  const recorded = m.steps ?? [];
  // A step counts as made unless the journal says it never started or was undone; a run that
  // is still in progress has not committed, so every step that started may have happened.
  const phases = rec.journal?.steps;
  const ctx = { removedDirs: new Set<string>() };
  for (let i = recorded.length - 1; i >= 0; i--) {
    const p = phases?.[i] ?? (rec.journal && isTerminal(rec.journal.phase) && rec.journal.phase !== 'committed' ? 'undone' : 'done');
    if (p === 'pending' || p === 'undone') continue;
    const inv = await inverseStep(host, recorded[i]!, ctx);
    if (typeof inv === 'string') notes.push(inv);
    else if (inv) steps.push(inv);
  }
  // Things brought back (accounts, directories) before the files, things taken away after.
  steps.sort((a, b) => (a.stage === b.stage ? 0 : a.stage === 'before-files' ? -1 : 1));
  const { tree } = await loaded.candidate(over);
  const root = m.root?.replace(/\/+$/, '');
  return {
    version: PLAN_VERSION,
    kind: 'restore',
    configPath: m.configPath,
    ...(m.root !== undefined ? { root: m.root } : {}),
    files,
    ...(steps.length ? { steps } : {}),
    tree: [...tree.files.keys()].map((p) => ({ path: p, hostPath: root ? `${root}${p}` : p })),
    predicted: [],
    guards: [],
    remediated: [],
    notes,
    reload: m.reload,
    ...(m.verify ? { verify: m.verify } : {}),
  };
}

/**
 * What the restore's JSON envelope carries besides the plan: the backup restored and, for a
 * package upgrade (which restore does not downgrade), the versions to reinstall and the exact
 * command, the same as the plan's note says.
 */
export async function restoreDetails(host: ApplyHost, rec: BackupRecord): Promise<{ readonly restores: string; readonly packages?: readonly PackageRollback[] }> {
  const packages: PackageRollback[] = [];
  for (const s of rec.manifest?.steps ?? []) {
    if (s.kind !== 'install-packages') continue;
    const r = await packageRollback(host, s);
    if (r) packages.push(r);
  }
  return { restores: rec.id, ...(packages.length ? { packages } : {}) };
}
