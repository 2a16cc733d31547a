// `sshield audit`: judges the host's effective sshd configuration and installed OpenSSH build
// against a profile or policy file and prints text, JSON, SARIF or HTML. Only this file touches
// process (env, TTY); gathering, rules and rendering are pure/injected.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option, type Command } from '@commander-js/extra-typings';
import { processOutput, type Output } from './io.js';
import { paletteFor } from './color.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { findSshd, type HostExecutor } from '../host/executor.js';
import type { ReadOnlyFs } from '../host/fs.js';
import { sessionFromEnv } from '../host/session.js';
import { openHost, type HostRequest } from '../apply/open-host.js';
import { gatherAudit } from '../audit/gather.js';
import { runAudit } from '../audit/run.js';
import { PROFILES, isBuiltinProfile } from '../policy/profiles.js';
import type { Policy } from '../policy/policy-file.js';
import { localFs } from '../host/local-fs.js';
import { policyFromFile } from './policy-option.js';
import { DEFAULT_FAIL_ON, failing, isSeverity } from '../report/types.js';
import { renderJson } from '../report/json.js';
import { renderSarif } from '../report/sarif.js';
import { renderText } from '../report/text.js';
import { renderHtml } from '../report/html.js';
import { reportView } from '../report/view.js';
import { shippedDocsBase } from './shipped.js';
import { AUDIT_HELP } from './audit-help.js';
import { fleetRequested, withFleetFlags, type FleetFlags } from './fleet.js';
import { runFleetAudit } from './audit-fleet.js';
import pkg from '../../package.json' with { type: 'json' };

function docsOpt(): { docsBase?: string } {
  const docsBase = shippedDocsBase();
  return docsBase ? { docsBase } : {};
}

export interface AuditCliOptions extends FleetFlags {
  root?: string;
  file?: string;
  profile?: string;
  format: 'text' | 'json' | 'sarif' | 'html';
  json?: boolean;
  failOn: string;
  openssh?: string;
  admin?: string;
  verbose?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('audit')
    .summary("judge the host's effective sshd config and OpenSSH build against the guide (Proxmox-aware)")
    .description("Audit the effective sshd configuration and the installed OpenSSH build: which hardening steps are done, which are not, where (file:line) and how to fix each.")
    .option('--root <dir>', 'audit an offline root directory (mounted image, container rootfs, example)')
    .option('-f, --file <file>', 'audit this sshd_config (facts from the local host)')
    .option('--profile <name|file>', 'baseline, proxmox, strict, or a YAML policy file (default: proxmox on PVE hosts, else baseline)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif', 'html'] as const).default('text' as const))
    .option('--json', 'same as --format json')
    .option('--fail-on <severity>', 'exit 1 when a rule at or above this severity fails (info|low|medium|high|critical)', DEFAULT_FAIL_ON)
    .option('--openssh <build>', 'override the detected OpenSSH build: 9.2p1-debian, 10.0p1-debian, 10.6p1-debian, or a version like 1:9.2p1-2+deb12u3')
    .option('--admin <user>', 'the admin account to evaluate (default: $SUDO_USER, else the first sudo member)')
    .option('-v, --verbose', 'text output: also list the rules that passed (with hosts: each host\'s findings)')
    .addHelpText('after', AUDIT_HELP)
    .action(async (opts) => {
      process.exitCode = await runAuditCommand(opts, processOutput, process.env);
    });
  withFleetFlags(cmd);
}

/** The bundled example root next to this program (dist/ or src/cli/), on the machine running it. */
async function findExample(fs: ReadOnlyFs, name: string): Promise<string | undefined> {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['..', '../..']) {
    const p = resolve(here, up, 'examples', name);
    if (await fs.stat(p)) return p;
  }
  return undefined;
}

function today(env: NodeJS.ProcessEnv): string {
  return env.SSHIELD_TODAY && /^\d{4}-\d{2}-\d{2}$/.test(env.SSHIELD_TODAY) ? env.SSHIELD_TODAY : new Date().toISOString().slice(0, 10);
}

