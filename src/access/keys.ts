// The publickey method for one account and connection, as sshd decides it (OpenSSH 9.2p1..10.2p1):
// auth2-pubkey.c userauth_pubkey refuses a signature algorithm outside PubkeyAcceptedAlgorithms
// (match_pattern_list) and an RSA key under RequiredRSASize (sshkey_check_rsa_length);
// user_key_allowed refuses a revoked key (auth_key_is_revoked), then tries each AuthorizedKeysFile
// in order (expand_authorized_keys: %% %h %u %U, relative to the home), each opened as the user
// and, with StrictModes, checked by misc.c safe_path (auth2-pubkeyfile.c auth_openfile); then
// TrustedUserCAKeys (user_cert_trusted_ca) and AuthorizedKeysCommand. A key line is taken when
// its options parse (auth-options.c sshauthopt_parse) and auth2-pubkeyfile.c
// auth_authorise_keyopts accepts them: expiry-time not passed, from= matching the client
// (match_host_and_ip), principals= only with cert-authority. A cert-authority line never accepts
// the plain key itself: only certificates that CA signed, which this model cannot see, so such
// ways are "possible", never proven; so is anything AuthorizedKeysCommand might print. Pure.
import type { AccessFacts, UserFileFact } from '../host/facts/access-facts.js';
import { expandAuthorizedKeysPath } from '../host/facts/authorized-keys.js';
import type { PasswdUser } from '../host/facts/accounts.js';
import { keyLines, parseAuthorizedKeys, type AuthorizedKeysFile, type KeyLine } from '../keys/parser.js';
import type { KeyOption } from '../keys/options.js';
import type { ConnectionSpec, EffectiveConfig } from '../sshd/evaluate/types.js';
import { matchPatternList } from '../sshd/values/pattern.js';
import { matchHostAndIp } from '../sshd/access.js';
import { revocationOf } from './revoked.js';
import { certificateVerdict, certificatesFromUserAuth } from './certificates.js';
import { readableBy, strictModesProblem, type StrictModesHost } from './strict-modes.js';
import type { KeyRef } from './types.js';

/** A key line sshd would accept for this connection. */
export interface AcceptedKey {
  readonly ref: KeyRef;
  /** command= of the key (a forced command; PermitRootLogin forced-commands-only needs it). */
  readonly command?: string;
  /** restrict / no-pty: the session has no terminal. */
  readonly noPty: boolean;
}

export interface PubkeyResult {
  readonly accepted: readonly AcceptedKey[];
  /** Ways that cannot be proven (certificates, AuthorizedKeysCommand, an unreadable KRL). */
  readonly possible: readonly string[];
  /** Why every other key line or source was refused. */
  readonly refused: readonly string[];
}

const parsed = new WeakMap<UserFileFact, AuthorizedKeysFile>();
/** Parses by text too: the same files are gathered again for every state a guard compares. */
const byText = new Map<string, AuthorizedKeysFile>();

/** The file's key lines, parsed once per gathered file (and once per distinct text and path). */
export function parsedFile(f: UserFileFact): AuthorizedKeysFile | undefined {
  if (f.text === undefined) return undefined;
  let p = parsed.get(f);
  if (p) return p;
  const key = `${f.path}\0${f.text}`;
  p = byText.get(key);
  if (!p) {
    if (byText.size >= 1024) byText.delete(byText.keys().next().value!);
    byText.set(key, (p = parseAuthorizedKeys(f.text, f.path)));
  }
  parsed.set(f, p);
  return p;
}

