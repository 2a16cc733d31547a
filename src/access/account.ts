// The account part of sshd's decision, before any credential: auth.c allowed_user (OpenSSH
// 9.2p1..10.2p1) with UsePAM no refuses a locked account (platform.c platform_locked_account:
// the shadow hash starts with "!" on Linux, configure.ac LOCKED_PASSWD_PREFIX) or an expired one
// (auth-shadow.c auth_shadow_acctexpired); it refuses a missing or non-executable shell unless
// ChrootDirectory is set; then DenyUsers, AllowUsers, DenyGroups, AllowGroups
// (src/sshd/access.ts). With UsePAM yes the PAM account stage decides expiry instead
// (auth2.c userauth_finish -> do_pam_account; pam_unix(8) refuses an expired account), and
// pam_nologin refuses non-root users while /etc/nologin exists (without PAM, session.c do_nologin
// does). Pure.
import type { AccessFacts } from '../host/facts/access-facts.js';
import { shadowState, type PasswdUser } from '../host/facts/accounts.js';
import { accessListsOf, checkAccess } from '../sshd/access.js';
import { matchPattern } from '../sshd/values/pattern.js';
import type { ConnectionSpec, EffectiveConfig } from '../sshd/evaluate/types.js';
import { hostNamed } from './keys.js';
import { pamStack, unknownModules } from './pam.js';

export interface AccountCheck {
  readonly refused: readonly string[];
  readonly unknown: readonly string[];
  readonly notes: readonly string[];
}

/**
 * The password hash sshd reads: the shadow entry's, else the passwd field (auth-shadow.c
 * shadow_pw falls back to pw_passwd). A passwd field of "x" without a shadow entry is no hash
 * crypt(3) can ever produce, so it is reported as "*" (no password).
 */
export function hashOf(facts: AccessFacts, user: PasswdUser): string | undefined {
  if (!facts.accounts.shadow) return undefined;
  const h = facts.accounts.shadowOf(user.name)?.hash ?? user.password;
  return h === 'x' ? '*' : h;
}

const lists = new WeakMap<EffectiveConfig, ReturnType<typeof accessListsOf>>();
const listsOf = (cfg: EffectiveConfig) => {
  let l = lists.get(cfg);
  if (!l) lists.set(cfg, (l = accessListsOf(cfg)));
  return l;
};

export function checkAccount(facts: AccessFacts, cfg: EffectiveConfig, user: PasswdUser, spec: ConnectionSpec): AccountCheck {
  const refused: string[] = [];
  const unknown: string[] = [];
  const notes: string[] = [];
  const usePam = cfg.value('usepam') === 'yes';
  const sh = facts.accounts.shadowOf(user.name);
  const st = shadowState(sh, facts.today);
  if (!usePam) {
    if (!facts.accounts.shadow) unknown.push(`/etc/shadow unreadable (${facts.accounts.shadowUnknown ?? 'unknown'}): whether the account is locked or expired (UsePAM no) is unknown`);
    else {
      const hash = hashOf(facts, user) ?? '';
      if (hash.startsWith('!')) refused.push(`account locked (password field starts with "!") and UsePAM no: sshd refuses every method (platform_locked_account)`);
      if (st.accountExpired) refused.push(`account expired (shadow expiry day ${sh?.expireDay}) and UsePAM no: sshd refuses every method`);
    }
    if (facts.nologinFile && user.uid !== 0) refused.push('/etc/nologin exists: sshd ends every non-root session (do_nologin)');
  } else {
    const pam = pamStack(facts.pam);
    if (!pam.found) unknown.push('UsePAM yes but /etc/pam.d/sshd is missing: PAM falls back to "other", whose answer this model does not know');
    else {
      const odd = unknownModules(pam.account);
      if (odd.length > 0) unknown.push(`PAM account stack uses ${odd.join(', ')}: its answer cannot be proven`);
      if (pam.account.includes('pam_unix')) {
        if (!facts.accounts.shadow) unknown.push(`/etc/shadow unreadable: whether pam_unix finds the account expired is unknown`);
        else if (st.accountExpired) refused.push(`account expired (shadow expiry day ${sh?.expireDay}): PAM account stage (pam_unix) refuses every method`);
      }
      if (facts.nologinFile && user.uid !== 0 && pam.account.includes('pam_nologin')) refused.push('/etc/nologin exists: pam_nologin refuses non-root users');
    }
  }
  if (st.passwordExpired) notes.push(`password expired (${st.passwordExpired}): sshd${usePam ? '/PAM' : ''} demands a change at login; a session without a terminal fails`);
  const chroot = cfg.value('chrootdirectory');
  if (chroot === undefined || chroot.toLowerCase() === 'none') {
    const shell = user.shell === '' ? '/bin/sh' : user.shell;
    if (!facts.shells.has(shell)) unknown.push(`shell ${shell} was not gathered`);
    else {
      const s = facts.shells.get(shell);
      if (!s && !facts.binaries) unknown.push(`shell ${shell} cannot be checked: this view has no /bin or /usr/bin (a copy of the configuration only)`);
      else if (!s) refused.push(`shell ${shell} does not exist (allowed_user)`);
      else if (s.kind !== 'file' || (s.mode & 0o111) === 0) refused.push(`shell ${shell} is not executable (allowed_user)`);
    }
  }
  const addr = spec.addr ?? '';
  const lists = listsOf(cfg);
  const v = checkAccess(lists, { user: user.name, addr, host: spec.host ?? addr, groups: facts.accounts.groupsOf(user.name) });
  // UseDNS yes: sshd matches USER@HOST host names against the reverse-DNS name (auth.c
  // auth_get_canonical_hostname), which no file tells; such an entry for this user is unknown.
  if (cfg.value('usedns') === 'yes') {
    const named = [...lists.denyUsers, ...lists.allowUsers].filter((p) => {
      const at = p.indexOf('@');
      return at >= 0 && matchPattern(user.name, p.slice(0, at)) && hostNamed(p.slice(at + 1));
    });
    if (named.length > 0) {
      unknown.push(`UseDNS yes: ${named.join(', ')} names hosts; whether ${addr}'s reverse-DNS name matches is unknown`);
      // Not being listed in AllowUsers is then no proof of refusal.
      if (!v.allowed && v.by === 'AllowUsers') return { refused, unknown, notes };
    }
  }
  if (!v.allowed) refused.push(`${v.reason} (from ${addr})`);
  return { refused, unknown, notes };
}
