// `sshield effective`: the effective sshd configuration, printed as `sshd -T` prints it, from the
// built-in evaluator (never runs sshd) or from the real binary (--engine sshd).
import { Command, Option } from '@commander-js/extra-typings';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { parseSshdConfig } from '../sshd/parser.js';
import { evaluateEffective } from '../sshd/evaluate/evaluate.js';
import type { EvalItem } from '../sshd/evaluate/input.js';
import { accountsFrom } from '../sshd/evaluate/match.js';
import { BUILD_IDS, detectBuild, getBuild, BUILDS } from '../sshd/builds/index.js';
import { formatDiagnostic } from '../sshd/diagnostics.js';
import type { ConnectionSpec } from '../sshd/evaluate/types.js';
import { matchPattern } from '../sshd/values/pattern.js';
import { EXIT } from './exit-codes.js';

/** sshd.c parse_server_match_testspec. */
export function parseSpec(text: string): ConnectionSpec | string {
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
    else if (k === 'lport') {
      const n = /^\d+$/.test(v) ? Number(v) : -1;
      if (n < 0 || n > 65535) return `Invalid port '${v}' in test mode specification ${p}`;
      spec.lport = n;
    } else return `Invalid test mode specification ${p}`;
  }
  return spec;
}

/** Reads a config and its includes from disk under `root` (sshd's glob: sorted, no dotfiles). */
export function loadItems(root: string, path: string, depth = 0, seen: string[] = []): EvalItem[] {
  const real = join(root, path);
  const text = readFileSync(real, 'latin1');
  const file = parseSshdConfig(text, path);
  const out: EvalItem[] = [];
  for (const d of file.diagnostics) out.push({ kind: 'diagnostic', diagnostic: d });
  for (const line of file.lines) {
    if (line.kind === 'invalid') out.push({ kind: 'invalid', file: path, line });
    if (line.kind !== 'directive') continue;
    out.push({ kind: 'directive', file: path, line });
    if (line.keyword.value.toLowerCase() !== 'include' || depth >= 16) continue;
    for (const a of line.args) {
      const pat = a.value.startsWith('/') ? a.value : `/etc/ssh/${a.value}`;
      for (const f of globFiles(root, pat)) {
        out.push({ kind: 'enter', file: f });
        out.push(...loadItems(root, f, depth + 1, [...seen, path]));
        out.push({ kind: 'leave', file: f });
      }
    }
  }
  return out;
}

