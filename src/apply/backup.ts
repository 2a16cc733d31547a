// Backups and the journal. Each run that changes a host gets a directory
// <backupRoot>/<id>/ with files/<n> (the old bytes), manifest.json (per file: path, sha256, owner,
// mode, existed; per typed host step: the step with its `before` state) and journal.json (the
// pipeline's phase and each host step's phase, rewritten atomically at every step), so that a
// run killed at any point is recognised and undone by the next one (pipeline.ts recover). Listing and
// loading backups for `sshield backups` / `sshield restore` live here too.
import { bytesToText } from '../text/bytes.js';
import type { ReadOnlyFs } from '../host/fs.js';
import type { ApplyHost } from './host.js';
import type { PlanKind, PlanStep, ReloadTarget, VerifyExpectation } from './plan.js';
import { sha256 } from './plan.js';

export const DEFAULT_BACKUP_ROOT = '/var/backups/sshield';
export const CANDIDATE_SUFFIX = '.sshield-new';

export interface ManifestEntry {
  /** Path as sshd names it. */
  readonly path: string;
  /** Where it lives on this machine. */
  readonly hostPath: string;
  readonly existed: boolean;
  /** sha256 of the old bytes; null when the file did not exist. */
  readonly sha256: string | null;
  /** sha256 of the bytes the run installs; null when the run deletes the file. */
  readonly newSha256: string | null;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Relative to the backup directory; absent when the file did not exist. */
  readonly copy?: string;
}

export interface Manifest {
  readonly version: 1;
  readonly id: string;
  readonly created: string;
  readonly kind: PlanKind;
  readonly configPath: string;
  readonly root?: string;
  readonly reload: ReloadTarget;
  readonly verify?: VerifyExpectation;
  /** Set when the run asked for `--confirm-timeout`: a run killed before arming the watcher is undone, not kept. */
  readonly confirmTimeoutSec?: number;
  /** SSH_CONNECTION of the session that made the change: `sshield confirm` from that same session is refused (a NEW login must prove access). */
  readonly madeFrom?: string;
  readonly files: readonly ManifestEntry[];
  /** The plan's typed host steps, in order, each with the state it found (`before`); absent = none. */
  readonly steps?: readonly PlanStep[];
}

/**
 * A host step's progress, by its index in the manifest's steps: 'started' is written before the
 * step runs (so a run killed inside it is undone: every undo works from either side), 'done'
 * after it, 'undone' once a rollback brought its `before` back.
 */
export type StepPhase = 'pending' | 'started' | 'done' | 'undone';

/** Ordered phases; recovery decides by the last one reached. */
export const PHASES = ['preparing', 'backed-up', 'validated', 'staged', 'installing', 'installed', 'reloaded', 'verified', 'awaiting-confirm', 'committed', 'rolled-back', 'rollback-failed'] as const;
export type Phase = (typeof PHASES)[number];

export interface Journal {
  readonly version: 1;
  readonly id: string;
  readonly phase: Phase;
  readonly updated: string;
  /** Owner pid of the run that wrote it. */
  readonly pid: number;
  /** For awaiting-confirm: when the watcher rolls back (ms since epoch) and its pid. */
  readonly confirmDeadline?: number;
  readonly watcherPid?: number;
  readonly error?: string;
  /** Per manifest step; absent when the plan has none. */
  readonly steps?: readonly StepPhase[];
  readonly history: readonly { readonly phase: Phase; readonly at: string }[];
}

/** Who owns the backups, journals and locks sshield writes: the account it runs as (root, or a user managing their own keys). */
export function stateOwner(host: Pick<ApplyHost, 'self'>): { uid: number; gid: number } {
  return host.self ?? { uid: 0, gid: 0 };
}

export function isTerminal(phase: Phase): boolean {
  return phase === 'committed' || phase === 'rolled-back' || phase === 'rollback-failed';
}

export function phaseIndex(p: Phase): number {
  return PHASES.indexOf(p);
}

export function backupDir(root: string, id: string): string {
  return `${root}/${id}`;
}

