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
import type { DirectiveLine } from '../cst.js';
import type { KeywordSpec } from '../keywords/index.js';
import type { EvalInput, EvalItem } from './input.js';
import { compileMatch, evalMatch, matchCondition, type Accounts, type CompiledMatch } from './match.js';
import { Options, type Slot } from './options.js';
import { processDirective } from './process.js';
import { renderPenalties } from './penalties.js';
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

/** One step of the connection pass, resolved once per configuration. */
type Step =
  | { readonly kind: 'enter' }
  | { readonly kind: 'leave' }
  | { readonly kind: 'match'; readonly file: string; readonly line: DirectiveLine; readonly criteria: CompiledMatch }
  | { readonly kind: 'directive'; readonly file: string; readonly line: DirectiveLine; readonly spec: KeywordSpec; readonly origin: Origin };

/**
 * A configuration prepared for evaluation against many connection specs: the start-up pass
 * (global values, syntax, warnings) is done once; each spec then replays only the connection
 * pass (Match lines and the directives that Match-active blocks set).
 */
export interface CompiledConfig {
  readonly build: BuildProfile;
  /** False when sshd refuses the configuration at start-up (then every evaluation is rejected). */
  readonly ok: boolean;
  readonly diagnostics: readonly Diagnostic[];
  /** @internal */ readonly global: Options;
  /** @internal */ readonly listens: readonly Listen[];
  /** @internal */ readonly steps: readonly Step[];
  /** @internal */ readonly options: EvaluateOptions;
  /** @internal kex_assemble_names results by key and raw list. */ readonly assembled: Map<string, string | undefined>;
  /** @internal dump of the global values alone (no Match block applied), computed on first use. */ base?: { readonly entries: EffectiveEntry[] | string; readonly byKey: ReadonlyMap<string, EffectiveEntry> };
}

function directiveOrigin(file: string, dl: DirectiveLine, matchLine: { file: string; line: number } | undefined): Origin {
  return { kind: 'directive', file, line: dl.line, column: dl.keyword.column, ...(matchLine ? { match: matchLine } : {}) };
}

/** Parse diagnostics of lines sshd counts as bad options (reported, refused at the end of their file). */
const BAD_LINE_CODES: ReadonlySet<Diagnostic['code']> = new Set(['MISSING_ARGUMENT', 'INVALID_QUOTES']);

/**
 * Start-up pass: parse_server_config with connectinfo NULL (every line validated). A line that
 * process_server_config_line_depth rejects with error() + return -1 (unknown keyword, no argument,
 * invalid quotes, extra arguments, ...) is a "bad option": sshd reports it and goes on, and
 * parse_server_config_depth fatals at the end of that file ("terminating, N bad configuration
 * options", 9.2p1 and 10.x); every other error is fatal() on the spot.
 */
