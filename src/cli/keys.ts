// `sshield keys list|restrict|unrestrict`: every user's authorized_keys, listed key by key, and
// per-key option changes made safely: selection by fingerprint (or --all), one text edit per chosen
// line (src/keys/restrict.ts), guards (symlink/owner, the admin's own session key), a pure check
// that the keys stay the same and in order, a unified diff, confirmation (never without a TTY),
// then a Plan of kind 'keys' applied by the one writer (src/apply/pipeline.ts applyPlan), so the
// change is locked, journaled, backed up, listed by `sshield backups` and undone by `sshield
// restore`. The real file is written (a symlink stays a symlink). Only this file touches process.
import type { Command } from '@commander-js/extra-typings';
import { join } from 'node:path';
import { DEFAULT_BACKUP_ROOT, loadBackup } from '../apply/backup.js';
import { openHost, type OpenedHost } from '../apply/open-host.js';
import { applyPlan, recover, type ApplyOutcome } from '../apply/pipeline.js';
import { PLAN_VERSION, sha256, type FileChange, type Plan } from '../apply/plan.js';
import { gatherAccounts, type Accounts } from '../host/facts/accounts.js';
import type { ReadOnlyFs } from '../host/fs.js';
import { findSshd } from '../host/executor.js';
import { sessionFromEnv, type SessionFacts } from '../host/session.js';
import { collectUserKeys, writeTarget, type UserKeyFile } from '../keys/inventory.js';
import { keyFilesResolver } from '../keys/effective-files.js';
import { effectivePermissions, PERMISSIONS, type KeyOption, type Permission } from '../keys/options.js';
import { keyLines, parseAuthorizedKeys, type KeyLine } from '../keys/parser.js';
import { planKeyLine, validateFromList, type KeyChangeRequest } from '../keys/restrict.js';
import { sessionKeyFromAuthLog, sessionKeyFromExposeAuthInfo, type SessionKey } from '../keys/session.js';
import { bytesToText, displayText, utf8ToByteString, type ByteString } from '../text/bytes.js';
import { applyEdits, type TextEdit } from '../text/edit.js';
import { unifiedDiff } from '../text/diff.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { color, confirm, NO_TTY_MESSAGE, processOutput, type Output } from './io.js';
import { formatDiagnostic } from '../sshd/diagnostics.js';
import { versioned } from '../report/document.js';

/** The main sshd config whose effective AuthorizedKeysFile names the files (under --root: inside it). */
const MAIN_CONFIG = '/etc/ssh/sshd_config';
/** The sshd the pipeline hands to recovery (it may roll back another command's killed run). */
const SSHD = '/usr/sbin/sshd';

class UsageError extends Error {}

async function openTarget(root: string | undefined, env: NodeJS.ProcessEnv = {}): Promise<OpenedHost> {
  const r = await openHost({ ...(root ? { root } : {}), session: sessionFromEnv(env) });
  if (!r.ok) throw new UsageError(r.message);
  return r.host;
}

async function accountsOf(fs: ReadOnlyFs): Promise<Accounts> {
  const a = await gatherAccounts(fs);
  if (a.status === 'unknown') throw new UsageError(`cannot read the accounts (${a.reason})`);
  return a.value;
}

function optionsText(o: readonly KeyOption[] | undefined): string {
  return o ? o.map((x) => displayText(x.text)).join(',') : '';
}

function keyRow(f: UserKeyFile, k: KeyLine) {
  const perms = k.options ? effectivePermissions(k.options) : undefined;
  return {
    user: f.user.name,
    file: f.info.path,
    line: k.line,
    type: k.typeName,
    bits: k.key.bits,
    fingerprint: k.key.fingerprint,
    comment: displayText(k.comment),
    options: optionsText(k.options),
    ...(k.optionsError ? { ignoredBySshd: `bad options: ${k.optionsError}` } : {}),
    ...(perms ? { allows: PERMISSIONS.filter((p) => perms[p]) } : {}),
    ...(k.key.certificate ? { certificate: { keyId: k.key.certificate.keyId, serial: String(k.key.certificate.serial), principals: k.key.certificate.principals, ca: k.key.certificate.caFingerprint } } : {}),
  };
}

