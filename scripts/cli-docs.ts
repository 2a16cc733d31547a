// Writes the man page and the shell completions, generated from the commander program, into a
// directory (default dist/cli-docs): sshield.1, sshield.bash, _sshield, sshield.fish. Used by
// scripts/build-deb.sh. Usage: node --import tsx scripts/cli-docs.ts [DIR]
// The date on the page is the last commit's (reproducible), or SOURCE_DATE_EPOCH's.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from '@commander-js/extra-typings';
import { commandSpec, manPageInput } from '../src/cli/completion.js';
import { completionScript } from '../src/docs/completion.js';
import { renderManPage } from '../src/docs/man.js';
import pkg from '../package.json' with { type: 'json' };

const out = resolve(process.argv[2] ?? 'dist/cli-docs');
const cli = resolve(import.meta.dirname, '..', 'src', 'cli');

/** The program: src/cli/program.ts's buildProgram when it exists, else every command file's register(). */
async function program(): Promise<Command> {
  const programTs = join(cli, 'program.ts');
  if (existsSync(programTs)) {
    const m = (await import(pathToFileURL(programTs).href)) as { buildProgram?: () => Command };
    if (m.buildProgram) return m.buildProgram();
  }
  const p = new Command('sshield').description('Audit and harden OpenSSH servers (Proxmox VE, Debian, Ubuntu) without locking anyone out.').version(pkg.version);
  for (const f of readdirSync(cli).filter((n) => n.endsWith('.ts') && n !== 'main.ts').sort()) {
    const m = (await import(pathToFileURL(join(cli, f)).href)) as { register?: (p: Command) => void };
    m.register?.(p);
  }
  return p;
}

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

const p = await program();
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'sshield.1'), renderManPage(manPageInput(p, pkg.version, pageDate())));
const spec = commandSpec(p);
writeFileSync(join(out, 'sshield.bash'), completionScript('bash', spec));
writeFileSync(join(out, '_sshield'), completionScript('zsh', spec));
writeFileSync(join(out, 'sshield.fish'), completionScript('fish', spec));
console.log(`wrote ${out}/{sshield.1,sshield.bash,_sshield,sshield.fish}`);
