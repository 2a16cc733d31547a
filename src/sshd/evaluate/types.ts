// The evaluator's public contract: what every consumer (effective, audit rules, harden planner,
// allowlist prover) reads. An effective configuration is what `sshd -T -C spec` would print, with
// the origin of each value. Owned by src/sshd/evaluate; consumers never recompute semantics.
import type { Diagnostic } from '../diagnostics.js';

/** What `sshd -T -C` takes: user, host, addr, laddr, lport, rdomain. */
export interface ConnectionSpec {
  readonly user?: string;
  readonly host?: string;
  readonly addr?: string;
  readonly laddr?: string;
  readonly lport?: number;
  readonly rdomain?: string;
  /** `invalid-user` in the -C spec (10.0p1+): the user does not exist (Match invalid-user). */
  readonly invalidUser?: boolean;
}

export type Origin =
  | { readonly kind: 'default' }
  /** Set by a directive; `match` names the Match line when the directive sits in a Match block. */
  | {
      readonly kind: 'directive';
      readonly file: string;
      readonly line: number;
      readonly column: number;
      readonly match?: { readonly file: string; readonly line: number };
    };

/**
 * One keyword's effective value. `key` is the lower-case name `sshd -T` prints (e.g.
 * "passwordauthentication"); `values` are the printed values, one per line `sshd -T` prints for
 * that key (so accumulating keywords such as hostkey or acceptenv yield several).
 */
export interface EffectiveEntry {
  readonly key: string;
  readonly values: readonly string[];
  readonly origin: Origin;
  /** Every directive that set this key, first the winner; later ones lost (shadowed). */
  readonly setBy: readonly Origin[];
}

export interface EffectiveConfig {
  readonly spec: ConnectionSpec | undefined;
  /** The build profile used, e.g. "9.2p1-debian". */
  readonly build: string;
  /** Entries in `sshd -T` print order. */
  readonly entries: readonly EffectiveEntry[];
  get(key: string): EffectiveEntry | undefined;
  /** Convenience: first printed value of a key, lower-cased keys. */
  value(key: string): string | undefined;
  /** Errors make `ok` false: the real sshd would refuse this configuration. */
  readonly ok: boolean;
  readonly diagnostics: readonly Diagnostic[];
}
