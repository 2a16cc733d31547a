// The completion and man page generators on a fixed small program (a commander program built
// here, read through the same commandSpec adapter as the real one): golden files in
// test/golden/completion/ and test/golden/man/ (UPDATE_GOLDEN=1 to accept a deliberate change).
// A fixed program keeps these goldens stable while commands evolve; the real program's scripts
// are exercised in test/integration/cli/completion.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Argument, Command, Option } from '@commander-js/extra-typings';
import { commandSpec, manPageInput } from '../../../src/cli/completion.js';
import { bashCompletion, fishCompletion, zshCompletion } from '../../../src/docs/completion.js';
import { renderManPage, roff } from '../../../src/docs/man.js';

function golden(dir: string, name: string, actual: string): void {
  const d = resolve('test/golden', dir);
  mkdirSync(d, { recursive: true });
  const p = join(d, name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(p, actual);
  assert.ok(existsSync(p), `${p} missing: run with UPDATE_GOLDEN=1 after checking the output`);
  assert.equal(actual, readFileSync(p, 'utf8'), `${dir}/${name} differs from the golden file (UPDATE_GOLDEN=1 to accept)`);
}

function fixtureProgram(): Command {
  const p = new Command('sshield').description('Audit and harden OpenSSH servers without locking anyone out.').version('9.9.9');
  p.command('audit')
    .summary("judge the host's effective sshd config")
    .description('Audit the effective sshd configuration: where (file:line) and how to fix.')
    .option('--root <dir>', 'audit an offline root directory')
    .option('-f, --file <file>', 'audit this sshd_config')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif', 'html'] as const).default('text' as const))
    .option('--fail-on <severity>', "exit 1 when a rule at or above this severity fails ('quoted' \\ back)", 'medium')
    .option('-v, --verbose', 'show everything')
    .addHelpText('after', '\nExamples:\n  sshield audit --root /mnt/img --json\n.starts with a dot\n');
  const keys = p.command('keys').description('Authorized keys: list them, restrict them.');
  keys.command('list').description('List keys.').option('--user <name>', 'only this account');
  keys.command('restrict').description('Restrict keys: one: two.').requiredOption('--user <name>', 'the account').option('--from <cidr,...>', 'from= addresses');
  p.command('report').summary('render saved JSON as HTML').argument('<files...>', 'saved JSON reports').option('-o, --output <file>', 'write to FILE');
  p.command('completion').summary('print a completion script').addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']));
  return p;
}

test('completion scripts of the fixture program match the golden files', () => {
  const spec = commandSpec(fixtureProgram());
  golden('completion', 'fixture.bash', bashCompletion(spec));
  golden('completion', 'fixture.zsh', zshCompletion(spec));
  golden('completion', 'fixture.fish', fishCompletion(spec));
});

test('the man page of the fixture program matches the golden file', () => {
  const page = renderManPage(manPageInput(fixtureProgram(), '9.9.9', '2026-12-04'));
  golden('man', 'fixture.1', page);
  assert.match(page, /^\.TH SSHIELD 1 "2026-12-04" "sshield 9\.9\.9"/m);
  assert.match(page, /^\.SS "sshield keys restrict \[options\]"$/m);
  assert.match(page, /^\\&\.starts with a dot$/m, 'a help line starting with a dot is not a roff request');
  assert.match(page, /\\e back/, 'backslashes escaped');
});

test('roff escaping', () => {
  assert.equal(roff(".TH x\n'x\n-a \\b"), "\\&.TH x\n\\&'x\n\\-a \\eb");
});
