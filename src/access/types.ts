// The verdict of the credential model: for one account connecting from one address, which ways
// in sshd would accept (each an AuthenticationMethods chain with the credential proven for every
// step and what the session then gives), or every reason it refuses, or why it cannot be
// decided. Pure data; no logic.
import type { ConnectionSpec } from '../sshd/evaluate/types.js';

/** A key line sshd would accept, with where it lives. */
export interface KeyRef {
  readonly file: string;
  readonly line: number;
  readonly type: string;
  readonly bits: number;
  readonly fingerprint: string;
  readonly comment: string;
}

/** One step of a chain and the credential that passes it. */
export interface StepProof {
  readonly method: string;
  readonly detail: string;
  readonly key?: KeyRef;
}

/**
 * What a successful login gives: a shell; a forced command (ForceCommand, or the key's
 * command=); SFTP only (internal-sftp, which needs no shell); or nothing (the account's shell is
 * nologin/false and nothing runs in-process: authentication succeeds, the session ends at once).
 */
export type SessionKind = 'shell' | 'command' | 'sftp' | 'none';

export interface Way {
  /** The AuthenticationMethods list this way completes (one method when AuthenticationMethods is any). */
  readonly chain: readonly string[];
  readonly steps: readonly StepProof[];
  readonly session: SessionKind;
  readonly sessionDetail: string;
}

export type AccessVerdict =
  | {
      readonly kind: 'works';
      readonly spec: ConnectionSpec;
      readonly ways: readonly Way[];
      /** Some way gives a shell. */
      readonly shell: boolean;
      /** Ways that might also work but cannot be proven, and other remarks (password expired, no pty). */
      readonly notes: readonly string[];
    }
  | { readonly kind: 'refused'; readonly spec: ConnectionSpec; readonly reasons: readonly string[] }
  | {
      readonly kind: 'unknown';
      readonly spec: ConnectionSpec;
      /** Why nothing can be proven (AuthorizedKeysCommand, a PAM module, an unreadable file...). */
      readonly reasons: readonly string[];
      /** The ways that would work if what is unknown says yes. */
      readonly possible: readonly Way[];
    };
