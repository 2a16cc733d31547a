// `sshield explain [RULE]`: a rule's documentation (what, why, how to fix, when not to,
// references, profiles) from its metadata, so it works where no docs are installed; without RULE,
// every rule id with its severity and title. Rendering lives in src/report/explain.ts.
import type { Command } from '@commander-js/extra-typings';
import { processOutput, type Output } from './io.js';
import { paletteFor } from './color.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { allRules, findRule, markdownToText, renderRuleList } from '../report/explain.js';
import { versioned } from '../report/document.js';

export function register(program: Command): void {
  program
    .command('explain')
    .summary('explain a rule: what it checks, why, how to fix it, when not to use it')
    .description('Explain an audit or scan rule (what, why, how to fix, when not to, references); without RULE, list every rule.')
    .argument('[rule]', 'a rule id (sshd/no-root-login) or its name (no-root-login)')
    .option('--json', 'the rule page (markdown) and metadata as JSON')
    .addHelpText('after', '\nExamples:\n  sshield explain sshd/no-root-login\n  sshield explain no-password-auth\n  sshield explain          # every rule\n')
    .action((rule, opts) => {
      process.exitCode = runExplain(rule, opts, processOutput, process.env);
    });
}

export function runExplain(rule: string | undefined, opts: { json?: boolean }, io: Output, env: NodeJS.ProcessEnv): ExitCode {
  const c = paletteFor(io.stdoutIsTTY, env);
  if (rule === undefined) {
    if (opts.json) io.out(`${JSON.stringify(versioned('explain', { rules: allRules() }), null, 2)}\n`);
    else io.out(renderRuleList(c));
    return EXIT.ok;
  }
  const found = findRule(rule);
  if (found.kind === 'unknown') {
    io.err(`sshield explain: no rule "${rule}"${found.suggestions.length ? `; did you mean ${found.suggestions.join(', ')}?` : ''} (sshield explain lists every rule)`);
    return EXIT.error;
  }
  if (opts.json) io.out(`${JSON.stringify(versioned('explain', { rules: [found.rule] }), null, 2)}\n`);
  else io.out(markdownToText(found.rule.markdown, c));
  return EXIT.ok;
}
