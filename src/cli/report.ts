// `sshield report FILE.json... [-o out.html]`: renders saved audit/scan JSON (one host or a
// fleet) as one self-contained HTML page. Reads the files and writes the output; parsing and
// rendering live in src/report.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from '@commander-js/extra-typings';
import { processOutput, type Output } from './io.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { parseSavedFleet, parseSavedReport } from '../report/saved.js';
import { fleetHostViews } from '../report/fleet.js';
import { renderHtml } from '../report/html.js';
import { reportView, type AnyReport, type HostView } from '../report/view.js';

const HELP = `
Each FILE is the JSON of \`sshield audit --json\` or \`sshield scan --json\` (schemaVersion 1), or of a
fleet audit (\`sshield audit --inventory FILE --json\`: every host, unreachable ones with their error).
One file gives that host's report; several give a summary and a host x rule matrix first.
The page is one file: inline CSS, no script, nothing loaded from the network (a
Content-Security-Policy forbids it), light and dark, readable on a phone, printable.

Examples:
  sshield audit --json > pve1.json            # on each host
  sshield report pve1.json pve2.json pve3.json -o fleet.html
  sshield audit --cluster root@pve1 --json > cluster.json && sshield report cluster.json -o cluster.html
  sshield scan --targets hosts.txt --json > scan.json && sshield report scan.json -o scan.html
`;

export interface ReportCliOptions {
  output?: string;
  title?: string;
}

export function register(program: Command): void {
  program
    .command('report')
    .summary('render saved audit/scan JSON as one self-contained HTML page (several hosts: a host x rule matrix)')
    .description('Render saved `audit --json` / `scan --json` reports as one self-contained HTML page.')
    .argument('<files...>', 'saved JSON reports')
    .option('-o, --output <file>', 'write the HTML to FILE (default: stdout)')
    .option('--title <text>', 'the page title')
    .addHelpText('after', HELP)
    .action((files, opts) => {
      process.exitCode = runReportCommand(files, opts, processOutput);
    });
}

export function runReportCommand(files: readonly string[], opts: ReportCliOptions, io: Output): ExitCode {
  const reports: AnyReport[] = [];
  const hosts: HostView[] = [];
  const errors: string[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch (e) {
      errors.push(`${f}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
      continue;
    }
    const fleet = parseSavedFleet(text);
    if (fleet) {
      if (fleet.ok) hosts.push(...fleetHostViews(fleet.fleet));
      else errors.push(`${f}: ${fleet.message}`);
      continue;
    }
    const r = parseSavedReport(text);
    if (r.ok) {
      reports.push(r.report);
      hosts.push(...reportView([r.report]).hosts);
    } else errors.push(`${f}: ${r.message}`);
  }
  if (errors.length > 0) {
    io.err(errors.map((e) => `sshield report: ${e}`).join('\n'));
    return EXIT.error;
  }
  // Hosts in the order given (a saved fleet audit contributes all of its hosts, unreachable ones with their error).
  const view = reports.length === files.length ? reportView(reports, opts.title) : { ...reportView(reports, opts.title ?? `sshield report: ${hosts.length} hosts`), hosts };
  const html = renderHtml(view, { generated: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC' });
  if (!opts.output || opts.output === '-') {
    io.out(html);
    return EXIT.ok;
  }
  try {
    writeFileSync(opts.output, html);
  } catch (e) {
    io.err(`sshield report: ${opts.output}: ${(e as Error).message}`);
    return EXIT.error;
  }
  return EXIT.ok;
}
