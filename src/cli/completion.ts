// `sshield completion bash|zsh|fish`: prints the completion script for that shell, generated from
// the commander program itself (every command, argument and option). Also reads the program into
// a CommandSpec for the man page (scripts/cli-docs.ts). The formats live in src/docs.
import { Argument, type Command } from '@commander-js/extra-typings';
import { completionScript, SHELLS, type Shell } from '../docs/completion.js';
import type { CommandSpec, OptionSpec } from '../docs/cli-spec.js';
import type { ManPageInput } from '../docs/man.js';
import { processOutput } from './io.js';
import { EXIT } from './exit-codes.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCommand = Command<any, any, any>;

interface CommanderOption {
  flags: string;
  long?: string;
  short?: string;
  description: string;
  required?: boolean;
  optional?: boolean;
  hidden?: boolean;
  argChoices?: string[];
  defaultValue?: unknown;
}

function helpAfter(cmd: AnyCommand): string | undefined {
  let text = '';
  (cmd as unknown as NodeJS.EventEmitter).emit('afterHelp', { error: false, command: cmd, write: (s: string) => void (text += s) });
  return text.trim() ? text : undefined;
}

/** The program as data: what completions and the man page are generated from. */
export function commandSpec(cmd: AnyCommand): CommandSpec {
  const options: OptionSpec[] = [];
  for (const o of cmd.options as unknown as CommanderOption[]) {
    if (o.hidden) continue;
    const value = /<([^>]+)>|\[([^\]]+)\]/.exec(o.flags);
    const dv = o.defaultValue;
    options.push({
      flags: o.flags,
      ...(o.long ? { long: o.long } : {}),
      ...(o.short ? { short: o.short } : {}),
      description: o.description,
      ...(value ? { value: value[1] ?? value[2]! } : {}),
      ...(o.argChoices ? { choices: o.argChoices } : {}),
      ...(dv !== undefined && dv !== false && typeof dv !== 'object' ? { defaultValue: String(dv) } : {}),
    });
  }
  const args = (cmd.registeredArguments as readonly Argument[]).map((a) => ({
    name: a.name(),
    required: a.required,
    variadic: a.variadic,
    description: a.description,
    ...(a.argChoices ? { choices: a.argChoices } : {}),
  }));
  const after = helpAfter(cmd);
  return {
    name: cmd.name(),
    summary: cmd.summary(),
    description: cmd.description(),
    usage: cmd.usage(),
    args,
    options,
    commands: (cmd.commands as readonly AnyCommand[]).filter((c) => !(c as unknown as { _hidden?: boolean })._hidden).map(commandSpec),
    ...(after ? { helpAfter: after } : {}),
  };
}

/** Everything the man page says besides the commands. */
export function manPageInput(program: AnyCommand, version: string, date: string): ManPageInput {
  return {
    root: commandSpec(program),
    version,
    date,
    exitStatus: [
      { code: EXIT.ok, meaning: 'Success: nothing failed at or above --fail-on, or nothing to do.' },
      { code: EXIT.findings, meaning: 'Findings: audit or scan problems, or a configuration sshd would reject.' },
      { code: EXIT.error, meaning: 'Usage or runtime error, a target that could not be scanned, or a change that failed and was rolled back.' },
      { code: EXIT.refused, meaning: 'Refused by a safety guard, declined, or no terminal to ask on (pass --yes).' },
    ],
    environment: [
      { name: 'NO_COLOR', meaning: 'When set (to anything), no colour.' },
      { name: 'FORCE_COLOR', meaning: 'When set (and not 0), colour even when the output is not a terminal.' },
      { name: 'SSH_CONNECTION', meaning: "Your own session's address: guards refuse a change that would lock it out." },
      { name: 'SUDO_USER', meaning: 'The admin account evaluated when --admin is not given.' },
    ],
    files: [
      { path: '/etc/ssh/sshd_config', meaning: 'The sshd configuration audited and changed (with its Include files).' },
      { path: '/var/backups/sshield/', meaning: 'Backups and the journal of every change (sshield backups, sshield restore).' },
      { path: '/usr/share/doc/sshield/rules/', meaning: 'One page per rule (also: sshield explain RULE).' },
    ],
    seeAlso: ['sshd_config(5)', 'sshd(8)', 'ssh(1)', 'ssh-keygen(1)'],
  };
}

export function register(program: AnyCommand): void {
  program
    .command('completion')
    .summary('print the shell completion script for bash, zsh or fish')
    .description('Print the completion script for SHELL, generated from the command definitions.')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(SHELLS))
    .addHelpText(
      'after',
      `
Install:
  bash:  sshield completion bash > /etc/bash_completion.d/sshield     (or ~/.local/share/bash-completion/completions/sshield)
  zsh:   sshield completion zsh > "\${fpath[1]}/_sshield"
  fish:  sshield completion fish > ~/.config/fish/completions/sshield.fish
The Debian package installs all three.
`,
    )
    .action((shell: string) => {
      processOutput.out(completionScript(shell as Shell, commandSpec(program)));
      process.exitCode = EXIT.ok;
    });
}
