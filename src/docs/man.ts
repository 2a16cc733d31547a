// The man page sshield(1) in roff (man(7) macros), generated from the CommandSpec: every command
// and subcommand with its synopsis, description, options (choices, defaults) and the text its
// --help shows after them, plus exit status, environment, files. Pure: the caller gives the
// version and date (a fixed date keeps the page reproducible).
import { walk, type CommandSpec } from './cli-spec.js';

export interface ManPageInput {
  readonly root: CommandSpec;
  readonly version: string;
  /** YYYY-MM-DD */
  readonly date: string;
  readonly exitStatus: readonly { readonly code: number; readonly meaning: string }[];
  readonly environment: readonly { readonly name: string; readonly meaning: string }[];
  readonly files: readonly { readonly path: string; readonly meaning: string }[];
  readonly seeAlso: readonly string[];
}

/** Escapes text for roff: backslashes, and a leading . or ' that would start a request. */
export function roff(s: string): string {
  return s
    .replaceAll('\\', '\\e')
    .replaceAll('-', '\\-')
    .split('\n')
    .map((l) => (/^[.']/.test(l) ? `\\&${l}` : l))
    .join('\n');
}

function para(s: string): string[] {
  return s.trim() ? [roff(s.trim().replace(/\s*\n\s*/g, ' '))] : [];
}

function preformatted(s: string): string[] {
  const body = s.replace(/^\n+|\s+$/g, '');
  return body ? ['.PP', '.nf', '.RS 4', roff(body), '.RE', '.fi'] : [];
}

export function renderManPage(input: ManPageInput): string {
  const r = input.root;
  const n = r.name;
  const out: string[] = [];
  out.push(`.\\" Generated from the ${n} command definitions; do not edit.`);
  out.push(`.TH ${n.toUpperCase()} 1 "${input.date}" "${n} ${roff(input.version)}" "User Commands"`);
  out.push('.SH NAME', `${n} \\- ${roff(r.description.replace(/\.$/, '').replace(/^./, (c) => c.toLowerCase()))}`);
  out.push('.SH SYNOPSIS');
  for (const c of r.commands) out.push('.br', `.B ${n} ${c.name}`, roff(c.usage));
  out.push('.SH DESCRIPTION', ...para(r.description));
  out.push('.PP', `Every command prints its own help with \\fB${n} \\fIcommand\\fB \\-\\-help\\fR; \\fB${n} explain \\fIRULE\\fR explains an audit or scan rule.`);
  out.push('.SH COMMANDS');
  for (const { path, cmd } of walk(r)) {
    if (path.length === 0) continue;
    out.push(`.SS "${n} ${roff(path.join(' '))} ${roff(cmd.usage)}"`);
    out.push(...para(cmd.description || cmd.summary));
    for (const o of cmd.options) {
      const extra = [o.choices ? `one of: ${o.choices.join(', ')}` : '', o.defaultValue !== undefined ? `default: ${o.defaultValue}` : ''].filter(Boolean).join('; ');
      out.push('.TP', `.B ${roff(o.flags)}`, roff(o.description + (extra ? ` (${extra})` : '')));
    }
    for (const a of cmd.args) if (a.description) out.push('.TP', `.I ${roff(a.name)}${a.variadic ? '...' : ''}`, roff(a.description + (a.choices ? ` (one of: ${a.choices.join(', ')})` : '')));
    if (cmd.helpAfter) out.push(...preformatted(cmd.helpAfter));
  }
  out.push('.SH "EXIT STATUS"');
  for (const e of input.exitStatus) out.push('.TP', `.B ${e.code}`, roff(e.meaning));
  out.push('.SH ENVIRONMENT');
  for (const e of input.environment) out.push('.TP', `.B ${roff(e.name)}`, roff(e.meaning));
  out.push('.SH FILES');
  for (const f of input.files) out.push('.TP', `.I ${roff(f.path)}`, roff(f.meaning));
  const refs = input.seeAlso.map((ref, i) => {
    const m = /^(.*)\((\d)\)$/.exec(ref);
    const comma = i < input.seeAlso.length - 1 ? ',' : '';
    return m ? `.BR ${m[1]} (${m[2]})${comma}` : `${roff(ref)}${comma}`;
  });
  out.push('.SH "SEE ALSO"', ...refs);
  return `${out.join('\n')}\n`;
}