function startupPass(items: readonly EvalItem[], o: EvaluateOptions, build: BuildProfile, opts: Options, diags: Diagnostic[], listens: Listen[]): boolean {
  let active = true;
  let neverMatch = false;
  let matchLine: { file: string; line: number } | undefined;
  const stack: { active: boolean; neverMatch: boolean; matchLine: typeof matchLine }[] = [];
  /** Bad options per file being read (the innermost last). */
  const bad: number[] = [0];
  let fatal = false;
  const err = (file: string, line: number, column: number, message: string, code: Diagnostic['code'] = 'BAD_VALUE', badOption = false) => {
    if (badOption) bad[bad.length - 1]!++;
    else fatal = true;
    diags.push({ code, severity: 'error', message, file, line, column });
  };
  for (const it of items) {
    if (fatal) break;
    if (it.kind === 'diagnostic') {
      diags.push(it.diagnostic);
      // an invalid line's own diagnostic: counted where the line is read (below)
      if (it.diagnostic.severity === 'error' && !BAD_LINE_CODES.has(it.diagnostic.code)) fatal = true;
      continue;
    }
    if (it.kind === 'enter') {
      // sInclude: flags = oactive ? 0 : SSHCFG_NEVERMATCH; *activep unchanged
      stack.push({ active, neverMatch, matchLine });
      neverMatch = neverMatch || !active;
      bad.push(0);
      continue;
    }
    if (it.kind === 'leave') {
      const s = stack.pop();
      if (s) ({ active, neverMatch, matchLine } = s);
      if (bad.pop()! > 0) fatal = true;
      continue;
    }
    if (it.kind === 'invalid') {
      // process_server_config_line_depth: lines sshd silently skips are warnings in the parser;
      // the others are bad options, already reported by the parser's diagnostic
      if (it.line.severity === 'error') bad[bad.length - 1]!++;
      continue;
    }
    const dl = it.line;
    const word = dl.keyword.value;
    if (dl.rest.value === '') { err(it.file, dl.line, dl.keyword.column, `no argument after keyword "${word}"`, 'MISSING_ARGUMENT', true); continue; }
    const r = resolveKeyword(word, build);
    if (r.kind === 'unknown') {
      err(it.file, dl.line, dl.keyword.column, `Bad configuration option: ${word}`, r.clientOnly ? 'CLIENT_ONLY_KEYWORD' : 'UNKNOWN_KEYWORD', true);
      continue;
    }
    if (!active && !r.inMatch) {
      err(it.file, dl.line, dl.keyword.column, `Directive '${word}' is not allowed within a Match block`, 'NOT_ALLOWED_IN_MATCH');
      continue;
    }
    const spec = r.spec;
    if (spec.opcode === 'Match') {
      // sMatch: match_cfg_line(NULL) in this pass: syntax plus "all"; NEVERMATCH keeps it inactive
      const m = matchCondition(dl.rest.value, undefined, o.accounts, build);
      if (!m.ok) { err(it.file, dl.line, dl.keyword.column, `Bad Match condition: ${m.message}`, 'BAD_MATCH'); continue; }
      active = neverMatch ? false : m.value;
      matchLine = { file: it.file, line: dl.line };
      continue;
    }
    if (spec.opcode === 'Include') continue; // expanded by the enter/leave markers
    if (r.status !== 'supported') {
      if (r.status !== 'ignored') diags.push({ code: r.status === 'deprecated' ? 'DEPRECATED_KEYWORD' : 'UNSUPPORTED_KEYWORD', severity: 'warning', message: `${r.status === 'unsupported' ? 'Unsupported' : 'Deprecated'} option ${word}`, file: it.file, line: dl.line, column: dl.keyword.column });
      continue;
    }
    const origin = directiveOrigin(it.file, dl, matchLine);
    processDirective({
      file: it.file, line: dl, spec, active, origin, build, opts, cwd: o.cwd ?? '/',
      error: (message, code, badOption) => err(it.file, dl.line, dl.keyword.column, message, code, badOption),
      queueListen: (addr, port, rdomain, org) => listens.push({ addr, port, rdomain, origin: org }),
    });
  }
  if (!fatal && bad.some((n) => n > 0)) fatal = true;
  return !fatal;
}

/** The connection pass's steps; only meaningful once the start-up pass accepted every line. */
function compileSteps(items: readonly EvalItem[], build: BuildProfile): Step[] {
  const steps: Step[] = [];
  // the enclosing Match line is positional: a Match lasts to the end of its file
  let matchLine: { file: string; line: number } | undefined;
  const stack: (typeof matchLine)[] = [];
  for (const it of items) {
    if (it.kind === 'enter') { stack.push(matchLine); steps.push({ kind: 'enter' }); continue; }
    if (it.kind === 'leave') { matchLine = stack.pop(); steps.push({ kind: 'leave' }); continue; }
    if (it.kind !== 'directive') continue;
    const r = resolveKeyword(it.line.keyword.value, build);
    if (r.kind !== 'known') continue;
    if (r.spec.opcode === 'Match') {
      steps.push({ kind: 'match', file: it.file, line: it.line, criteria: compileMatch(it.line.rest.value) });
      matchLine = { file: it.file, line: it.line.line };
    } else if (r.spec.opcode !== 'Include' && r.status === 'supported') steps.push({ kind: 'directive', file: it.file, line: it.line, spec: r.spec, origin: directiveOrigin(it.file, it.line, matchLine) });
  }
  return steps;
}

/**
 * Connection pass: parse_server_match_config (flags MATCH_ONLY, *activep 0) replayed from the
 * include cache. Directives outside an active Match block are skipped: the start-up pass
 * already validated them, and sshd's "already processed" / inactive paths set nothing.
 */
