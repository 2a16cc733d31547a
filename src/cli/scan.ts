// `sshield scan`: audit SSH servers over the network. Parses flags and targets, runs the scanner
// (src/scan) with progress on a TTY, renders text/json/sarif/html, and returns the exit code. The only
// place the scanner meets process state (argv, files, stdout, TTY).
import { readFileSync, statSync } from 'node:fs';
import { Option, type Command } from '@commander-js/extra-typings';
import { processOutput, progress, type Output } from './io.js';
import { paletteFor } from './color.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { parseTarget, parseTargetsFile, type Target } from '../scan/target.js';
import { loadProfile } from '../scan/profiles.js';
import { scanTargets } from '../scan/scan.js';
import { assessBanner } from '../scan/vulns-adapter.js';
import { dataFreshness, loadVulnData } from '../vulns/data.js';
import { renderJson, renderSarif, renderText } from '../scan/render.js';
import { renderHtml } from '../report/html.js';
import { reportView } from '../report/view.js';
import { shippedDocsBase } from './shipped.js';
import pkg from '../../package.json' with { type: 'json' };

function docsOpt(): { docsBase?: string } {
  const docsBase = shippedDocsBase();
  return docsBase ? { docsBase } : {};
}

const HELP = `
Targets: HOST, HOST:PORT, [IPv6]:PORT or a bare IPv6 address; more in --targets FILE (one per
line, # comments). Results come in input order.

By default each target gets ONE connection: sshield sends its identification and a KEXINIT,
reads the server's banner and KEXINIT (all algorithm lists) and closes, without completing a key
exchange. Extra connections only when asked:
  --host-keys   one key exchange per host-key type, to read keys and SHA256 fingerprints
  --user NAME   one key exchange and an SSH 'none' login for NAME: is password or
                keyboard-interactive login offered?

Findings (profile "default"; "strict" and "compat" are built in, or give a YAML/JSON file that
"extends" one): weak or broken kex, host-key, cipher and MAC algorithms (set semantics, order never
matters), Terrapin (CVE-2023-48795), no post-quantum kex (info), password login offered, small
RSA host keys, and known CVEs of the version the banner names.

Exit codes: 0 every target scanned, nothing at level fail; 1 a finding at level fail;
2 usage error, or a target could not be scanned (refused, timeout, not SSH...) or one of its
requested probes (--user, --host-keys) failed: an incomplete scan is never reported as clean.
Each target's error is in the output, naming the probe that failed. --timeout is one deadline
per target, shared by all of its probes.

Examples:
  sshield scan 192.0.2.10 pve2.example.org:2222
  sshield scan --targets hosts.txt --concurrency 128 --json > scan.json
  sshield scan --user root --host-keys --format sarif pve1 > scan.sarif
`;

function positiveInt(name: string, max: number) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) throw new Error(`${name} must be a whole number from 1 to ${max}, got "${v}"`);
    return Number(v);
  };
}

export function register(program: Command): void {
  program
    .command('scan')
    .summary('audit SSH servers over the network (banner, algorithms, Terrapin, CVEs, password login)')
    .description('Audit SSH servers over the network: banner and software (distro-aware CVE status), offered algorithms, Terrapin, password login.')
    .argument('[targets...]', 'HOST[:PORT] or [IPv6]:PORT')
    .option('--targets <file>', 'read more targets from FILE (one per line, # comments)')
    .option('--concurrency <n>', 'targets scanned at once', positiveInt('--concurrency', 4096), 64)
    .option('--timeout <ms>', 'one deadline per target, across all of its probes, in milliseconds', positiveInt('--timeout', 600_000), 5000)
    .option('--user <name>', "ask which login methods the server offers to NAME (one extra connection)")
    .option('--host-keys', 'fetch host keys and fingerprints (one extra connection per host-key type)')
    .option('--profile <name|file>', 'grading profile: default, strict, compat, or a profile file', 'default')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif', 'html'] as const).default('text' as const))
    .option('--json', 'same as --format json')
    .option('-v, --verbose', 'text output: also list every offered algorithm and why each finding matters')
    .addHelpText('after', HELP)
    .action(async (specs, opts) => {
      process.exitCode = await runScan(specs, opts, processOutput);
      // main.ts calls process.exit() right after; on a pipe stdout is asynchronous, so wait until
      // everything written so far has reached the OS (a large --json report was cut off otherwise).
      await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
    });
}

export interface ScanCliOptions {
  targets?: string;
  concurrency: number;
  timeout: number;
  user?: string;
  hostKeys?: boolean;
  profile: string;
  format: 'text' | 'json' | 'sarif' | 'html';
  json?: boolean;
  verbose?: boolean;
}

export async function runScan(specs: string[], opts: ScanCliOptions, io: Output): Promise<ExitCode> {
  const targets: Target[] = [];
  const errors: string[] = [];
  for (const s of specs) {
    const r = parseTarget(s);
    if (r.kind === 'ok') targets.push(r.target);
    else errors.push(r.message);
  }
  if (opts.targets) {
    let text: string | undefined;
    try {
      if (statSync(opts.targets).size > 64 * 1024 * 1024) errors.push(`${opts.targets}: larger than 64 MiB`);
      else text = readFileSync(opts.targets, 'utf8');
    } catch (e) {
      errors.push(`${opts.targets}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
    if (text !== undefined) {
      const f = parseTargetsFile(text, opts.targets);
      targets.push(...f.targets);
      errors.push(...f.errors);
    }
  }
  if (errors.length) {
    io.err(errors.slice(0, 20).map((e) => `sshield scan: ${e}`).join('\n') + (errors.length > 20 ? `\n... and ${errors.length - 20} more` : ''));
    return EXIT.error;
  }
  if (!targets.length) {
    io.err('sshield scan: no targets; give HOST[:PORT] arguments or --targets FILE (see sshield scan --help)');
    return EXIT.error;
  }
  const profile = loadProfile(opts.profile);
  if (profile.kind === 'error') {
    io.err(`sshield scan: ${profile.message}`);
    return EXIT.error;
  }
  const format = opts.json ? 'json' : opts.format;
  const bar = progress(io);
  const report = await scanTargets(
    targets,
    { profile: profile.profile, timeoutMs: opts.timeout, concurrency: opts.concurrency, toolVersion: pkg.version, assess: assessBanner, vulnData: dataFreshness(loadVulnData(), /^\d{4}-\d{2}-\d{2}$/.test(process.env.SSHIELD_TODAY ?? '') ? process.env.SSHIELD_TODAY! : new Date().toISOString().slice(0, 10)), ...(opts.user !== undefined ? { user: opts.user } : {}), ...(opts.hostKeys ? { hostKeys: true } : {}) },
    (done, total, last) => bar.update(done, total, last.target),
  );
  bar.done();
  if (format === 'json') io.out(renderJson(report));
  else if (format === 'sarif') io.out(renderSarif(report, docsOpt()));
  else if (format === 'html') io.out(renderHtml(reportView([{ kind: 'scan', report }])));
  else io.out(renderText(report, { colors: paletteFor(io.stdoutIsTTY, process.env), verbose: opts.verbose ?? false }));
  if (report.summary.errors > 0) return EXIT.error;
  return report.summary.fail > 0 ? EXIT.findings : EXIT.ok;
}
