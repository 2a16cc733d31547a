// Whether sshd's access lists let a user in from an address: the list part of auth.c
// allowed_user (OpenSSH 9.2p1), evaluated on an effective configuration (what `sshd -T -C` prints,
// so Match blocks have already replaced the lists they set: servconf.c M_CP_STRARRAYOPT).
// Order and semantics as in auth.c: DenyUsers (any match denies), AllowUsers (some entry must
// match), DenyGroups, AllowGroups (primary + supplementary groups, groupaccess.c ga_match with
// match_pattern). USER@HOST entries use match.c match_user: the user part is one match_pattern,
// the host part a pattern list checked against the address (addr_match_list, CIDR) and the
// host name. With UseDNS no (the default) the host name is the address text
// (canohost.c/auth.c auth_get_canonical_hostname), which is what this module assumes.
// Pure: the caller supplies the user's groups (an unknown user has none).
import { addrMatchList, matchHostname, matchPattern } from './values/pattern.js';

export interface AccessLists {
  readonly denyUsers: readonly string[];
  readonly allowUsers: readonly string[];
  readonly denyGroups: readonly string[];
  readonly allowGroups: readonly string[];
}

/** The lists out of an effective configuration (anything with `get(key)` like EffectiveConfig). */
export function accessListsOf(eff: { get(key: string): { readonly values: readonly string[] } | undefined }): AccessLists {
  const vals = (k: string): string[] => (eff.get(k)?.values ?? []).flatMap((v) => v.split(/\s+/)).filter((v) => v !== '' && v !== 'none');
  return { denyUsers: vals('denyusers'), allowUsers: vals('allowusers'), denyGroups: vals('denygroups'), allowGroups: vals('allowgroups') };
}

export interface AccessSubject {
  readonly user: string;
  /** Client IP address. */
  readonly addr: string;
  /** Host name sshd would use; defaults to the address (UseDNS no). */
  readonly host?: string;
  /** Names of the user's groups (primary first); undefined or empty for an unknown user. */
  readonly groups?: readonly string[];
}

export type AccessVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly by: 'DenyUsers' | 'AllowUsers' | 'DenyGroups' | 'AllowGroups' | 'invalid-pattern'; readonly pattern?: string; readonly reason: string };

/** match.c match_host_and_ip: 1 match, 0 no match, -1 invalid pattern. */
export function matchHostAndIp(host: string, ip: string, patterns: string): 1 | 0 | -1 {
  const mip = addrMatchList(ip, patterns);
  if (mip === -2) return -1;
  if (mip === -1) return 0;
  const mhost = matchHostname(host, patterns);
  if (mhost === -1) return 0;
  if (mhost === 0 && mip === 0) return 0;
  return 1;
}

/** match.c match_user: the first '@' splits the user pattern from the host pattern list. */
export function matchUser(user: string, host: string, ip: string, pattern: string): 1 | 0 | -1 {
  const at = pattern.indexOf('@');
  if (at < 0) return matchPattern(user, pattern) ? 1 : 0;
  if (!matchPattern(user, pattern.slice(0, at))) return 0;
  return matchHostAndIp(host, ip, pattern.slice(at + 1));
}

export function checkAccess(lists: AccessLists, subject: AccessSubject): AccessVerdict {
  const host = subject.host ?? subject.addr;
  for (const p of lists.denyUsers) {
    const r = matchUser(subject.user, host, subject.addr, p);
    if (r < 0) return { allowed: false, by: 'invalid-pattern', pattern: p, reason: `invalid DenyUsers pattern "${p}" (sshd would refuse every login)` };
    if (r !== 0) return { allowed: false, by: 'DenyUsers', pattern: p, reason: `listed in DenyUsers (${p})` };
  }
  if (lists.allowUsers.length > 0) {
    let hit = false;
    for (const p of lists.allowUsers) {
      const r = matchUser(subject.user, host, subject.addr, p);
      if (r < 0) return { allowed: false, by: 'invalid-pattern', pattern: p, reason: `invalid AllowUsers pattern "${p}" (sshd would refuse every login)` };
      if (r === 1) {
        hit = true;
        break;
      }
    }
    if (!hit) return { allowed: false, by: 'AllowUsers', reason: 'not listed in AllowUsers' };
  }
  if (lists.denyGroups.length > 0 || lists.allowGroups.length > 0) {
    const groups = subject.groups ?? [];
    if (groups.length === 0) return { allowed: false, by: lists.allowGroups.length > 0 ? 'AllowGroups' : 'DenyGroups', reason: 'not in any group (unknown user)' };
    const hit = (pats: readonly string[]): string | undefined => {
      for (const g of groups) for (const p of pats) if (matchPattern(g, p)) return p;
      return undefined;
    };
    const d = hit(lists.denyGroups);
    if (d !== undefined) return { allowed: false, by: 'DenyGroups', pattern: d, reason: `a group is listed in DenyGroups (${d})` };
    if (lists.allowGroups.length > 0 && hit(lists.allowGroups) === undefined) return { allowed: false, by: 'AllowGroups', reason: "none of the user's groups is listed in AllowGroups" };
  }
  return { allowed: true };
}
