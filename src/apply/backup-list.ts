// What `sshield backups` shows of one host: its backups, oldest first, each with the command that
// made it (kind), the journal phase it reached (state), its files and its typed host steps. Reads
// only, through the file view it is given: this machine, or a host gathered over SSH
// (src/fleet/remote-host.ts), so the local and the remote listing are this one function. A
// manifest or journal is data someone else wrote (another host, a damaged disk): fields of the
// wrong type are dropped (kind and state become "unknown"), never trusted into a crash.
import type { ReadOnlyFs } from '../host/fs.js';
import { listBackups, PHASES, type BackupRecord } from './backup.js';
import type { PlanKind, PlanStep } from './plan.js';

const KINDS: readonly PlanKind[] = ['harden', 'restore', 'allow', 'user', 'keys', 'upgrade', 'ca'];
const STEP_KINDS: readonly PlanStep['kind'][] = ['create-account', 'delete-account', 'set-shell', 'make-dir', 'remove-dir', 'set-ownership', 'install-packages'];
const STEP_PHASES = ['pending', 'started', 'done', 'undone'] as const;

export interface BackupFileRow {
  readonly path: string;
  /** Where the file is on the host, when not at path (a --root change). */
  readonly hostPath?: string;
  readonly existed: boolean;
  readonly sha256: string | null;
  /** Octal. */
  readonly mode: string;
  readonly uid: number;
  readonly gid: number;
}

export interface BackupRow {
  readonly id: string;
  readonly kind: PlanKind | 'unknown';
  readonly state: (typeof PHASES)[number] | 'unknown';
  readonly created?: string;
  readonly root?: string;
  readonly files: readonly BackupFileRow[];
  readonly steps: readonly { readonly kind: PlanStep['kind']; readonly describe: string; readonly phase: (typeof STEP_PHASES)[number] | 'unknown' }[];
}

/** The body of `backups --json` (without schemaVersion/command). */
export interface BackupListing {
  readonly backupDir: string;
  readonly backups: readonly BackupRow[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const count = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function fileRow(f: unknown): BackupFileRow | undefined {
  if (!isObject(f) || typeof f.path !== 'string' || typeof f.existed !== 'boolean' || !count(f.mode) || !count(f.uid) || !count(f.gid)) return undefined;
  if (f.sha256 !== null && (typeof f.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256))) return undefined;
  const hostPath = typeof f.hostPath === 'string' && f.hostPath !== f.path ? { hostPath: f.hostPath } : {};
  return { path: f.path, ...hostPath, existed: f.existed, sha256: f.sha256, mode: f.mode.toString(8), uid: f.uid, gid: f.gid };
}

/** One backup as listed; whatever in its manifest or journal has the wrong shape is left out. */
export function backupRow(b: BackupRecord): BackupRow {
  const m: Record<string, unknown> = isObject(b.manifest) ? b.manifest : {};
  const j: Record<string, unknown> = isObject(b.journal) ? b.journal : {};
  const kind = KINDS.find((k) => k === m.kind) ?? 'unknown';
  const state = PHASES.find((p) => p === j.phase) ?? 'unknown';
  const phases = Array.isArray(j.steps) ? (j.steps as unknown[]) : [];
  const files = (Array.isArray(m.files) ? (m.files as unknown[]) : []).flatMap((f) => fileRow(f) ?? []);
  const steps = (Array.isArray(m.steps) ? (m.steps as unknown[]) : []).flatMap((st, i) => {
    const k = isObject(st) ? STEP_KINDS.find((x) => x === st.kind) : undefined;
    if (!k || !isObject(st) || typeof st.describe !== 'string') return [];
    return [{ kind: k, describe: st.describe, phase: STEP_PHASES.find((p) => p === phases[i]) ?? ('unknown' as const) }];
  });
  return {
    id: b.id,
    kind,
    state,
    ...(typeof m.created === 'string' ? { created: m.created } : {}),
    ...(typeof m.root === 'string' ? { root: m.root } : {}),
    files,
    steps,
  };
}

/**
 * The backups in `backupDir`; none when it does not exist. A message when it exists but cannot be
 * listed (not a directory, or not readable by whoever reads it: a remote account that is not root),
 * so that an unreadable directory is never reported as one without backups.
 */
export async function listBackupRows(host: { readonly fs: ReadOnlyFs }, backupDir: string): Promise<BackupListing | string> {
  const st = await host.fs.stat(backupDir);
  if (st && st.kind !== 'directory') return `${backupDir} is not a directory`;
  if (st && (await host.fs.readDir(backupDir)) === undefined) return `cannot list ${backupDir} (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')}, owner uid ${st.uid}): read it as its owner, or name another --backup-dir`;
  return { backupDir, backups: (await listBackups(host, backupDir)).map(backupRow) };
}
