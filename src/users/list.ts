// `user list`: per account, what it can do over SSH. The shell (sshd refuses a missing or
// non-executable shell unless it chroots: auth.c allowed_user), the password state (shadow(5)),
// the access lists evaluated for that user with the effective config (src/sshd/access.ts, from
// an address outside any allowlist and from each allowlisted address), the number of keys in
// its AuthorizedKeysFile(s) (sshd_config(5) TOKENS %% %h %u; relative paths from the home),
// and the restrictions the effective config applies to it (ForceCommand, ChrootDirectory,
// PermitTTY, forwarding). I/O only through the injected read-only fs and evaluator.
import { bytesToText } from '../text/bytes.js';
import { accessListsOf, checkAccess } from '../sshd/access.js';
import { passwordState, type PasswdUser } from '../host/facts/accounts.js';
import { loadHost, type LoadedHost } from '../host/loaded-host.js';
import type { HostExecutor } from '../host/executor.js';
import { buildModelState, waysInFromCandidates, type SomeAddressResult } from '../access/index.js';
import type { SessionKind, Way } from '../access/types.js';
import { listenOf } from '../apply/guard-stage.js';
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
  /**
   * The credential model's verdict (src/access waysIn): 'shell': a shell (or a forced command);
   * 'sftp-only'; 'no': sshd refuses the account or its session ends at once; 'unknown': only
   * something the files cannot decide (AuthorizedKeysCommand, a certificate, a PAM module, an
   * unreadable shadow...) could let it in.
   */
  readonly canLogin: 'shell' | 'sftp-only' | 'no' | 'unknown';
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
  /** The loaded host (its config, accounts and files: src/host/loaded-host.ts). */
  readonly host: LoadedHost;
  /** Addresses to test the access lists from (an outside sample first): the `access` field. */
  readonly addresses: readonly string[];
  readonly all: boolean;
}

export function isListed(u: PasswdUser, all: boolean): boolean {
  return all || u.uid === 0 || (u.uid >= 1000 && u.uid < 60000) || !NOLOGIN_SHELLS.includes(u.shell);
}

/** The better of two sessions a way gives: a shell, a forced command, SFTP only, nothing. */
const SESSION_RANK: Readonly<Record<SessionKind, number>> = { shell: 3, command: 2, sftp: 1, none: 0 };

const chainText = (w: Way): string => w.steps.map((st) => (st.key ? `${st.method} (${st.key.file}:${st.key.line})` : st.method)).join(' + ');

/**
 * canLogin and why from the credential model (src/access waysIn, from every candidate address):
 * the best session any proven way gives ('shell' for a shell or a forced command, 'sftp-only'
 * for internal-sftp, 'no' when authentication works but the session ends at once), else
 * 'unknown' when something the files cannot decide might let the account in (AuthorizedKeysCommand,
 * a certificate, a PAM module, an unreadable shadow), else 'no' with sshd's reasons.
 */
export function loginVerdict(r: SomeAddressResult): { canLogin: AccountReport['canLogin']; why: string } {
  let best: { way: Way; addr: string; all: boolean } | undefined;
  for (const w of r.works) {
    for (const way of w.verdict.ways) {
      if (!best || SESSION_RANK[way.session] > SESSION_RANK[best.way.session]) best = { way, addr: w.candidate.addr, all: false };
    }
  }
  if (best) {
    const everywhere = r.unknown.length === 0 && r.refused.length === 0;
    const from = everywhere ? '' : ` (from ${best.addr})`;
    const via = `${chainText(best.way)}${from}`;
    switch (best.way.session) {
      case 'shell':
      case 'command':
        return { canLogin: 'shell', why: `${via}: ${best.way.sessionDetail}` };
      case 'sftp':
        return { canLogin: 'sftp-only', why: `${via}: ${best.way.sessionDetail}` };
      case 'none':
        return { canLogin: 'no', why: `${via} authenticates, but ${best.way.sessionDetail}` };
    }
  }
  if (r.unknown.length) return { canLogin: 'unknown', why: `cannot be proven from the files: ${[...new Set(r.unknown.flatMap((u) => u.verdict.reasons))].join('; ')}` };
  const refused = r.refused[r.refused.length - 1];
  return { canLogin: 'no', why: refused ? [...new Set(refused.verdict.reasons)].join('; ') : 'no address to try' };
}

