// `sshield keys list|restrict|unrestrict`: every user's authorized_keys, listed key by key, and
// per-key option changes: the keys planner (src/keys/change-plan.ts) makes a Plan of kind 'keys'
// and the one change flow writes it (lock, journal, backup, atomic install, recovery).
// `keys add|remove` are in keys-add.ts.
import type { Command } from '@commander-js/extra-typings';
import { listKeys } from '../keys/listing.js';
import { keyChangeRequest, type KeyChangeFlags } from '../keys/change-request.js';
import { planKeysChange } from '../keys/change-plan.js';
import { keysListView, renderListView } from '../report/lists.js';
import { versioned } from '../report/document.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { color, processOutput, type Output } from './io.js';
import { report } from './change.js';
import { withChangeFlags, type CommonChangeFlags } from './flags.js';
import { open } from './target.js';
import { KEYS_CHANGE_HELP } from './keys-help.js';
import { keysSessionOf, MAIN_CONFIG, runKeys, withKeySelectors } from './keys-common.js';
import { caller, keysUser, WITHOUT_ROOT } from './user-scope.js';
import { registerAddRemove } from './keys-add.js';
import { fleetRequested, withFleetFlags, type FleetFlags } from './fleet.js';
import { runFleetList } from './list-fleet.js';
import { selectorProblem, type KeySelector } from '../keys/select.js';
import { orFleet } from './fleet-change.js';

type ListOpts = FleetFlags & { root?: string; file?: string; user?: string; json?: true };
type ChangeOpts = CommonChangeFlags & KeyChangeFlags & KeySelector & { user?: string; force?: true; fixModes?: true } & Record<string, unknown>;

function usage(io: Output, message: string): ExitCode {
  io.err(`sshield keys: ${message}`);
  return EXIT.error;
}

async function list(io: Output, o: ListOpts, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  if (fleetRequested(o)) {
    if (o.root !== undefined || (o.file ?? MAIN_CONFIG) !== MAIN_CONFIG) return usage(io, '--root/-f name files on this machine; --host/--inventory/--cluster remote hosts: choose one');
    // Read as the remote account: what it may read is the host's business, not this machine's caller's.
    return runFleetList(io, o, env, { command: 'keys list', list: (exec) => listKeys(exec, { mainConfig: MAIN_CONFIG, ...(o.user ? { user: o.user } : {}) }), view: (l) => keysListView(l, o.user, color) });
  }
  // Without root only your own keys: --user defaults to you, another account is refused.
  if (!caller().root) {
    const who = keysUser(o.user);
    if (!who.ok) return usage(io, who.message);
    o = { ...o, user: who.user };
  }
  const t = await open({ ...(o.root !== undefined ? { root: o.root } : {}) }, {});
  if (typeof t === 'string') return usage(io, t);
  const l = await listKeys(t.target, { mainConfig: o.file ?? MAIN_CONFIG, ...(o.user ? { user: o.user } : {}) });
  if (typeof l === 'string') return usage(io, l);
  if (o.json) {
    io.out(JSON.stringify(versioned('keys list', l), null, 2));
    return EXIT.ok;
  }
  const text = renderListView(keysListView(l, o.user, color), color);
  for (const line of text.out) io.out(line);
  for (const line of text.err) io.err(line);
  return EXIT.ok;
}

async function change(io: Output, mode: 'restrict' | 'unrestrict', o: ChangeOpts, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const command = `keys ${mode}`;
  const bad = (reason: string): ExitCode => report(io, { command, outcome: { kind: 'error', reason } }, o);
  const who = keysUser(o.user);
  if (!who.ok) return bad(who.message);
  const sel = selectorProblem(o);
  if (sel) return bad(sel);
  const request = keyChangeRequest(mode, o);
  if (!request.ok) return bad(request.message);
  const config = o.file ?? MAIN_CONFIG;
  return runKeys(io, command, o, who.user, config, env, ({ t, loaded }) =>
    planKeysChange({
      fs: loaded.host.fs,
      loaded: loaded.host,
      ...(o.root ? { root: o.root } : {}),
      mainConfig: config,
      accounts: loaded.accounts,
      user: who.user,
      select: { ...(o.fingerprint !== undefined ? { fingerprint: o.fingerprint } : {}), ...(o.all ? { all: true } : {}), ...(o.line !== undefined ? { line: o.line } : {}), ...(o.comment !== undefined ? { comment: o.comment } : {}) },
      request: request.value,
      ...(o.force ? { force: true } : {}),
      ...keysSessionOf(t),
      protectOwn: !caller().root,
    }),
  );
}

export function register(program: Command): void {
  const keys = program.command('keys').description("Every user's authorized_keys: list them, add and remove keys, restrict keys one by one.").addHelpText('after', `\n${WITHOUT_ROOT}`);
  const listCmd = keys
    .command('list')
    .description('List authorized keys: user, file:line, type, bits, SHA256 fingerprint, comment, options. On many hosts over SSH with --host/--inventory/--cluster (read-only, nothing installed).')
    .option('--root <dir>', 'read an offline root directory instead of this host')
    .option('-f, --file <FILE>', 'the sshd_config whose AuthorizedKeysFile names the files', MAIN_CONFIG)
    .option('--user <name>', 'only this account (without root: only yours, the default; over SSH: on every host)')
    .option('--json', 'machine-readable output');
  withFleetFlags(listCmd).action(async (_o, cmd) => {
    process.exitCode = await list(processOutput, cmd.opts() as ListOpts, process.env);
  });
  for (const mode of ['restrict', 'unrestrict'] as const) {
    const c = keys
      .command(mode)
      .description(mode === 'restrict' ? 'Add restrictions to chosen keys of one account.' : 'Remove restrictions from chosen keys of one account (default: restrict and the five no-* flags).')
      .option('--user <name>', 'the account whose keys change (required as root; without root: you)');
    withKeySelectors(c, 'change');
    c.option('--restrict', mode === 'restrict' ? 'add "restrict" (all forwarding, pty and user-rc off)' : 'remove "restrict"')
      .option('--options <list>', mode === 'restrict' ? 'comma list of no-agent-forwarding,no-port-forwarding,no-pty,no-user-rc,no-X11-forwarding' : 'comma list of permissions to give back (same names)');
    withChangeFlags(c, 'the sshd_config whose AuthorizedKeysFile names the files (default /etc/ssh/sshd_config; under --root inside DIR)');
    if (mode === 'restrict') {
      c.option('--from <list>', 'allow the key only from these addresses/CIDRs/patterns (from="...")')
        .option('--command <cmd>', 'force this command (command="...")')
        .option('--force', 'restrict even the key of your own current SSH session (without root: or leave yourself no key that gives a shell)');
    } else c.option('--remove-from', 'remove from="..."').option('--remove-command', 'remove command="..."');
    c.option('--fix-modes', 'make the key file and its directories that the account owns go-w when StrictModes would refuse them');
    c.addHelpText('after', KEYS_CHANGE_HELP).action(async (_o, cmd) => {
      process.exitCode = await orFleet(cmd, () => change(processOutput, mode, cmd.opts() as ChangeOpts, process.env));
    });
  }
  registerAddRemove(keys);
}