async function list(o: { root?: string; user?: string; json?: boolean }, io: Output): Promise<ExitCode> {
  const fs = (await openTarget(o.root)).target.fs;
  const accounts = await accountsOf(fs);
  if (o.user && !accounts.user(o.user)) throw new UsageError(`no such user: ${o.user}`);
  const resolver = await keyFilesResolver(fs);
  const { files, problems: found } = await collectUserKeys(fs, accounts, { ...(o.user ? { user: o.user } : {}), authorizedKeysFilesFor: resolver.patternsFor });
  const problems = resolver.fallbackReason ? [resolver.fallbackReason, ...found] : found;
  const rows = files.flatMap((f) => (f.parsed ? keyLines(f.parsed).map((k) => keyRow(f, k)) : []));
  const diagnostics = files.flatMap((f) => f.parsed?.diagnostics ?? []);
  const unreadable = files.flatMap((f) => (f.readError ? [f.readError] : []));
  if (o.json) {
    io.out(JSON.stringify(versioned('keys list', { target: fs.label, keys: rows, diagnostics, problems: [...problems, ...unreadable] }), null, 2));
  } else {
    if (rows.length === 0) io.out(`No authorized keys found on ${fs.label}${o.user ? ` for ${o.user}` : ''}.`);
    for (const r of rows) {
      io.out(`${color.bold(r.user)}  ${r.file}:${r.line}  ${r.type} ${r.bits}  ${r.fingerprint}  ${r.comment}${r.options ? `\n    options: ${r.options}` : ''}${r.ignoredBySshd ? color.red(`\n    ignored by sshd: ${r.ignoredBySshd}`) : ''}`);
    }
    for (const d of diagnostics) io.err(formatDiagnostic(d as never));
    for (const p of [...problems, ...unreadable]) io.err(`warning: ${p}`);
  }
  return EXIT.ok;
}

function parsePermissions(list: string | undefined): Permission[] | undefined {
  if (list === undefined) return undefined;
  const out: Permission[] = [];
  for (const raw of list.split(',').map((s) => s.trim()).filter(Boolean)) {
    const name = raw.toLowerCase().replace(/^no-/, '');
    if (!(PERMISSIONS as readonly string[]).includes(name)) throw new UsageError(`--options: unknown option "${raw}" (choose from no-agent-forwarding, no-port-forwarding, no-pty, no-user-rc, no-X11-forwarding)`);
    if (!out.includes(name as Permission)) out.push(name as Permission);
  }
  if (out.length === 0) throw new UsageError('--options: empty list');
  return out;
}

async function detectSession(session: SessionFacts, fs: ReadOnlyFs, user: string): Promise<SessionKey> {
  if (!session.sshConnection) return { inSession: false };
  const readText = async (path: string, decode: (b: Uint8Array) => string): Promise<string> => {
    const r = await fs.readFile(path);
    return r.ok ? decode(r.bytes) : '';
  };
  if (session.userAuthFile) {
    const text = await readText(session.userAuthFile, (b) => Buffer.from(b).toString('utf8'));
    const fp = sessionKeyFromExposeAuthInfo(text);
    if (fp) return { inSession: true, fingerprint: fp, source: 'SSH_USER_AUTH' };
  }
  for (const log of ['/var/log/auth.log', '/var/log/secure']) {
    const text = await readText(log, bytesToText);
    const fp = text ? sessionKeyFromAuthLog(text, user, session.sshConnection) : undefined;
    if (fp) return { inSession: true, fingerprint: fp, source: 'auth-log' };
  }
  return { inSession: true };
}

interface ChangeOpts {
  root?: string;
  user?: string;
  fingerprint?: string;
  all?: boolean;
  restrict?: boolean;
  options?: string;
  from?: string;
  command?: string;
  removeFrom?: boolean;
  removeCommand?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  force?: boolean;
  json?: boolean;
  backupDir?: string;
}

