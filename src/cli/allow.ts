// `sshield allow add|remove|list`: the IP allowlist. Parses addresses (all errors, nothing
// changed, exit 2), plans with src/allow (DenyUsers USER@!ADDR,...,* lines, proven with the
// evaluator for the admin, root, an unknown user and every address), shows the diff, the proof
// and the guards, and applies through the harden pipeline (src/apply/pipeline.ts: backup,
// validate with the real sshd, atomic install, reload, verify, rollback). Also the shared
// plumbing `user` uses: host selection, rendering and applying a Plan.
import { Command } from '@commander-js/extra-typings';
import type { ReadOnlyFs } from '../host/fs.js';
import { findSshd, hasSystemd } from '../host/executor.js';
import { sessionFromEnv, type SessionFacts } from '../host/session.js';
import { openHost, type OpenedHost, type OpenResult } from '../apply/open-host.js';
import { readClusterAddresses } from '../host/facts/cluster-addresses.js';
import { parseAllowAddress, parseAllowAddresses, type AllowAddress } from '../allow/address.js';
import { buildPlan, loadConfig, memoEvaluate, evaluateWith, reloadTargetFor, groupLookup, type LoadedConfig } from '../allow/engine.js';
import { planAllow, currentAllowlist, matchAddressSamples, OVERRIDE_CLUSTER, OVERRIDE_SESSION, type AllowPlanResult } from '../allow/planner.js';
import { applyPlan, type ApplyOutcome } from '../apply/pipeline.js';
import { DEFAULT_BACKUP_ROOT } from '../apply/backup.js';
import { blockingGuards, isEmptyPlan, type Plan, type PredictedValue } from '../apply/plan.js';
import type { EffectiveConfig } from '../sshd/evaluate/types.js';
import { validatorFor } from '../apply/validator.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { testPause } from './test-hooks.js';
import { color, confirm, NO_TTY_MESSAGE, processOutput, type Output } from './io.js';
import { versioned } from '../report/document.js';

export { DEFAULT_CONFIG } from '../apply/open-host.js';

export interface ChangeFlags {
  file?: string;
  root?: string;
  dryRun?: true;
  yes?: true;
  json?: true;
  backupDir?: string;
}

export type Target = OpenedHost;

/** The host of a command line (src/apply/open-host.ts), with the session read from `env`. */
export function targetOf(o: { file?: string; root?: string }, env: NodeJS.ProcessEnv = {}): Promise<OpenResult> {
  return openHost({ ...(o.root !== undefined ? { root: o.root } : {}), ...(o.file !== undefined ? { file: o.file } : {}), cwd: process.cwd(), session: sessionFromEnv(env) });
}

/** The current SSH session: client address and the invoking user (root when nobody is named). */
export function sessionOf(s: SessionFacts): { addr: string; user: string } | undefined {
  return s.client ? { addr: s.client.addr, user: s.user ?? 'root' } : undefined;
}

export function adminOf(s: SessionFacts): string {
  return s.user ?? 'root';
}

/** PVE cluster node IPs (host/facts/cluster-addresses.ts), nodes without any, and why. */
export async function clusterAddresses(fs: ReadOnlyFs): Promise<{ addresses: AllowAddress[]; unknownNodes: readonly string[]; notes: readonly string[] }> {
  const view = await readClusterAddresses(fs);
  if (!view) return { addresses: [], unknownNodes: [], notes: [] };
  const addresses: AllowAddress[] = [];
  for (const a of view.addresses) {
    const p = parseAllowAddress(a);
    if (p.ok && !addresses.some((x) => x.text === p.value.text)) addresses.push(p.value);
  }
  return { addresses, unknownNodes: view.unknownNodes, notes: view.notes };
}

function listenOf(eff: EffectiveConfig): { address: string; port: number } {
  const l = eff.get('listenaddress')?.values[0] ?? '0.0.0.0:22';
  const m = /^\[?(.*?)\]?:(\d+)$/.exec(l);
  let address = m?.[1] ?? '127.0.0.1';
  if (address === '0.0.0.0') address = '127.0.0.1';
  if (address === '::') address = '::1';
  return { address, port: Number(m?.[2] ?? eff.value('port') ?? 22) };
}

