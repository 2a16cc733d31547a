// The planner of `ca trust`: makes a server accept certificates of a user CA, with principals
// control, and optionally a revocation list. From the loaded config and the request it plans,
// for the one writer: `TrustedUserCAKeys`, `AuthorizedPrincipalsFile DIR/%u` and `RevokedKeys`
// (placed where they win by the harden planner, apply/planner.ts planHarden, which also proves
// them with the evaluator and comments out what would override them), the CA key file (the
// existing TrustedUserCAKeys file gets the CA appended; other CAs stay trusted), one principals
// file per named account (0644, root-owned, only the accounts the admin names; root only with
// --allow-root-principals), the principals directory (a make-dir step) and the KRL bytes.
// sshd_config(5): "AuthorizedPrincipalsFile ... If not specified, ... the username of the user
// must appear in a certificate's principals list"; with it, a user without a file has no
// principals, so no certificate logs in as root unless root's file is written. RevokedKeys:
// "If this file is not readable, then public key authentication will be refused for all users":
// the planner refuses bytes that sshd could not read (checked by the caller: ca/keygen.ts revocationListReadable).
// Pure apart from reads through the config's file view.
import { planHarden, fileChange } from '../apply/planner.js';
import type { FileChange, GuardVerdict, MakeDirStep, Plan } from '../apply/plan.js';
import { evaluateWith, type LoadedConfig } from '../allow/engine.js';
import { bytesToText, type ByteString } from '../text/bytes.js';
import type { Desired } from '../apply/settings.js';
import { publicKeyLine } from './keygen.js';

export const OVERRIDE_PRINCIPALS_CHANGE = '--allow-principals-change';
export const ROOT_PRINCIPALS_FLAG = '--allow-root-principals';
export const CA_KEYS_NAME = 'sshield_user_ca_keys';
export const KRL_NAME = 'sshield_revoked_keys';

export interface PrincipalsGrant {
  readonly user: string;
  readonly principals: readonly string[];
}

export interface TrustRequest {
  readonly cfg: LoadedConfig;
  readonly root?: string;
  /** The user CA public key line (from --user-ca). */
  readonly caKey: string;
  readonly grants: readonly PrincipalsGrant[];
  readonly principalsDir?: string;
  readonly allowRootPrincipals: boolean;
  /** The KRL bytes (--revoked), and whether `ssh-keygen -Q` could read them. */
  readonly revoked?: { readonly source: string; readonly bytes: Uint8Array; readonly readable: string | true };
  readonly overrides: ReadonlySet<string>;
  readonly reload: Plan['reload'];
  readonly verify?: Plan['verify'];
}

export type TrustPlan = { readonly ok: true; readonly plan: Plan; readonly refusal?: string; readonly details: TrustDetails } | { readonly ok: false; readonly message: string };

export interface TrustDetails {
  readonly trustedUserCaKeys: string;
  readonly caFingerprintLine: string;
  readonly authorizedPrincipalsFile: string;
  readonly principalsFiles: readonly { readonly user: string; readonly path: string; readonly principals: readonly string[] }[];
  readonly revokedKeys: string | null;
}

const dirOf = (p: string) => p.slice(0, p.lastIndexOf('/')) || '/';
const hostPathOf = (root: string | undefined, p: string) => (root === undefined ? p : `${root.replace(/\/+$/, '')}${p}`);
const eff1 = (v: readonly string[] | undefined) => (v && v.length ? v.join(' ') : 'none');

async function readText(cfg: LoadedConfig, path: string): Promise<ByteString | undefined> {
  const r = await cfg.fs.readFile(path, 16 << 20);
  return r.ok ? bytesToText(r.bytes) : undefined;
}

function appendLines(before: ByteString | undefined, lines: readonly string[]): ByteString {
  if (!lines.length) return before ?? '';
  const pre = before === undefined || before === '' || before.endsWith('\n') ? (before ?? '') : `${before}\n`;
  return `${pre}${lines.map((l) => `${l}\n`).join('')}`;
}