async function change(mode: 'restrict' | 'unrestrict', o: ChangeOpts, io: Output, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  if (!o.user) throw new UsageError('--user is required');
  if (!o.fingerprint === !o.all) throw new UsageError('choose the keys with exactly one of --fingerprint SHA256:... or --all');
  let req: KeyChangeRequest;
  if (mode === 'restrict') {
    const deny = parsePermissions(o.options);
    if (o.from !== undefined) {
      const errs = validateFromList(o.from);
      if (errs.length) throw new UsageError(`--from: ${errs.join('; ')}`);
    }
    if (o.command !== undefined && (/[\n\r\0]/.test(o.command) || o.command.endsWith('\\'))) throw new UsageError('--command cannot contain a newline or NUL or end with a backslash (authorized_keys cannot hold it)');
    if (!o.restrict && !deny && o.from === undefined && o.command === undefined) throw new UsageError('nothing to do: give --restrict, --options, --from and/or --command');
    req = { mode, ...(o.restrict ? { restrict: true } : {}), ...(deny ? { deny } : {}), ...(o.from !== undefined ? { from: utf8ToByteString(o.from) } : {}), ...(o.command !== undefined ? { command: utf8ToByteString(o.command) } : {}) };
  } else {
    const allow = parsePermissions(o.options);
    req = { mode, ...(o.restrict ? { restrict: true } : {}), ...(allow ? { allow } : {}), ...(o.removeFrom ? { removeFrom: true } : {}), ...(o.removeCommand ? { removeCommand: true } : {}) };
  }
  const backupRoot = o.backupDir ?? DEFAULT_BACKUP_ROOT;
  // The files are written on this machine (host paths are absolute, under --root too), through
  // the pipeline every changing command shares: lock, journal, backup, manifest, recovery.
  const t = await openTarget(o.root, env);
  const host = t.machine;
  const sshd = await findSshd(host, [SSHD]);
  if (!o.dryRun) {
    // Undo what a killed earlier run left half done BEFORE reading the files (as harden does):
    // a plan made on half-changed files would not describe them once recovery restores them.
    try {
      const pending = await recover(host, { backupRoot, ...(sshd ? { sshd } : {}) });
      if (pending) {
        const { code, message } = notApplied(pending);
        io.err(message);
        return code;
      }
    } catch (e) {
      io.err(`error: ${e instanceof Error ? e.message : String(e)}`);
      return EXIT.error;
    }
  }
  const fs = t.target.fs;
  const accounts = await accountsOf(fs);
  const user = accounts.user(o.user);
  if (!user) throw new UsageError(`no such user: ${o.user}`);
  const resolver = await keyFilesResolver(fs, MAIN_CONFIG);
  if (resolver.fallbackReason && !o.json) io.err(`sshield keys: ${resolver.fallbackReason}`);
  const { files } = await collectUserKeys(fs, accounts, { user: user.name, authorizedKeysFilesFor: resolver.patternsFor });
  const wantFp = o.fingerprint && !o.fingerprint.startsWith('SHA256:') ? `SHA256:${o.fingerprint}` : o.fingerprint;
  const allKeys = files.flatMap((f) => (f.parsed ? keyLines(f.parsed).map((k) => ({ f, k })) : []));
  const chosen = allKeys.filter(({ k }) => o.all || k.key.fingerprint === wantFp);
  if (chosen.length === 0) throw new UsageError(o.all ? `${user.name} has no authorized keys` : `no key of ${user.name} has fingerprint ${wantFp} (see \`sshield keys list --user ${user.name}\`)`);

  // Guard: the admin's own session key (live host only).
  if (mode === 'restrict' && !o.root && !o.force) {
    const me = t.session.user;
    if (me === user.name) {
      const s = await detectSession(t.session, host.fs, user.name);
      const chosenFps = new Set(chosen.map((c) => c.k.key.fingerprint));
      const others = allKeys.filter((c) => !chosenFps.has(c.k.key.fingerprint));
      const hit = s.inSession && (s.fingerprint ? chosenFps.has(s.fingerprint) && !others.some((c) => c.k.options && effectivePermissions(c.k.options).pty) : others.length === 0);
      if (hit) {
        io.err(`refused: this would restrict ${s.fingerprint ? `the key your current SSH session used (${s.fingerprint}, from ${s.source})` : 'every key of the account you are logged in as'} and leave ${user.name} no other unrestricted key. Re-run with --force if you have another way in.`);
        return EXIT.refused;
      }
    }
  }

  const plans: { f: UserKeyFile; edits: TextEdit[]; lines: number[] }[] = [];
  const refusals: string[] = [];
  let unchanged = 0;
  for (const f of files) {
    if (!f.parsed) continue;
    const edits: TextEdit[] = [];
    const lines: number[] = [];
    for (const c of chosen.filter((c) => c.f === f)) {
      const p = planKeyLine(c.k, req);
      if (p.kind === 'refused') refusals.push(`${f.info.path}:${p.message}`);
      else if (p.kind === 'unchanged') unchanged++;
      else {
        edits.push(p.edit);
        lines.push(c.k.line);
      }
    }
    if (edits.length) plans.push({ f, edits, lines });
  }
  if (refusals.length) {
    for (const r of refusals) io.err(`refused: ${r}`);
    return EXIT.refused;
  }
  if (plans.length === 0) {
    if (o.json) io.out(JSON.stringify({ changed: false, keys: chosen.length, message: 'nothing to change' }, null, 2));
    else io.out(`Nothing to change: ${chosen.length} key(s) of ${user.name} already ${mode === 'restrict' ? 'have these restrictions' : 'lack these restrictions'}.`);
    return EXIT.ok;
  }

  const prepared: { file: string; change: FileChange; viaSymlink: boolean; lines: number[] }[] = [];
  for (const p of plans) {
    const t = await writeTarget(fs, p.f);
    if (!t.ok) {
      io.err(`refused: ${t.message}`);
      return EXIT.refused;
    }
    const before = p.f.parsed!.text;
    const after = applyEdits(before, p.edits);
    // Pure check before anything is written: an options edit never adds, drops or reorders a key.
    const same = sameKeys(before, after, t.path);
    if (same) {
      io.err(`error: ${same}; nothing written`);
      return EXIT.error;
    }
    prepared.push({
      file: p.f.info.path,
      viaSymlink: t.viaSymlink,
      lines: p.lines,
      change: {
        path: t.path,
        hostPath: o.root ? join(o.root, t.path) : t.path,
        action: 'write',
        beforeSha256: sha256(before),
        before,
        after,
        edits: p.edits,
        diff: unifiedDiff(t.path, before, after),
        newFileMode: 0o600,
        reasons: [`keys ${mode} ${user.name}: line${p.lines.length > 1 ? 's' : ''} ${p.lines.join(', ')}`],
      },
    });
  }
  const plan = keysPlan(o.root, prepared.map((p) => p.change));
  if (!o.json) for (const p of prepared) io.out(p.change.diff.trimEnd());
  const summary = prepared.map((p) => ({ file: p.file, writes: p.change.hostPath, viaSymlink: p.viaSymlink, lines: p.lines, diff: p.change.diff }));
  if (o.dryRun) {
    if (o.json) io.out(JSON.stringify({ changed: false, dryRun: true, files: summary }, null, 2));
    else io.out('Dry run: nothing written.');
    return EXIT.ok;
  }
  const answer = await confirm(`Apply these changes to ${prepared.length} file(s)?`, { yes: o.yes }, io);
  if (answer !== 'yes') {
    io.err(answer === 'no-tty' ? NO_TTY_MESSAGE : 'declined: nothing written');
    return EXIT.refused;
  }
  let outcome: ApplyOutcome;
  try {
    outcome = await applyPlan(host, plan, {
      backupRoot,
      ...(sshd ? { sshd } : {}),
      onStep: (s, d) => {
        if (!o.json && io.stderrIsTTY) io.err(color.dim(`… ${s}${d ? `: ${d}` : ''}`));
      },
    });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (o.json) io.out(JSON.stringify({ changed: false, status: 'error', reason: message, files: summary }, null, 2));
    io.err(`error: ${message}`);
    return EXIT.error;
  }
  if (outcome.status !== 'applied') {
    const { code, message } = notApplied(outcome);
    if (o.json) io.out(JSON.stringify({ changed: false, status: outcome.status, reason: message, ...('backupId' in outcome && outcome.backupId ? { backupId: outcome.backupId } : {}), files: summary }, null, 2));
    io.err(message);
    return code;
  }
  const rec = await loadBackup(host, backupRoot, outcome.backupId);
  const copyOf = (i: number): string | undefined => {
    const e = rec?.manifest?.files.find((f) => f.hostPath === prepared[i]!.change.hostPath);
    return rec && e?.copy ? `${rec.dir}/${e.copy}` : undefined;
  };
  if (o.json) io.out(JSON.stringify({ changed: true, backupId: outcome.backupId, files: summary.map((s, i) => ({ ...s, backup: copyOf(i) })) }, null, 2));
  else {
    for (const [i, p] of prepared.entries()) io.out(`Updated ${p.file}${p.viaSymlink ? ` (at ${p.change.path})` : ''} (backup ${outcome.backupId}: ${copyOf(i) ?? '?'}).`);
    io.out(`Undo with: sshield restore ${outcome.backupId}${backupRoot === DEFAULT_BACKUP_ROOT ? '' : ` --backup-dir ${backupRoot}`}`);
  }
  return EXIT.ok;
}

