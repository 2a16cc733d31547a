// Text of the listings (`keys list`, `user list`, `backups`, `allow list`) of one host, as rows: the command prints
// them for this machine or an offline root, and the fleet renderer (fleet-list.ts) prints the same
// rows with the host in front, so the text is one code path too. Warnings (lines sshd ignores,
// unreadable files) go to stderr, never between the rows. Pure.
import type { KeysListing } from '../keys/listing.js';
import type { UserListing } from '../users/list.js';
import type { BackupListing } from '../apply/backup-list.js';
import type { AllowListing } from '../allow/listing.js';
import { formatDiagnostic } from '../sshd/diagnostics.js';
import { NO_COLOR, type Palette } from './text.js';

/** One host's listing as text: a table (`head` given: columns aligned) or free lines (one cell per row, which may hold continuation lines). */
export interface ListView {
  readonly head?: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Said when there are no rows. */
  readonly empty: string;
  /** For stderr. */
  readonly warnings: readonly string[];
}

export function keysListView(l: KeysListing, user: string | undefined, c: Palette = NO_COLOR): ListView {
  return {
    rows: l.keys.map((r) => [`${c.bold(r.user)}  ${r.file}:${r.line}  ${r.type} ${r.bits}  ${r.fingerprint}  ${r.comment}${r.options ? `\n    options: ${r.options}` : ''}${r.ignoredBySshd ? c.red(`\n    ignored by sshd: ${r.ignoredBySshd}`) : ''}`]),
    empty: `No authorized keys found on ${l.target}${user ? ` for ${user}` : ''}.`,
    warnings: [...l.diagnostics.map((d) => formatDiagnostic(d as never)), ...l.problems.map((p) => `warning: ${p}`)],
  };
}

export function userListView(l: UserListing): ListView {
  return {
    head: ['USER', 'SHELL', 'PASSWORD', 'SSH', 'KEYS', 'RESTRICTIONS', 'WHY'],
    rows: l.accounts.map((a) => [a.name, a.shell || '/bin/sh', a.password, a.canLogin, String(a.keys), a.restrictions.join(', ') || '-', a.why]),
    empty: 'No accounts.',
    warnings: [],
  };
}

/** Wide enough for every PlanKind ('restore' is the longest) and 'unknown'. */
const KIND_WIDTH = 7;

export function backupsListView(l: BackupListing): ListView {
  // A change made with --root DIR changed DIR's files, not the host's: say so first.
  return {
    rows: l.backups.map((r) => [`${r.id}  ${r.kind.padEnd(KIND_WIDTH)}  ${r.state.padEnd(16)}  ${r.root !== undefined ? `in root ${r.root}: ` : ''}${[...r.files.map((f) => f.path + (f.existed ? '' : ' (new)')), ...r.steps.map((st) => `${st.describe} [${st.phase}]`)].join(', ')}`]),
    empty: `No backups in ${l.backupDir}.`,
    warnings: [],
  };
}

/** Free lines: each managed allowlist with where it is set, then the other access lists in effect. */
export function allowListView(l: AllowListing): ListView {
  const lists = l.lists.map((x) => [`${x.user === '*' ? 'everyone' : `user ${x.user}`}: only from ${x.addresses.join(', ')}  (${x.file}:${x.line})`]);
  const other = Object.entries(l.otherAccessLists).flatMap(([k, v]) => (v.length ? [[`${k}: ${v.join(' ')}`]] : []));
  return { rows: [...(lists.length ? lists : [[NO_ALLOWLIST]]), ...other], empty: NO_ALLOWLIST, warnings: [] };
}

const NO_ALLOWLIST = 'no allowlist: logins are accepted from any address (subject to the rules below)';

/** Rows as lines: a table's columns padded to the widest cell (the last column never), free rows as they are. */
export function renderRows(head: readonly string[] | undefined, rows: readonly (readonly string[])[], c: Palette = NO_COLOR): string[] {
  if (!head) return rows.map((r) => r.join('  '));
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: readonly string[]) => r.map((x, i) => (i === r.length - 1 ? x : x.padEnd(widths[i]!))).join('  ');
  return [c.bold(fmt(head)), ...rows.map(fmt)];
}

/** The listing of one host (this machine or an offline root): stdout lines and stderr lines. */
export function renderListView(v: ListView, c: Palette = NO_COLOR): { out: string[]; err: string[] } {
  if (v.rows.length === 0 && !v.head) return { out: [v.empty], err: [...v.warnings] };
  return { out: renderRows(v.head, v.rows, c), err: [...v.warnings] };
}
