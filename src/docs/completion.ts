// Shell completion scripts for bash, zsh and fish, generated from the CommandSpec (itself read
// off the commander program), so a new command or option completes without touching this file.
// All three share one model: walk the words typed so far to find the command path (skipping the
// value of an option that takes one), then offer that path's subcommands and options, the choices
// of an option with choices, directories for <dir>, files for <file>. Pure: strings out.
import { valueKind, walk, type CommandSpec, type OptionSpec } from './cli-spec.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

const key = (path: readonly string[]) => path.map((p) => ` ${p}`).join('');

function optionNames(o: OptionSpec): string[] {
  return [o.short, o.long].filter((x): x is string => Boolean(x));
}

/** "path|--flag" keys of every option that takes a value, with what the value completes to. */
function valueOptions(root: CommandSpec): { k: string; o: OptionSpec }[] {
  const out: { k: string; o: OptionSpec }[] = [];
  for (const { path, cmd } of walk(root)) for (const o of cmd.options) if (o.value) for (const n of optionNames(o)) out.push({ k: `${key(path)}|${n}`, o });
  return out;
}

function bashQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

export function bashCompletion(root: CommandSpec): string {
  const all = walk(root);
  const values = valueOptions(root);
  const paths = all.filter((x) => x.path.length > 0).map((x) => `"${key(x.path)}"`);
  const lines: string[] = [];
  lines.push(`# bash completion for ${root.name}; generated from its command definitions (${root.name} completion bash)`);
  lines.push(`_${root.name}_takes_value() {`, '  case "$1|$2" in');
  if (values.length) lines.push(`    ${values.map((v) => `"${v.k}"`).join('|')}) return 0 ;;`);
  lines.push('  esac', '  return 1', '}', '');
  lines.push(`_${root.name}() {`);
  lines.push('  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" path="" w i skip=0');
  lines.push('  for ((i = 1; i < COMP_CWORD; i++)); do');
  lines.push('    w="${COMP_WORDS[i]}"');
  lines.push('    if ((skip)); then skip=0; continue; fi');
  lines.push('    case "$w" in');
  lines.push('      -*=*) continue ;;');
  lines.push(`      -*) _${root.name}_takes_value "$path" "$w" && skip=1; continue ;;`);
  lines.push('    esac');
  lines.push('    case "$path $w" in');
  lines.push(`      ${paths.join('|')}) path="$path $w" ;;`);
  lines.push('    esac');
  lines.push('  done');
  lines.push(`  if ((COMP_CWORD > 1)) && [[ "$prev" == -* ]] && _${root.name}_takes_value "$path" "$prev"; then`);
  lines.push('    case "$path|$prev" in');
  const byKind = new Map<string, string[]>();
  for (const v of values) {
    const kind = valueKind(v.o.value, v.o.choices);
    const action = kind === 'dir' ? 'COMPREPLY=($(compgen -d -- "$cur"))' : kind === 'file' ? 'COMPREPLY=($(compgen -f -- "$cur"))' : kind === 'choice' ? `COMPREPLY=($(compgen -W ${bashQuote(v.o.choices!.join(' '))} -- "$cur"))` : 'COMPREPLY=()';
    byKind.set(action, [...(byKind.get(action) ?? []), `"${v.k}"`]);
  }
  for (const [action, ks] of byKind) lines.push(`      ${ks.join('|')}) ${action} ;;`);
  lines.push('    esac');
  lines.push('    return 0');
  lines.push('  fi');
  lines.push('  local words=""');
  lines.push('  case "$path" in');
  for (const { path, cmd } of all) {
    const words = [...cmd.commands.map((c) => c.name), ...cmd.options.flatMap(optionNames), '--help'];
    lines.push(`    "${key(path)}") words=${bashQuote(words.join(' '))} ;;`);
  }
  lines.push('  esac');
  const positional = all.filter((x) => x.cmd.commands.length === 0 && x.cmd.args.length > 0);
  const fileArgs = positional.filter((x) => x.cmd.args.some((a) => valueKind(a.name, a.choices) === 'file'));
  const choiceArgs = positional.filter((x) => x.cmd.args.some((a) => a.choices?.length));
  lines.push('  if [[ "$cur" != -* ]]; then');
  lines.push('    case "$path" in');
  for (const x of choiceArgs) lines.push(`      "${key(x.path)}") COMPREPLY=($(compgen -W ${bashQuote(x.cmd.args.flatMap((a) => a.choices ?? []).join(' '))} -- "$cur")); return 0 ;;`);
  for (const x of fileArgs) lines.push(`      "${key(x.path)}") COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;`);
  lines.push('    esac');
  lines.push('  fi');
  lines.push('  COMPREPLY=($(compgen -W "$words" -- "$cur"))');
  lines.push('}');
  lines.push(`complete -o default -o bashdefault -F _${root.name} ${root.name} 2>/dev/null || complete -o default -F _${root.name} ${root.name}`);
  return `${lines.join('\n')}\n`;
}

function zshQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** "name:description" for _describe: colons in the name are escaped, the description is one line. */
function describeItem(name: string, description: string): string {
  return zshQuote(`${name.replaceAll(':', '\\:')}:${description.replace(/\s+/g, ' ').trim()}`);
}

export function zshCompletion(root: CommandSpec): string {
  const all = walk(root);
  const values = valueOptions(root);
  const n = root.name;
  const lines: string[] = [];
  lines.push(`#compdef ${n}`);
  lines.push(`# zsh completion for ${n}; generated from its command definitions (${n} completion zsh)`);
  lines.push(`_${n}_takes_value() {`, '  case "$1|$2" in');
  if (values.length) lines.push(`    ${values.map((v) => `"${v.k}"`).join('|')}) return 0 ;;`);
  lines.push('  esac', '  return 1', '}', '');
  lines.push(`_${n}() {`);
  lines.push('  local cmdpath="" w i skip=0');
  lines.push('  for ((i = 2; i < CURRENT; i++)); do');
  lines.push('    w="${words[i]}"');
  lines.push('    if ((skip)); then skip=0; continue; fi');
  lines.push('    case "$w" in');
  lines.push('      -*=*) continue ;;');
  lines.push(`      -*) _${n}_takes_value "$cmdpath" "$w" && skip=1; continue ;;`);
  lines.push('    esac');
  lines.push('    case "$cmdpath $w" in');
  lines.push(`      ${all.filter((x) => x.path.length > 0).map((x) => `"${key(x.path)}"`).join('|')}) cmdpath="$cmdpath $w" ;;`);
  lines.push('    esac');
  lines.push('  done');
  lines.push('  local prev="${words[CURRENT-1]}" cur="${words[CURRENT]}"');
  lines.push(`  if (( CURRENT > 2 )) && [[ "$prev" == -* ]] && _${n}_takes_value "$cmdpath" "$prev"; then`);
  lines.push('    case "$cmdpath|$prev" in');
  const byKind = new Map<string, string[]>();
  for (const v of values) {
    const kind = valueKind(v.o.value, v.o.choices);
    const action = kind === 'dir' ? '_files -/' : kind === 'file' ? '_files' : kind === 'choice' ? `compadd -- ${v.o.choices!.map(zshQuote).join(' ')}` : `_message ${zshQuote(v.o.value ?? 'value')}`;
    byKind.set(action, [...(byKind.get(action) ?? []), `"${v.k}"`]);
  }
  for (const [action, ks] of byKind) lines.push(`      ${ks.join('|')}) ${action} ;;`);
  lines.push('    esac');
  lines.push('    return');
  lines.push('  fi');
  lines.push('  local -a subs opts');
  lines.push('  case "$cmdpath" in');
  for (const { path, cmd } of all) {
    const subs = cmd.commands.map((c) => describeItem(c.name, c.summary || c.description));
    const opts = [...cmd.options.flatMap((o) => optionNames(o).map((f) => describeItem(f, o.description))), describeItem('--help', 'show help')];
    lines.push(`    "${key(path)}")`);
    if (subs.length) lines.push(`      subs=(${subs.join(' ')})`);
    lines.push(`      opts=(${opts.join(' ')})`);
    const files = cmd.commands.length === 0 && cmd.args.some((a) => valueKind(a.name, a.choices) === 'file');
    const choices = cmd.commands.length === 0 ? cmd.args.flatMap((a) => a.choices ?? []) : [];
    if (files) lines.push('      [[ "$cur" != -* ]] && _files');
    if (choices.length) lines.push(`      [[ "$cur" != -* ]] && compadd -- ${choices.map(zshQuote).join(' ')}`);
    lines.push('      ;;');
  }
  lines.push('  esac');
  lines.push("  (( ${#subs} )) && [[ \"$cur\" != -* ]] && _describe -t commands 'command' subs");
  lines.push("  _describe -t options 'option' opts");
  lines.push('}');
  lines.push('');
  lines.push(`if [[ $zsh_eval_context[-1] == loadautofunc ]]; then _${n} "$@"; else compdef _${n} ${n}; fi`);
  return `${lines.join('\n')}\n`;
}

