// The CLI entry: builds the commander program and owns the only process.exit.
import { Command } from '@commander-js/extra-typings';

const program = new Command('sshield').description('Audit and harden OpenSSH servers').version('0.1.0');
program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(2);
});
