// The audit's authorized-keys fact: for every account, the files its EFFECTIVE AuthorizedKeysFile
// names (evaluated per user, as `sshd -T -C user=U` would print it, so Match User blocks count),
// parsed by src/keys, plus the ownership and modes of every path auth.c safe_path (OpenSSH 9.2,
// called from auth2-pubkeyfile.c auth_openkeyfile when StrictModes is on) examines: the file as
// opened (symlinks followed), then each directory of its realpath() upwards until the realpath of
// the home directory or "/". Reads only through the injected ReadOnlyFs; judges nothing (rules do).
import type { ReadOnlyFs } from '../host/fs.js';
import type { Accounts } from '../host/facts/accounts.js';
import type { AuthorizedKeyFact, AuthorizedKeysFact, AuthorizedKeysFileFact, FileLocation as Location, PathModeFact } from '../host/facts/audit-facts.js';
import type { EffectiveConfig } from '../sshd/evaluate/types.js';
import { collectUserKeys } from './inventory.js';
import { keyLines } from './parser.js';
import type { Permission } from './options.js';

function dirname(p: string): string {
  const i = p.replace(/\/+$/, '').lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

/** secure_permissions' group test (Debian 1:9.2p1 and 10.0p1, patch user-group-modes): every
 * passwd entry with this primary group has the account's uid, the supplementary member list is
 * empty or exactly the file owner's name, and there is at least one member. */
function privateGroup(accounts: Accounts, gid: number, fileUid: number, accountUid: number): boolean {
  const gr = accounts.groups.find((g) => g.gid === gid);
  if (!gr) return false;
  let members = 0;
  for (const u of accounts.users) {
    if (u.gid !== gid) continue;
    members++;
    if (u.uid !== accountUid) return false;
  }
  const owner = accounts.users.find((u) => u.uid === fileUid);
  if (!owner) return false;
  if (gr.members.length > 0) {
    members++;
    if (gr.members[0] !== owner.name || gr.members.length > 1) return false;
  }
  return members > 0;
}

async function pathFact(fs: ReadOnlyFs, path: string, accounts: Accounts, accountUid: number): Promise<PathModeFact> {
  const s = await fs.stat(path).catch(() => undefined);
  if (!s) return { path };
  const mode = s.mode & 0o7777;
  return { path, stat: { kind: s.kind, uid: s.uid, gid: s.gid, mode }, ...(mode & 0o020 ? { privateGroup: privateGroup(accounts, s.gid, s.uid, accountUid) } : {}) };
}

/** safe_path's walk: the file, then dirname() repeatedly, stopping after the home or at "/". */
async function safePathChain(fs: ReadOnlyFs, accounts: Accounts, uid: number, file: string, real: string, home: string): Promise<PathModeFact[]> {
  const chain = [{ ...(await pathFact(fs, file, accounts, uid)), path: real }];
  const realHome = (await fs.realPath(home).catch(() => undefined)) ?? undefined;
  let cur = real;
  for (let guard = 0; guard < 256; guard++) {
    cur = dirname(cur);
    chain.push(await pathFact(fs, cur, accounts, uid));
    if ((realHome !== undefined && cur === realHome) || cur === '/') break;
  }
  return chain;
}

/** The sshd_config side of each permission (sshd_config(5); DisableForwarding overrides all
 * forwarding; AllowStreamLocalForwarding is also governed by a key's no-port-forwarding). */
function serverGrants(eff: EffectiveConfig): Permission[] {
  const v = (k: string, d: string) => (eff.value(k) ?? d).toLowerCase();
  const fwd = v('disableforwarding', 'no') !== 'yes';
  const out: Permission[] = [];
  if (fwd && v('allowagentforwarding', 'yes') !== 'no') out.push('agent-forwarding');
  if (fwd && (v('allowtcpforwarding', 'yes') !== 'no' || v('allowstreamlocalforwarding', 'yes') !== 'no')) out.push('port-forwarding');
  if (v('permittty', 'yes') !== 'no') out.push('pty');
  // session.c do_rc_files (9.2): ~/.ssh/rc is ignored for subsystems and admin forced commands.
  if (v('permituserrc', 'yes') !== 'no' && v('forcecommand', 'none') === 'none') out.push('user-rc');
  if (fwd && v('x11forwarding', 'no') !== 'no') out.push('x11-forwarding');
  return out;
}

export async function gatherAuthorizedKeysFact(fs: ReadOnlyFs, accounts: Accounts, effectiveFor: (user: string) => EffectiveConfig): Promise<AuthorizedKeysFact> {
  const files: AuthorizedKeysFileFact[] = [];
  const problems: string[] = [];
  let strictModes = true;
  const seen = new Set<string>();
  for (const user of accounts.users) {
    if (seen.has(user.name)) continue; // getpwnam: the first entry wins
    seen.add(user.name);
    const eff = effectiveFor(user.name);
    strictModes = (eff.value('strictmodes') ?? 'yes') === 'yes';
    const entry = eff.get('authorizedkeysfile');
    const patterns = (entry?.values ?? ['.ssh/authorized_keys .ssh/authorized_keys2']).flatMap((v) => v.split(/\s+/)).filter(Boolean);
    const o = entry?.origin;
    const setBy: Location | undefined = o?.kind === 'directive' ? { file: o.file, line: o.line, column: o.column } : undefined;
    const r = await collectUserKeys(fs, accounts, { user: user.name, authorizedKeysFiles: patterns });
    problems.push(...r.problems);
    for (const f of r.files) {
      const real = f.info.realPath ?? f.info.path;
      const keys: AuthorizedKeyFact[] = f.parsed
        ? keyLines(f.parsed).map((k) => ({
            line: k.line,
            type: k.typeName,
            family: k.key.type.family,
            bits: k.key.bits,
            certificate: k.key.type.certificate,
            fingerprint: k.key.fingerprint,
            comment: k.comment,
            options: k.options,
            ...(k.key.certificate && k.key.certificate.validBefore < 0xffffffffffffffffn ? { certValidBefore: Number(k.key.certificate.validBefore) } : {}),
          }))
        : [];
      files.push({
        user: user.name,
        uid: user.uid,
        home: user.home,
        shell: user.shell,
        loginShell: user.loginShell,
        pattern: f.info.pattern,
        path: f.info.path,
        ...(f.info.symlinkTarget !== undefined ? { symlinkTarget: f.info.symlinkTarget } : {}),
        ...(f.info.realPath !== undefined ? { realPath: f.info.realPath } : {}),
        ...(setBy ? { setBy } : {}),
        serverGrants: serverGrants(eff),
        chain: await safePathChain(fs, accounts, user.uid, f.info.path, real, user.home),
        keys,
        ...(f.readError ? { readError: f.readError } : {}),
      });
    }
  }
  return { files, strictModes, problems };
}
