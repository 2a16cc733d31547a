// Whether an account can log in under an effective configuration, for the guards: the access
// lists (src/sshd/access.ts, auth.c allowed_user), PermitRootLogin, the methods left
// (publickey with a usable key, password, keyboard-interactive) and AuthenticationMethods.
// A usable key: PubkeyAuthentication yes, an authorized_keys file named by AuthorizedKeysFile
// holding a key whose type PubkeyAcceptedAlgorithms accepts, and, with StrictModes yes, owner and
// modes that misc.c safe_path / secure_permissions accept (OpenSSH 9.2p1): the file regular,
// owned by root or the user, not other-writable, group-writable only when the group's one member
// is the owner; the same for each directory from the real file's parent up to the home
// directory (or "/"): the credential model's StrictModes check (src/access). Passwords are
// assumed set (the guards cannot read shadow). An account without a login shell has no way in to a shell (session.c runs the shell; nologin refuses). Pure.
import { accessListsOf, checkAccess } from '../../sshd/access.js';
import { expandAuthorizedKeysPath } from '../../host/facts/authorized-keys.js';
import type { EffectiveConfig } from '../../sshd/evaluate/types.js';
import { algorithmsForKeyType } from '../../access/keys.js';
import { strictModesProblem as modelStrictModes } from '../../access/strict-modes.js';
import type { GuardFacts, GuardUser, PathStat } from './types.js';

export type Verdict = { readonly ok: true; readonly how: string } | { readonly ok: false; readonly why: string };

export { algorithmsForKeyType };

/** StrictModes for a key file of `user`: the credential model's check (src/access/strict-modes.ts). */
export function strictModesProblem(f: { readonly realPath?: string; readonly stat?: PathStat; readonly parents: readonly PathStat[] }, user: GuardUser, facts: GuardFacts): string | undefined {
  // (gids matter only to readableBy, not to StrictModes)
  return modelStrictModes(f, { uid: user.uid, home: user.home, gids: [user.gid] }, { groupMembers: (gid) => facts.groupMembers(gid), userName: (uid) => facts.users.find((u) => u.uid === uid)?.name });
}

export function usableKey(cfg: EffectiveConfig, user: GuardUser, facts: GuardFacts): Verdict {
  if (cfg.value('pubkeyauthentication') !== 'yes') return { ok: false, why: 'PubkeyAuthentication no' };
  const accepted = new Set((cfg.value('pubkeyacceptedalgorithms') ?? '').split(','));
  const strict = cfg.value('strictmodes') !== 'no';
  const paths = (cfg.get('authorizedkeysfile')?.values ?? []).flatMap((v) => v.split(/\s+/)).filter(Boolean);
  const why: string[] = [];
  for (const p of paths) {
    const e = expandAuthorizedKeysPath(p, user);
    if (!e.ok) continue;
    const f = facts.keyFiles.find((k) => k.user === user.name && k.path === e.path);
    if (!f?.stat) {
      why.push(`${e.path} missing`);
      continue;
    }
    const types = f.keyTypes.filter((t) => algorithmsForKeyType(t).some((a) => accepted.has(a)));
    if (types.length === 0) {
      why.push(f.keyTypes.length ? `${e.path}: no key of an accepted type (${[...new Set(f.keyTypes)].join(', ')})` : `${e.path}: no keys`);
      continue;
    }
    const bad = strict ? strictModesProblem(f, user, facts) : undefined;
    if (bad) {
      why.push(bad);
      continue;
    }
    return { ok: true, how: `${types[0]} key in ${e.path}` };
  }
  return { ok: false, why: why.join('; ') || 'AuthorizedKeysFile none' };
}

/** Can `user` log in from `addr` under `cfg` (the configuration for that user and address)? */
export function canLogIn(cfg: EffectiveConfig, user: GuardUser, addr: string, facts: GuardFacts): Verdict {
  if (!user.loginShell) return { ok: false, why: 'no login shell (nologin)' };
  const access = checkAccess(accessListsOf(cfg), { user: user.name, addr, groups: user.groups });
  if (!access.allowed) return { ok: false, why: access.reason };
  const prl = cfg.value('permitrootlogin') ?? 'without-password';
  if (user.uid === 0 && prl === 'no') return { ok: false, why: 'PermitRootLogin no' };
  const keyOnly = user.uid === 0 && prl !== 'yes';
  const key = usableKey(cfg, user, facts);
  const methods = new Map<string, boolean>([
    ['publickey', key.ok],
    ['password', !keyOnly && cfg.value('passwordauthentication') === 'yes'],
    ['keyboard-interactive', !keyOnly && cfg.value('kbdinteractiveauthentication') === 'yes'],
  ]);
  const am = (cfg.get('authenticationmethods')?.values.join(' ') ?? 'any').trim();
  const lists = am === '' || am === 'any' ? [...methods.keys()].map((m) => [m]) : am.split(/\s+/).map((l) => l.split(',').map((m) => m.split(':')[0]!));
  for (const l of lists) if (l.every((m) => methods.get(m) === true)) return { ok: true, how: l.join('+') === 'publickey' && key.ok ? key.how : l.join('+') };
  const off = [...methods].filter(([, v]) => !v).map(([m]) => (m === 'publickey' ? `no usable key (${key.ok ? 'ok' : key.why})` : `${m} off`));
  return { ok: false, why: off.join(', ') };
}