/** Reload target and verify expectation for the daemon that runs this config. */
export async function daemonOf(cfg: LoadedConfig, t: Target): Promise<{ reload: Plan['reload']; verify?: Plan['verify'] }> {
  const eff = await evaluateWith(cfg, new Map(), undefined);
  const reload = reloadTargetFor({ ...(t.root !== undefined ? { root: t.root } : {}), customFile: t.customFile, systemd: await hasSystemd(t.machine), pidFile: eff.value('pidfile') });
  if (reload.kind === 'none') return { reload };
  const { address, port } = listenOf(eff);
  return { reload, verify: { address, port, user: 'root' } };
}

export interface Rendered {
  readonly json: Record<string, unknown>;
}

export function renderPlanText(io: Output, plan: Plan): void {
  for (const f of plan.files) {
    const colored = f.diff
      .split('\n')
      .map((l) => (l.startsWith('+') && !l.startsWith('+++') ? color.green(l) : l.startsWith('-') && !l.startsWith('---') ? color.red(l) : l))
      .join('\n');
    io.out(`${color.bold(`${f.hostPath}:`)}\n${colored}`);
  }
  for (const g of plan.guards) io.out(`${g.ok ? color.green('guard ok') : g.overridden ? color.yellow('guard overridden') : color.red('guard refuses')}: ${g.message}${!g.ok && !g.overridden ? ` (override: ${g.overrideFlag})` : ''}`);
  for (const n of plan.notes) io.out(`note: ${n}`);
}

export function outcomeJson(o: ApplyOutcome | undefined): unknown {
  return o ?? null;
}

/**
 * Shows the plan, asks, applies through the pipeline. Returns the exit code and the outcome.
 * `extraRefusal` is a planner refusal (e.g. an unproven result) that stops before asking.
 */
export async function runPlan(io: Output, plan: Plan, o: ChangeFlags, t: Target, json: Record<string, unknown>, render: () => void, extraRefusal?: string): Promise<ExitCode> {
  const blocking = blockingGuards(plan);
  const base = { ...json, files: plan.files.map((f) => ({ path: f.path, hostPath: f.hostPath, diff: f.diff })), guards: plan.guards, notes: plan.notes, reload: plan.reload };
  const finish = (code: ExitCode, status: string, extra: Record<string, unknown> = {}): ExitCode => {
    if (o.json) io.out(JSON.stringify({ ...base, status, ...extra }, null, 2));
    return code;
  };
  if (!o.json) render();
  if (extraRefusal) {
    if (!o.json) io.err(`sshield: refused: ${extraRefusal}`);
    return finish(EXIT.refused, 'refused', { reason: extraRefusal });
  }
  if (blocking.length) {
    const reason = blocking.map((g) => `${g.message} (override: ${g.overrideFlag})`).join('; ');
    if (!o.json) io.err(`sshield: refused: ${reason}`);
    return finish(EXIT.refused, 'refused', { reason });
  }
  if (isEmptyPlan(plan)) {
    if (!o.json) io.out('nothing to change');
    return finish(EXIT.ok, 'nothing-to-do');
  }
  if (o.dryRun) {
    if (!o.json) io.out(color.dim('dry run: nothing written'));
    return finish(EXIT.ok, 'dry-run');
  }
  const answer = await confirm('Apply this change?', o.yes ? { yes: true } : {}, io);
  if (answer !== 'yes') {
    const msg = answer === 'no-tty' ? NO_TTY_MESSAGE : 'not applied: declined';
    if (!o.json) io.err(`sshield: ${msg}`);
    return finish(EXIT.refused, answer === 'no-tty' ? 'no-tty' : 'declined', { reason: msg });
  }
  // As harden does: the host is this machine (plan host paths are absolute); under --root the
  // plan's reload is 'none' and the candidate tree is validated with a throwaway host key.
  const host = t.machine;
  const local = (await findSshd(host, ['/usr/sbin/sshd'])) ?? undefined;
  const validator = local ? await validatorFor(t, local) : { note: 'not validated by sshd: none on this machine' };
  const sshd = validator.sshd;
  if (validator.note && !o.json) io.err(`sshield: ${validator.note}`);
  let extraHostKey: string | undefined;
  if (t.root !== undefined && sshd) {
    const dir = await host.tempDir('sshield-hostkey-');
    extraHostKey = `${dir}/ssh_host_ed25519_key`;
    await host.run('ssh-keygen', ['-q', '-N', '', '-t', 'ed25519', '-f', extraHostKey]);
  }
  const outcome = await applyPlan(host, plan, {
    backupRoot: o.backupDir ?? DEFAULT_BACKUP_ROOT,
    ...(sshd ? { sshd } : {}),
    ...(extraHostKey ? { extraHostKey } : {}),
    verifyTimeoutMs: 10_000,
    onStep: async (s, detail) => {
      if (!o.json && io.stderrIsTTY) io.err(color.dim(`... ${s}${s === 'host-step' && detail ? `: ${detail}` : ''}`));
      await testPause(s);
    },
  });
  switch (outcome.status) {
    case 'applied': {
      if (!o.json) io.out(`applied (backup ${outcome.backupId}${plan.reload.kind === 'none' ? `; ${plan.reload.why}` : ', daemon reloaded and verified'})`);
      return finish(EXIT.ok, 'applied', { outcome });
    }
    case 'nothing-to-do': {
      if (!o.json) io.out('nothing to change');
      return finish(EXIT.ok, 'nothing-to-do', { outcome });
    }
    case 'refused':
      if (!o.json) io.err(`sshield: refused: ${outcome.reason}`);
      return finish(EXIT.refused, 'refused', { outcome });
    case 'stale':
    case 'pending-confirm':
      if (!o.json) io.err(`sshield: ${outcome.reason}`);
      return finish(EXIT.error, outcome.status, { outcome });
    case 'failed':
      if (!o.json) io.err(`sshield: failed at ${outcome.step}: ${outcome.reason}${outcome.rolledBack ? ' (old files restored)' : ''}${outcome.rollbackError ? `; rollback failed: ${outcome.rollbackError}` : ''}`);
      return finish(EXIT.error, 'failed', { outcome });
  }
}

