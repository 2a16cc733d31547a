// The evaluator's entry point for every consumer (audit rules, harden and allowlist planners,
// `sshield effective`): what `sshd -T [-C spec]` prints, with origins, computed without running
// sshd. It owns the glue from the include tree to the evaluator; it must not do I/O other than
// through the injected ReadOnlyFs (never imports src/host implementations).
//
// USE THIS:
//   const { tree, effective, evaluate, compiled } =
//     await loadEffective(fs, '/etc/ssh/sshd_config', { build, spec?, accounts?, sshDir?, cwd? });
//   effective            EffectiveConfig for `spec` (or no -C when spec is omitted)
//   evaluate(spec2)      another connection spec against the SAME parsed tree: no re-reading, no
//                        re-parsing, the start-up pass not repeated (about 20 us per spec for a
//                        typical config: evaluate thousands of specs freely)
//   tree                 the ConfigTree (src/sshd/include.ts): files, CSTs, diagnostics, for edits
//   compiled             the prepared configuration (evaluateCompiled(compiled, spec) is evaluate)
//   evaluateGlobal(compiled)   the daemon's view with no connection known: sshd -T without -C,
//                        except that Match LocalPort (fatal for sshd -T without lport, fine for
//                        sshd -t and the daemon) is judged for a connection to the first port
//
//   effective.ok                  false when the real sshd would refuse the config (diagnostics
//                                 then name file:line; entries are empty, as sshd prints nothing)
//   effective.entries             [{ key, values, origin, setBy }] in `sshd -T` print order
//   effective.get('PermitRootLogin')?.origin   { kind: 'directive', file, line, column, match? }
//                                 or { kind: 'default' }
//   effective.value('permitrootlogin')         'without-password' (first printed value)
//   renderSshdT(effective)        the exact bytes `sshd -T` prints (keys spelled per build)
//   sshdWarnings(effective.diagnostics)   what sshd prints on stderr while reading
//
// Semantics (OpenSSH 9.2p1 servconf.c/sshd.c, and the 10.x differences the build profile names):
// the start-up pass reads every line with no connection (`Match all` is active, other Match
// blocks are syntax-checked; an Include inside an inactive Match is read with SSHCFG_NEVERMATCH:
// its Match lines never activate); then the connection pass replays the include cache (no new
// glob) with MATCH_ONLY flags and copies the Match-set values over (copy_set_server_options).
// Around each included file *activep is saved and restored (sInclude's oactive).
// Lower level, for callers holding items already: evaluateEffective(items | {items, matchItems}).
import type { ReadOnlyFs } from '../../host/fs.js';
import { BUILDS, type BuildProfile } from '../builds/index.js';
import { type ConfigTree, loadConfigTree } from '../include.js';
import { type CompiledConfig, compileConfig, evaluateCompiled, evaluateEffective, evaluateGlobal, type EvaluateOptions } from './evaluate.js';
import { type EvalInput, type EvalItem, itemsOfFile, itemsOfTree } from './input.js';
import type { Accounts } from './match.js';
import type { ConnectionSpec, EffectiveConfig, EffectiveEntry, Origin } from './types.js';
import { printedKey, renderSshdT, sshdWarnings } from './render.js';

export { printedKey, renderSshdT, sshdWarnings };
export { compileConfig, evaluateCompiled, evaluateEffective, evaluateGlobal, itemsOfFile, itemsOfTree };
export type { Accounts, CompiledConfig, ConnectionSpec, EffectiveConfig, EffectiveEntry, EvalInput, EvalItem, EvaluateOptions, Origin };

export interface LoadEffectiveOptions {
  /** Build profile; default 9.2p1-debian (use detectBuild on the root's dpkg status). */
  readonly build?: BuildProfile;
  /** The -C spec for `effective`; omitted = `sshd -T` without -C. */
  readonly spec?: ConnectionSpec;
  /** Match Group membership (evalAccountsOf the host's accounts: src/host/loaded-host.ts). */
  readonly accounts?: Accounts;
  /** Directory relative Include arguments resolve against (sshd's SSHDIR); default /etc/ssh. */
  readonly sshDir?: string;
  /** sshd's working directory for relative file names (derelativise_path); default "/". */
  readonly cwd?: string;
}

export interface LoadedEffective {
  readonly tree: ConfigTree;
  readonly effective: EffectiveConfig;
  readonly compiled: CompiledConfig;
  evaluate(spec?: ConnectionSpec): EffectiveConfig;
}

/** The prepared configuration of a loaded tree: evaluate it per spec with evaluateCompiled. */
export function compileTree(tree: ConfigTree, o: Omit<LoadEffectiveOptions, 'spec' | 'sshDir'> = {}): CompiledConfig {
  return compileConfig(itemsOfTree(tree), { build: o.build ?? BUILDS['9.2p1-debian'], ...(o.accounts ? { accounts: o.accounts } : {}), ...(o.cwd ? { cwd: o.cwd } : {}) });
}

/** Reads mainPath and its Includes through `fs` and evaluates it as `sshd -T [-C spec]` would. */
export async function loadEffective(fs: ReadOnlyFs, mainPath: string, o: LoadEffectiveOptions = {}): Promise<LoadedEffective> {
  const tree = await loadConfigTree(fs, mainPath, o.sshDir ? { sshDir: o.sshDir } : {});
  const compiled = compileTree(tree, o);
  const evaluate = (spec?: ConnectionSpec) => evaluateCompiled(compiled, spec);
  return { tree, compiled, effective: evaluate(o.spec), evaluate };
}