export async function planTrust(r: TrustRequest): Promise<TrustPlan> {
  const { cfg } = r;
  const ca = publicKeyLine(r.caKey);
  if (!ca || ca.type.includes('-cert-')) return { ok: false, message: '--user-ca: not one OpenSSH public key line (give the CA\'s .pub file, e.g. DIR/user_ca.pub)' };
  const eff = await evaluateWith(cfg, new Map(), undefined);
  const confDir = dirOf(cfg.mainPath);
  const desired: Desired[] = [];
  const files: FileChange[] = [];
  const steps: MakeDirStep[] = [];
  const guards: GuardVerdict[] = [];
  const notes: string[] = [];
  const rule = 'ca trust';

  // The CA key file.
  const curCa = eff1(eff.get('trustedusercakeys')?.values);
  if (curCa.includes('%')) return { ok: false, message: `TrustedUserCAKeys is "${curCa}" (with % tokens): add the CA to those files yourself; sshield will not guess which` };
  const caFile = curCa !== 'none' ? curCa : `${confDir}/${CA_KEYS_NAME}`;
  if (curCa === 'none') desired.push({ keyword: 'TrustedUserCAKeys', value: caFile, rule });
  const caBefore = await readText(cfg, caFile);
  const present = (caBefore ?? '').split('\n').some((l) => publicKeyLine(l)?.blob === ca.blob);
  const caLine = `${ca.type} ${ca.blob} ${ca.comment || 'sshield user CA'}`.trim();
  if (!present) files.push(fileChange(caFile, hostPathOf(r.root, caFile), caBefore ?? null, appendLines(caBefore, [caLine]), [], [`trust the user CA ${ca.comment}`]));
  else notes.push(`${caFile} already lists this CA`);

  // Principals control.
  const curApf = eff1(eff.get('authorizedprincipalsfile')?.values);
  let pdir = r.principalsDir?.replace(/\/+$/, '');
  if (curApf !== 'none') {
    const m = /^(.*)\/%u$/.exec(curApf);
    if (!m) return { ok: false, message: `AuthorizedPrincipalsFile is already "${curApf}", not DIR/%u: sshield will not write principals files into a layout it did not make` };
    if (pdir !== undefined && pdir !== m[1]) return { ok: false, message: `AuthorizedPrincipalsFile is already "${curApf}": use --principals-dir ${m[1]} (or change it yourself first)` };
    pdir = m[1]!;
  }
  pdir ??= `${confDir}/auth_principals`;
  if (!pdir.startsWith('/')) return { ok: false, message: `--principals-dir ${pdir}: give an absolute path` };
  const apf = `${pdir}/%u`;
  if (curApf === 'none') {
    desired.push({ keyword: 'AuthorizedPrincipalsFile', value: apf, rule });
    if (curCa !== 'none') {
      const ok = false;
      guards.push({ id: 'principals-change', ok, message: `TrustedUserCAKeys (${curCa}) is already trusted without principals files: certificates whose principal is the user name log in today and would be refused by AuthorizedPrincipalsFile unless listed in ${pdir}/USER`, overrideFlag: OVERRIDE_PRINCIPALS_CHANGE, overridden: r.overrides.has(OVERRIDE_PRINCIPALS_CHANGE) });
    }
  }
  const pdirSt = await cfg.fs.lstat(pdir);
  if (pdirSt && pdirSt.kind !== 'directory') return { ok: false, message: `${pdir} exists and is not a directory` };
  if (pdirSt && (pdirSt.uid !== 0 || (pdirSt.mode & 0o022) !== 0)) return { ok: false, message: `${pdir} is owned by uid ${pdirSt.uid} with mode ${pdirSt.mode.toString(8).padStart(4, '0')}: sshd (StrictModes) ignores principals files under a directory others can change; fix: chown root:root ${pdir} && chmod 0755 ${pdir}` };
  if (!pdirSt && r.grants.length) {
    const parent = await cfg.fs.lstat(dirOf(pdir));
    if (parent?.kind !== 'directory') return { ok: false, message: `${dirOf(pdir)} does not exist: create it or choose another --principals-dir` };
    steps.push({ kind: 'make-dir', describe: `mkdir -m 0755 ${pdir}`, stage: 'before-files', path: pdir, hostPath: hostPathOf(r.root, pdir), mode: 0o755, owner: { uid: 0, gid: 0 }, before: { exists: false }, ...(r.root !== undefined ? { root: r.root } : {}) });
  }
  const principalsFiles: { user: string; path: string; principals: string[] }[] = [];
  for (const g of r.grants) {
    if (!cfg.accounts.user(g.user)) return { ok: false, message: `--principals ${g.user}:...: no such account on ${cfg.fs.label}` };
    if ((g.user === 'root' || cfg.accounts.user(g.user)?.uid === 0) && !r.allowRootPrincipals) {
      return { ok: false, message: `--principals ${g.user}:...: a certificate that logs in as ${g.user} (uid 0) is given only when asked: add ${ROOT_PRINCIPALS_FLAG}` };
    }
    const path = `${pdir}/${g.user}`;
    const before = await readText(cfg, path);
    const have = new Set((before ?? '').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
    const add = g.principals.filter((p) => !have.has(p));
    principalsFiles.push({ user: g.user, path, principals: [...have, ...add] });
    if (add.length) files.push(fileChange(path, hostPathOf(r.root, path), before ?? null, appendLines(before, add), [], [`certificates with principal ${add.join(', ')} log in as ${g.user}`]));
  }

  // Revocation.
  let revokedKeys: string | null = eff1(eff.get('revokedkeys')?.values);
  if (revokedKeys === 'none') revokedKeys = null;
  if (r.revoked) {
    const krlPath = `${confDir}/${KRL_NAME}`;
    if (revokedKeys !== null && revokedKeys !== krlPath) return { ok: false, message: `RevokedKeys already names ${revokedKeys}: sshield will not replace a revocation list it did not write (merge ${r.revoked.source} into it with ssh-keygen -k -u)` };
    const readable = r.revoked.readable;
    guards.push({ id: 'revoked-keys-readable', ok: readable === true, message: readable === true ? `${r.revoked.source} is a revocation list sshd reads (a KRL ssh-keygen -Q reads, or a text list of public keys); it is installed root-owned 0644 at ${krlPath} before sshd is reloaded` : `sshd refuses every public key when RevokedKeys cannot be read, and ${r.revoked.source} cannot be: ${readable}`, overrideFlag: '(none: fix the file)', overridden: false });
    const st = await cfg.fs.lstat(krlPath);
    if (st && st.kind !== 'file') return { ok: false, message: `${krlPath} exists and is not a regular file` };
    const before = await readText(cfg, krlPath);
    const after = bytesToText(r.revoked.bytes);
    if (before !== after) {
      const fc = fileChange(krlPath, hostPathOf(r.root, krlPath), before ?? null, after, [], [`revocation list from ${r.revoked.source}`]);
      files.push({ ...fc, diff: `Binary file ${krlPath}: KRL of ${r.revoked.bytes.length} bytes from ${r.revoked.source}\n` });
    }
    if (revokedKeys === null) desired.push({ keyword: 'RevokedKeys', value: krlPath, rule });
    revokedKeys = krlPath;
  }

  const h = await planHarden({ fs: cfg.fs, configPath: cfg.mainPath, ...(r.root !== undefined ? { root: r.root } : {}), desired, build: cfg.build, specs: [], reload: r.reload, ...(r.verify ? { verify: r.verify } : {}), guards });
  if (!h.ok && !h.plan) return { ok: false, message: h.reason };
  const base = h.plan!;
  const plan: Plan = { ...base, kind: 'ca', files: [...base.files, ...files], ...(steps.length ? { steps } : {}), remediated: [], notes: [...base.notes, ...notes] };
  const details: TrustDetails = { trustedUserCaKeys: caFile, caFingerprintLine: caLine, authorizedPrincipalsFile: apf, principalsFiles, revokedKeys };
  return { ok: true, plan, details, ...(h.ok ? {} : { refusal: h.reason }) };
}