export async function listAccounts(inp: ListInput): Promise<AccountReport[] | string> {
  const { host } = inp;
  const accounts = host.accounts;
  if (!accounts) return `accounts unknown: ${host.facts.accounts.status === 'unknown' ? host.facts.accounts.reason : 'unknown'}`;
  const listed = accounts.users.filter((u) => isListed(u, inp.all));
  const { laddr, lport } = listenOf(host.global());
  const base = { laddr, lport };
  // One model for who gets in (the guards' and the audit's): facts read for every listed account.
  const model = await buildModelState({ exec: host.exec, accounts, files: [...host.tree.files.values()], configFor: host.evaluate, users: listed.map((u) => u.name), base });
  const out: AccountReport[] = [];
  for (const u of listed) {
    const groups = accounts.groupsOf(u.name);
    const shellPath = u.shell === '' ? '/bin/sh' : u.shell;
    const st = await host.fs.stat(shellPath).catch(() => undefined);
    const executable = st !== undefined && st.kind === 'file' && (st.mode & 0o111) !== 0;
    const shellState = NOLOGIN_SHELLS.includes(shellPath) ? 'nologin' : executable ? 'shell' : 'missing';
    let access: AccountReport['access'] = { allowed: false, from: '' };
    let eff: EffLike | undefined;
    for (const addr of inp.addresses) {
      const e = host.evaluate({ user: u.name, host: addr, addr, ...base });
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
    if (force && force !== 'none') restrictions.push(force === 'internal-sftp' ? 'sftp-only (ForceCommand internal-sftp)' : `ForceCommand ${force}`);
    if (chroot && chroot !== 'none') restrictions.push(`ChrootDirectory ${chroot}`);
    if (eff?.value('permittty') === 'no') restrictions.push('no TTY');
    if (eff?.value('allowtcpforwarding') === 'no') restrictions.push('no TCP forwarding');
    const keyFiles = (eff?.get('authorizedkeysfile')?.values ?? ['.ssh/authorized_keys .ssh/authorized_keys2']).flatMap((v) => v.split(/\s+/)).filter((p) => p && p !== 'none').map((p) => expandKeyFile(p, u));
    let keys = 0;
    for (const f of keyFiles) {
      const r = await host.fs.readFile(f, 4 << 20).catch(() => undefined);
      if (r && r.ok) keys += countKeys(bytesToText(r.bytes));
    }
    const password = passwordState(accounts.shadow ? accounts.shadowOf(u.name)?.hash : undefined);
    const { canLogin, why } = loginVerdict(waysInFromCandidates(model.facts, model.configFor, u.name, model.candidates, base));
    out.push({ name: u.name, uid: u.uid, shell: u.shell, shellState, password, canLogin, why, access, keys, keyFiles, restrictions });
  }
  return out;
}

/** The body of `user list --json` (without schemaVersion/command). */
export interface UserListing {
  /** The main sshd_config evaluated. */
  readonly config: string;
  readonly accounts: readonly AccountReport[];
}

/**
 * `user list` of one host, read through the executor it is given (this machine, an offline root, or
 * a host gathered over SSH: src/fleet/remote-host.ts), so the local and the remote listing are this
 * one function. Accounts are tried from an address no allowlist names and from every address a
 * DenyUsers `!ADDR` exception names. A message when the config or the accounts cannot be read.
 */
export async function userListing(exec: HostExecutor, o: { readonly mainPath: string; readonly all: boolean }): Promise<UserListing | string> {
  const host = await loadHost(exec, { mainPath: o.mainPath, facts: 'config' });
  if (!host.tree.main) return `cannot read ${o.mainPath}${host.tree.diagnostics[0] ? `: ${host.tree.diagnostics[0].message}` : ''}`;
  const listed = (host.global().get('denyusers')?.values ?? []).flatMap((v) => [...v.matchAll(/!([0-9a-fA-F.:]+(?:\/\d+)?)/g)].map((m) => m[1]!.split('/')[0]!));
  const accounts = await listAccounts({ host, addresses: ['203.0.113.77', ...new Set(listed)], all: o.all });
  return typeof accounts === 'string' ? accounts : { config: host.mainPath, accounts };
}
