// evaluateEffective: what `sshd -T [-C spec]` prints, computed without running sshd. Mirrors
// sshd.c (OpenSSH 9.2p1): parse_server_config with connectinfo NULL (pass 1, syntax + global
// values; `Match all` is active), fill_default_server_options, then parse_server_match_config
// (pass 2: only Match-active lines, into fresh options, copied over by copy_set_server_options)
// and dump_config. Pure: accounts and files come in as data.
import type { Diagnostic } from '../diagnostics.js';
import { hasErrors } from '../diagnostics.js';
import { BUILDS, type BuildProfile } from '../builds/index.js';
import { resolveKeyword } from '../keywords/index.js';
import { assembleNames } from './algos.js';
import type { EvalItem } from './input.js';
import { matchCondition, type Accounts } from './match.js';
import { Options } from './options.js';
import { processDirective } from './process.js';
import type { ConnectionSpec, EffectiveConfig, EffectiveEntry, Origin } from './types.js';

export interface EvaluateOptions {
  readonly build?: BuildProfile;
  /** The -C spec; undefined is `sshd -T` without -C (only `Match all` applies). */
  readonly spec?: ConnectionSpec;
  /** Group membership for Match Group (the audited root's /etc/passwd + /etc/group). */
  readonly accounts?: Accounts;
  /** sshd's working directory for relative paths (derelativise_path); "/" by default. */
  readonly cwd?: string;
}

interface Listen { addr: string; port: number; rdomain: string | undefined; origin: Origin }

const DEFAULT: Origin = { kind: 'default' };

function runPass(items: readonly EvalItem[], pass: 1 | 2, o: EvaluateOptions, build: BuildProfile, opts: Options, diags: Diagnostic[] | undefined, listens: Listen[]): boolean {
  const ci = pass === 2 ? o.spec ?? {} : undefined;
  let active = pass === 1;
  let matchOnly = pass === 2;
  let neverMatch = false;
  let matchLine: { file: string; line: number } | undefined;
  const stack: { active: boolean; matchOnly: boolean; neverMatch: boolean; matchLine: typeof matchLine }[] = [];
  let fatal = false;
  const err = (file: string, line: number, column: number, message: string, code: Diagnostic['code'] = 'BAD_VALUE') => {
    fatal = true;
    diags?.push({ code, severity: 'error', message, file, line, column });
  };
  for (const it of items) {
    if (fatal) break;
    if (it.kind === 'diagnostic') {
      if (pass === 1) { diags?.push(it.diagnostic); if (it.diagnostic.severity === 'error') fatal = true; }
      continue;
    }
    if (it.kind === 'enter') {
      stack.push({ active, matchOnly, neverMatch, matchLine });
      if (!matchOnly) neverMatch = neverMatch || !active;
      continue;
    }
    if (it.kind === 'leave') {
      const s = stack.pop();
      if (s) ({ active, matchOnly, neverMatch, matchLine } = s);
      continue;
    }
    const ln = it.line;
    if (it.kind === 'invalid') {
      err(it.file, ln.line, 0, `invalid quotes`, 'INVALID_QUOTES');
      continue;
    }
    const dl = it.line;
    const word = dl.keyword.value;
    if (dl.rest.value === '') { err(it.file, dl.line, dl.keyword.column, `no argument after keyword "${word}"`, 'MISSING_ARGUMENT'); continue; }
    const r = resolveKeyword(word, build);
    if (r.kind === 'unknown') {
      err(it.file, dl.line, dl.keyword.column, `Bad configuration option: ${word}`, r.clientOnly ? 'CLIENT_ONLY_KEYWORD' : 'UNKNOWN_KEYWORD');
      continue;
    }
    if (!active && !r.inMatch) {
      if (pass === 1) err(it.file, dl.line, dl.keyword.column, `Directive '${word}' is not allowed within a Match block`, 'NOT_ALLOWED_IN_MATCH');
      continue;
    }
    const spec = r.spec;
    if (spec.opcode === 'Match') {
      const m = matchCondition(dl.rest.value, neverMatch ? undefined : ci, o.accounts, build.version);
      if (!m.ok) { err(it.file, dl.line, dl.keyword.column, `Bad Match condition: ${m.message}`, 'BAD_MATCH'); continue; }
      active = neverMatch ? false : m.value;
      matchOnly = false;
      matchLine = { file: it.file, line: dl.line };
      continue;
    }
    if (spec.opcode === 'Include') continue; // expanded by the tree's enter/leave markers
    if (r.status !== 'supported') {
      if (pass === 1 && r.status !== 'ignored') diags?.push({ code: r.status === 'deprecated' ? 'DEPRECATED_KEYWORD' : 'UNSUPPORTED_KEYWORD', severity: 'warning', message: `${r.status === 'unsupported' ? 'Unsupported' : 'Deprecated'} option ${word}`, file: it.file, line: dl.line, column: dl.keyword.column });
      continue;
    }
    const origin: Origin = { kind: 'directive', file: it.file, line: dl.line, column: dl.keyword.column, ...(matchLine ? { match: matchLine } : {}) };
    processDirective({
      file: it.file, line: dl, spec, active, origin, build, opts, cwd: o.cwd ?? '/',
      error: (message, code) => err(it.file, dl.line, dl.keyword.column, message, code),
      queueListen: (addr, port, rdomain, org) => listens.push({ addr, port, rdomain, origin: org }),
    });
  }
  return !fatal;
}

