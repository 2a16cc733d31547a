// `sshield keys add --user U (--key 'TYPE BASE64 COMMENT' | --file F | -)` and `sshield keys
// remove --user U (--fingerprint SHA256:... | --line N | --comment C | --all)`: flags in, the
// keys planners (src/keys/add-plan.ts, remove-plan.ts) make a Plan of kind 'keys', the one change
// flow writes it (guards, lock, journal, backup, atomic install, recovery). Nothing else here.
import { readFile } from 'node:fs/promises';
import type { Command } from '@commander-js/extra-typings';
import { planKeysAdd, DEFAULT_MIN_RSA_BITS } from '../keys/add-plan.js';
import { planKeysRemove, ADMIN_KEY_OVERRIDE } from '../keys/remove-plan.js';
import { SESSION_KEY_OVERRIDE, type KeysChangeResult } from '../keys/change-plan.js';
import { keyChangeRequest, type KeyChangeFlags } from '../keys/change-request.js';
import type { RestrictRequest } from '../keys/restrict.js';
import { selectorProblem, type KeySelector } from '../keys/select.js';
import { bytesToText, utf8ToByteString, type ByteString } from '../text/bytes.js';
import type { ExitCode } from './exit-codes.js';
import { processOutput, readStdin, type Output } from './io.js';
import { report } from './change.js';
import { hidden, withChangeFlags, type CommonChangeFlags } from './flags.js';
import { keysSessionOf, MAIN_CONFIG, runKeys, withKeySelectors } from './keys-common.js';
import { caller, keysUser } from './user-scope.js';
import { KEYS_ADD_HELP, KEYS_REMOVE_HELP } from './keys-help.js';
import { orFleet } from './fleet-change.js';

type AddOpts = Omit<CommonChangeFlags, 'file'> & KeyChangeFlags & { fixModes?: true; user?: string; key?: string; file?: string; config?: string; keyFile?: string; minRsaBits?: string };
type RemoveOpts = CommonChangeFlags & KeySelector & { fixModes?: true; user?: string; force?: true; allowNoKeyAdmin?: true };

/** The offered key text from --key, --file F or "-" (stdin), or a message. */
async function offeredText(o: AddOpts, source: string | undefined, stdin: () => Promise<Buffer>): Promise<{ text: ByteString; source: string } | string> {
  const file = o.file ?? o.keyFile;
  const given = [o.key !== undefined, file !== undefined, source === '-'].filter(Boolean).length;
  if (source !== undefined && source !== '-') return `unexpected argument "${source}": give the key with --key '...', --file FILE or - (stdin)`;
  if (given !== 1) return "give the key with exactly one of --key 'ssh-ed25519 AAAA... comment', --file FILE or - (read from stdin)";
  if (o.key !== undefined) return { text: utf8ToByteString(o.key), source: '--key' };
  try {
    if (file !== undefined) return { text: bytesToText(await readFile(file)), source: file };
    return { text: bytesToText(await stdin()), source: 'stdin' };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return `cannot read ${file ?? 'stdin'}: ${err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.code === 'EISDIR' ? 'a directory' : err.message}`;
  }
}

function restrictRequestOf(o: KeyChangeFlags): { value?: RestrictRequest } | string {
  if (!o.restrict && o.options === undefined && o.from === undefined && o.command === undefined) return {};
  const r = keyChangeRequest('restrict', o);
  if (!r.ok) return r.message;
  return r.value.mode === 'restrict' ? { value: r.value } : {};
}

export async function keysAdd(io: Output, o: AddOpts, source: string | undefined, env: NodeJS.ProcessEnv, stdin: () => Promise<Buffer> = readStdin): Promise<ExitCode> {
  const command = 'keys add';
  const bad = (reason: string): ExitCode => report(io, { command, outcome: { kind: 'error', reason } }, o);
  const who = keysUser(o.user);
  if (!who.ok) return bad(who.message);
  const user = who.user;
  const req = restrictRequestOf(o);
  if (typeof req === 'string') return bad(req);
  const min = o.minRsaBits === undefined ? DEFAULT_MIN_RSA_BITS : Number(o.minRsaBits);
  if (!Number.isInteger(min) || min < 1024 || min > 16384) return bad(`--min-rsa-bits: "${o.minRsaBits}" is not a number of bits from 1024 to 16384`);
  const offered = await offeredText(o, source, stdin);
  if (typeof offered === 'string') return bad(offered);
  const config = o.config ?? MAIN_CONFIG;
  return runKeys(io, command, o, user, config, env, ({ loaded }) =>
    planKeysAdd({ fs: loaded.host.fs, loaded: loaded.host, ...(o.root ? { root: o.root } : {}), mainConfig: config, accounts: loaded.accounts, user, text: offered.text, source: offered.source, ...(req.value ? { request: req.value } : {}), minRsaBits: min }),
  );
}

