// The password and keyboard-interactive methods (OpenSSH 9.2p1..10.2p1). password: auth-passwd.c
// auth_password refuses root unless PermitRootLogin yes and an empty password unless
// PermitEmptyPasswords yes; with UsePAM yes the PAM auth stack decides (sshpam_auth_passwd), else
// the shadow hash (sys_auth_passwd: "!"/"*" hashes never match). keyboard-interactive: on Linux
// the only device is "pam" (auth2-chall.c devices[]), so it needs UsePAM yes, and then the PAM
// auth stack decides, with PAM_DISALLOW_NULL_AUTHTOK unless PermitEmptyPasswords yes. A stack
// of pam_unix and neutral modules asks for the password; any other module (an OTP, ...) makes
// the answer unknown. Pure.
import type { AccessFacts } from '../host/facts/access-facts.js';
import { passwordState, type PasswdUser } from '../host/facts/accounts.js';
import type { EffectiveConfig } from '../sshd/evaluate/types.js';
import { hashOf } from './account.js';
import { pamStack, unknownModules } from './pam.js';

export type SecretStatus = { readonly kind: 'ok'; readonly detail: string } | { readonly kind: 'unknown' | 'refused'; readonly why: string };

export function secretStatus(method: 'password' | 'keyboard-interactive', submethod: string | undefined, facts: AccessFacts, cfg: EffectiveConfig, user: PasswdUser): SecretStatus {
  const usePam = cfg.value('usepam') === 'yes';
  const prl = cfg.value('permitrootlogin') ?? 'prohibit-password';
  if (user.uid === 0 && prl !== 'yes') return { kind: 'refused', why: `${method}: PermitRootLogin ${prl} does not admit it for root` };
  if (method === 'keyboard-interactive') {
    if (!usePam) return { kind: 'refused', why: 'keyboard-interactive: no device without UsePAM yes (Linux builds have only "pam")' };
    if (submethod !== undefined && submethod !== 'pam') return { kind: 'refused', why: `keyboard-interactive:${submethod}: no such device on Linux` };
  }
  let via = 'shadow hash';
  if (usePam) {
    const pam = pamStack(facts.pam);
    if (!pam.found) return { kind: 'unknown', why: 'UsePAM yes but /etc/pam.d/sshd is missing: what PAM asks is unknown' };
    const odd = unknownModules(pam.auth);
    if (odd.length > 0) return { kind: 'unknown', why: `PAM auth stack uses ${odd.join(', ')}: whether ${method} succeeds cannot be proven` };
    if (!pam.auth.includes('pam_unix')) return { kind: 'unknown', why: 'PAM auth stack has no pam_unix: what it accepts is unknown' };
    via = 'PAM (pam_unix)';
  }
  if (!facts.accounts.shadow) return { kind: 'unknown', why: `/etc/shadow unreadable: whether ${user.name} has a usable password is unknown` };
  const state = passwordState(hashOf(facts, user));
  if (state === 'set') return { kind: 'ok', detail: `${method}: password set (${via})` };
  if (state === 'empty') {
    return cfg.value('permitemptypasswords') === 'yes' ? { kind: 'ok', detail: `${method}: empty password, PermitEmptyPasswords yes` } : { kind: 'refused', why: `${method}: empty password and PermitEmptyPasswords no` };
  }
  return { kind: 'refused', why: `${method}: password ${state === 'locked' ? 'locked ("!")' : state === 'none' ? 'not set ("*" or "!")' : 'unknown'}` };
}
