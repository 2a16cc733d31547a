// `sshield effective`: the effective sshd configuration, printed as `sshd -T` prints it, from the
// built-in evaluator (never runs sshd) or from the real binary (--engine sshd).
import { Command, Option } from '@commander-js/extra-typings';
import { resolve } from 'node:path';
import { loadHost } from '../host/loaded-host.js';
import { openHost } from '../apply/open-host.js';
import { BUILD_IDS, getBuild } from '../sshd/builds/index.js';
import { formatDiagnostic } from '../sshd/diagnostics.js';
import type { ConnectionSpec } from '../sshd/evaluate/types.js';
import { renderSshdT, sshdWarnings } from '../sshd/evaluate/index.js';
import { displayText, textToBytes } from '../text/bytes.js';
import { EXIT } from './exit-codes.js';
import { versioned } from '../report/document.js';
import type { EffectiveConfig } from '../sshd/evaluate/types.js';
import { fleetRequested, withFleetFlags, type FleetFlags } from './fleet.js';
import { runEffectiveRemote } from './effective-remote.js';

/**
 * servconf.c parse_server_match_testspec: `key=value` words and, from OpenSSH 10.0p1 on, the bare
 * word `invalid-user` (compared exactly: strcmp; `Match invalid-user` then matches). `version` is
 * the build's major.minor (default: accept every word some build accepts).
 */
export function parseSpec(text: string, version = Infinity): ConnectionSpec | string {
  const spec: { -readonly [K in keyof ConnectionSpec]: ConnectionSpec[K] } = {};
  for (const p of text.split(',')) {
    if (p === '') break;
    const eq = p.indexOf('=');
    const k = p.slice(0, eq), v = p.slice(eq + 1);
    if (k === 'addr') spec.addr = v;
    else if (k === 'host') spec.host = v;
    else if (k === 'user') spec.user = v;
    else if (k === 'laddr') spec.laddr = v;
    else if (k === 'rdomain') spec.rdomain = v;
    else if (p === 'invalid-user' && version >= 10) spec.invalidUser = true;
    else if (k === 'lport') {
      const n = /^\d+$/.test(v) ? Number(v) : -1;
      if (n < 0 || n > 65535) return `Invalid port '${v}' in test mode specification ${p}`;
      spec.lport = n;
    } else return `Invalid test mode specification ${p}`;
  }
  return spec;
}

const HELP = `
Examples:
  sshield effective                          # this host's effective config, sshd -T format
  sshield effective -C user=root,addr=203.0.113.9,host=x,laddr=10.0.0.1,lport=22
  sshield effective -C user=nosuch,addr=203.0.113.9,invalid-user  # 10.0+: as for a user that does not exist
  sshield effective --root /mnt/pve-backup   # an offline root: DIR/etc/ssh/sshd_config, DIR/etc/group
  sshield effective -f ./sshd_config --openssh 10.0p1-debian --json
  sshield effective --host root@pve2 -C user=root,addr=10.0.0.5   # a remote host's files, judged here
  sshield effective --host pve2 --engine sshd                     # pve2's own sshd -T, over SSH
  diff <(sshd -T -f F | sort) <(sshield effective --engine builtin -f F | sort)   # should be empty

Builds: ${BUILD_IDS.join(', ')} (default: detected from the dpkg status file, else 9.2p1-debian).
A config the real sshd would reject exits 1 with file:line on stderr and nothing on stdout.`;

export function register(program: Command): void {
  const cmd = program
    .command('effective')
    .description('Print the effective sshd configuration exactly as `sshd -T [-C spec]` would, with origins in --json')
    .option('-f, --file <FILE>', 'sshd_config to evaluate', '/etc/ssh/sshd_config')
    .option('--root <DIR>', 'evaluate DIR/etc/ssh/sshd_config with includes and /etc/group inside DIR')
    .option('-C, --spec <SPEC>', 'connection spec as sshd -T -C takes it: user=,host=,addr=,laddr=,lport=,rdomain= and (OpenSSH 10.0+) invalid-user')
    .addOption(new Option('--engine <ENGINE>', 'builtin evaluator or the real sshd binary').choices(['builtin', 'sshd'] as const).default('builtin' as const))
    .option('--openssh <BUILD>', `build profile (${BUILD_IDS.join(', ')})`)
    .option('--json', 'keyword -> values map with the origin of each value')
    .addHelpText('after', HELP)
    .action(async (o) => {
      process.exitCode = await runEffective(o);
    });
  withFleetFlags(cmd);
}