function proofText(io: Output, r: AllowPlanResult): void {
  const rows = r.proof.filter((p) => p.before.allowed !== p.after.allowed || p.expect === 'refused' || p.listed);
  io.out(color.bold('proof (evaluated effective config, auth.c allowed_user lists):'));
  const seen = new Set<string>();
  for (const p of rows) {
    const k = `${p.label} ${p.addr}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const v = (x: typeof p.after) => (x.allowed ? 'allowed' : `refused (${x.reason})`);
    const mark = p.ok ? color.green('ok') : color.red('FAIL');
    io.out(`  ${mark} ${p.label} from ${p.addr}: ${p.before.allowed === p.after.allowed ? v(p.after) : `${v(p.before)} -> ${v(p.after)}`}`);
  }
  for (const e of r.evalErrors) io.out(color.red(`  the candidate config has an error: ${e}`));
}

const ALLOW_HELP = `
How it works:
  Each allowlist is one line in the global part of the main sshd_config:
    DenyUsers *@!192.0.2.0/24,!2001:db8::/32,*        (everyone: only from these)
    DenyUsers root@!192.0.2.10,*                       (--user root: only from this)
  sshd checks DenyUsers before AllowUsers/AllowGroups and refuses on any match (auth.c
  allowed_user), so the restriction also holds for users already named in AllowUsers.
  Lists for everyone and for one user both apply (a user must pass both).

Safety:
  The plan (a diff) and a proof are shown first: the effective config is evaluated for you,
  root, an unknown user and the restricted user, from every listed address and from a sample
  IPv4 and IPv6 address outside the list. It refuses (exit 3) when the address of your own SSH
  session (SSH_CONNECTION) would be refused (${OVERRIDE_SESSION}), and on a Proxmox VE cluster
  node it always keeps the node addresses from corosync.conf (${OVERRIDE_CLUSTER}).
  Then the same pipeline as harden: backup, sshd -t/-T, atomic write, reload, verify, rollback.

Examples:
  sshield allow add 192.0.2.0/24 2001:db8::/32 --dry-run
  sshield allow add 10.0.0.5 --user root --yes
  sshield allow remove 192.0.2.0/24 --yes
  sshield allow list --json
  sshield allow add 127.0.0.1 -f /srv/test/sshd_config --yes   # a daemon run with -f (reloaded via its PidFile)
  sshield allow add 10.0.0.0/8 --root /mnt/image --yes        # offline root: files only

Exit codes: 0 done (or nothing to do, or --dry-run), 2 bad address or failure (rolled back),
3 refused by a guard or not confirmed (no TTY without --yes).`;

export function register(program: Command): void {
  const allow = program.command('allow').description('Restrict SSH logins to trusted addresses (IPv4/IPv6, CIDR), for everyone or one user').addHelpText('after', ALLOW_HELP);
  for (const op of ['add', 'remove'] as const) {
    allow
      .command(op)
      .description(op === 'add' ? 'Allow logins only from these addresses (adds to the list)' : 'Remove addresses from the list (the last one removes the restriction)')
      .argument('<addresses...>', 'IPv4/IPv6 addresses or networks (CIDR), e.g. 192.0.2.0/24 2001:db8::1')
      .option('--user <USER>', 'the list of one user instead of everyone')
      .option('-f, --file <FILE>', 'the sshd_config of a daemon started with -f (reloaded through its PidFile)')
      .option('--root <DIR>', 'edit an offline root (DIR/etc/ssh/sshd_config); never reloads')
      .option('--dry-run', 'show the plan and the proof, change nothing')
      .option('--yes', 'apply without asking')
      .option('--json', 'machine-readable output')
      .option('--backup-dir <DIR>', 'where backups and the journal live', DEFAULT_BACKUP_ROOT)
      .option(OVERRIDE_SESSION, 'apply even if your own SSH session address would be refused')
      .option(OVERRIDE_CLUSTER, 'apply even if PVE cluster nodes would lose root access')
      .action(async (addresses, o) => {
        process.exitCode = await runAllowChange(processOutput, op, addresses, o, process.env);
      });
  }
  allow
    .command('list')
    .description('Show the allowlists and what they mean')
    .option('-f, --file <FILE>', 'sshd_config to read')
    .option('--root <DIR>', 'read an offline root')
    .option('--json', 'machine-readable output')
    .action(async (o) => {
      process.exitCode = await runAllowList(processOutput, o);
    });
}

export async function runAllowList(io: Output, o: { file?: string; root?: string; json?: true }): Promise<ExitCode> {
  const opened = await targetOf(o);
  if (!opened.ok) return usage(io, opened.message);
  const t = opened.host;
  const loaded = await loadConfig(t.target.fs, t.mainPath);
  if (!loaded.ok) return usage(io, loaded.message);
  const lists = currentAllowlist(loaded.value.main);
  const eff = await evaluateWith(loaded.value, new Map(), undefined);
  const other = { allowusers: eff.get('allowusers')?.values ?? [], denyusers: (eff.get('denyusers')?.values ?? []).filter((v) => !lists.some((l) => v.startsWith(`${l.user}@!`))), allowgroups: eff.get('allowgroups')?.values ?? [], denygroups: eff.get('denygroups')?.values ?? [] };
  if (o.json) {
    io.out(JSON.stringify(versioned('allow list', { config: t.mainPath, restricted: lists.length > 0, lists, otherAccessLists: other }), null, 2));
    return EXIT.ok;
  }
  if (lists.length === 0) io.out('no allowlist: logins are accepted from any address (subject to the rules below)');
  for (const l of lists) io.out(`${l.user === '*' ? 'everyone' : `user ${l.user}`}: only from ${l.addresses.join(', ')}  (${l.file}:${l.line})`);
  for (const [k, v] of Object.entries(other)) if (v.length) io.out(`${k}: ${v.join(' ')}`);
  return EXIT.ok;
}

function usage(io: Output, msg: string): ExitCode {
  io.err(`sshield: ${msg}`);
  return EXIT.error;
}

export async function runAllowChange(
  io: Output,
  op: 'add' | 'remove',
  inputs: readonly string[],
  o: ChangeFlags & { user?: string; allowSessionLockout?: true; allowClusterLockout?: true },
  env: NodeJS.ProcessEnv,
): Promise<ExitCode> {
  const parsed = parseAllowAddresses(inputs);
  if (parsed.errors.length) {
    for (const e of parsed.errors) io.err(`sshield: allow ${op}: "${e.input}": ${e.message}`);
    io.err('sshield: nothing changed');
    if (o.json) io.out(JSON.stringify({ status: 'invalid-input', errors: parsed.errors }, null, 2));
    return EXIT.error;
  }
  if (o.user !== undefined && !/^[A-Za-z0-9._][-A-Za-z0-9._]*\$?$/.test(o.user)) return usage(io, `--user "${o.user}": not a user name`);
  const opened = await targetOf(o, env);
  if (!opened.ok) return usage(io, opened.message);
  const t = opened.host;
  const loaded = await loadConfig(t.target.fs, t.mainPath);
  if (!loaded.ok) return usage(io, loaded.message);
  const cfg = loaded.value;
  const cluster = await clusterAddresses(t.target.fs);
  const session = t.root === undefined ? sessionOf(t.session) : undefined;
  const admin = adminOf(sessionFromEnv(env));
  const overrides = new Set<string>();
  if (o.allowSessionLockout) overrides.add(OVERRIDE_SESSION);
  if (o.allowClusterLockout) overrides.add(OVERRIDE_CLUSTER);
  const r = await planAllow(
    {
      main: cfg.main,
      evaluate: memoEvaluate(cfg),
      groupsOf: groupLookup(cfg.accounts),
      ...(session ? { session } : {}),
      admin,
      clusterAddresses: cluster.addresses,
      ...(cluster.unknownNodes.length ? { clusterUnknownNodes: cluster.unknownNodes } : {}),
      extraSamples: matchAddressSamples([...cfg.tree.files.values()]),
      overrides,
    },
    { op, addresses: parsed.values, ...(o.user !== undefined ? { user: o.user } : {}) },
  );
  const afterEff = await evaluateWith(cfg, new Map([[cfg.mainPath, r.after]]), undefined);
  const predicted: PredictedValue[] = ['denyusers', 'allowusers'].map((key) => ({ key, values: afterEff.get(key)?.values ?? [], label: 'global' }));
  const daemon = await daemonOf(cfg, t);
  const plan = buildPlan({
    kind: 'allow',
    cfg,
    ...(t.root !== undefined ? { root: t.root } : {}),
    changes: [{ path: cfg.mainPath, before: cfg.main.text, after: r.after, edits: r.edits, reasons: [`allow ${op} ${parsed.values.map((v) => v.text).join(' ')}${o.user ? ` for ${o.user}` : ''}`] }],
    predicted: predicted.filter((p) => p.values.length > 0),
    guards: r.guards,
    notes: [...r.notes, ...cluster.notes],
    reload: daemon.reload,
    ...(daemon.verify ? { verify: daemon.verify } : {}),
  });
  const list = [...r.listAfter].map(([user, a]) => ({ user, addresses: a.map((x) => x.text) }));
  const json = {
    command: `allow ${op}`,
    config: t.mainPath,
    list,
    proof: r.proof.map((p) => ({ identity: p.label, user: p.user, addr: p.addr, listed: p.listed, expect: p.expect, before: p.before, after: p.after, ok: p.ok })),
    proven: r.proven,
  };
  const refusal = r.proven
    ? undefined
    : `the planner could not prove the result (${r.evalErrors.length ? r.evalErrors.join('; ') : r.proof.filter((p) => !p.ok).map((p) => `${p.label} from ${p.addr}`).join(', ')}); a Match block may set DenyUsers/AllowUsers for these connections`;
  return runPlan(io, plan, o, t, json, () => {
    renderPlanText(io, plan);
    proofText(io, r);
    if (list.length === 0 && plan.files.length) io.out('after this change: no allowlist (logins from any address)');
    for (const l of list) io.out(`after this change: ${l.user === '*' ? 'everyone' : l.user} only from ${l.addresses.join(', ')}`);
  }, refusal);
}