/** Undefined when `after` holds the same keys as `before`, in the same order; else why not. */
export function sameKeys(before: ByteString, after: ByteString, path: string): string | undefined {
  const fps = (text: ByteString) => keyLines(parseAuthorizedKeys(text, path)).map((k) => k.key.fingerprint).join(',');
  return fps(before) === fps(after) ? undefined : `the planned ${path} does not hold the same keys in the same order`;
}

/**
 * The pipeline's plan for authorized_keys edits. No config tree: sshd reads these files at each
 * public-key login (auth2-pubkey.c user_key_allowed -> auth_authorized_keys_file, OpenSSH 9.2p1),
 * never at start, so `sshd -t` has nothing to check and there is nothing to reload or verify.
 */
export function keysPlan(root: string | undefined, files: readonly FileChange[]): Plan {
  return {
    version: PLAN_VERSION,
    kind: 'keys',
    configPath: MAIN_CONFIG,
    ...(root !== undefined ? { root } : {}),
    files,
    tree: [],
    predicted: [],
    guards: [],
    remediated: [],
    notes: [],
    reload: { kind: 'none', why: 'sshd reads authorized_keys at every login: nothing to reload' },
  };
}

/** Exit code and message for an outcome (keys' codes: a file changed since it was read is refused, 3). */
function notApplied(o: ApplyOutcome): { code: ExitCode; message: string } {
  switch (o.status) {
    case 'applied':
      return { code: EXIT.ok, message: `applied (backup ${o.backupId})` };
    case 'nothing-to-do':
      return { code: EXIT.ok, message: 'nothing to change' };
    case 'refused':
      return { code: EXIT.refused, message: `refused: ${o.reason}` };
    case 'stale':
      return { code: EXIT.refused, message: `refused: ${o.reason}; nothing written` };
    case 'pending-confirm':
      return { code: EXIT.refused, message: `refused: ${o.reason}` };
    case 'failed':
      return { code: EXIT.error, message: `error: failed at ${o.step}: ${o.reason}. ${o.rolledBack ? 'The old files were put back.' : `ROLLBACK FAILED: ${o.rollbackError}; backup ${o.backupId ?? '?'} holds the old files.`}` };
  }
}

