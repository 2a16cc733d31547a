// `sshield data update [--from URL|FILE]` and `sshield data show`: refresh the vulnerability data
// from a public machine-readable source (default: the Debian security tracker JSON) or a file,
// through src/vulns/update.ts (validate, refuse older data) and src/host/data-store.ts (atomic
// write, previous copy kept). Offline, the bundled snapshot stays in use. Also activates a stored
// copy for every command (main.ts calls activateStoredData before any action).
import { Command } from '@commander-js/extra-typings';
import { EXIT, type ExitCode } from './exit-codes.js';
import { processOutput, type Output } from './io.js';
import { bundledVulnData, dataFreshness, loadVulnData, parseVulnData, useVulnData } from '../vulns/data.js';
import { updateVulnData } from '../vulns/update.js';
import { dataDir, readSource, readStoredData, writeStoredData } from '../host/data-store.js';
import { versioned } from '../report/document.js';

export const DEFAULT_SOURCE = 'https://security-tracker.debian.org/tracker/data/json';

function today(env: NodeJS.ProcessEnv): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(env.SSHIELD_TODAY ?? '') ? env.SSHIELD_TODAY! : new Date().toISOString().slice(0, 10);
}

/** Uses the stored refreshed copy when it is valid and newer than the bundled snapshot. */
export function activateStoredData(env: NodeJS.ProcessEnv = process.env, io: Output = processOutput): void {
  let text: string | undefined;
  try {
    text = readStoredData(dataDir(env));
  } catch (e) {
    io.err(`sshield: cannot read the refreshed vulnerability data: ${(e as Error).message}; using the bundled snapshot`);
    return;
  }
  if (text === undefined) return;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    io.err(`sshield: ${dataDir(env)}/openssh-vulns.json is not JSON; using the bundled snapshot`);
    return;
  }
  const r = parseVulnData(json);
  if (!r.ok) io.err(`sshield: ${dataDir(env)}/openssh-vulns.json is invalid (${r.issues[0]}); using the bundled snapshot`);
  else useVulnData(r.data);
}

export async function runDataUpdate(opts: { from?: string; json?: boolean }, env: NodeJS.ProcessEnv, io: Output): Promise<ExitCode> {
  const from = opts.from ?? DEFAULT_SOURCE;
  const current = loadVulnData();
  let text: string;
  try {
    text = await readSource(from);
  } catch (e) {
    io.err(`sshield data update: cannot read ${from}: ${(e as Error).message}. The data of ${current.date} stays in use (sshield works offline with it).`);
    return EXIT.error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    io.err(`sshield data update: ${from} is not JSON: ${(e as Error).message}`);
    return EXIT.error;
  }
  const r = updateVulnData(current, json, { today: today(env), sourceLabel: from });
  if (!r.ok) {
    io.err(`sshield data update: ${r.reason}; the data of ${current.date} stays in use`);
    return r.reason.startsWith('refused') || r.reason.includes('already current') ? EXIT.refused : EXIT.error;
  }
  const dir = dataDir(env);
  let written: { path: string; previous?: string };
  try {
    written = writeStoredData(dir, `${JSON.stringify(r.data, null, 2)}\n`);
  } catch (e) {
    io.err(`sshield data update: cannot write ${dir}: ${(e as Error).message}`);
    return EXIT.error;
  }
  if (opts.json) io.out(JSON.stringify(versioned('data update', { source: r.source, from, previousDate: current.date, date: r.data.date, path: written.path, ...(written.previous ? { previous: written.previous } : {}), changes: r.changes }), null, 2));
  else {
    io.out(`vulnerability data updated from ${from} (${r.source}): ${current.date} -> ${r.data.date}, ${r.changes.length} change${r.changes.length === 1 ? '' : 's'}`);
    for (const c of r.changes.slice(0, 50)) io.out(`  ${c}`);
    if (r.changes.length > 50) io.out(`  ... ${r.changes.length - 50} more (--json lists all)`);
    io.out(`written to ${written.path}${written.previous ? `; previous copy kept as ${written.previous}` : ''}`);
  }
  return EXIT.ok;
}

export function runDataShow(opts: { json?: boolean }, env: NodeJS.ProcessEnv, io: Output): ExitCode {
  const d = loadVulnData();
  const bundled = bundledVulnData();
  const f = dataFreshness(d, today(env));
  const origin = d === bundled || d.date === bundled.date ? 'bundled snapshot' : `${dataDir(env)}/openssh-vulns.json`;
  if (opts.json) io.out(JSON.stringify(versioned('data show', { origin, date: d.date, ageDays: f.ageDays, stale: f.stale, newestUpstream: d.newestUpstream, releases: d.distros.map((r) => ({ id: r.id, versionId: r.versionId, newestRevision: r.newestRevision })), cves: d.cves.length }), null, 2));
  else {
    io.out(`${f.stale ? 'warning: ' : ''}${f.message} (${origin}); ${d.cves.length} CVEs; newest upstream OpenSSH ${d.newestUpstream.version} (${d.newestUpstream.date})`);
    for (const r of d.distros) io.out(`  ${r.id} ${r.versionId} (${r.codename}): newest ${r.newestRevision}${r.eol ? `, end of life ${r.eol.date}` : r.support ? `, supported until ${r.support.until}` : ''}`);
  }
  return EXIT.ok;
}

export function register(program: Command): void {
  const data = program.command('data').summary('the vulnerability data: show its date, refresh it').description('The OpenSSH vulnerability data behind audit and scan verdicts: show its date and origin, or refresh it from a public machine-readable source.');
  data
    .command('show')
    .description('Show which vulnerability data is in use, its date (older than 30 days is a warning) and the releases it tracks.')
    .option('--json', 'machine-readable output')
    .action((opts) => {
      process.exitCode = runDataShow(opts, process.env, processOutput);
    });
  data
    .command('update')
    .description(`Refresh the vulnerability data from --from URL or FILE: an sshield data file, OSV records of Debian/Ubuntu openssh advisories, or the Debian security tracker JSON (default ${DEFAULT_SOURCE}). The result is validated; older data is refused; the previous copy is kept. Stored in $SSHIELD_DATA_DIR (default /var/lib/sshield).`)
    .option('--from <url|file>', 'where to read the source')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExit codes: 0 updated; 2 the source could not be read or is invalid; 3 refused (older than, or as old as, the data in use).\n')
    .action(async (opts) => {
      process.exitCode = await runDataUpdate(opts, process.env, processOutput);
    });
}