export function evaluateEffective(items: readonly EvalItem[], o: EvaluateOptions = {}): EffectiveConfig {
  const build = o.build ?? BUILDS['9.2p1-debian'];
  const diags: Diagnostic[] = [];
  const g = new Options();
  const listens: Listen[] = [];
  let ok = runPass(items, 1, o, build, g, diags, listens);
  let entries: EffectiveEntry[] = [];
  if (ok) {
    // fill_default_server_options: CLEAR_ON_NONE_ARRAY(channel_timeouts) before Match values are copied
    if (build.version < 10 && g.slots.get('channeltimeout')?.values[0]?.toLowerCase() === 'none') g.slots.delete('channeltimeout');
    const m = new Options();
    ok = runPass(items, 2, o, build, m, diags, []);
    if (ok) {
      for (const [k, s] of m.slots) {
        if (k === 'permituserenvironment' && !s.values[0]!.startsWith('=')) continue; // only the allowlist is copied
        const prev = g.slots.get(k);
        g.slots.set(k, { ...s, setBy: [...s.setBy, ...(prev?.setBy ?? [])] });
      }
      const res = dump(g, listens, build);
      if (typeof res === 'string') {
        ok = false;
        diags.push({ code: 'BAD_VALUE', severity: 'error', message: res, file: '', line: 0, column: 0 });
      } else entries = res;
    }
  }
  if (!ok) entries = [];
  const byKey = new Map(entries.map((e) => [e.key, e]));
  return {
    spec: o.spec,
    build: build.id,
    entries,
    get: (k) => byKey.get(k.toLowerCase()),
    value: (k) => byKey.get(k.toLowerCase())?.values[0],
    ok: ok && !hasErrors(diags),
    diagnostics: diags,
  };
}

function entry(key: string, values: string[], origin: Origin = DEFAULT, setBy: Origin[] = []): EffectiveEntry {
  return { key, values, origin, setBy };
}

