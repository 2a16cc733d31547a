// The command-line interface as data: commands, their arguments and options, as the man page
// and the shell completions need them. src/cli/completion.ts reads it off the commander program
// (the single source); the generators here and in man.ts only format it. Types and helpers, pure.

export interface OptionSpec {
  /** As declared, e.g. "-f, --file <file>". */
  readonly flags: string;
  readonly long?: string;
  readonly short?: string;
  readonly description: string;
  /** The value's name when the option takes one ("file", "dir", "n"...). */
  readonly value?: string;
  readonly choices?: readonly string[];
  readonly defaultValue?: string;
}

export interface ArgSpec {
  readonly name: string;
  readonly required: boolean;
  readonly variadic: boolean;
  readonly description: string;
  readonly choices?: readonly string[];
}

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly description: string;
  /** What follows the command's name in a synopsis: "[options] <files...>". */
  readonly usage: string;
  readonly args: readonly ArgSpec[];
  readonly options: readonly OptionSpec[];
  readonly commands: readonly CommandSpec[];
  /** The text shown after the options in --help (examples, exit codes...). */
  readonly helpAfter?: string;
}

export type ValueKind = 'file' | 'dir' | 'choice' | 'none' | 'other';

/** What a value completes to: directories for <dir>, files for <file>/<files...>, else nothing. */
export function valueKind(name: string | undefined, choices?: readonly string[]): ValueKind {
  if (choices && choices.length > 0) return 'choice';
  if (!name) return 'none';
  if (/dir/i.test(name)) return 'dir';
  if (/file|path|\.json/i.test(name)) return 'file';
  return 'other';
}

/** Every command with its path from the root ("keys restrict" → ['keys', 'restrict']). */
export function walk(root: CommandSpec): { path: string[]; cmd: CommandSpec }[] {
  const out: { path: string[]; cmd: CommandSpec }[] = [];
  const visit = (c: CommandSpec, path: string[]) => {
    out.push({ path, cmd: c });
    for (const s of c.commands) visit(s, [...path, s.name]);
  };
  visit(root, []);
  return out;
}