/** --profile: a built-in name (undefined: chosen per host), a policy file of this machine, or the exit code after saying why not. */
export async function policyOption(profile: string | undefined, io: Output, machine: ReadOnlyFs = localFs()): Promise<Policy | undefined | ExitCode> {
  if (!profile || isBuiltinProfile(profile)) return undefined;
  return policyFromFile(io, 'audit', profile, machine);
}

/** The policy of one host: the chosen one, else the named built-in, else proxmox on PVE and baseline elsewhere. */
export function policyFor(chosen: Policy | undefined, profile: string | undefined, isPve: boolean): Policy {
  if (chosen) return chosen;
  const name = profile && isBuiltinProfile(profile) ? profile : isPve ? 'proxmox' : 'baseline';
  return { profile: PROFILES[name as 'baseline'], source: 'builtin', waivers: [] };
}

export async function runAuditCommand(opts: AuditCliOptions, io: Output, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const fail = (m: string): ExitCode => (io.err(`sshield audit: ${m}`), EXIT.error);
  if (opts.root && opts.file) return fail('--root and -f/--file cannot be combined');
  if (!isSeverity(opts.failOn)) return fail(`--fail-on must be one of info, low, medium, high, critical (got "${opts.failOn}")`);
  if (fleetRequested(opts)) {
    if (opts.root || opts.file) return fail('--root/-f audit files on this machine; --host/--inventory/--cluster audit remote hosts: choose one');
    return runFleetAudit(opts, io, env);
  }
  const format = opts.json ? 'json' : opts.format;
  const session = sessionFromEnv(env);
  const open = async (req: HostRequest) => openHost({ ...req, cwd: process.cwd(), session });
  let opened = await open(opts.root ? { root: opts.root } : opts.file ? { file: opts.file } : {});
  if (!opened.ok) return fail(opened.message);
  let mainConfig: string | undefined;
  let note: string | undefined;
  const machine = opened.host.machine;
  if (opts.file) {
    if (!(await machine.fs.stat(opened.host.mainPath))) return fail(`-f ${opts.file}: no such file`);
    mainConfig = opened.host.mainPath;
  } else if (!opts.root && !((await machine.fs.stat('/etc/ssh/sshd_config')) && (await findSshd(machine)))) {
    const ex = await findExample(machine.fs, 'pve9-default');
    if (!ex) return fail('this machine has no sshd (/etc/ssh/sshd_config) and the examples are not installed; use --root DIR or -f FILE');
    opened = await open({ root: ex });
    if (!opened.ok) return fail(opened.message);
    note = `this machine has no sshd: auditing the PVE 9 example root (${ex}) instead`;
  }
  const exec: HostExecutor = opened.host.target;
  const chosen = await policyOption(opts.profile, io, machine.fs);
  if (typeof chosen === 'number') return chosen;
  let policy: Policy | undefined = chosen;
  const sshConn = session.sshConnection?.split(' ')[0];
  const admin = opts.admin ?? (exec.kind === 'local' && session.sudoUser && session.sudoUser !== 'root' ? session.sudoUser : undefined);
  const input = await gatherAudit(exec, {
    ...(mainConfig ? { mainConfig } : {}),
    ...(opts.openssh ? { openssh: opts.openssh } : {}),
    ...(admin ? { admin } : {}),
    ...(exec.kind === 'local' && sshConn ? { adminAddr: sshConn } : {}),
    ...(note ? { note } : {}),
    ...(exec.kind === 'local' ? { session } : {}),
  });
  if (opts.file) Object.assign(input.target, { kind: 'file', label: mainConfig });
  policy ??= policyFor(undefined, opts.profile, input.isPve);
  const report = runAudit(input, policy, { version: pkg.version, today: today(env) });
  if (format === 'json') io.out(renderJson(report));
  else if (format === 'sarif') io.out(renderSarif(report, docsOpt()));
  else if (format === 'html') io.out(renderHtml(reportView([{ kind: 'audit', report }])));
  else {
    io.out(renderText(report, paletteFor(io.stdoutIsTTY, env), { verbose: opts.verbose ?? false }));
  }
  return failing(report, opts.failOn).length > 0 ? EXIT.findings : EXIT.ok;
}