function connectionPass(c: CompiledConfig, ci: ConnectionSpec, opts: Options, diags: Diagnostic[]): boolean {
  const { build, options: o } = c;
  let active = false;
  let matchOnly = true;
  let neverMatch = false;
  let matchLine: { file: string; line: number } | undefined;
  const stack: { active: boolean; matchOnly: boolean; neverMatch: boolean; matchLine: typeof matchLine }[] = [];
  let fatal = false;
  let at: Extract<Step, { kind: 'directive' }> | undefined;
  const error = (message: string, code?: Diagnostic['code']) => {
    fatal = true;
    diags.push({ code: code ?? 'BAD_VALUE', severity: 'error', message, file: at!.file, line: at!.line.line, column: at!.line.keyword.column });
  };
  const queueListen = () => undefined;
  const cwd = o.cwd ?? '/';
  for (const st of c.steps) {
    if (fatal) break;
    if (st.kind === 'enter') {
      // sInclude: flags = MATCH_ONLY if the including file is MATCH_ONLY, else oactive ? 0 : NEVERMATCH
      stack.push({ active, matchOnly, neverMatch, matchLine });
      if (!matchOnly) neverMatch = neverMatch || !active;
      continue;
    }
    if (st.kind === 'leave') {
      const s = stack.pop();
      if (s) ({ active, matchOnly, neverMatch, matchLine } = s);
      continue;
    }
    const dl = st.line;
    if (st.kind === 'match') {
      const m = evalMatch(st.criteria, neverMatch ? undefined : ci, o.accounts, build);
      if (!m.ok) {
        fatal = true;
        diags.push({ code: 'BAD_MATCH', severity: 'error', message: `Bad Match condition: ${m.message}`, file: st.file, line: dl.line, column: dl.keyword.column });
        continue;
      }
      active = neverMatch ? false : m.value;
      matchOnly = false;
      matchLine = { file: st.file, line: dl.line };
      continue;
    }
    // inactive lines set nothing; AuthenticationMethods still checks "any" against recorded methods
    if (!active && st.spec.opcode !== 'AuthenticationMethods') continue;
    at = st;
    processDirective({ file: st.file, line: dl, spec: st.spec, active, origin: st.origin, build, opts, cwd, error, queueListen });
  }
  return !fatal;
}

/** The authentication method -> the global option that enables it (auth2.c authmethods[], 9.2p1 Debian). */
const METHOD_ENABLED: Record<string, string | undefined> = {
  none: undefined, publickey: 'pubkeyauthentication', 'gssapi-keyex': 'gssapiauthentication', 'gssapi-with-mic': 'gssapiauthentication',
  password: 'passwordauthentication', 'keyboard-interactive': 'kbdinteractiveauthentication', hostbased: 'hostbasedauthentication',
};

/**
 * sshd.c main (9.2p1, also 10.0p1), before test mode dumps anything: when the global
 * AuthenticationMethods lists (other than "any") all name a disabled method, sshd fatals with
 * "AuthenticationMethods cannot be satisfied by enabled authentication methods".
 */
function authMethodsUnsatisfiable(g: Options, build: BuildProfile): Diagnostic | undefined {
  const s = g.slots.get('authenticationmethods');
  if (!s || s.values.length === 0 || (s.values.length === 1 && s.values[0] === 'any')) return undefined;
  const enabled = (method: string): boolean => {
    const key = METHOD_ENABLED[method.split(':')[0]!];
    if (key === undefined) return true;
    return (g.slots.get(key)?.values[0] ?? build.defaults[key]) === 'yes';
  };
  if (s.values.some((list) => list.split(',').every(enabled))) return undefined;
  const at = s.origin.kind === 'directive' ? s.origin : { file: '', line: 0, column: 0 };
  return { code: 'BAD_VALUE', severity: 'error', message: 'AuthenticationMethods cannot be satisfied by enabled authentication methods', file: at.file, line: at.line, column: at.column };
}

/**
 * sshd.c main "Check that options are sensible" (9.2p1, unchanged through 10.5p1), on the global
 * values before test mode dumps anything: a command set (not "none") without its user is fatal.
 */
