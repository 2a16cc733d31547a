// What the certificate audit rules read, gathered once from the global effective configuration:
// the TrustedUserCAKeys file (each CA key's type and size, by the key-blob reader src/keys/blob.ts),
// whether principals are controlled (AuthorizedPrincipalsFile / AuthorizedPrincipalsCommand), and
// RevokedKeys as access-facts.ts reads it (a plain list, a KRL dumped by the real `ssh-keygen -Q -l`,
// a KRL this host cannot read, or missing/unreadable, which makes sshd refuse every public key:
// auth2-pubkey.c -> auth.c auth_key_is_revoked treats any error as revoked, OpenSSH 9.2p1). The
// time of gathering is recorded so rules judge certificate validity without reading a clock.
// Texts and stats only; no decision here.
import type { HostExecutor } from '../executor.js';
import type { EffectiveConfig } from '../../sshd/evaluate/types.js';
import { keyLines, parseAuthorizedKeys } from '../../keys/parser.js';
import { revokedFact, type RevokedKeysFact } from './access-facts.js';

export interface CaKeyFact {
  readonly line: number;
  readonly type: string;
  readonly family: string;
  readonly bits: number;
  readonly fingerprint: string;
  readonly comment: string;
}

export interface SetBy {
  readonly file: string;
  readonly line: number;
}

export interface CertificateFacts {
  readonly nowSeconds: number;
  /** Effective TrustedUserCAKeys (global), undefined when none. */
  readonly trustedUserCaKeys?: { readonly path: string; readonly setBy?: SetBy; readonly keys: readonly CaKeyFact[]; readonly unreadable?: string };
  /** Effective AuthorizedPrincipalsFile / AuthorizedPrincipalsCommand, undefined when none. */
  readonly principalsFile?: string;
  readonly principalsCommand?: string;
  readonly permitRootLogin: string;
  /** Effective RevokedKeys, undefined when none. */
  readonly revokedKeys?: { readonly setBy?: SetBy; readonly fact: RevokedKeysFact };
}

const setByOf = (cfg: EffectiveConfig, key: string): SetBy | undefined => {
  const o = cfg.get(key)?.origin;
  return o?.kind === 'directive' ? { file: o.file, line: o.line } : undefined;
};
const valueOf = (cfg: EffectiveConfig, key: string): string | undefined => {
  const v = cfg.value(key);
  return v === undefined || v.toLowerCase() === 'none' ? undefined : v;
};

export async function gatherCertificateFacts(exec: Pick<HostExecutor, 'fs' | 'run' | 'live'>, cfg: EffectiveConfig, nowMs: number): Promise<CertificateFacts> {
  const ca = valueOf(cfg, 'trustedusercakeys');
  let trusted: CertificateFacts['trustedUserCaKeys'];
  if (ca !== undefined) {
    const setBy = setByOf(cfg, 'trustedusercakeys');
    const r = await exec.fs.readFile(ca, 4 << 20).catch(() => undefined);
    if (!r || !r.ok) trusted = { path: ca, ...(setBy ? { setBy } : {}), keys: [], unreadable: r && !r.ok ? `${r.reason}${r.detail ? ` (${r.detail})` : ''}` : 'unreadable' };
    else {
      const parsed = parseAuthorizedKeys(Buffer.from(r.bytes).toString('latin1'), ca);
      const keys = keyLines(parsed).map((k) => ({ line: k.line, type: k.typeName, family: k.key.type.family, bits: k.key.bits, fingerprint: k.key.fingerprint, comment: k.comment.trim() }));
      trusted = { path: ca, ...(setBy ? { setBy } : {}), keys };
    }
  }
  const rk = valueOf(cfg, 'revokedkeys');
  const revSetBy = setByOf(cfg, 'revokedkeys');
  const pf = valueOf(cfg, 'authorizedprincipalsfile');
  const pc = valueOf(cfg, 'authorizedprincipalscommand');
  return {
    nowSeconds: Math.floor(nowMs / 1000),
    ...(trusted ? { trustedUserCaKeys: trusted } : {}),
    ...(pf ? { principalsFile: pf } : {}),
    ...(pc ? { principalsCommand: pc } : {}),
    permitRootLogin: cfg.value('permitrootlogin') ?? 'prohibit-password',
    ...(rk ? { revokedKeys: { ...(revSetBy ? { setBy: revSetBy } : {}), fact: await revokedFact(exec, rk) } } : {}),
  };
}
