// Issuing one certificate (`ca sign`, and each host key of `ca sign-host`): the policy check, then
// under the CA's lock (store.ts withLedger) the next serial, `ssh-keygen -s` in a private work
// directory on a copy of the public key, and the ledger entry, written before the certificate is
// handed out. Validity is given as exact UTC instants (validity.ts) so the ledger says what the
// certificate says. Principals and options are checked here, before anything runs.
import type { ApplyHost } from '../apply/host.js';
import { CA_FILES, caPath } from './ca-dir.js';
import { signArgs, unsignableReason } from './keygen.js';
import { recordCertificate, type LedgerEntry, type Parsed } from './ledger.js';
import { fingerprintOf, keygen, withLedger, withWorkDir, type OpenCa, type Owner } from './store.js';
import { isoOf, overPolicy, validityArg, type Validity } from './validity.js';

export const LONG_VALIDITY_FLAG = '--allow-long-validity';

export interface SignRequest {
  readonly kind: 'user' | 'host';
  /** The public key text (one line). */
  readonly publicKey: string;
  readonly principals: readonly string[];
  readonly validity: Validity;
  /** ssh-keygen -O options (user certificates). */
  readonly options: readonly string[];
  readonly keyId?: string;
  readonly allowLongValidity: boolean;
  /** The CA private key is in ssh-agent (SSH_AUTH_SOCK), e.g. because it is passphrase-protected. */
  readonly agent?: boolean;
  readonly signedBy: string;
  readonly now: number;
  readonly owner: Owner;
}

export interface Issued {
  readonly entry: LedgerEntry;
  /** The certificate file's text (KEY-cert.pub). */
  readonly certificate: string;
}

/** Principals: a comma list of names without blanks, commas or wildcards (those would be patterns to sshd). */
export function parsePrincipals(text: string): Parsed<string[]> {
  const list = text.split(',').map((p) => p.trim());
  if (!text.trim() || list.some((p) => p === '')) return { ok: false, message: `--principals "${text}": a comma-separated list of names, e.g. alice,ops` };
  const bad = list.find((p) => !/^[A-Za-z0-9._@+-][A-Za-z0-9._@+:-]*$/.test(p));
  if (bad) return { ok: false, message: `--principals: "${bad}" is not a principal name (letters, digits and . _ @ + - :)` };
  return { ok: true, value: [...new Set(list)] };
}

/** Why a refusal (the policy) stops this signature, or undefined. */
export function policyRefusal(ca: OpenCa, r: Pick<SignRequest, 'kind' | 'validity' | 'allowLongValidity'>): string | undefined {
  const max = r.kind === 'user' ? ca.settings.policy.userMaxValidity : ca.settings.policy.hostMaxValidity;
  const over = overPolicy(r.validity, max);
  return over && !r.allowLongValidity ? `${over}: a stolen certificate is good until it expires; sign a shorter one, or give ${LONG_VALIDITY_FLAG}` : undefined;
}

export async function signCertificate(host: ApplyHost, ca: OpenCa, r: SignRequest): Promise<Parsed<Issued>> {
  const pre = unsignableReason(r.publicKey);
  if (pre) return { ok: false, message: pre };
  const refusal = policyRefusal(ca, r);
  if (refusal) return { ok: false, message: refusal };
  if (!r.agent) {
    // A passphrase-protected CA key would make ssh-keygen wait for a passphrase nobody can type
    // (no terminal): ask the file with an empty passphrase first, which never prompts.
    const caKey = caPath(ca.dir, r.kind === 'user' ? ca.settings.userCa.file : ca.settings.hostCa.file);
    const probe = await keygen(host, ['-y', '-P', '', '-f', caKey]);
    if (!probe.ok) return { ok: false, message: `${caKey} is passphrase-protected (or unreadable): load it into ssh-agent with \`ssh-add ${caKey}\` and sign with --agent` };
  }
  return withLedger<Issued>(host, ca.dir, r.owner, (ledger) =>
    withWorkDir(host, ca.dir, r.owner, async (work) => {
      const keyFile = `${work}/key.pub`;
      await host.writeFile(keyFile, Buffer.from(r.publicKey.trim() + '\n', 'utf8'), { mode: 0o600 });
      const info = await fingerprintOf(host, keyFile);
      if (!info.ok) return { ok: false, message: `not a public key ssh-keygen reads: ${info.message}` };
      const weak = unsignableReason(r.publicKey, info.value);
      if (weak) return { ok: false, message: weak };
      const keyId = r.keyId ?? `${r.kind === 'host' ? 'host' : r.principals.join(',')}:${info.value.comment || info.value.fingerprint}`;
      const { ledger: next, entry } = recordCertificate(ledger, {
        kind: r.kind,
        keyId,
        principals: r.principals,
        validFrom: isoOf(r.validity.from),
        validTo: isoOf(r.validity.to),
        keyFingerprint: info.value.fingerprint,
        keyType: info.value.type,
        options: r.options,
        signedAt: isoOf(r.now),
        signedBy: r.signedBy,
      });
      const caKey = caPath(ca.dir, r.kind === 'user' ? ca.settings.userCa.file : ca.settings.hostCa.file);
      const s = await keygen(host, signArgs({ caKey: r.agent ? `${caKey}.pub` : caKey, keyId, principals: r.principals, validity: validityArg(r.validity), serial: entry.serial, options: r.kind === 'user' ? r.options : [], host: r.kind === 'host', keyFile, ...(r.agent ? { agent: true } : {}) }));
      if (!s.ok) return r.agent ? { ok: false, message: `${s.message} (is the CA key loaded: ssh-add ${caKey}, and SSH_AUTH_SOCK set?)` } : s;
      const cert = await host.fs.readFile(`${work}/key-cert.pub`);
      if (!cert.ok) return { ok: false, message: `ssh-keygen wrote no certificate (${cert.detail})` };
      return { ok: true, value: { ledger: next, result: { entry, certificate: Buffer.from(cert.bytes).toString('utf8') } } };
    }),
  );
}

/** The CA public keys (for `ca trust --user-ca` and the known_hosts line). */
export function caPublicPath(ca: OpenCa, which: 'user' | 'host'): string {
  return `${caPath(ca.dir, which === 'user' ? ca.settings.userCa.file : ca.settings.hostCa.file)}.pub`;
}

export { CA_FILES };