function commandWithoutUser(g: Options): Diagnostic | undefined {
  for (const [cmd, user, name] of [['authorizedkeyscommand', 'authorizedkeyscommanduser', 'AuthorizedKeysCommand'], ['authorizedprincipalscommand', 'authorizedprincipalscommanduser', 'AuthorizedPrincipalsCommand']] as const) {
    const s = g.slots.get(cmd);
    if (!s || s.values[0]!.toLowerCase() === 'none' || g.slots.has(user)) continue;
    const at = s.origin.kind === 'directive' ? s.origin : { file: '', line: 0, column: 0 };
    return { code: 'MISSING_ARGUMENT', severity: 'error', message: `${name} set without ${name}User`, file: at.file, line: at.line, column: at.column };
  }
  return undefined;
}

/** Runs the start-up pass once; evaluate the result per spec with evaluateCompiled. */
export function compileConfig(input: readonly EvalItem[] | EvalInput, o: Omit<EvaluateOptions, 'spec'> = {}): CompiledConfig {
  const { items, matchItems } = Array.isArray(input) ? { items: input as readonly EvalItem[], matchItems: undefined } : (input as EvalInput);
  const build = o.build ?? BUILDS['9.2p1-debian'];
  const diagnostics: Diagnostic[] = [];
  const global = new Options();
  const listens: Listen[] = [];
  const ok = startupPass(items, o, build, global, diagnostics, listens) && !hasErrors(diagnostics);
  // fill_default_server_options: CLEAR_ON_NONE_ARRAY(channel_timeouts) before Match values are copied (< 10.0)
  if (ok && build.version < 10 && global.slots.get('channeltimeout')?.values[0]?.toLowerCase() === 'none') global.slots.delete('channeltimeout');
  const unsatisfiable = ok ? (commandWithoutUser(global) ?? authMethodsUnsatisfiable(global, build)) : undefined;
  if (unsatisfiable) diagnostics.push(unsatisfiable);
  const accepted = ok && !unsatisfiable;
  const steps = accepted ? compileSteps(matchItems ?? items, build) : [];
  return { build, ok: accepted, diagnostics, global, listens, steps, options: o, assembled: new Map() };
}

function dirtyFree(m: Options, build: BuildProfile): boolean {
  for (const k of m.slots.keys()) if (build.matchCopied.has(k)) return false;
  return true;
}

function baseDump(c: CompiledConfig): NonNullable<CompiledConfig['base']> {
  const entries = dump(c.global.slots, c.listens, c.build, c.assembled);
  return { entries, byKey: new Map(typeof entries === 'string' ? [] : entries.map((e) => [e.key, e])) };
}

/** What `sshd -T [-C spec]` prints for a compiled configuration. */
export function evaluateCompiled(c: CompiledConfig, spec: ConnectionSpec | undefined): EffectiveConfig {
  const diags: Diagnostic[] = [...c.diagnostics];
  let ok = c.ok;
  let entries: EffectiveEntry[] = [];
  if (ok) {
    const m = new Options();
    ok = connectionPass(c, spec ?? {}, m, diags);
    if (ok) {
      c.base ??= baseDump(c);
      const slots = dirtyFree(m, c.build) ? c.global.slots : new Map(c.global.slots);
      const dirty = new Set<string>();
      for (const [k, s] of m.slots) {
        if (!c.build.matchCopied.has(k)) continue; // copy_set_server_options leaves it alone
        dirty.add(k);
        for (const d of DEPENDS[k] ?? []) dirty.add(d);
        if (k === 'permituserenvironment' && !s.values[0]!.startsWith('=')) continue; // only the allowlist is copied
        if (k === 'subsystem' && c.build.matchSubsystemCrash && !slots.get(k)?.values.length) {
          // Observed with Debian 13's sshd 10.0p1 (1:10.0p1-7+deb13u4): `sshd -T -C` dies with
          // SIGSEGV when a Match block sets a Subsystem and no global Subsystem exists
          // (copy_set_server_options/servconf_merge_subsystems); with a global one, the Match
          // block's list replaces it.
          ok = false;
          const at = s.origin.kind === 'directive' ? s.origin : { file: '', line: 0, column: 0 };
          diags.push({ code: 'BAD_VALUE', severity: 'error', message: `sshd ${c.build.id} crashes (SIGSEGV) applying a Subsystem set in a Match block when no global Subsystem is configured; add a global Subsystem line`, file: at.file, line: at.line, column: at.column });
          break;
        }
        const prev = slots.get(k);
        slots.set(k, { ...s, setBy: [...s.setBy, ...(prev?.setBy ?? [])], fromMatch: true });
      }
      const res = !ok ? [] : dirty.size === 0 ? c.base.entries : typeof c.base.entries === 'string' ? dump(slots, c.listens, c.build, c.assembled) : dump(slots, c.listens, c.build, c.assembled, c.base.byKey, dirty);
      if (typeof res === 'string') {
        ok = false;
        diags.push({ code: 'BAD_VALUE', severity: 'error', message: res, file: '', line: 0, column: 0 });
      } else entries = res;
    }
  }
  if (!ok) entries = [];
  let byKey: Map<string, EffectiveEntry> | undefined;
  const find = (k: string) => (byKey ??= new Map(entries.map((e) => [e.key, e]))).get(k.toLowerCase());
  return {
    spec,
    build: c.build.id,
    entries,
    get: find,
    value: (k) => find(k)?.values[0],
    ok,
    diagnostics: diags,
  };
}

