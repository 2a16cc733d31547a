// The sshield command-line program: builds the commander program from one register function per
// command file and returns it. No side effects on import (the library API and tests build it
// too); src/cli/main.ts runs it and owns the only process.exit.
import { Command } from '@commander-js/extra-typings';
import { EXIT } from './exit-codes.js';
export { VERSION } from './version.js';
import { VERSION } from './version.js';
import { register as registerAllow } from './allow.js';
import { register as registerAudit } from './audit.js';
import { register as registerBackups } from './backups.js';
import { register as registerCa } from './ca.js';
import { register as registerCompletion } from './completion.js';
import { register as registerConfirm } from './confirm.js';
import { activateStoredData, register as registerData } from './data.js';
import { register as registerEffective } from './effective.js';
import { register as registerExplain } from './explain.js';
import { register as registerHarden } from './harden.js';
import { register as registerKeys } from './keys.js';
import { register as registerReport } from './report.js';
import { register as registerRestore } from './restore.js';
import { register as registerScan } from './scan.js';
import { register as registerUpgrade } from './upgrade.js';
import { register as registerUser } from './user.js';
import { refuseFleetWhereUnsupported } from './fleet.js';


/** A fresh program with every command registered; parse it with parseAsync(argv). */
export function buildProgram(): Command {
  const program = new Command('sshield')
    .description('Audit and harden OpenSSH servers (Proxmox VE, Debian, Ubuntu) without locking anyone out.')
    .version(VERSION)
    .showHelpAfterError()
    .configureOutput({ outputError: (str, write) => write(str) })
    .exitOverride()
    // Vulnerability data refreshed by `sshield data update` replaces the bundled snapshot when newer.
    .hook('preAction', () => activateStoredData());
  // One line per command (keep this list sorted; each file exports register(program)).
  registerAllow(program);
  registerAudit(program);
  registerBackups(program);
  registerCa(program);
  registerCompletion(program);
  registerConfirm(program);
  registerData(program);
  registerEffective(program);
  registerExplain(program);
  registerHarden(program);
  registerKeys(program);
  registerReport(program);
  registerRestore(program);
  registerScan(program);
  registerUpgrade(program);
  registerUser(program);
  // The fleet flags everywhere; commands that cannot act on remote hosts yet refuse them clearly.
  refuseFleetWhereUnsupported(program);
  return program;
}

/**
 * Runs the program on an argv and resolves to the exit code: commands set process.exitCode;
 * --help and --version exit 0, usage errors (a bare `sshield` too) 2; an unexpected error is one line on stderr, exit 2.
 */
export async function runProgram(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return Number(process.exitCode ?? EXIT.ok);
  } catch (err) {
    const e = err as { code?: string; message?: string; exitCode?: number };
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
      // A bare `sshield` (no command) shows the help on stderr as a usage error (commander exits 1
      // there); `--help` and `sshield help` ask for it and exit 0.
      const helpOrVersion = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || (e.code === 'commander.help' && e.exitCode === 0);
      return helpOrVersion ? EXIT.ok : EXIT.error;
    }
    process.stderr.write(`sshield: ${e.message ?? String(err)}\n`);
    return EXIT.error;
  }
}
