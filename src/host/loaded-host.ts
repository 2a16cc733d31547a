// loadHost: one model of a host per run, built through its executor once: the config tree and
// its evaluation per connection spec (memoized), the OpenSSH build (facts/build.ts, the one build
// detection), the accounts (facts/accounts.ts, the one passwd/group/shadow reader), host keys, the PVE
// facts and cluster addresses. Audit, harden, allow, user, keys and effective read it instead of
// reading files themselves. Every read goes through a per-run cache (caching-fs.ts), so a config
// file is read from the host once however often it is parsed; a candidate (the loaded files plus
// a plan's new texts, overlay-fs.ts) re-reads nothing it already has. No writes, no decisions.
import type { HostExecutor } from './executor.js';
import type { ReadOnlyFs } from './fs.js';
import { cachingFs } from './caching-fs.js';
import { overlayFs } from './overlay-fs.js';
import { gatherAccounts, gatherFacts, gatherOpensshBuild, gatherOs, parseDpkgStatus, type Accounts, type HostFacts } from './facts/index.js';
import { known, unknown, type Fact } from './facts/types.js';
import { readClusterAddresses, type ClusterAddressView } from './facts/cluster-addresses.js';
import { hostBuild, type HostBuild } from './facts/build.js';
import type { ByteString } from '../text/bytes.js';
import { loadConfigTree, type ConfigTree } from '../sshd/include.js';
import { compileConfig, evaluateCompiled, evaluateGlobal, itemsOfTree, type Accounts as EvalAccounts, type CompiledConfig, type ConnectionSpec, type EffectiveConfig, type EvalInput } from '../sshd/evaluate/index.js';

/** One configuration (the host's, or a candidate's) ready to evaluate for any connection spec. */
export interface ConfigView {
  /** The files this view reads (the run's cache; with the candidate's texts laid over it). */
  readonly fs: ReadOnlyFs;
  readonly mainPath: string;
  readonly tree: ConfigTree;
  /** The evaluator's input: itemsOfTree(tree), the one tree -> evaluator conversion. */
  readonly input: EvalInput;
  readonly compiled: CompiledConfig;
  /** `sshd -T [-C spec]`, memoized per spec. */
  evaluate(spec?: ConnectionSpec): EffectiveConfig;
  /**
   * The daemon's view with no connection known (evaluateGlobal): `sshd -T` without -C, but a
   * config with Match LocalPort, which sshd -t and the daemon accept and `sshd -T` without an
   * lport refuses, judged for a connection to its first port. Use it for "would sshd accept
   * this config" and the listen address/port; use evaluate() to mirror `sshd -T` itself.
   */
  global(): EffectiveConfig;
}

export interface LoadedHost extends ConfigView {
  /** The executor, reading through the run's cache. */
  readonly exec: HostExecutor;
  readonly facts: HostFacts;
  readonly build: HostBuild;
  /** Known accounts, or undefined (facts.accounts says why). */
  readonly accounts: Accounts | undefined;
  /** Group membership as the evaluator asks it (undefined for an unknown user). */
  readonly evalAccounts: EvalAccounts | undefined;
  /** PVE cluster node addresses (corosync, .members, /etc/hosts), when this is a cluster node. */
  readonly cluster: ClusterAddressView | undefined;
  /**
   * The host with some files replaced (null: deleted), memoized by content: the same facts,
   * the candidate configuration, its files read through the overlay.
   */
  candidate(files: ReadonlyMap<string, ByteString | null>): Promise<LoadedHost>;
}

export interface LoadHostOptions {
  /** The main sshd_config as sshd names it (default /etc/ssh/sshd_config). */
  readonly mainPath?: string;
  /** --openssh: a build id or version that overrides detection. */
  readonly openssh?: string;
  /** The directory relative Include arguments resolve against (default /etc/ssh). */
  readonly sshDir?: string;
  /** sshd's working directory for relative file names (derelativise_path); default "/". */
  readonly cwd?: string;
  /**
   * 'all' (default): every host fact the audit reads. 'config': only what evaluating the config
   * needs (the OS, the OpenSSH build from dpkg's openssh-server stanza or `sshd -V`, accounts):
   * `effective`, `keys`, `allow` and `user` skip parsing every dpkg package, the host keys, the
   * PVE and daemon probes; those facts then say "not gathered".
   */
  readonly facts?: 'all' | 'config';
}

