// A user certificate the model has seen (the session's SSH_USER_AUTH, written by sshd with
// ExposeAuthInfo: one "publickey <certificate>" line per key used), judged as sshd judges it
// (OpenSSH 9.2p1..10.2p1, auth2-pubkey.c user_cert_trusted_ca): the certificate algorithm in
// PubkeyAcceptedAlgorithms; a user certificate; its CA key listed in TrustedUserCAKeys
// (sshkey_in_file); neither the CA key nor the certificate revoked (auth_key_is_revoked on both:
// for a KRL, krl.c checks the CA section's serials and key ids, and the plain key's hashes, as
// `ssh-keygen -Q -l` dumps them); valid now (sshkey_cert_check_authority: valid_after <= now <
// valid_before); a principal of the certificate listed in the AuthorizedPrincipalsFile of the
// account (opened as the user, StrictModes), or the account's name itself when there is no such
// file (an empty principal list is refused); the source-address critical option admitting the
// client (addr_match_cidr_list); force-command and a missing permit-pty shape the session.
// An AuthorizedPrincipalsCommand cannot be proven. Pure.
import type { AccessFacts, KnownCertificateText, RevokedKeysFact } from '../host/facts/access-facts.js';
import { expandAuthorizedKeysPath } from '../host/facts/authorized-keys.js';
import type { PasswdUser } from '../host/facts/accounts.js';
import { keyLines, parseAuthorizedKeys } from '../keys/parser.js';
import type { KeyInfo } from '../keys/blob.js';
import type { ConnectionSpec, EffectiveConfig } from '../sshd/evaluate/types.js';
import { addrMatchList, matchPatternList } from '../sshd/values/pattern.js';
import { revocationOf } from './revoked.js';
import { readableBy, strictModesProblem, type StrictModesHost } from './strict-modes.js';
import type { AcceptedKey } from './keys.js';

export interface KnownCertificate {
  readonly source: string;
  readonly key: KeyInfo;
}

export type CertificateVerdict = { readonly kind: 'accepted'; readonly key: AcceptedKey } | { readonly kind: 'refused' | 'unknown'; readonly why: string };

/** The certificates in SSH_USER_AUTH text (session.c/auth2.c: "publickey TYPE BASE64" lines); other methods and plain keys are skipped. */
export function certificatesFromUserAuth(t: KnownCertificateText): KnownCertificate[] {
  const lines = t.text.split('\n').filter((l) => l.startsWith('publickey ')).map((l) => l.slice('publickey '.length));
  const parsed = parseAuthorizedKeys(lines.join('\n'), t.source);
  return keyLines(parsed).filter((k) => k.key.certificate !== undefined).map((k) => ({ source: t.source, key: k.key }));
}

/** KRL dump sections per CA fingerprint: revoked serial ranges and key ids (krl.c krl_dump). */
export function krlCertSections(dump: string): Map<string, { serials: [bigint, bigint][]; ids: Set<string> }> {
  const out = new Map<string, { serials: [bigint, bigint][]; ids: Set<string> }>();
  let cur: { serials: [bigint, bigint][]; ids: Set<string> } | undefined;
  for (const l of dump.split('\n')) {
    const ca = /^# CA key \S+ (SHA256:[A-Za-z0-9+/]+)/.exec(l) ?? (/^# Wildcard CA/.test(l) ? [l, '*'] : null);
    if (ca) {
      cur = out.get(ca[1]!) ?? { serials: [], ids: new Set() };
      out.set(ca[1]!, cur);
      continue;
    }
    if (!cur) continue;
    const s = /^serial: (\d+)(?:-(\d+))?\s*$/.exec(l);
    if (s) cur.serials.push([BigInt(s[1]!), BigInt(s[2] ?? s[1]!)]);
    const id = /^id: (.*)$/.exec(l);
    if (id) cur.ids.add(id[1]!);
  }
  return out;
}

function certRevoked(key: KeyInfo, fact: RevokedKeysFact | undefined): { kind: 'ok' } | { kind: 'revoked' | 'unknown'; why: string } {
  const plain = revocationOf(key, fact);
  if (plain.kind !== 'ok') return plain;
  if (fact?.kind !== 'krl' || !key.certificate) return { kind: 'ok' };
  const c = key.certificate;
  for (const fp of [c.caFingerprint, '*']) {
    const sec = krlCertSections(fact.dump).get(fp);
    if (!sec) continue;
    if (sec.serials.some(([a, b]) => c.serial >= a && c.serial <= b)) return { kind: 'revoked', why: `serial ${c.serial} of CA ${c.caFingerprint} is revoked by the KRL ${fact.path}` };
    if (sec.ids.has(c.keyId)) return { kind: 'revoked', why: `key id "${c.keyId}" is revoked by the KRL ${fact.path}` };
  }
  return { kind: 'ok' };
}

export interface CertificateInput {
  readonly facts: AccessFacts;
  readonly cfg: EffectiveConfig;
  readonly user: PasswdUser;
  readonly spec: ConnectionSpec;
  readonly host: StrictModesHost;
}

const none = (v: string | undefined) => v === undefined || v.toLowerCase() === 'none';

