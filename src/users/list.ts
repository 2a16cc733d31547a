// `user list`: per account, what it can do over SSH. The shell (sshd refuses a missing or
// non-executable shell unless it chroots: auth.c allowed_user), the password state (shadow(5)),
// the access lists evaluated for that user with the effective config (src/sshd/access.ts, from
// an address outside any allowlist and from each allowlisted address), the number of keys in
// its AuthorizedKeysFile(s) (sshd_config(5) TOKENS %% %h %u; relative paths from the home),
// and the restrictions the effective config applies to it (ForceCommand, ChrootDirectory,
// PermitTTY, forwarding). I/O only through the injected read-only fs and evaluator.
import type { ReadOnlyFs } from '../host/fs.js';
import { bytesToText } from '../text/bytes.js';
import type { ConnectionSpec } from '../sshd/evaluate/types.js';
import { accessListsOf, checkAccess } from '../sshd/access.js';
import { passwordState, type Accounts, type PasswdUser } from '../host/facts/accounts.js';
import { NOLOGIN_SHELLS } from './shell.js';

export interface EffLike {
  get(key: string): { readonly values: readonly string[] } | undefined;
  value(key: string): string | undefined;
}

export interface AccountReport {
  readonly name: string;
  readonly uid: number;
  readonly shell: string;
  readonly shellState: 'shell' | 'nologin' | 'missing';
  readonly password: ReturnType<typeof passwordState>;
  /** 'shell': interactive logins possible; 'sftp-only'; 'no': cannot log in over SSH. */
  readonly canLogin: 'shell' | 'sftp-only' | 'no';
  readonly why: string;
  readonly access: { readonly allowed: boolean; readonly from: string; readonly reason?: string };
  readonly keys: number;
  readonly keyFiles: readonly string[];
  readonly restrictions: readonly string[];
}

export function expandKeyFile(pattern: string, u: PasswdUser): string {
  const p = pattern.replace(/%(.)/g, (_m, c: string) => (c === 'h' ? u.home : c === 'u' ? u.name : c === 'U' ? String(u.uid) : c === '%' ? '%' : `%${c}`));
  return p.startsWith('/') ? p : `${u.home.replace(/\/+$/, '')}/${p}`;
}

export function countKeys(text: string): number {
  return text.split('\n').filter((l) => {
    const t = l.trim();
    return t !== '' && !t.startsWith('#');
  }).length;
}

export interface ListInput {
  readonly fs: ReadOnlyFs;
  readonly accounts: Accounts;
  readonly evaluate: (spec: ConnectionSpec) => Promise<EffLike>;
  /** Addresses to test access from (an outside sample first). */
  readonly addresses: readonly string[];
  readonly all: boolean;
}

export function isListed(u: PasswdUser, all: boolean): boolean {
  return all || u.uid === 0 || (u.uid >= 1000 && u.uid < 60000) || !NOLOGIN_SHELLS.includes(u.shell);
}

/**
 * Why the account cannot authenticate although its shell and the access lists would let it in,
 * or undefined: root under PermitRootLogin no (auth.c auth_root_allowed), root with keys only
 * (prohibit-password, forced-commands-only) and no key, or no usable key and no usable password
 * (a password counts when set and PasswordAuthentication or keyboard-interactive through PAM is
 * on). An unreadable shadow file decides nothing.
 */
function credentialProblem(u: PasswdUser, eff: EffLike | undefined, keys: number, password: ReturnType<typeof passwordState>): string | undefined {
  if (!eff) return undefined;
  const keyOk = keys > 0 && eff.value('pubkeyauthentication') !== 'no';
  if (u.uid === 0) {
    const prl = eff.value('permitrootlogin') ?? 'prohibit-password';
    if (prl === 'no') return 'PermitRootLogin no';
    if ((prl === 'prohibit-password' || prl === 'without-password' || prl === 'forced-commands-only') && !keyOk) return `PermitRootLogin ${prl} and no authorized key`;
    if (prl !== 'yes') return undefined;
  }
  if (keyOk || password === 'unknown') return undefined;
  const passwordLogins = eff.value('passwordauthentication') === 'yes' || (eff.value('kbdinteractiveauthentication') === 'yes' && eff.value('usepam') === 'yes');
  if (password === 'set' && passwordLogins) return undefined;
  return password === 'set' ? 'no authorized key, and password logins are off' : `no authorized key and no usable password (${password})`;
}

