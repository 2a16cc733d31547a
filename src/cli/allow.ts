// `sshield allow add|remove|list`: the IP allowlist. Parses addresses (all errors, nothing
// changed, exit 2), has the allow planner (src/allow/change-plan.ts) make and prove the plan,
// shows it with the proof and hands it to the one change flow (./change.ts). `list` is
// src/allow/listing.ts on this machine, an offline root, or hosts over SSH (./list-fleet.ts).
import type { Command } from '@commander-js/extra-typings';
import { parseAllowAddresses } from '../allow/address.js';
import { listAllow } from '../allow/listing.js';
import { OVERRIDE_CLUSTER, OVERRIDE_SESSION, planAllowChange } from '../allow/change-plan.js';
import { renderAllowProof } from '../report/allow-proof.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { color, processOutput, type Output } from './io.js';
import { applyAndReport, recoverOrStop, report, sshdFor } from './change.js';
import { guardOverrides, withChangeFlags, type CommonChangeFlags } from './flags.js';
import { hasSystemd } from '../host/executor.js';
import { configOf, open } from './target.js';
import { ALLOW_HELP } from './allow-help.js';
import { versioned } from '../report/document.js';
import { orFleet } from './fleet-change.js';
import { fleetRequested, withFleetFlags, type FleetFlags } from './fleet.js';
import { runFleetList } from './list-fleet.js';
import { allowListView, renderListView } from '../report/lists.js';
import { DEFAULT_CONFIG } from '../apply/open-host.js';

type ListOpts = FleetFlags & { file?: string; root?: string; json?: true };
type AllowOpts = CommonChangeFlags & { user?: string; allowSessionLockout?: true; allowClusterLockout?: true } & Record<string, unknown>;

export function register(program: Command): void {
  const allow = program.command('allow').description('Restrict SSH logins to trusted addresses (IPv4/IPv6, CIDR), for everyone or one user').addHelpText('after', ALLOW_HELP);
  for (const op of ['add', 'remove'] as const) {
    const c = allow
      .command(op)
      .description(op === 'add' ? 'Allow logins only from these addresses (adds to the list)' : 'Remove addresses from the list (the last one removes the restriction)')
      .argument('<addresses...>', 'IPv4/IPv6 addresses or networks (CIDR), e.g. 192.0.2.0/24 2001:db8::1')
      .option('--user <USER>', 'the list of one user instead of everyone')
      .option(OVERRIDE_SESSION, 'apply even if your own SSH session address would be refused')
      .option(OVERRIDE_CLUSTER, 'apply even if PVE cluster nodes would lose root access');
    withChangeFlags(c).action(async (addresses, _o, cmd) => {
      process.exitCode = await orFleet(cmd, () => runAllowChange(processOutput, op, addresses, cmd.opts() as AllowOpts, process.env));
    });
  }
  const list = allow
    .command('list')
    .description('Show the allowlists and what they mean')
    .option('-f, --file <FILE>', 'sshd_config to read')
    .option('--root <DIR>', 'read an offline root')
    .option('--json', 'machine-readable output');
  withFleetFlags(list).action(async (o) => {
    process.exitCode = await runAllowList(processOutput, o, process.env);
  });
}

function usage(io: Output, msg: string): ExitCode {
  io.err(`sshield: ${msg}`);
  return EXIT.error;
}

async function runAllowList(io: Output, o: ListOpts, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  if (fleetRequested(o)) {
    if (o.root !== undefined || o.file !== undefined) return usage(io, 'allow list: --root/-f name files on this machine; --host/--inventory/--cluster remote hosts: choose one');
    return runFleetList(io, o, env, { command: 'allow list', list: (exec) => listAllow(exec, { mainPath: DEFAULT_CONFIG }), view: allowListView });
  }
  const t = await open(o, {});
  if (typeof t === 'string') return usage(io, t);
  const l = await listAllow(t.target, { mainPath: t.mainPath });
  if (typeof l === 'string') return usage(io, l);
  if (o.json) {
    io.out(JSON.stringify(versioned('allow list', l), null, 2));
    return EXIT.ok;
  }
  for (const line of renderListView(allowListView(l)).out) io.out(line);
  return EXIT.ok;
}

async function runAllowChange(io: Output, op: 'add' | 'remove', inputs: readonly string[], o: AllowOpts, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const command = `allow ${op}`;
  const parsed = parseAllowAddresses(inputs);
  if (parsed.errors.length) {
    const messages = parsed.errors.map((e) => ({ level: 'error' as const, text: `allow ${op}: "${e.input}": ${e.message}` }));
    return report(io, { command, outcome: { kind: 'error', reason: 'invalid addresses; nothing changed' }, messages }, o);
  }
  if (o.user !== undefined && !/^[A-Za-z0-9._][-A-Za-z0-9._]*\$?$/.test(o.user)) return usage(io, `--user "${o.user}": not a user name`);
  const t = await open(o, env);
  if (typeof t === 'string') return usage(io, t);
  const host = t.machine;
  const sshd = await sshdFor(host);
  const stop = await recoverOrStop(io, command, host, o, sshd, t.root);
  if (stop !== undefined) return stop;
  const cfg = await configOf(t);
  if (typeof cfg === 'string') return usage(io, cfg);
  const session = t.root === undefined && t.session.client ? { addr: t.session.client.addr, user: t.session.user ?? 'root' } : undefined;
  const overrides = new Set([...(o.allowSessionLockout ? [OVERRIDE_SESSION] : []), ...(o.allowClusterLockout ? [OVERRIDE_CLUSTER] : [])]);
  const a = await planAllowChange({ op, addresses: parsed.values, ...(o.user !== undefined ? { user: o.user } : {}), target: t, fs: t.target.fs, mainPath: t.mainPath, cfg, ...(session ? { session } : {}), admin: t.session.user ?? 'root', overrides, systemd: await hasSystemd(host) });
  return applyAndReport(io, { command, host, target: t.target, plan: a.plan, guard: { host: cfg.host, overrides: new Set([...overrides, ...guardOverrides(o)]), session: t.session }, details: a.details, ...(a.refusal ? { refusal: a.refusal } : {}), extraText: () => renderAllowProof(a.result, a.listAfter, a.plan.files.length > 0, color), flow: { ...(sshd ? { sshd } : {}) } }, o);
}