/** Signature algorithms a key of this plain type can be used with (RSA keys sign with rsa-sha2-*). */
export function algorithmsForKeyType(type: string): string[] {
  if (type === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  if (type === 'ssh-rsa-cert-v01@openssh.com') return ['rsa-sha2-512-cert-v01@openssh.com', 'rsa-sha2-256-cert-v01@openssh.com', 'ssh-rsa-cert-v01@openssh.com'];
  return [type];
}

/** misc.c parse_absolute_time: YYYYMMDD[HHMM[SS]], local time unless suffixed Z or UTC. Seconds since the epoch. */
export function parseAbsoluteTime(s: string): number | undefined {
  let v = s;
  let utc = false;
  if (/z$/i.test(v) && v.length > 1) [v, utc] = [v.slice(0, -1), true];
  else if (/utc$/i.test(v) && v.length > 3) [v, utc] = [v.slice(0, -3), true];
  if (!/^\d{8}(\d{4}(\d{2})?)?$/.test(v)) return undefined;
  const n = (a: number, b: number) => Number(v.slice(a, b) || '0');
  const parts = [n(0, 4), n(4, 6) - 1, n(6, 8), n(8, 10), n(10, 12), n(12, 14)] as const;
  const ms = utc ? Date.UTC(...parts) : new Date(...parts).getTime();
  return Math.floor(ms / 1000);
}

const opt = (o: readonly KeyOption[], name: string): string | undefined => {
  const f = o.find((x) => x.kind === 'value' && x.name === name);
  return f && f.kind === 'value' ? f.value : undefined;
};
const flag = (o: readonly KeyOption[], name: string): boolean | undefined => {
  let v: boolean | undefined;
  for (const x of o) if (x.kind === 'flag' && x.flag === name) v = !x.negated;
  return v;
};

/** Whether a comma list of host patterns names a host (letters, not an address): matched against a reverse-DNS name only with UseDNS yes. */
export const hostNamed = (list: string): boolean => list.split(',').some((h) => /[a-z]/i.test(h.replace(/^!/, '')) && !h.includes(':'));

/** auth_authorise_keyopts for a plain key line: why it is refused, or undefined. `spec` undefined (the client unknown): from= is not judged. */
export function keyOptionsProblem(o: readonly KeyOption[], spec: ConnectionSpec | undefined, nowSeconds: number): string | undefined {
  const exp = opt(o, 'expiry-time');
  if (exp !== undefined) {
    const t = parseAbsoluteTime(exp);
    if (t !== undefined && t < nowSeconds) return `expiry-time="${exp}" has passed`;
  }
  if (opt(o, 'principals') !== undefined && !flag(o, 'cert-authority')) return 'principals= on a key that is not a cert-authority';
  const from = opt(o, 'from');
  if (from !== undefined && spec !== undefined) {
    const addr = spec.addr ?? '';
    const r = matchHostAndIp(spec.host ?? addr, addr, from);
    if (r === -1) return `from="${from}" is invalid (sshd refuses the key)`;
    if (r === 0) return `from="${from}" does not admit ${addr}${hostNamed(from) ? ' (host names in it are matched against the reverse-DNS name only with UseDNS yes)' : ''}`;
  }
  return undefined;
}

/** What sshd makes of one authorized_keys line by itself, before RevokedKeys and the file it sits in. */
export type KeyLineVerdict = { readonly kind: 'key' } | { readonly kind: 'cert-authority'; readonly principals?: string } | { readonly kind: 'refused'; readonly why: string };

/** The effective values a key line is judged against; undefined: not known, not judged. */
export interface KeyLineAcceptance {
  /** PubkeyAcceptedAlgorithms (sshd -T: a comma list, matched as match_pattern_list). */
  readonly algs?: string;
  /** RequiredRSASize. */
  readonly rsaMin?: number;
}

/**
 * One key line as auth2-pubkey.c / auth2-pubkeyfile.c judge it: options that parse
 * (sshauthopt_parse; else sshd ignores the line), a signature algorithm PubkeyAcceptedAlgorithms
 * offers and RequiredRSASize (not for a cert-authority line: its key signs certificates),
 * auth_authorise_keyopts (expiry-time, principals=, from= against `spec`'s client; `spec`
 * undefined: from= not judged), and a certificate pasted as a plain key is never matched. The one
 * per-line judgment: pubkeyWays and src/keys (keys add/remove/restrict) use it.
 */
export function keyLineVerdict(k: KeyLine, a: KeyLineAcceptance, spec: ConnectionSpec | undefined, nowSeconds: number): KeyLineVerdict {
  if (k.options === undefined) return { kind: 'refused', why: `bad key options (${k.optionsError ?? 'invalid'}): sshd ignores the line` };
  const ca = flag(k.options, 'cert-authority') === true;
  if (!ca) {
    const plain = k.key.type.plainName;
    const names = k.key.type.certificate ? [k.key.type.name] : algorithmsForKeyType(plain);
    if (a.algs !== undefined && !names.some((n) => matchPatternList(n, a.algs!) === 1)) return { kind: 'refused', why: `${plain} is not in PubkeyAcceptedAlgorithms` };
    if (a.rsaMin !== undefined && k.key.type.family === 'rsa' && k.key.bits < a.rsaMin) return { kind: 'refused', why: `RSA key of ${k.key.bits} bits is under RequiredRSASize ${a.rsaMin}` };
  }
  const o = keyOptionsProblem(k.options, spec, nowSeconds);
  if (o) return { kind: 'refused', why: o };
  if (ca) {
    const principals = opt(k.options, 'principals');
    return { kind: 'cert-authority', ...(principals !== undefined ? { principals } : {}) };
  }
  if (k.key.type.certificate) return { kind: 'refused', why: 'a certificate in authorized_keys is matched only through a cert-authority line' };
  return { kind: 'key' };
}

export interface PubkeyInput {
  readonly facts: AccessFacts;
  readonly cfg: EffectiveConfig;
  readonly user: PasswdUser;
  readonly spec: ConnectionSpec;
  readonly host: StrictModesHost;
}

const words = (vals: readonly string[] | undefined): string[] => (vals ?? []).flatMap((v) => v.split(/\s+/)).filter((v) => v !== '');

export function pubkeyWays(i: PubkeyInput): PubkeyResult {
  const { facts, cfg, user, spec } = i;
  const accepted: AcceptedKey[] = [];
  const possible: string[] = [];
  const refused: string[] = [];
  const algs = cfg.value('pubkeyacceptedalgorithms') ?? '';
  const rsaMin = Number(cfg.value('requiredrsasize') ?? '1024');
  const strict = cfg.value('strictmodes') !== 'no';
  const revokedPath = cfg.value('revokedkeys');
  const revokedFact = revokedPath !== undefined && revokedPath.toLowerCase() !== 'none' ? facts.revoked.get(revokedPath) : undefined;
  if (revokedPath !== undefined && revokedPath.toLowerCase() !== 'none' && !revokedFact) possible.push(`RevokedKeys ${revokedPath} was not gathered`);
  const gids = [user.gid, ...facts.accounts.groups.filter((g) => g.members.includes(user.name)).map((g) => g.gid)];
  const subject = { uid: user.uid, home: user.home, gids };
  for (const v of words(cfg.get('authorizedkeysfile')?.values)) {
    const e = expandAuthorizedKeysPath(v, user, facts.accounts);
    if (!e.ok) {
      if (e.reason !== 'none') refused.push(`AuthorizedKeysFile ${v}: ${e.reason}`);
      continue;
    }
    const f = facts.userFiles.get(e.path);
    if (!f) {
      possible.push(`${e.path} was not gathered`);
      continue;
    }
    if (!f.stat) continue; // missing: sshd moves on silently
    const bad = (strict ? strictModesProblem(f, subject, i.host) : undefined) ?? readableBy(f, subject);
    if (bad) {
      refused.push(`${e.path}: ${bad}`);
      continue;
    }
    const pf = parsedFile(f);
    if (!pf) {
      possible.push(`${e.path}: ${f.unreadable ?? 'unreadable here'}`);
      continue;
    }
    for (const k of keyLines(pf)) {
      const where = `${e.path}:${k.line}`;
      const lv = keyLineVerdict(k, { algs, rsaMin }, spec, facts.nowSeconds);
      if (lv.kind === 'refused') {
        refused.push(`${where}: ${lv.why}`);
        continue;
      }
      const rev = revocationOf(k.key, revokedFact);
      if (rev.kind === 'revoked') {
        refused.push(`${where}: ${rev.why}`);
        continue;
      }
      if (lv.kind === 'cert-authority') {
        possible.push(`${where}: cert-authority: a certificate signed by this CA for principal ${lv.principals ?? user.name} would work; this model cannot prove one is held`);
        continue;
      }
      const options = k.options!;
      if (rev.kind === 'unknown') {
        possible.push(`${where}: ${rev.why}`);
        continue;
      }
      const command = opt(options, 'command');
      const restrict = flag(options, 'restrict') === true;
      const pty = flag(options, 'pty');
      accepted.push({
        ref: { file: e.path, line: k.line, type: k.key.type.plainName, bits: k.key.bits, fingerprint: k.key.fingerprint, comment: k.comment.trim() },
        ...(command !== undefined ? { command } : {}),
        noPty: pty === false || (restrict && pty !== true),
      });
    }
  }
  const ca = cfg.value('trustedusercakeys');
  if (ca !== undefined && ca.toLowerCase() !== 'none') {
    const f = facts.caFiles.get(ca);
    if (f?.text === undefined) refused.push(`TrustedUserCAKeys ${ca}: ${f?.reason ?? 'not gathered'}`);
    else {
      const pfile = cfg.value('authorizedprincipalsfile');
      const who = pfile && pfile.toLowerCase() !== 'none' ? `a principal listed in ${pfile}` : `principal ${user.name}`;
      possible.push(`TrustedUserCAKeys ${ca}: a certificate from that CA for ${who} would work; this model cannot prove one is held`);
      // Certificates known to be held (the session's SSH_USER_AUTH) are judged as sshd would.
      for (const t of facts.certificates?.get(user.name) ?? []) {
        for (const c of certificatesFromUserAuth(t)) {
          const v = certificateVerdict(c, { facts, cfg, user, spec, host: i.host });
          if (v.kind === 'accepted') accepted.push(v.key);
          else (v.kind === 'refused' ? refused : possible).push(v.why);
        }
      }
    }
  }
  const cmd = cfg.value('authorizedkeyscommand');
  if (cmd !== undefined && cmd.toLowerCase() !== 'none') {
    // auth2-pubkey.c user_key_command_allowed2: without AuthorizedKeysCommandUser the command is skipped.
    const cu = cfg.value('authorizedkeyscommanduser');
    if (cu === undefined || cu.toLowerCase() === 'none') refused.push(`AuthorizedKeysCommand ${cmd} has no AuthorizedKeysCommandUser: sshd skips it`);
    else possible.push(`AuthorizedKeysCommand ${cmd}: what it prints cannot be proven (cannot prove)`);
  }
  return { accepted, possible, refused };
}
