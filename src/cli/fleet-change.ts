// A changing command (harden, allow add|remove, user nologin|add|sftp, keys add|remove|restrict|
// unrestrict, ca trust, upgrade, restore) given --host/--inventory/--limit/--cluster: the same
// command runs on each host (src/fleet/remote-change.ts copies sshield there and runs it with
// --json), driven host by host by the rolling rollout (src/fleet/rollout.ts). The command's own
// flags are forwarded as the controller parsed them (hostArgv: only those given on the command
// line, so each host applies its own defaults), without the fleet flags and the flags the
// controller acts on itself; a file the command names is read here (controllerInputs), never
// left for each host to read at its own path. Asking, as for one host: without --yes every host
// first plans (--dry-run, bounded), the diffs are shown and the admin is asked once (never
// without a terminal: exit 3); a host that cannot be planned or would refuse stops the run before
// any host changes. Then the rollout with --yes: canary first, stop at the first failure.
// --dry-run plans only. Ctrl-C: no further host is started (a second one stops the hosts in
// flight, whose own watchers roll back what was not confirmed). Not a command: the command files
// route here.
import type { Command } from '@commander-js/extra-typings';
import { readFile, stat } from 'node:fs/promises';
import { queryArgs, revocationListReadable } from '../ca/keygen.js';
import { localExecutor } from '../host/executor.js';
import { localFs } from '../host/local-fs.js';
import { isBuiltinProfile } from '../policy/profiles.js';
import { MAX_POLICY_BYTES } from '../policy/policy-file.js';
import { policyFromText } from './policy-option.js';
import type { HostChangeHooks, HostChangeRunner } from '../fleet/change-types.js';
import { prepareClusterChange, describeOrder } from '../fleet/cluster-rollout.js';
import { exitCodeOfRollout, rollout, type RolloutResult } from '../fleet/rollout.js';
import type { SshPool } from '../fleet/ssh.js';
import { parseHostSpec, type FleetTarget } from '../fleet/target.js';
import { changeFleetReport, planChanges, renderChangeFleetJson, renderChangeFleetText, renderFleetPlans, wouldRefuseOf, type NotAppliedReason } from '../report/change-fleet.js';
import { paletteFor } from './color.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { FLEET_CHANGES, fleetBasics, fleetRequested, resolveFleet, type FleetFlags } from './fleet.js';
import { confirm, NO_TTY_MESSAGE, processOutput, progress, readStdin, type ConfirmOutcome, type Output } from './io.js';
import { VERSION } from './version.js';

/** Flags the controller acts on: never forwarded to the hosts (--yes/--dry-run are set per phase, --json always). */
export const CONTROLLER_FLAGS: ReadonlySet<string> = new Set([
  '--host', '--inventory', '--limit', '--cluster', '--parallel', '--host-timeout', '--ssh-config', '--ssh-option',
  '--json', '--yes', '--dry-run',
  '--verify-key', '--verify-user', '--confirm-timeout', '--remote-binary',
]);

/** What the controller hands the runner besides the host's argv: the proof and the window are the controller's. */
export interface ControllerFlags {
  readonly verifyKey?: string;
  readonly verifyUser?: string;
  readonly confirmTimeout?: string;
  readonly remoteBinary?: string;
}

export interface RunnerRequest {
  readonly pool: SshPool;
  /** The host's command line after `sshield`: the command words, its own flags, then --yes or --dry-run (the runner adds --json). */
  readonly argv: readonly string[];
  readonly deadlineMs: number;
  readonly controller: ControllerFlags;
}

export type RunnerFactory = (r: RunnerRequest) => HostChangeRunner;

export interface FleetChangeDeps {
  readonly runnerFor: RunnerFactory;
  readonly ask: (question: string, io: Output) => Promise<ConfirmOutcome>;
  readonly readStdin: () => Promise<Buffer>;
}

/** The command's words from the program down ("keys add"). */
export function commandPath(cmd: Command<any, any, any>): string {
  const words: string[] = [];
  for (let c: Command<any, any, any> | null = cmd; c?.parent; c = c.parent as Command<any, any, any> | null) words.unshift(c.name());
  return words.join(' ');
}

export interface HostArgvEdits {
  /** Option names (long) not to forward. */
  readonly drop?: ReadonlySet<string>;
  /** Extra arguments after the forwarded flags. */
  readonly add?: readonly string[];
  /** The operands instead of the parsed ones. */
  readonly operands?: readonly string[];
}

/**
 * The host's argv for a parsed command: its words, every option given on the command line (not
 * defaults: the host has its own) except the controller's, then its operands (after `--` when one
 * starts with "-"). A value that is not text cannot be forwarded faithfully: a message.
 */
