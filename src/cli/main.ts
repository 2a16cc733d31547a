// The CLI entry: builds the commander program from one register function per command file
// and owns the only process.exit. Commands set process.exitCode through their return value.
import { Command } from '@commander-js/extra-typings';
import { EXIT } from './exit-codes.js';
import { register as registerAllow } from './allow.js';
import { register as registerAudit } from './audit.js';
import { register as registerBackups } from './backups.js';
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
import { register as registerUser } from './user.js';

export const VERSION = '0.1.0';

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
registerUser(program);

/**
 * Exits only after stdout and stderr have drained: a bare process.exit() cuts large --json
 * output short when stdout is a pipe (writes to pipes are asynchronous in Node).
 */
function exitAfterFlush(code: number): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

program.parseAsync(process.argv).then(
  () => exitAfterFlush(Number(process.exitCode ?? EXIT.ok)),
  (err: unknown) => {
    const e = err as { code?: string; exitCode?: number; message?: string };
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
      // --help and --version exit 0; usage errors exit 2.
      const helpOrVersion = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help';
      exitAfterFlush(helpOrVersion ? EXIT.ok : EXIT.error);
      return;
    }
    process.stderr.write(`sshield: ${e.message ?? String(err)}\n`);
    exitAfterFlush(EXIT.error);
  },
);