export async function listAccounts(inp: ListInput): Promise<AccountReport[]> {
  const out: AccountReport[] = [];
  for (const u of inp.accounts.users) {
    if (!isListed(u, inp.all)) continue;
    const groups = inp.accounts.groupsOf(u.name);
    const shellPath = u.shell === '' ? '/bin/sh' : u.shell;
    const st = await inp.fs.stat(shellPath).catch(() => undefined);
    const executable = st !== undefined && st.kind === 'file' && (st.mode & 0o111) !== 0;
    const shellState = NOLOGIN_SHELLS.includes(shellPath) ? 'nologin' : executable ? 'shell' : 'missing';
    let access: AccountReport['access'] = { allowed: false, from: '' };
    let eff: EffLike | undefined;
    for (const addr of inp.addresses) {
      const e = await inp.evaluate({ user: u.name, host: addr, addr });
      const v = checkAccess(accessListsOf(e), { user: u.name, addr, groups });
      if (v.allowed) {
        access = { allowed: true, from: addr === inp.addresses[0] ? 'any address' : `only listed addresses (e.g. ${addr})` };
        eff = e;
        break;
      }
      if (addr === inp.addresses[0]) access = { allowed: false, from: 'any address', reason: v.reason };
      eff ??= e;
    }
    if (!access.allowed && inp.addresses.length > 1 && access.reason?.startsWith('listed in DenyUsers')) access = { ...access, from: 'every tested address' };
    const force = eff?.value('forcecommand');
    const chroot = eff?.value('chrootdirectory');
    const restrictions: string[] = [];
    const sftpOnly = force === 'internal-sftp';
    if (force && force !== 'none') restrictions.push(sftpOnly ? 'sftp-only (ForceCommand internal-sftp)' : `ForceCommand ${force}`);
    if (chroot && chroot !== 'none') restrictions.push(`ChrootDirectory ${chroot}`);
    if (eff?.value('permittty') === 'no') restrictions.push('no TTY');
    if (eff?.value('allowtcpforwarding') === 'no') restrictions.push('no TCP forwarding');
    const keyFiles = (eff?.get('authorizedkeysfile')?.values ?? ['.ssh/authorized_keys .ssh/authorized_keys2']).flatMap((v) => v.split(/\s+/)).filter((p) => p && p !== 'none').map((p) => expandKeyFile(p, u));
    let keys = 0;
    for (const f of keyFiles) {
      const r = await inp.fs.readFile(f, 4 << 20).catch(() => undefined);
      if (r && r.ok) keys += countKeys(bytesToText(r.bytes));
    }
    const chrooted = chroot !== undefined && chroot !== 'none';
    const subsystemInternal = (eff?.get('subsystem')?.values ?? []).some((v) => /^sftp\s+internal-sftp\b/.test(v));
    let canLogin: AccountReport['canLogin'];
    let why: string;
    if (!access.allowed) [canLogin, why] = ['no', access.reason ?? 'refused by the access lists'];
    else if (shellState === 'missing' && !chrooted) [canLogin, why] = ['no', `shell ${shellPath} is missing or not executable (sshd refuses the user)`];
    else if (sftpOnly) [canLogin, why] = ['sftp-only', 'ForceCommand internal-sftp'];
    else if (shellState === 'nologin') [canLogin, why] = subsystemInternal ? ['sftp-only', 'nologin shell; Subsystem sftp internal-sftp'] : ['no', `shell ${shellPath}`];
    else [canLogin, why] = ['shell', force && force !== 'none' ? `ForceCommand ${force}` : `shell ${shellPath}`];
    const password = passwordState(inp.accounts.shadow ? inp.accounts.shadowOf(u.name)?.hash : undefined);
    if (canLogin !== 'no') {
      const refused = credentialProblem(u, eff, keys, password);
      if (refused) [canLogin, why] = ['no', refused];
    }
    out.push({ name: u.name, uid: u.uid, shell: u.shell, shellState, password, canLogin, why, access, keys, keyFiles, restrictions });
  }
  return out;
}