function globFiles(root: string, pattern: string): string[] {
  const parts = pattern.split('/').filter(Boolean);
  let paths = ['/'];
  for (const part of parts) {
    const next: string[] = [];
    for (const p of paths) {
      if (!/[*?[]/.test(part)) { if (existsSync(join(root, p, part))) next.push(join(p, part)); continue; }
      let names: string[] = [];
      try { names = readdirSync(join(root, p)); } catch { /* unreadable */ }
      for (const n of names.sort()) if (!n.startsWith('.') && matchPattern(n, part)) next.push(join(p, n));
    }
    paths = next;
  }
  return paths.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const HELP = `
Examples:
  sshield effective                          # this host's effective config, sshd -T format
  sshield effective -C user=root,addr=203.0.113.9,host=x,laddr=10.0.0.1,lport=22
  sshield effective --root /mnt/pve-backup   # an offline root: DIR/etc/ssh/sshd_config, DIR/etc/group
  sshield effective -f ./sshd_config --openssh 10.0p1-debian --json
  diff <(sshd -T -f F | sort) <(sshield effective --engine builtin -f F | sort)   # should be empty

Builds: ${BUILD_IDS.join(', ')} (default: detected from the dpkg status file, else 9.2p1-debian).
A config the real sshd would reject exits 1 with file:line on stderr and nothing on stdout.`;

export function register(program: Command): void {
  program
    .command('effective')
    .description('Print the effective sshd configuration exactly as `sshd -T [-C spec]` would, with origins in --json')
    .option('-f, --file <FILE>', 'sshd_config to evaluate', '/etc/ssh/sshd_config')
    .option('--root <DIR>', 'evaluate DIR/etc/ssh/sshd_config with includes and /etc/group inside DIR')
    .option('-C, --spec <SPEC>', 'connection spec as sshd -T -C takes it: user=,host=,addr=,laddr=,lport=,rdomain=')
    .addOption(new Option('--engine <ENGINE>', 'builtin evaluator or the real sshd binary').choices(['builtin', 'sshd'] as const))
    .option('--openssh <BUILD>', `build profile (${BUILD_IDS.join(', ')})`)
    .option('--json', 'keyword -> values map with the origin of each value')
    .addHelpText('after', HELP)
    .action((o) => {
      process.exitCode = runEffective(o);
    });
}

function runEffective(o: { file: string; root?: string; spec?: string; engine?: 'builtin' | 'sshd'; openssh?: string; json?: true }): number {
  const root = o.root ?? '/';
  const engine = o.engine ?? (existsSync('/usr/sbin/sshd') && !o.root ? 'sshd' : 'builtin');
  const cfgPath = o.root ? '/etc/ssh/sshd_config' : o.file;
  if (engine === 'sshd') {
    try {
      const out = execFileSync('/usr/sbin/sshd', ['-T', '-f', cfgPath, ...(o.spec ? ['-C', o.spec] : [])], { encoding: 'latin1', stdio: ['ignore', 'pipe', 'pipe'] });
      if (o.json) {
        const map: Record<string, { value: string; origin: { kind: string } }[]> = {};
        for (const l of out.split('\n').filter(Boolean)) { const sp = l.indexOf(' '); (map[l.slice(0, sp)] ??= []).push({ value: l.slice(sp + 1), origin: { kind: 'unknown' } }); }
        process.stdout.write(`${JSON.stringify(map, null, 2)}\n`);
      } else process.stdout.write(out);
      return EXIT.ok;
    } catch (e) {
      process.stderr.write(String((e as { stderr?: string }).stderr ?? e));
      return EXIT.findings;
    }
  }
  let build = o.openssh ? getBuild(o.openssh) : undefined;
  if (o.openssh && !build) { process.stderr.write(`sshield: unknown --openssh build ${o.openssh} (known: ${BUILD_IDS.join(', ')})\n`); return EXIT.error; }
  const rd = (p: string) => { try { return readFileSync(join(root, p), 'latin1'); } catch { return undefined; } };
  build ??= detectBuild(rd('/var/lib/dpkg/status')) ?? BUILDS['9.2p1-debian'];
  let spec: ConnectionSpec | undefined;
  if (o.spec !== undefined) {
    const s = parseSpec(o.spec);
    if (typeof s === 'string') { process.stderr.write(`${s}\n`); return EXIT.error; }
    spec = s;
  }
  let items: EvalItem[];
  try { items = loadItems(root, cfgPath); } catch (e) {
    process.stderr.write(`${cfgPath}: ${(e as Error).message}\n`);
    return EXIT.findings;
  }
  void dirname;
  const eff = evaluateEffective(items, { build, spec, accounts: accountsFrom(rd('/etc/passwd'), rd('/etc/group')), cwd: process.cwd() });
  if (!eff.ok) {
    for (const d of eff.diagnostics.filter((x) => x.severity === 'error')) process.stderr.write(`${formatDiagnostic(d)}\n`);
    return EXIT.findings;
  }
  if (o.json) {
    const map: Record<string, { value: string; origin: unknown; setBy: unknown }[]> = {};
    for (const e of eff.entries) map[e.key] = e.values.map((value) => ({ value, origin: e.origin, setBy: e.setBy }));
    process.stdout.write(`${JSON.stringify({ build: eff.build, spec: eff.spec ?? null, values: map }, null, 2)}\n`);
  } else {
    process.stdout.write(eff.entries.flatMap((e) => e.values.map((v) => `${e.key} ${v}\n`)).join(''));
  }
  return EXIT.ok;
}