function fishStr(s: string): string {
  return `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** A one-line description or word list: whitespace collapsed, then quoted. */
function fishQuote(s: string): string {
  return fishStr(s.replace(/\s+/g, ' ').trim());
}

export function fishCompletion(root: CommandSpec): string {
  const all = walk(root);
  const values = valueOptions(root);
  const n = root.name;
  const lines: string[] = [];
  lines.push(`# fish completion for ${n}; generated from its command definitions (${n} completion fish)`);
  lines.push(`function __${n}_takes_value`, '    switch "$argv[1]|$argv[2]"');
  if (values.length) lines.push(`        case ${values.map((v) => fishStr(v.k)).join(' ')}`, '            return 0');
  lines.push('    end', '    return 1', 'end', '');
  lines.push(`function __${n}_path`);
  lines.push('    set -l words (commandline -opc)');
  lines.push('    set -e words[1]');
  lines.push("    set -l path ''");
  lines.push('    set -l skip 0');
  lines.push('    for w in $words');
  lines.push('        if test $skip = 1');
  lines.push('            set skip 0');
  lines.push('            continue');
  lines.push('        end');
  lines.push('        switch $w');
  lines.push("            case '-*=*'");
  lines.push('                continue');
  lines.push("            case '-*'");
  lines.push(`                __${n}_takes_value "$path" $w; and set skip 1`);
  lines.push('                continue');
  lines.push('        end');
  lines.push(`        if contains -- "$path $w" ${all.filter((x) => x.path.length > 0).map((x) => fishStr(key(x.path))).join(' ')}`);
  lines.push('            set path "$path $w"');
  lines.push('        end');
  lines.push('    end');
  lines.push('    echo "$path"');
  lines.push('end');
  lines.push('');
  lines.push(`function __${n}_at`);
  lines.push(`    test (__${n}_path) = "$argv[1]"`);
  lines.push('end');
  lines.push('');
  lines.push(`complete -c ${n} -f`);
  for (const { path, cmd } of all) {
    const at = `-n ${fishStr(`__${n}_at ${fishStr(key(path))}`)}`;
    for (const s of cmd.commands) lines.push(`complete -c ${n} ${at} -a ${fishQuote(s.name)} -d ${fishQuote(s.summary || s.description)}`);
    for (const o of [...cmd.options, { flags: '--help', long: '--help', description: 'show help' } as OptionSpec]) {
      const names = [o.short ? `-s ${o.short.slice(1)}` : '', o.long ? `-l ${o.long.slice(2)}` : ''].filter(Boolean).join(' ');
      const kind = valueKind(o.value, o.choices);
      const value = !o.value ? '' : kind === 'dir' ? ` -x -a '(__fish_complete_directories (commandline -ct))'` : kind === 'file' ? ' -r -F' : kind === 'choice' ? ` -x -a ${fishQuote(o.choices!.join(' '))}` : ' -x';
      lines.push(`complete -c ${n} ${at} ${names}${value} -d ${fishQuote(o.description)}`);
    }
    if (cmd.commands.length === 0) {
      if (cmd.args.some((a) => valueKind(a.name, a.choices) === 'file')) lines.push(`complete -c ${n} ${at} -F`);
      const choices = cmd.args.flatMap((a) => a.choices ?? []);
      if (choices.length) lines.push(`complete -c ${n} ${at} -a ${fishQuote(choices.join(' '))}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function completionScript(shell: Shell, root: CommandSpec): string {
  return shell === 'bash' ? bashCompletion(root) : shell === 'zsh' ? zshCompletion(root) : fishCompletion(root);
}