async function guarded(f: () => Promise<ExitCode>): Promise<void> {
  try {
    process.exitCode = await f();
  } catch (e) {
    if (e instanceof UsageError) {
      processOutput.err(`sshield keys: ${e.message}`);
      process.exitCode = EXIT.error;
    } else throw e;
  }
}

const CHANGE_HELP = `
Selects keys of one account by fingerprint (as \`sshield keys list\`
prints it) or all of them, changes only those lines' options and keeps
every other byte. Shows a diff, asks (needs a TTY unless --yes), then
writes through the same safe-edit pipeline as harden, allow and user:
a lock, a backup with a manifest and a journal under --backup-dir
(default ${DEFAULT_BACKUP_ROOT}, on this machine also with --root), a
candidate beside the file with the same owner, group and mode, an
atomic rename, and recovery of a run killed half way. sshd reads
authorized_keys at every login, so there is nothing to validate with
sshd -t and nothing to reload. \`sshield backups\` lists the change
(kind keys) and \`sshield restore ID\` puts the old bytes back.
A symlinked file (e.g. Proxmox's /root/.ssh/authorized_keys ->
/etc/pve/priv/authorized_keys) is edited at its target, and stays a
link, when the target is owned by root or the account. A file changed
since it was read is not written (exit 3). Running it again changes
nothing (exit 0).

Examples:
  sshield keys restrict --user root --fingerprint SHA256:... --options no-pty --dry-run
  sshield keys restrict --user alice --all --from 192.0.2.0/24 --yes
  sshield keys unrestrict --user alice --all --remove-from --yes
  sshield backups                    # the change, kind keys
  sshield restore ID --yes           # undo it

Exit codes: 0 done or nothing to do, 2 bad usage or error, 3 refused by a guard, declined or
changed meanwhile.`;