/** A sortable id from the clock: 20261124T100000Z (a -2, -3 ... suffix when taken). */
export async function newBackupId(host: ApplyHost, root: string): Promise<string> {
  const base = new Date(host.now()).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const taken = new Set((await host.fs.readDir(root)) ?? []);
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/**
 * Takes a new backup id by creating its directory (root-owned 0700) exclusively: runs on
 * different roots share a backup directory without sharing a lock, so two of them starting in
 * the same second must not both take the same id.
 */
export async function claimBackupId(host: ApplyHost, root: string): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const id = await newBackupId(host, root);
    try {
      await host.makeDir(backupDir(root, id), { mode: 0o700, ...stateOwner(host) });
      return id;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  throw new Error(`cannot take a new backup id in ${root}`);
}

function json(value: unknown): Uint8Array {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
}

export async function writeJournal(host: ApplyHost, root: string, prev: Journal | undefined, id: string, phase: Phase, extra: Partial<Pick<Journal, 'confirmDeadline' | 'watcherPid' | 'error' | 'steps'>> = {}): Promise<Journal> {
  const at = new Date(host.now()).toISOString();
  const j: Journal = {
    version: 1,
    id,
    phase,
    updated: at,
    pid: host.pid,
    ...(prev?.confirmDeadline !== undefined ? { confirmDeadline: prev.confirmDeadline } : {}),
    ...(prev?.watcherPid !== undefined ? { watcherPid: prev.watcherPid } : {}),
    ...(prev?.steps !== undefined ? { steps: prev.steps } : {}),
    ...extra,
    history: [...(prev?.history ?? []), { phase, at }],
  };
  await host.replaceFile(`${backupDir(root, id)}/journal.json`, json(j), { mode: 0o600, ...stateOwner(host) });
  return j;
}

export async function writeManifest(host: ApplyHost, root: string, m: Manifest): Promise<void> {
  await host.replaceFile(`${backupDir(root, m.id)}/manifest.json`, json(m), { mode: 0o600, ...stateOwner(host) });
}

async function readJson<T>(host: { readonly fs: ReadOnlyFs }, path: string): Promise<T | undefined> {
  const r = await host.fs.readFile(path, 16 << 20);
  if (!r.ok) return undefined;
  try {
    return JSON.parse(Buffer.from(r.bytes).toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

export interface BackupRecord {
  readonly id: string;
  readonly dir: string;
  /** Undefined when the run died before the manifest was written. */
  readonly manifest?: Manifest;
  readonly journal?: Journal;
}

export async function loadBackup(host: { readonly fs: ReadOnlyFs }, root: string, id: string): Promise<BackupRecord | undefined> {
  if (!/^[0-9A-Za-z-]+$/.test(id)) return undefined;
  const dir = backupDir(root, id);
  const st = await host.fs.stat(dir);
  if (!st || st.kind !== 'directory') return undefined;
  const manifest = await readJson<Manifest>(host, `${dir}/manifest.json`);
  const journal = await readJson<Journal>(host, `${dir}/journal.json`);
  return { id, dir, ...(manifest ? { manifest } : {}), ...(journal ? { journal } : {}) };
}

/** All backups, oldest first (ids sort by time). */
export async function listBackups(host: { readonly fs: ReadOnlyFs }, root: string): Promise<BackupRecord[]> {
  const names = ((await host.fs.readDir(root)) ?? []).filter((n) => /^\d{8}T\d{6}Z(-\d+)?$/.test(n)).sort(compareIds);
  const out: BackupRecord[] = [];
  for (const n of names) {
    const b = await loadBackup(host, root, n);
    if (b) out.push(b);
  }
  return out;
}

function compareIds(a: string, b: string): number {
  const [ta = '', na = '1'] = a.split('-');
  const [tb = '', nb = '1'] = b.split('-');
  return ta < tb ? -1 : ta > tb ? 1 : Number(na) - Number(nb);
}

/** Reads the saved copy of a manifest entry and checks it against its recorded sha256. */
export async function readBackupCopy(host: ApplyHost, rec: BackupRecord, e: ManifestEntry): Promise<Uint8Array> {
  if (!e.copy) throw new Error(`${e.path} did not exist before backup ${rec.id}`);
  const r = await host.fs.readFile(`${rec.dir}/${e.copy}`);
  if (!r.ok) throw new Error(`backup ${rec.id}: cannot read the copy of ${e.path}: ${r.detail}`);
  if (sha256(r.bytes) !== e.sha256) throw new Error(`backup ${rec.id}: the copy of ${e.path} is damaged (sha256 mismatch)`);
  return r.bytes;
}

export async function currentSha(host: ApplyHost, hostPath: string): Promise<string | null> {
  const r = await host.fs.readFile(hostPath);
  if (r.ok) return sha256(r.bytes);
  if (r.reason === 'missing') return null;
  throw new Error(`cannot read ${hostPath}: ${r.detail}`);
}

export function describeFile(bytes: Uint8Array): string {
  return bytesToText(bytes);
}
