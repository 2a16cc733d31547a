// The flags every changing command shares, spelled the same everywhere: -f/--file (the sshd_config
// of a daemon started with -f), --root, --dry-run, --yes, --json, --backup-dir, the override
// flag of every guard (src/apply/guards/index.ts: the one guard stage judges every change), and the
// live-proof flags (withVerifyFlags: --verify-key, --verify-user, --confirm-timeout; also on
// restore and upgrade, which have no -f/--root of this shape). Not a command.
import { Option, type Command } from '@commander-js/extra-typings';
import { GUARDS } from '../apply/guards/index.js';
import { defaultBackupDir } from './user-scope.js';

export interface TargetFlags {
  file?: string;
  root?: string;
}

/** How a change proves itself after the reload: the admin's own login and the confirm window. */
export interface VerifyFlags {
  verifyKey?: string;
  verifyUser?: string;
  /** As typed: whole seconds 10..86400, or 0 for no window (checked by confirmWindowOf). */
  confirmTimeout?: string;
}

export interface CommonChangeFlags extends TargetFlags, VerifyFlags {
  dryRun?: true;
  yes?: true;
  json?: true;
  backupDir: string;
}

const PROOF_HELP = `
Proof after the reload: besides a new connection's banner and methods, sshield logs in as you
(--verify-user, else $SUDO_USER, else you) with your SSH agent (SSH_AUTH_SOCK; under sudo, which
drops it, the one of the shell you ran sudo from) or --verify-key FILE, once before the change and once
after: a login that worked before and fails after rolls the change back. Without an identity the
output says "not proven with your credentials: no agent, no --verify-key".
Confirm window: on a terminal inside an SSH session the change stays only if \`sshield confirm\`
runs from a NEW login within 120 s, else it is rolled back (--confirm-timeout 0: no window).
Without a terminal (scripts, Ansible) only --confirm-timeout arms a window.
`;

/** Adds --verify-key, --verify-user and --confirm-timeout, and the help text that explains them. */
export function withVerifyFlags<C extends Command<any, any, any>>(c: C): C {
  c.option('--verify-key <FILE>', 'after the reload, log in as the admin with this private key, as before the change; if that login fails the change is rolled back (default: the keys of your SSH agent, SSH_AUTH_SOCK)')
    .option('--verify-user <USER>', 'the account whose login proves access (default: $SUDO_USER, else you)')
    .option('--confirm-timeout <SECONDS>', `keep the change only if \`sshield confirm\` runs from a NEW login within SECONDS, else roll it back (default: 120 on a terminal inside an SSH session, none otherwise; 0: no window)`)
    .addHelpText('after', PROOF_HELP);
  return c;
}

/**
 * Adds the shared change flags; `fileHelp` says what -f means for this command. `configFlag`
 * respells it where --file means something else (`keys add --file KEY.pub`: --config FILE).
 */
export function withChangeFlags<C extends Command<any, any, any>>(c: C, fileHelp = 'the sshd_config of a daemon started with -f FILE (reloaded through its PidFile)', configFlag = '-f, --file <FILE>'): C {
  c.option(configFlag, fileHelp)
    .option('--root <DIR>', 'an offline root directory (an image, a container rootfs): files only, never reloads')
    .option('--dry-run', 'show the plan (diff per file, guards) and stop; exit 0')
    .option('--yes', 'apply without asking')
    .option('--json', 'machine-readable output (the change envelope)')
    .option('--backup-dir <DIR>', 'where backups and the journal live (without root: your own state directory)', defaultBackupDir());
  return withVerifyFlags(withGuardFlags(c));
}

/** Adds the override flag of every guard the command does not define itself. */
export function withGuardFlags<C extends Command<any, any, any>>(c: C): C {
  for (const g of GUARDS) if (!c.options.some((o) => o.long === g.flag)) c.option(g.flag, `apply even though: ${g.summary}`);
  return c;
}

/** The guard override flags given ("--allow-x" for the parsed option allowX). */
export function guardOverrides(o: Readonly<Record<string, unknown>>): Set<string> {
  return new Set(GUARDS.map((g) => g.flag).filter((f) => o[f.slice(2).replace(/-([a-z])/g, (_m, x: string) => x.toUpperCase())] === true));
}

/** A hidden flag (an old spelling kept working, or an internal). */
export function hidden(flags: string, description: string): Option {
  return new Option(flags, description).hideHelp();
}
