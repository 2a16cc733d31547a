// Keyword lookup: the only place keyword text is compared (case-insensitively, as servconf.c
// parse_token does with strcasecmp). Resolves a spelling to its spec for a given OpenSSH version.
import { CLIENT_ONLY_KEYWORDS, KEYWORDS, type KeywordSpec, type Status } from './table.js';

export { KEYWORDS, CLIENT_ONLY_KEYWORDS } from './table.js';
export type { KeywordSpec, Merge, Status } from './table.js';

const byLower = new Map<string, KeywordSpec>(KEYWORDS.map((k) => [k.name.toLowerCase(), k]));
const clientOnly = new Set(CLIENT_ONLY_KEYWORDS.map((k) => k.toLowerCase()));

function lower(word: string): string {
  // strcasecmp folds ASCII only.
  return word.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** Canonical and all-lower-case spellings: the common cases skip case folding. */
const byCommon = new Map<string, KeywordSpec>([...KEYWORDS.map((k) => [k.name, k] as const), ...byLower]);

/** The spec of a keyword spelling regardless of build, or undefined. */
export function findKeyword(word: string): KeywordSpec | undefined {
  return byCommon.get(word) ?? byLower.get(lower(word));
}

export function isClientOnlyKeyword(word: string): boolean {
  return clientOnly.has(lower(word));
}

export interface BuildKeywordView {
  readonly version: number;
  readonly debian: boolean;
  /** GSSAPI/Kerberos compiled in (default true). */
  readonly gssapi?: boolean;
}

export type Resolved =
  | { readonly kind: 'known'; readonly spec: KeywordSpec; readonly status: Status; readonly inMatch: boolean }
  | { readonly kind: 'unknown'; readonly clientOnly: boolean };

const resolved = new WeakMap<BuildKeywordView, Map<string, Resolved>>();

/** What a given build's parse_token makes of a spelling (memoised per build and spelling). */
export function resolveKeyword(word: string, build: BuildKeywordView): Resolved {
  let m = resolved.get(build);
  if (!m) resolved.set(build, (m = new Map()));
  let r = m.get(word);
  if (r === undefined) {
    if (m.size > 10_000) m.clear(); // bounded: hostile input may spell keywords endlessly
    m.set(word, (r = resolveUncached(word, build)));
  }
  return r;
}

function resolveUncached(word: string, build: BuildKeywordView): Resolved {
  const spec = findKeyword(word);
  if (!spec || (spec.since !== undefined && build.version < spec.since) || (spec.removedIn !== undefined && build.version >= spec.removedIn) || (spec.debianOnly && !build.debian)) {
    return { kind: 'unknown', clientOnly: isClientOnlyKeyword(word) };
  }
  let status: Status = spec.status ?? 'supported';
  for (const [v, s] of spec.statusFrom ?? []) if (build.version >= v) status = s;
  if (spec.gss && build.gssapi === false) {
    // without GSSAPI: Debian's GSSAPI key exchange patch keywords do not exist at all; the
    // upstream ones are "Unsupported option" (observed on Debian unstable's 1:10.6p1-1)
    if (spec.debianOnly) return { kind: 'unknown', clientOnly: isClientOnlyKeyword(word) };
    status = 'unsupported';
  }
  const inMatch = spec.inMatch || (spec.inMatchFrom !== undefined && build.version >= spec.inMatchFrom);
  return { kind: 'known', spec, status, inMatch };
}

/** Canonical spelling of a keyword, for messages and edits. */
export function canonicalKeyword(word: string): string | undefined {
  return findKeyword(word)?.name;
}