/** Prints the real `sshd -T` output (latin1, one char per byte) as is, or as the --json map. */
export function printSshdT(out: string, spec: string | undefined, json: boolean | undefined): void {
  if (json) {
    const map: Record<string, { value: string; origin: { kind: string } }[]> = {};
    for (const l of out.split('\n').filter(Boolean)) { const sp = l.indexOf(' '); (map[l.slice(0, sp)] ??= []).push({ value: l.slice(sp + 1), origin: { kind: 'unknown' } }); }
    process.stdout.write(`${JSON.stringify(versioned('effective', { build: 'sshd', spec: specObject(spec), values: map }), null, 2)}\n`);
  } else process.stdout.write(out);
}

/** The -C spec as the builtin engine reports it (an object), whichever engine ran; null without -C. */
function specObject(text: string | undefined): ConnectionSpec | null {
  if (text === undefined) return null;
  const s = parseSpec(text);
  return typeof s === 'string' ? null : s;
}

export interface EffectiveOptions extends FleetFlags { file: string; root?: string; spec?: string; engine?: 'builtin' | 'sshd'; openssh?: string; json?: true }

async function runEffective(o: EffectiveOptions): Promise<number> {
  if (fleetRequested(o)) return runEffectiveRemote(o);
  const opened = await openHost(o.root ? { root: resolve(o.root) } : {});
  if (!opened.ok) { process.stderr.write(`sshield: ${opened.message}\n`); return EXIT.error; }
  const { machine, target } = opened.host;
  // the built-in engine unless asked (README: its own result, with file:line origins in --json)
  const engine = o.engine ?? 'builtin';
  const cfgPath = o.root ? '/etc/ssh/sshd_config' : o.file;
  if (engine === 'sshd') {
    if (o.root) { process.stderr.write('sshield: --engine sshd cannot evaluate an offline --root (it would read the host\'s Include files); use --engine builtin\n'); return EXIT.error; }
    const r = await machine.run('/usr/sbin/sshd', ['-T', '-f', cfgPath, ...(o.spec ? ['-C', o.spec] : [])], { encoding: 'latin1', maxBuffer: 64 << 20 });
    if (r.code === null && /ENOENT/.test(r.error ?? '')) { process.stderr.write('sshield: /usr/sbin/sshd not found; use --engine builtin\n'); return EXIT.error; }
    if (r.code !== 0) { process.stderr.write(r.stderr || r.error || ''); return EXIT.findings; }
    printSshdT(r.stdout, o.spec, o.json);
    return EXIT.ok;
  }
  if (o.openssh && !getBuild(o.openssh)) { process.stderr.write(`sshield: unknown --openssh build ${o.openssh} (known: ${BUILD_IDS.join(', ')})\n`); return EXIT.error; }
  // Words some build accepts are checked again once the host's build is known (invalid-user: 10.0+).
  if (o.spec !== undefined) {
    const s = parseSpec(o.spec);
    if (typeof s === 'string') { process.stderr.write(`${s}\n`); return EXIT.error; }
  }
  const host = await loadHost(target, { mainPath: cfgPath, ...(o.openssh ? { openssh: o.openssh } : {}), cwd: process.cwd(), facts: 'config' });
  const spec = o.spec === undefined ? undefined : parseSpec(o.spec, host.build.profile.version);
  if (typeof spec === 'string') { process.stderr.write(`${spec}\n`); return EXIT.error; }
  return printEffective(host.evaluate(spec), o.json);
}

/** Prints an evaluation as `sshd -T` does (or the --json map); exit 1 when sshd would refuse the config. */
export function printEffective(eff: EffectiveConfig, json: boolean | undefined): number {
  // sshd's own warnings while reading (Deprecated/Unsupported option), on stderr as sshd prints them
  for (const w of sshdWarnings(eff.diagnostics)) process.stderr.write(`${displayText(w)}\n`);
  if (!eff.ok) {
    for (const d of eff.diagnostics.filter((x) => x.severity === 'error')) process.stderr.write(`${displayText(formatDiagnostic(d))}\n`);
    return EXIT.findings;
  }
  if (json) {
    const map: Record<string, { value: string; origin: unknown; setBy: unknown }[]> = {};
    for (const e of eff.entries) map[e.key] = e.values.map((value) => ({ value: displayText(value), origin: e.origin, setBy: e.setBy }));
    process.stdout.write(`${JSON.stringify(versioned('effective', { build: eff.build, spec: eff.spec ?? null, values: map }), null, 2)}\n`);
  } else {
    process.stdout.write(textToBytes(renderSshdT(eff))); // config bytes out as they came in
  }
  return EXIT.ok;
}