export function hostArgv(cmd: Command<any, any, any>, edits: HostArgvEdits = {}): string[] | string {
  const out = commandPath(cmd).split(' ');
  for (const opt of cmd.options) {
    const long = opt.long;
    if (!long || CONTROLLER_FLAGS.has(long) || edits.drop?.has(long)) continue;
    const key = opt.attributeName();
    if (cmd.getOptionValueSource(key) !== 'cli') continue;
    const v: unknown = cmd.getOptionValue(key);
    if (typeof v === 'boolean') {
      if (v === !opt.negate) out.push(long);
    } else if (typeof v === 'string') out.push(long, v);
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) for (const x of v as string[]) out.push(long, x);
    else return `${long}: cannot be passed on to the hosts (a ${typeof v} value)`;
  }
  out.push(...(edits.add ?? []));
  const operands = edits.operands ?? (cmd.args as string[]);
  if (operands.some((a) => a.startsWith('-'))) out.push('--');
  out.push(...operands);
  return out;
}

/**
 * Flags that name a file on THIS machine: forwarded as they are, each host would read its own path.
 * The key of `keys add` is read here and passed as --key, harden's policy file read, checked and
 * passed as --profile-text, ca trust's CA public key passed as --user-ca-key and its revocation
 * list read, checked and passed as --revoked-base64; the others are refused with the reason.
 */