/** The evaluator's view of accounts: groups of a known user, undefined for an unknown one. */
export function evalAccountsOf(acc: Accounts | undefined): EvalAccounts | undefined {
  return acc ? { groupsOf: (u: string) => (acc.user(u) ? acc.groupsOf(u) : undefined) } : undefined;
}

function memoEval(compiled: CompiledConfig): (spec?: ConnectionSpec) => EffectiveConfig {
  const cache = new Map<string, EffectiveConfig>();
  return (spec) => {
    const k = spec ? JSON.stringify(spec) : '';
    let e = cache.get(k);
    if (!e) cache.set(k, (e = evaluateCompiled(compiled, spec)));
    return e;
  };
}

/** The facts evaluating a config needs: the OS, the OpenSSH build (dpkg's openssh-server stanza only), accounts. */
async function gatherConfigFacts(exec: HostExecutor): Promise<HostFacts> {
  const notGathered = <T>(): Fact<T> => unknown('not gathered for this command');
  const [os, accounts, status] = await Promise.all([gatherOs(exec.fs), gatherAccounts(exec.fs), exec.fs.readFile('/var/lib/dpkg/status')]);
  const stanzas = status.ok ? Buffer.from(status.bytes).toString('latin1').split(/\n\s*\n/).filter((st) => /^Package: openssh-server(?:-gssapi)?$/m.test(st)) : undefined;
  const dpkg = stanzas ? known(parseDpkgStatus(stanzas.join('\n\n'))) : unknown<never>(status.ok ? 'unreadable' : status.detail);
  const openssh = await gatherOpensshBuild(exec, dpkg, os);
  return { target: { kind: exec.kind, label: exec.label }, os, dpkg: notGathered(), openssh, pve: notGathered(), accounts, authorizedKeys: notGathered(), hostKeys: notGathered(), sshd: notGathered() };
}

/** Reads the host once; `exec` may already cache (a loaded host's own exec is reused as is). */
export async function loadHost(exec: HostExecutor, opts: LoadHostOptions = {}): Promise<LoadedHost> {
  const fs = cachingFs(exec.fs);
  const cached: HostExecutor = { kind: exec.kind, label: exec.label, live: exec.live, fs, run: (c, a, o) => exec.run(c, a, o) };
  const mainPath = opts.mainPath ?? '/etc/ssh/sshd_config';
  const loadTree = (view: ReadOnlyFs) => loadConfigTree(view, mainPath, opts.sshDir ? { sshDir: opts.sshDir } : {});
  const [tree, facts, cluster] = await Promise.all([loadTree(fs), opts.facts === 'config' ? gatherConfigFacts(cached) : gatherFacts(cached), readClusterAddresses(fs)]);
  const build = hostBuild(facts.openssh, opts.openssh);
  const accounts = facts.accounts.status === 'known' ? facts.accounts.value : undefined;
  const evalAccounts = evalAccountsOf(accounts);
  const view = (vfs: ReadOnlyFs, t: ConfigTree): ConfigView => {
    const input = itemsOfTree(t);
    const compiled = compileConfig(input, { build: build.profile, ...(evalAccounts ? { accounts: evalAccounts } : {}), ...(opts.cwd ? { cwd: opts.cwd } : {}) });
    let global: EffectiveConfig | undefined;
    return { fs: vfs, mainPath, tree: t, input, compiled, evaluate: memoEval(compiled), global: () => (global ??= evaluateGlobal(compiled)) };
  };
  const candidates = new Map<string, Promise<LoadedHost>>();
  const hostOf = (v: ConfigView): LoadedHost => ({
    ...v,
    exec: v.fs === fs ? cached : { ...cached, fs: v.fs },
    facts,
    build,
    accounts,
    evalAccounts,
    cluster,
    candidate(files) {
      if (files.size === 0) return Promise.resolve(loaded);
      const key = JSON.stringify([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      let c = candidates.get(key);
      if (!c) {
        const over = overlayFs(fs, files);
        candidates.set(key, (c = loadTree(over).then((t) => hostOf(view(over, t)))));
      }
      return c;
    },
  });
  const loaded = hostOf(view(fs, tree));
  return loaded;
}