export async function keysRemove(io: Output, o: RemoveOpts, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const command = 'keys remove';
  const who = keysUser(o.user);
  if (!who.ok) return report(io, { command, outcome: { kind: 'error', reason: who.message } }, o);
  const sel = selectorProblem(o);
  if (sel) return report(io, { command, outcome: { kind: 'error', reason: sel } }, o);
  const overrides = new Set([...(o.force ? [SESSION_KEY_OVERRIDE] : []), ...(o.allowNoKeyAdmin ? [ADMIN_KEY_OVERRIDE] : [])]);
  return runKeys(io, command, o, who.user, o.file ?? MAIN_CONFIG, env, ({ t, loaded }) =>
    planKeysRemove({
      fs: loaded.host.fs,
      loaded: loaded.host,
      ...(o.root ? { root: o.root } : {}),
      mainConfig: o.file ?? MAIN_CONFIG,
      accounts: loaded.accounts,
      user: who.user,
      select: { ...(o.fingerprint !== undefined ? { fingerprint: o.fingerprint } : {}), ...(o.all ? { all: true } : {}), ...(o.line !== undefined ? { line: o.line } : {}), ...(o.comment !== undefined ? { comment: o.comment } : {}) },
      overrides,
      now: Date.now(),
      ...keysSessionOf(t),
      protectOwn: !caller().root,
    }),
  );
}

export function registerAddRemove(keys: Command<any, any, any>): void {
  const add = keys
    .command('add')
    .description("Add a public key to an account's authorized_keys (validated; creates ~/.ssh and the file when missing).")
    .argument('[source]', '"-" reads the key(s) from stdin')
    .option('--user <name>', 'the account that gets the key (required as root; without root: you)')
    .option('--key <line>', "the public key line: 'ssh-ed25519 AAAA... comment' (options before it are kept)")
    .option('--file <FILE>', 'read the key line(s) from FILE (e.g. ~/.ssh/id_ed25519.pub)')
    .addOption(hidden('--key-file <FILE>', 'the same as --file'))
    .option('--restrict', 'add "restrict" to the new key (all forwarding, pty and user-rc off)')
    .option('--options <list>', 'comma list of no-agent-forwarding,no-port-forwarding,no-pty,no-user-rc,no-X11-forwarding')
    .option('--from <list>', 'allow the key only from these addresses/CIDRs/patterns (from="...")')
    .option('--command <cmd>', 'force this command (command="...")')
    .option('--min-rsa-bits <N>', `refuse RSA keys shorter than N bits (default ${DEFAULT_MIN_RSA_BITS})`)
    .option('--fix-modes', 'make the key file and its directories that the account owns go-w when StrictModes would refuse them');
  withChangeFlags(add, 'the sshd_config whose AuthorizedKeysFile names the file (default /etc/ssh/sshd_config; under --root inside DIR); --file is the key here', '--config <FILE>');
  add.addHelpText('after', KEYS_ADD_HELP).action(async (source, _o, cmd) => {
    process.exitCode = await orFleet(cmd, () => keysAdd(processOutput, cmd.opts() as AddOpts, source, process.env));
  });

  const remove = keys
    .command('remove')
    .description("Remove chosen keys from an account's authorized_keys (refuses your session's key and an admin's last key).")
    .option('--user <name>', 'the account whose keys go (required as root; without root: you)');
  withKeySelectors(remove, 'remove');
  withChangeFlags(remove, 'the sshd_config whose AuthorizedKeysFile names the files (default /etc/ssh/sshd_config; under --root inside DIR)');
  remove
    .option('--force', 'remove even the key your current SSH session logged in with (without root: or your last key that gives a shell)')
    .option('--fix-modes', 'make the key file and its directories that the account owns go-w when StrictModes would refuse them')
    .addHelpText('after', KEYS_REMOVE_HELP)
    .action(async (_o, cmd) => {
      process.exitCode = await orFleet(cmd, () => keysRemove(processOutput, cmd.opts() as RemoveOpts, process.env));
    });
}