/** True when a Match line of the connection pass names LocalPort (either spelling). */
function namesLocalPort(c: CompiledConfig): boolean {
  return c.steps.some((st) => st.kind === 'match' && st.criteria.words.some((w) => /^localport(?:=|$)/i.test(w)));
}

/**
 * The daemon's own view of a configuration with no connection known: what `sshd -T` prints
 * without -C. One exception, where `sshd -T` disagrees with the daemon: a config with
 * `Match LocalPort N` passes `sshd -t` and runs, but `sshd -T` without an lport in -C dies with
 * "'Match LocalPort' in configuration but 'lport' not in connection test specification."
 * (servconf.c match_cfg_line: a test spec with lport 0 is fatal; seen with 9.2p1, 10.0p1 and
 * 10.6p1). Every real connection arrives on a port, so this view is then the one of a
 * connection to the first listen port (as `sshd -T -C lport=PORT`; the other criteria, laddr
 * included, stay unknown and do not match, as in test mode).
 */
export function evaluateGlobal(c: CompiledConfig): EffectiveConfig {
  const plain = evaluateCompiled(c, undefined);
  if (plain.ok || !c.ok || !namesLocalPort(c)) return plain;
  c.base ??= baseDump(c);
  const port = Number(c.base.byKey.get('port')?.values[0]);
  return Number.isInteger(port) && port > 0 ? evaluateCompiled(c, { lport: port }) : plain;
}

/**
 * What `sshd -T [-C spec]` prints: parse_server_config (start-up pass), fill_default_server_options,
 * parse_server_match_config (connection pass), copy_set_server_options, dump_config. Pass an
 * EvalInput (itemsOfTree) to replay the connection pass from the include cache as sshd does.
 */
export function evaluateEffective(input: readonly EvalItem[] | EvalInput, o: EvaluateOptions = {}): EffectiveConfig {
  return evaluateCompiled(compileConfig(input, o), o.spec);
}

function entry(key: string, values: string[], origin: Origin = DEFAULT, setBy: Origin[] = []): EffectiveEntry {
  return { key, values, origin, setBy };
}

const ALGO_LISTS = new WeakMap<BuildProfile, Record<string, [string, readonly string[]]>>();
function algoLists(build: BuildProfile): Record<string, [string, readonly string[]]> {
  let r = ALGO_LISTS.get(build);
  if (!r) {
    const algs = build.algorithms;
    r = {
      ciphers: [algs.defCiphers, algs.allCiphers], macs: [algs.defMacs, algs.allMacs], kexalgorithms: [algs.defKex, algs.allKex],
      hostkeyalgorithms: [algs.defKeys, algs.allKeys], hostbasedacceptedalgorithms: [algs.defKeys, algs.allKeys],
      pubkeyacceptedalgorithms: [algs.defKeys, algs.allKeys], casignaturealgorithms: [algs.defSigs, algs.allSigs],
    };
    ALGO_LISTS.set(build, r);
  }
  return r;
}

const LIST_KEYS = new Set(['hostcertificate', 'allowusers', 'denyusers', 'allowgroups', 'denygroups', 'acceptenv', 'setenv', 'subsystem', 'logverbose']);