async function controllerInputs(path: string, cmd: Command<any, any, any>, deps: FleetChangeDeps): Promise<HostArgvEdits | string> {
  const o = cmd.opts() as Record<string, unknown>;
  if (o.root !== undefined) return '--root is an offline directory on this machine; it cannot be combined with --host/--inventory/--cluster';
  if (path === 'harden' && typeof o.profile === 'string' && !isBuiltinProfile(o.profile)) {
    // A policy file of this machine: read and checked here (errors as FILE:LINE before any host is
    // reached), its text sent to every host, which parses it the same way.
    const bad: string[] = [];
    const sink: Output = { out: () => undefined, err: (t) => void bad.push(t.replace(/^sshield harden: /gm, '')), errRaw: () => undefined, stdoutIsTTY: false, stdinIsTTY: false, stderrIsTTY: false };
    let text: string;
    try {
      const buf = await readFile(o.profile);
      if (buf.length > MAX_POLICY_BYTES) return `--profile ${o.profile}: policy file is over the limit of ${MAX_POLICY_BYTES} bytes`;
      text = buf.toString('utf8');
    } catch (e) {
      return `--profile ${o.profile}: not a built-in profile (baseline, proxmox, strict) and not a readable file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
    }
    if (typeof policyFromText(sink, 'harden', text, o.profile) === 'number') return bad.join('\n');
    const over = overForwardLimit('--profile', o.profile, Buffer.byteLength(text));
    if (over) return over;
    return { drop: new Set(['--profile']), add: ['--profile-text', text] };
  }
  if (path === 'ca trust') {
    // The CA's public key is one line: read here, its text sent (the host parses and checks it as
    // from its own file). A revocation list is binary: checked here against the CA file by
    // ssh-keygen, sent base64, checked again on each host by its own ssh-keygen.
    if (typeof o.userCa !== 'string') return o.revoked !== undefined ? '--revoked needs the CA as a file (--user-ca)' : {};
    let key: string;
    try {
      const buf = await readFile(o.userCa);
      if (buf.length > 64 * 1024) return `--user-ca ${o.userCa}: larger than a public key (64 KiB)`;
      key = buf.toString('utf8');
    } catch (e) {
      return `--user-ca ${o.userCa}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
    }
    if (key.includes('\0')) return `--user-ca ${o.userCa}: not a public key file (NUL byte)`;
    if (typeof o.revoked !== 'string') return { drop: new Set(['--user-ca']), add: ['--user-ca-key', key] };
    const krl = await revokedForHosts(o.revoked, o.userCa);
    if (typeof krl === 'string') return krl;
    return { drop: new Set(['--user-ca', '--revoked']), add: ['--user-ca-key', key, '--revoked-base64', krl.b64] };
  }
  if (path === 'keys add') {
    const file = (o.file ?? o.keyFile) as string | undefined;
    const stdin = (cmd.args as string[])[0] === '-';
    if (file === undefined && !stdin) return {};
    if ([file !== undefined, stdin, o.key !== undefined].filter(Boolean).length > 1) return "give the key with exactly one of --key 'ssh-ed25519 AAAA... comment', --file FILE or - (read from stdin)";
    let text: string;
    try {
      text = (file !== undefined ? await readFile(file) : await deps.readStdin()).toString('utf8');
    } catch (e) {
      return `cannot read ${file ?? 'stdin'}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
    }
    if (text.includes('\0')) return `${file ?? 'stdin'}: not a public key file (NUL byte)`;
    const over = overForwardLimit(file !== undefined ? '--file' : 'stdin', file ?? '-', Buffer.byteLength(text));
    if (over) return over;
    return { drop: new Set(['--file', '--key-file']), add: ['--key', text.replace(/\n+$/, '')], operands: [] };
  }
  return {};
}

/**
 * The most bytes of a file of this machine sent to the hosts as text (a policy, a key) or base64
 * (a revocation list): it travels on the host's command line, which sshd hands the shell as ONE
 * argument, and Linux refuses an argument over 128 KiB (MAX_ARG_STRLEN); 64 KiB is 87 384 base64
 * characters, leaving room for the rest of the command. A larger file: copy it to each host and
 * run the command there.
 */
export const MAX_FORWARDED_REVOKED_BYTES = 64 * 1024;

/** Why a file's text cannot be sent to the hosts (over the command-line budget), or undefined. */
function overForwardLimit(flag: string, name: string, bytes: number): string | undefined {
  return bytes > MAX_FORWARDED_REVOKED_BYTES ? `${flag} ${name}: ${bytes} bytes, over the ${MAX_FORWARDED_REVOKED_BYTES} bytes sent to the hosts on their command line; copy it to each host and run the command there` : undefined;
}

/**
 * The revocation list of `ca trust --revoked FILE`, read on this machine and checked as the local
 * command checks it (`ssh-keygen -Q -f FILE CA.pub`: 0 or 1 = read, anything else = a list sshd
 * could not read, which would refuse every key): base64 for --revoked-base64, or why not. Each host
 * checks the bytes again with its own ssh-keygen before anything is written.
 */
async function revokedForHosts(file: string, caFile: string): Promise<string | { b64: string }> {
  let bytes: Buffer;
  try {
    const st = await stat(file);
    if (!st.isFile()) return `--revoked ${file}: not a regular file`;
    if (st.size > MAX_FORWARDED_REVOKED_BYTES) return `--revoked ${file}: ${st.size} bytes, over the ${MAX_FORWARDED_REVOKED_BYTES} bytes sent to the hosts on their command line; copy it to each host and run \`sshield ca trust --revoked FILE\` there`;
    bytes = await readFile(file);
  } catch (e) {
    return `--revoked ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
  if (bytes.length > MAX_FORWARDED_REVOKED_BYTES) return `--revoked ${file}: over the ${MAX_FORWARDED_REVOKED_BYTES} bytes sent to the hosts`;
  const q = (await localExecutor(localFs()).run('ssh-keygen', queryArgs(file, caFile), { timeoutMs: 30_000 }))!;
  // No ssh-keygen here: each host's check (the same one) decides.
  const readable = /ENOENT/.test(q.error ?? '') ? true : revocationListReadable(q, bytes);
  if (readable !== true) return `--revoked ${file}: not a revocation list sshd can read (it would refuse every public key): ${readable}`;
  return { b64: bytes.toString('base64') };
}

interface Fleet {
  readonly targets: readonly FleetTarget[];
  readonly pool: SshPool;
  readonly parallel: number;
  readonly deadlineMs: number;
  readonly hooks?: HostChangeHooks;
  /** A line said before the run (the cluster's order). */
  readonly note?: string;
}

/** The hosts of the flags: --host/--inventory/--limit, or --cluster node by node (one cluster per run, parallel 1, the peers' check). */
async function fleetOf(o: FleetFlags): Promise<Fleet | string> {
  if (!o.cluster) {
    const s = await resolveFleet(o);
    return typeof s === 'string' ? s : { targets: s.targets, pool: s.pool, parallel: s.parallel, deadlineMs: s.deadlineMs };
  }
  if (o.host?.length || o.inventory) return '--cluster changes one PVE cluster node by node; it cannot be combined with --host or --inventory (run them separately)';
  if (o.parallel !== undefined && o.parallel !== '1') return `--cluster changes one node at a time; --parallel ${o.parallel} cannot apply`;
  const b = fleetBasics(o);
  if (typeof b === 'string') return b;
  const seed = parseHostSpec(o.cluster, '--cluster');
  if (!seed.ok) return seed.message;
  const c = await prepareClusterChange(b.pool, seed.value, { deadlineMs: b.deadlineMs, ...(o.limit ? { limit: o.limit } : {}) });
  if (!c.ok) {
    await b.pool.close();
    return c.message;
  }
  return { targets: c.value.targets, pool: b.pool, parallel: 1, deadlineMs: b.deadlineMs, hooks: c.value.hooks, note: [describeOrder(c.value), ...c.value.notes].join('\n') };
}

/** Ctrl-C during a rollout: first stop starting hosts, then stop those in flight, then leave (closing the masters). */
function rolloutStops(io: Output, command: string, pool: SshPool): { stop: AbortSignal; hosts: AbortSignal; dispose(): void } {
  const stop = new AbortController();
  const hosts = new AbortController();
  const on = (sig: NodeJS.Signals) => {
    if (!stop.signal.aborted) {
      io.err(`sshield ${command}: ${sig}: no further host is started; the hosts in flight finish (${sig} again stops them too)`);
      stop.abort(sig);
    } else if (!hosts.signal.aborted) {
      io.err(`sshield ${command}: ${sig}: stopping the hosts in flight; what they did not confirm is rolled back on each host by its own watcher`);
      hosts.abort(sig);
    } else {
      pool.closeSync();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    }
  };
  const onExit = () => pool.closeSync();
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  process.once('exit', onExit);
  return {
    stop: stop.signal,
    hosts: hosts.signal,
    dispose: () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      process.off('exit', onExit);
    },
  };
}

export interface FleetFlowInput {
  readonly command: string;
  readonly fleet: Fleet;
  /** The host argv without --yes/--dry-run. */
  readonly argv: readonly string[];
  readonly controller: ControllerFlags;
  readonly flags: { readonly dryRun?: boolean; readonly yes?: boolean; readonly json?: boolean };
  readonly stop?: AbortSignal;
  readonly hostSignal?: AbortSignal;
  readonly env: NodeJS.ProcessEnv;
}

/** Plans (dry run), asks, rolls out and reports; the exit code. Testable with a fake runner (deps). */
export async function fleetChangeFlow(io: Output, x: FleetFlowInput, deps: FleetChangeDeps): Promise<ExitCode> {
  const c = paletteFor(io.stdoutIsTTY, x.env);
  const { fleet } = x;
  const run = async (mode: '--dry-run' | '--yes'): Promise<RolloutResult> => {
    const runner = deps.runnerFor({ pool: fleet.pool, argv: [...x.argv, mode], deadlineMs: fleet.deadlineMs, controller: x.controller });
    const bar = progress(io);
    try {
      return await rollout(fleet.targets, runner, {
        parallel: fleet.parallel,
        dryRun: mode === '--dry-run',
        ...(fleet.hooks ? { hooks: fleet.hooks } : {}),
        ...(x.stop ? { signal: x.stop } : {}),
        ...(x.hostSignal ? { hostSignal: x.hostSignal } : {}),
        onDone: (done, total, r) => bar.update(done, total, `${r.name} ${r.status}`),
      });
    } finally {
      bar.done();
    }
  };
  const show = (r: RolloutResult, dryRun: boolean, notApplied?: { reason: NotAppliedReason; message: string; exitCode: ExitCode }): ExitCode => {
    const rep = changeFleetReport(x.command, r, { version: VERSION, dryRun, parallel: fleet.parallel, ...(notApplied ? { notApplied } : {}) });
    if (x.flags.json) io.out(renderChangeFleetJson(rep).trimEnd());
    else {
      if (dryRun) {
        const plans = renderFleetPlans(rep, c).trimEnd();
        if (plans) io.out(plans);
      }
      io.out(renderChangeFleetText(rep, c).trimEnd());
    }
    if (notApplied) io.err(`sshield ${x.command}: ${notApplied.message}`);
    return rep.summary.exitCode;
  };
  if (fleet.note && !x.flags.json) io.err(`sshield ${x.command}: ${fleet.note}`);
  if (x.flags.dryRun) return show(await run('--dry-run'), true);
  if (!x.flags.yes) {
    const plan = await run('--dry-run');
    const blocked = plan.hosts.filter((h) => h.status !== 'planned' && h.status !== 'unchanged');
    const refusing = plan.hosts.filter((h) => wouldRefuseOf(h.envelope) !== undefined);
    if (blocked.length || refusing.length) {
      const names = [...blocked.map((h) => `${h.name} (${h.status}${h.reason ? `: ${h.reason.split('\n')[0]}` : ''})`), ...refusing.map((h) => `${h.name} (would refuse)`)];
      const code = exitCodeOfRollout(plan.summary) === EXIT.error ? EXIT.error : EXIT.refused;
      return show(plan, true, { reason: 'preflight', message: `not changing any host: not every host could plan this change: ${names.join('; ')}`, exitCode: code });
    }
    if (!plan.hosts.some((h) => planChanges(h.envelope))) return show(plan, true);
    if (!x.flags.json) io.out(renderFleetPlans(changeFleetReport(x.command, plan, { version: VERSION, dryRun: true, parallel: fleet.parallel }), c).trimEnd());
    const n = plan.hosts.filter((h) => planChanges(h.envelope)).length;
    const how = fleet.parallel === 1 ? 'one host at a time' : `the first host alone, then ${fleet.parallel} at a time`;
    const a = await deps.ask(`Apply this change to ${n} host${n === 1 ? '' : 's'} (${how}, stopping at the first failure)?`, io);
    if (a !== 'yes') {
      const message = a === 'no-tty' ? NO_TTY_MESSAGE : 'declined: no host was changed';
      if (x.flags.json) return show(plan, true, { reason: a === 'no-tty' ? 'no-tty' : 'declined', message, exitCode: EXIT.refused });
      io.err(`sshield ${x.command}: ${message}`);
      return EXIT.refused;
    }
  }
  return show(await run('--yes'), false);
}

export const DEFAULT_DEPS: Omit<FleetChangeDeps, 'runnerFor'> = {
  ask: (q, io) => confirm(q, {}, io),
  readStdin,
};

/** The whole run of a changing command over the fleet flags, from its parsed commander command. */
export async function runFleetChange(io: Output, cmd: Command<any, any, any>, deps: FleetChangeDeps, env: NodeJS.ProcessEnv = process.env): Promise<ExitCode> {
  const command = commandPath(cmd);
  const fail = (m: string): ExitCode => (io.err(m.split('\n').map((l) => `sshield ${command}: ${l}`).join('\n')), EXIT.error);
  if (!FLEET_CHANGES.has(command)) return fail('not available on remote hosts');
  const o = cmd.opts() as FleetFlags & ControllerFlags & { dryRun?: boolean; yes?: boolean; json?: boolean };
  const edits = await controllerInputs(command, cmd, deps);
  if (typeof edits === 'string') return fail(edits);
  const argv = hostArgv(cmd, edits);
  if (typeof argv === 'string') return fail(argv);
  const fleet = await fleetOf(o);
  if (typeof fleet === 'string') return fail(fleet);
  const stops = rolloutStops(io, command, fleet.pool);
  try {
    const controller: ControllerFlags = {
      ...(o.verifyKey !== undefined ? { verifyKey: o.verifyKey } : {}),
      ...(o.verifyUser !== undefined ? { verifyUser: o.verifyUser } : {}),
      ...(o.confirmTimeout !== undefined ? { confirmTimeout: o.confirmTimeout } : {}),
      ...(o.remoteBinary !== undefined ? { remoteBinary: o.remoteBinary } : {}),
    };
    return await fleetChangeFlow(io, { command, fleet, argv, controller, flags: { ...(o.dryRun ? { dryRun: true } : {}), ...(o.yes ? { yes: true } : {}), ...(o.json ? { json: true } : {}) }, stop: stops.stop, hostSignal: stops.hosts, env }, deps);
  } finally {
    stops.dispose();
    await fleet.pool.close();
  }
}

let configured: Omit<FleetChangeDeps, 'runnerFor'> & { runnerFor?: RunnerFactory; io: Output } = { ...DEFAULT_DEPS, io: processOutput };

/** Sets the runner the changing commands use over the fleet flags (the remote runner; tests: a fake, with their own output, answer and stdin). */
export function useFleetRunner(runnerFor: RunnerFactory | undefined, o: Partial<Omit<FleetChangeDeps, 'runnerFor'>> & { io?: Output } = {}): void {
  configured = { ...DEFAULT_DEPS, ...o, ...(runnerFor ? { runnerFor } : {}), io: o.io ?? processOutput };
}

/**
 * The action of a changing command: over the fleet flags, the rollout on the hosts; else `local`,
 * the command on this machine.
 */
export async function orFleet(cmd: Command<any, any, any>, local: () => Promise<ExitCode>): Promise<ExitCode> {
  if (!fleetRequested(cmd.opts() as FleetFlags)) return local();
  const { runnerFor, io, ...deps } = configured;
  if (!runnerFor) return (io.err(`sshield ${commandPath(cmd)}: not yet on remote hosts (--host/--inventory/--cluster/--limit): this build cannot copy itself to the hosts and run the change there. Run it on the host itself.`), EXIT.error);
  return runFleetChange(io, cmd, { ...deps, runnerFor });
}
