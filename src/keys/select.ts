// Which keys of one account a keys command acts on: the account's keys as sshd reads them (the
// effective AuthorizedKeysFile for that user, effective-files.ts) and the selectors every keys
// command shares, spelled as `sshield keys list` prints a key: --fingerprint SHA256:..., --line
// N (or FILE:N when the account has keys in more than one file), --comment C (the whole comment,
// exactly), --all. Reads only through ReadOnlyFs; a selector that matches nothing is a message.
import type { Accounts, PasswdUser } from '../host/facts/accounts.js';
import type { LoadedHost } from '../host/loaded-host.js';
import type { ReadOnlyFs } from '../host/fs.js';
import { displayText } from '../text/bytes.js';
import { collectUserKeys, type UserKeyFile } from './inventory.js';
import { keyFilesResolver } from './effective-files.js';
import { keyLines, type KeyLine } from './parser.js';

export interface KeySelector {
  readonly fingerprint?: string;
  readonly all?: boolean;
  /** "N" or "FILE:N", as `keys list` prints file:line. */
  readonly line?: string;
  readonly comment?: string;
}

export type Chosen = { readonly f: UserKeyFile; readonly k: KeyLine };

export interface UserKeys {
  readonly user: PasswdUser;
  /** The account's existing authorized_keys files, parsed (unreadable ones carry readError). */
  readonly files: readonly UserKeyFile[];
  /** Every key line of those files, in file order. */
  readonly keys: readonly Chosen[];
  /** The effective AuthorizedKeysFile patterns for the user (undefined: the default list). */
  readonly patterns?: readonly string[];
  /** Why the default AuthorizedKeysFile list stands in for the config's (unreadable, rejected). */
  readonly notes: readonly string[];
  /** Paths that could not be expanded or inspected. */
  readonly problems: readonly string[];
}

export const SELECTOR_FLAGS = '--fingerprint SHA256:..., --line N (or FILE:N), --comment C or --all';

/** The message for a selector that does not name keys exactly one way, else undefined. */
export function selectorProblem(s: KeySelector): string | undefined {
  const given = [s.fingerprint !== undefined, Boolean(s.all), s.line !== undefined, s.comment !== undefined].filter(Boolean).length;
  if (given !== 1) return `choose the keys with exactly one of ${SELECTOR_FLAGS}`;
  if (s.line !== undefined && !/^(?:.+:)?[1-9][0-9]*$/.test(s.line)) return `--line: "${s.line}" is not a line number (N, or FILE:N as \`sshield keys list\` prints it)`;
  if (s.comment === '') return '--comment: empty (keys without a comment are chosen by --fingerprint or --line)';
  return undefined;
}

/** The account's keys as sshd reads them. */
export async function userKeys(fs: ReadOnlyFs, loaded: LoadedHost | undefined, accounts: Accounts, name: string, mainConfig: string): Promise<UserKeys | string> {
  const user = accounts.user(name);
  if (!user) return `no such user: ${name}`;
  const resolver = await keyFilesResolver(loaded ?? fs, mainConfig);
  const patterns = resolver.patternsFor(user.name);
  const { files, problems } = await collectUserKeys(fs, accounts, { user: user.name, authorizedKeysFilesFor: resolver.patternsFor });
  const keys = files.flatMap((f) => (f.parsed ? keyLines(f.parsed).map((k) => ({ f, k })) : []));
  return { user, files, keys, ...(patterns ? { patterns } : {}), notes: resolver.fallbackReason ? [resolver.fallbackReason] : [], problems };
}

const normalFp = (fp: string): string => (fp.startsWith('SHA256:') ? fp : `SHA256:${fp}`);

/** The keys a selector names, or why it names none (or names a line ambiguously). */
export function selectKeys(uk: UserKeys, s: KeySelector): { readonly ok: true; readonly chosen: readonly Chosen[] } | { readonly ok: false; readonly message: string } {
  const who = uk.user.name;
  const hint = `(see \`sshield keys list --user ${who}\`)`;
  if (s.all) return uk.keys.length ? { ok: true, chosen: uk.keys } : { ok: false, message: `${who} has no authorized keys` };
  if (s.fingerprint !== undefined) {
    const fp = normalFp(s.fingerprint);
    const chosen = uk.keys.filter((c) => c.k.key.fingerprint === fp);
    return chosen.length ? { ok: true, chosen } : { ok: false, message: `no key of ${who} has fingerprint ${fp} ${hint}` };
  }
  if (s.comment !== undefined) {
    const chosen = uk.keys.filter((c) => displayText(c.k.comment).trim() === s.comment);
    return chosen.length ? { ok: true, chosen } : { ok: false, message: `no key of ${who} has the comment "${s.comment}" ${hint}` };
  }
  const m = /^(?:(.+):)?([0-9]+)$/.exec(s.line ?? '');
  if (!m) return { ok: false, message: `--line: "${s.line}" is not a line number` };
  const n = Number(m[2]);
  const withKeys = [...new Set(uk.keys.map((c) => c.f.info.path))];
  const file = m[1] ?? (withKeys.length === 1 ? withKeys[0] : undefined);
  if (file === undefined) return { ok: false, message: withKeys.length ? `${who} has keys in ${withKeys.join(' and ')}: give --line FILE:${n}` : `${who} has no authorized keys` };
  const chosen = uk.keys.filter((c) => c.f.info.path === file && c.k.line === n);
  return chosen.length ? { ok: true, chosen } : { ok: false, message: `${file}:${n} is not a key line of ${who} ${hint}` };
}
