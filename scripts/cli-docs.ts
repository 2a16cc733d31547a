// Writes the man page and the shell completions, generated from the commander program, into a
// directory (default dist/cli-docs): sshield.1, sshield.bash, _sshield, sshield.fish. Used by
// scripts/build-deb.sh. Usage: node --import tsx scripts/cli-docs.ts [DIR]
// The date on the page is the last commit's (reproducible), or SOURCE_DATE_EPOCH's.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildProgram } from '../src/cli/program.js';
import { commandSpec, manPageInput } from '../src/cli/completion.js';
import { completionScript } from '../src/docs/completion.js';
import { renderManPage } from '../src/docs/man.js';
import pkg from '../package.json' with { type: 'json' };

const out = resolve(process.argv[2] ?? 'dist/cli-docs');

function pageDate(): string {
  const epoch = process.env.SOURCE_DATE_EPOCH ?? (() => {
    try {
      return execFileSync('git', ['log', '-1', '--format=%ct'], { encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  })();
  return (epoch ? new Date(Number(epoch) * 1000) : new Date()).toISOString().slice(0, 10);
}

const p = buildProgram();
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'sshield.1'), renderManPage(manPageInput(p, pkg.version, pageDate())));
const spec = commandSpec(p);
writeFileSync(join(out, 'sshield.bash'), completionScript('bash', spec));
writeFileSync(join(out, '_sshield'), completionScript('zsh', spec));
writeFileSync(join(out, 'sshield.fish'), completionScript('fish', spec));
console.log(`wrote ${out}/{sshield.1,sshield.bash,_sshield,sshield.fish}`);
