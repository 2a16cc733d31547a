// The flags every changing command shares, spelled the same everywhere: -f/--file (the sshd_config
// of a daemon started with -f), --root, --dry-run, --yes, --json, --backup-dir, and the override
// flag of every guard (src/apply/guards/index.ts: the one guard stage judges every change). Not
// a command.
import { Option, type Command } from '@commander-js/extra-typings';
import { DEFAULT_BACKUP_ROOT } from '../apply/backup.js';
import { GUARDS } from '../apply/guards/index.js';

export interface TargetFlags {
  file?: string;
  root?: string;
}

export interface CommonChangeFlags extends TargetFlags {
  dryRun?: true;
  yes?: true;
  json?: true;
  backupDir: string;
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
    .option('--backup-dir <DIR>', 'where backups and the journal live', DEFAULT_BACKUP_ROOT);
  return withGuardFlags(c);
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