/** Keys whose printed line also depends on another key's slot. */
const DEPENDS: Record<string, readonly string[]> = { rekeyinterval: ['rekeylimit'], port: ['listenaddress'], addressfamily: ['listenaddress'] };

/**
 * fill_default_server_options + assemble_algorithms + dump_config; a string is sshd's fatal.
 * With `base` (the entries of the global values alone), only keys in `dirty` are rendered again.
 */
function dump(slots: ReadonlyMap<string, Slot>, listens: readonly Listen[], build: BuildProfile, assembled: Map<string, string | undefined>, base?: ReadonlyMap<string, EffectiveEntry>, dirty?: ReadonlySet<string>): EffectiveEntry[] | string {
  const out: EffectiveEntry[] = [];
  const ALGO = algoLists(build);
  const ports = slots.get('port')?.values ?? ['22'];
  const family = slots.get('addressfamily')?.values[0] ?? 'any';
  for (const key of build.printOrder) {
    if (base && !dirty!.has(key)) {
      const b = base.get(key);
      if (b) out.push(b);
      continue;
    }
    const s = slots.get(key);
    if (key === 'port') { out.push(entry('port', ports, s?.origin, s?.setBy)); continue; }
    if (key === 'listenaddress') {
      const l = listenAddrs(listens, ports, family);
      if (typeof l === 'string') return l;
      out.push(entry('listenaddress', l, listens[0]?.origin, listens.map((x) => x.origin)));
      continue;
    }
    if (ALGO[key]) {
      const [def, all] = ALGO[key]!;
      const memo = `${key}\0${s?.fromMatch ? 'm' : 'g'}\0${s?.raw ?? ''}`;
      let v: string | undefined;
      if (assembled.has(memo)) v = assembled.get(memo);
      else {
        // assemble_algorithms runs twice on a global value before dump_config: in
        // fill_default_server_options and again in copy_set_server_options (servconf.c, 9.2p1
        // and 10.x), so a `-` list that removes every name (`MACs -*`) is "" after the first and
        // the default list after the second. A value a Match block copies in is assembled once
        // (by copy_set_server_options) and prints empty.
        const once = assembleNames(s?.raw, def, all);
        v = once === undefined || s?.fromMatch ? once : assembleNames(once, def, all);
        assembled.set(memo, v);
      }
      if (v === undefined) return `${key}: invalid algorithm list`;
      out.push(entry(key, [v], s?.origin, s?.setBy));
      continue;
    }
    if (key === 'hostkey') {
      // fill_default_server_options' default host keys; 10.6p1 adds the ML-DSA-44 hybrid key (observed)
      const defaults = ['/etc/ssh/ssh_host_rsa_key', '/etc/ssh/ssh_host_ecdsa_key', '/etc/ssh/ssh_host_ed25519_key', ...(build.version >= 10.6 ? ['/etc/ssh/ssh_host_mldsa44_ed25519_key'] : [])];
      out.push(s ? entry(key, s.values, s.origin, s.setBy) : entry(key, defaults));
      continue;
    }
    if (key === 'persourcepenalties') {
      out.push(entry(key, [renderPenalties(s?.values, build.penaltiesV2)], s?.origin, s?.setBy));
      continue;
    }
    // 10.4p1+ string arrays: fill_default_server_options' CLEAR_ON_NONE_ARRAY empties a global
    // "none" (then nothing is printed); a value a Match block copies in later is printed as is
    // (observed on 10.6p1: `RevokedKeys none` alone prints nothing, under an active Match it prints)
    const clearedNone = (x: Slot | undefined) => x !== undefined && !x.fromMatch && x.values[0]!.toLowerCase() === 'none';
    if (key === 'authorizedkeysfile' && build.version >= 10.4 && clearedNone(s)) continue;
    if (key === 'revokedkeys' && build.version >= 10.4) {
      if (s && !clearedNone(s)) out.push(entry(key, s.values, s.origin, s.setBy));
      continue;
    }
    if (LIST_KEYS.has(key)) {
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
      const iv = slots.get('rekeyinterval');
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
function listenAddrs(listens: readonly Listen[], ports: string[], family: string): string[] | string {
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