/** Whether sshd accepts this certificate for `user` on this connection through TrustedUserCAKeys. */
export function certificateVerdict(c: KnownCertificate, i: CertificateInput): CertificateVerdict {
  const { facts, cfg, user, spec } = i;
  const cert = c.key.certificate;
  const label = `certificate ${c.key.type.name} ${c.key.fingerprint}${cert ? ` serial ${cert.serial}` : ''} (${c.source})`;
  const no = (why: string): CertificateVerdict => ({ kind: 'refused', why: `${label}: ${why}` });
  if (!cert) return no('not a certificate');
  if (cert.certType !== 'user') return no('a host certificate');
  if (matchPatternList(c.key.type.name, cfg.value('pubkeyacceptedalgorithms') ?? '') !== 1) return no(`${c.key.type.name} is not in PubkeyAcceptedAlgorithms`);
  if (c.key.type.family === 'rsa' && c.key.bits < Number(cfg.value('requiredrsasize') ?? '1024')) return no('RSA key under RequiredRSASize');
  const caPath = cfg.value('trustedusercakeys');
  if (none(caPath)) return no('TrustedUserCAKeys is none');
  const caText = facts.caFiles.get(caPath!)?.text;
  if (caText === undefined) return no(`TrustedUserCAKeys ${caPath} cannot be read`);
  const cas = keyLines(parseAuthorizedKeys(caText, caPath!)).map((k) => k.key);
  const ca = cas.find((k) => k.fingerprint === cert.caFingerprint);
  if (!ca) return no(`its CA ${cert.caFingerprint} is not in TrustedUserCAKeys ${caPath}`);
  const rkPath = cfg.value('revokedkeys');
  const rk = none(rkPath) ? undefined : facts.revoked.get(rkPath!);
  if (!none(rkPath) && !rk) return { kind: 'unknown', why: `${label}: RevokedKeys ${rkPath} was not gathered` };
  const caRev = revocationOf(ca, rk);
  if (caRev.kind === 'revoked') return no(`its CA key is revoked (${caRev.why})`);
  const rev = certRevoked(c.key, rk);
  if (rev.kind === 'revoked') return no(rev.why);
  if (rev.kind === 'unknown' || caRev.kind === 'unknown') return { kind: 'unknown', why: `${label}: ${rev.kind === 'unknown' ? rev.why : (caRev as { why: string }).why}` };
  const now = BigInt(facts.nowSeconds);
  if (now < cert.validAfter) return no('not yet valid');
  if (now >= cert.validBefore) return no('expired');
  const pcmd = cfg.value('authorizedprincipalscommand');
  const pfile = cfg.value('authorizedprincipalsfile');
  let allowed: string[];
  let where: string;
  if (!none(pfile)) {
    const e = expandAuthorizedKeysPath(pfile!, user, facts.accounts);
    if (!e.ok) return no(`AuthorizedPrincipalsFile ${pfile}: ${e.reason}`);
    const f = facts.userFiles.get(e.path);
    if (!f) return { kind: 'unknown', why: `${label}: ${e.path} was not gathered` };
    const gids = [user.gid, ...facts.accounts.groups.filter((g) => g.members.includes(user.name)).map((g) => g.gid)];
    const subject = { uid: user.uid, home: user.home, gids };
    const bad = f.stat ? ((cfg.value('strictmodes') !== 'no' ? strictModesProblem(f, subject, i.host) : undefined) ?? readableBy(f, subject)) : `${e.path} missing`;
    if (bad || f.text === undefined) return none(pcmd) ? no(`principals file ${e.path}: ${bad ?? f.unreadable ?? 'unreadable'}`) : { kind: 'unknown', why: `${label}: AuthorizedPrincipalsCommand ${pcmd} cannot be proven` };
    // Each line: [options] principal (auth2-pubkey.c process_principals; options are not modelled).
    allowed = f.text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => l.split(/\s+/).pop()!);
    where = e.path;
  } else if (!none(pcmd)) return { kind: 'unknown', why: `${label}: AuthorizedPrincipalsCommand ${pcmd} cannot be proven` };
  else {
    allowed = [user.name];
    where = 'the account name (no AuthorizedPrincipalsFile)';
  }
  if (cert.principals.length === 0) return no('it lists no principals');
  const p = cert.principals.find((x) => allowed.includes(x));
  if (p === undefined) return no(`none of its principals (${cert.principals.join(', ')}) is in ${where}`);
  const src = cert.criticalOptions.find((o) => o.name === 'source-address')?.value;
  if (src !== undefined) {
    const m = addrMatchList(spec.addr ?? '', src);
    if (m !== 1) return no(`source-address ${src} does not admit ${spec.addr ?? 'the client'}`);
  }
  const force = cert.criticalOptions.find((o) => o.name === 'force-command')?.value;
  return {
    kind: 'accepted',
    key: {
      ref: { file: c.source, line: 1, type: c.key.type.name, bits: c.key.bits, fingerprint: c.key.fingerprint, comment: `certificate serial ${cert.serial} for principal ${p}, CA ${cert.caFingerprint}` },
      ...(force !== undefined ? { command: force } : {}),
      noPty: !cert.extensions.includes('permit-pty'),
    },
  };
}