export function register(program: Command): void {
  const keys = program.command('keys').description("Every user's authorized_keys: list them, restrict keys one by one.");
  keys
    .command('list')
    .description('List authorized keys: user, file:line, type, bits, SHA256 fingerprint, comment, options.')
    .option('--root <dir>', 'read an offline root directory instead of this host')
    .option('--user <name>', 'only this account')
    .option('--json', 'machine-readable output')
    .action((o) => guarded(() => list(o, processOutput)));
  const common = (c: Command) =>
    c
      .requiredOption('--user <name>', 'the account whose keys change')
      .option('--fingerprint <fp>', 'the key to change (SHA256:...)')
      .option('--all', 'every key of the account')
      .option('--restrict', mode(c) === 'restrict' ? 'add "restrict" (all forwarding, pty and user-rc off)' : 'remove "restrict"')
      .option('--options <list>', mode(c) === 'restrict' ? 'comma list of no-agent-forwarding,no-port-forwarding,no-pty,no-user-rc,no-X11-forwarding' : 'comma list of permissions to give back (same names)')
      .option('--root <dir>', 'edit the files under this offline root instead of this host')
      .option('--backup-dir <dir>', 'where backups and the journal live (as for harden/allow/user)', DEFAULT_BACKUP_ROOT)
      .option('--dry-run', 'show the diff, write nothing')
      .option('--yes', 'apply without asking')
      .option('--json', 'machine-readable output');
  const mode = (c: Command): string => c.name();
  const r = keys.command('restrict').description('Add restrictions to chosen keys of one account.').addHelpText('after', CHANGE_HELP);
  common(r as unknown as Command)
    .option('--from <list>', 'allow the key only from these addresses/CIDRs/patterns (from="...")')
    .option('--command <cmd>', 'force this command (command="...")')
    .option('--force', 'restrict even the key of your own current SSH session');
  r.action((_o, cmd) => guarded(() => change('restrict', cmd.opts() as ChangeOpts, processOutput, process.env)));
  const u = keys.command('unrestrict').description('Remove restrictions from chosen keys of one account (default: restrict and the five no-* flags).').addHelpText('after', CHANGE_HELP);
  common(u as unknown as Command)
    .option('--remove-from', 'remove from="..."')
    .option('--remove-command', 'remove command="..."');
  u.action((_o, cmd) => guarded(() => change('unrestrict', cmd.opts() as ChangeOpts, processOutput, process.env)));
}