/** fill_default_server_options + assemble_algorithms + dump_config; a string is sshd's fatal. */
function dump(g: Options, listens: Listen[], build: BuildProfile): EffectiveEntry[] | string {
  const out: EffectiveEntry[] = [];
  const algs = build.algorithms;
  const ALGO: Record<string, [string, readonly string[]]> = {
    ciphers: [algs.defCiphers, algs.allCiphers], macs: [algs.defMacs, algs.allMacs], kexalgorithms: [algs.defKex, algs.allKex],
    hostkeyalgorithms: [algs.defKeys, algs.allKeys], hostbasedacceptedalgorithms: [algs.defKeys, algs.allKeys],
    pubkeyacceptedalgorithms: [algs.defKeys, algs.allKeys], casignaturealgorithms: [algs.defSigs, algs.allSigs],
  };
  const ports = g.slots.get('port')?.values ?? ['22'];
  const family = g.slots.get('addressfamily')?.values[0] ?? 'any';
  for (const key of build.printOrder) {
    const s = g.slots.get(key);
    if (key === 'port') { out.push(entry('port', ports, s?.origin, s?.setBy)); continue; }
    if (key === 'listenaddress') {
      const l = listenAddrs(listens, ports, family);
      if (typeof l === 'string') return l;
      out.push(entry('listenaddress', l, listens[0]?.origin, listens.map((x) => x.origin)));
      continue;
    }
    if (ALGO[key]) {
      const [def, all] = ALGO[key]!;
      const v = assembleNames(s?.raw, def, all);
      if (v === undefined) return `${key}: invalid algorithm list`;
      out.push(entry(key, [v], s?.origin, s?.setBy));
      continue;
    }
    if (key === 'hostkey') {
      out.push(s ? entry(key, s.values, s.origin, s.setBy) : entry(key, ['/etc/ssh/ssh_host_rsa_key', '/etc/ssh/ssh_host_ecdsa_key', '/etc/ssh/ssh_host_ed25519_key']));
      continue;
    }
    if (['hostcertificate', 'allowusers', 'denyusers', 'allowgroups', 'denygroups', 'acceptenv', 'setenv', 'subsystem', 'logverbose'].includes(key)) {
      if (s && s.values.length) out.push(entry(key, key === 'logverbose' ? [s.values.join(' ')] : s.values, s.origin, s.setBy));
      continue;
    }
    if (key === 'authenticationmethods' || key === 'channeltimeout') {
      if (s) out.push(entry(key, [s.values.join(' ')], s.origin, s.setBy));
      else if (key === 'authenticationmethods' || build.version >= 10) out.push(entry(key, [build.defaults[key]!]));
      continue;
    }
    if (key === 'maxstartups' && s) {
      out.push(entry(key, [s.values[0]!.replace(':-1:', ':30:')], s.origin, s.setBy));
      continue;
    }
    if (key === 'persourcenetblocksize' && s) {
      out.push(entry(key, [s.values[0]!.replace('UNSET', '128')], s.origin, s.setBy));
      continue;
    }
    if (key === 'rekeylimit') {
      const iv = g.slots.get('rekeyinterval');
      const lim = s?.values[0] ?? '0';
      out.push(entry(key, [`${lim} ${iv?.values[0] ?? '0'}`], s?.origin ?? iv?.origin, [...(s?.setBy ?? []), ...(iv?.setBy ?? [])]));
      continue;
    }
    if (key === 'permituserenvironment' && s) {
      out.push(entry(key, [s.values[0]!.replace(/^=/, '')], s.origin, s.setBy));
      continue;
    }
    if ((key === 'forcecommand' || key === 'chrootdirectory') && s && s.values[0]!.toLowerCase() === 'none') {
      out.push(entry(key, ['none'], s.origin, s.setBy));
      continue;
    }
    if (s) out.push(entry(key, s.values, s.origin, s.setBy));
    else if (build.defaults[key] !== undefined) out.push(entry(key, [build.defaults[key]!]));
  }
  return out;
}

/** process_queued_listen_addrs + format_listen_addrs for numeric addresses. */
function listenAddrs(listens: Listen[], ports: string[], family: string): string[] | string {
  const fmt = (a: string, port: string, rd: string | undefined) => `${a.includes(':') ? `[${a}]` : a}:${port}${rd ? ` rdomain ${rd}` : ''}`;
  if (listens.length === 0) {
    const out: string[] = [];
    for (const p of ports) {
      if (family !== 'inet') out.push(fmt('::', p, undefined));
      if (family !== 'inet6') out.push(fmt('0.0.0.0', p, undefined));
    }
    return out;
  }
  const groups = new Map<string, string[]>();
  for (const l of listens) {
    const v6 = l.addr.includes(':');
    if ((v6 && family === 'inet') || (!v6 && family === 'inet6')) return `bad addr or host: ${l.addr}`;
    const list = groups.get(l.rdomain ?? '') ?? [];
    groups.set(l.rdomain ?? '', list);
    for (const p of l.port ? [String(l.port)] : ports) list.push(fmt(l.addr, p, l.rdomain));
  }
  return [...groups.values()].flat();
}
