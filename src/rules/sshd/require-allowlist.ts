// sshd/require-allowlist: an allow-list is in effect (the guide's "IP address allowlist" step),
// and it does not lock out the admin or (PVE) root from the cluster nodes. Judged with sshd's
// own access check on the effective configuration (src/sshd/access.ts, auth.c allowed_user,
// OpenSSH 9.2p1: DenyUsers, then AllowUsers, DenyGroups, AllowGroups), so every form counts:
// `AllowUsers`, `AllowGroups`, and the `DenyUsers *@!CIDR,...,*` address list `sshield allow`
// writes (refused unless from a listed address, before AllowUsers is looked at). "In effect"
// means: an account sshd knows nothing about, connecting from an address none of the lists
// names, is refused. The admin is judged from their real address only; when it is unknown the
// rule never invents one: it only reports an admin refused from every address the lists name.
import { defineRule } from '../define-rule.js';
import { matchAddressList, sampleAddress } from '../patterns.js';
import { accessListsOf, checkAccess, type AccessLists } from '../../sshd/access.js';
import { cis, guide, lynis, man } from '../references.js';
import { isMissing, type SpecEvaluation } from '../types.js';

/** Addresses no list is likely to name (documentation and benchmark ranges), tried in order. */
const STRANGERS = ['192.0.2.201', '198.51.100.201', '203.0.113.201', '198.18.0.201', '100.64.0.201', '2001:db8:ffff::201'];
const NOBODY = 'sshield-no-such-user';

/** One sample address inside every host pattern of the USER@HOST entries (negated ones too). */
function namedAddresses(lists: AccessLists): string[] {
  const out = new Set<string>();
  for (const e of [...lists.denyUsers, ...lists.allowUsers]) {
    const at = e.indexOf('@');
    if (at < 0) continue;
    for (const part of e.slice(at + 1).split(',')) {
      const a = sampleAddress(part.replace(/^!/, ''));
      if (a) out.add(a);
    }
  }
  return [...out];
}

/**
 * A stranger's address: the first of STRANGERS that no host pattern of any USER@HOST entry names
 * (the catch-all `*` names nobody in particular). When the lists name them all (e.g.
 * `!0.0.0.0/0`), the first one: such a list admits everyone from everywhere anyway.
 */
function strangerAddress(lists: AccessLists): string {
  const parts = [...lists.denyUsers, ...lists.allowUsers].flatMap((e) => (e.includes('@') ? e.slice(e.indexOf('@') + 1).split(',') : [])).map((p) => p.replace(/^!/, '')).filter((p) => p !== '' && p !== '*');
  return STRANGERS.find((addr) => parts.every((p) => matchAddressList(addr, p) !== 1)) ?? STRANGERS[0]!;
}

export default defineRule({
  meta: {
    id: 'sshd/require-allowlist',
    title: 'Logins are limited to an allow-list of users/groups (and addresses)',
    severity: 'medium',
    tags: ['access'],
    profile: 'baseline',
    keywords: ['AllowUsers', 'AllowGroups', 'DenyUsers'],
    references: [guide('Hardening - Allowlist: IP address allowlist'), ...cis('5.1.4'), lynis('SSH-7440'), man('AllowUsers')],
    remediable: 'planned',
    docs: {
      what: 'Checks that an allow-list is in effect: `AllowUsers`, `AllowGroups`, or an address list such as the `DenyUsers *@!192.0.2.0/24,*` line `sshield allow add` writes, judged as sshd does (DenyUsers is checked before AllowUsers): an unknown account from an unlisted address must be refused. It also checks the list lets in the admin (from their real address, when known) and, on a PVE cluster node, root from every other node.',
      why: 'An allow-list (ideally `user@address` entries, or an address list) means a new system account or a guessed name cannot log in at all, and limits where admins may come from.',
      fix: 'Run `sshield allow add <your network>` (an address list for everyone; PVE node addresses are kept), or add e.g. `AllowUsers alice@192.0.2.0/24 root@10.0.0.0/24` (PVE: include `root@<each node address>`) or `AllowGroups sshusers`, and check with `sshield audit` before reloading.',
      whenNot: 'Hosts with many changing users managed through a directory, where group-based access control is enforced elsewhere.',
    },
  },
  check(ctx) {
    const admin = ctx.specs.find((s) => s.role === 'admin') ?? ctx.specs[0];
    if (!admin) return ctx.skip('no connection spec evaluated');
    const judge = ctx.specs.find((s) => s.role === 'unknown-user') ?? admin;
    const lists = accessListsOf(judge.config);
    if (checkAccess(lists, { user: NOBODY, addr: strangerAddress(lists) }).allowed) {
      return ctx.report({
        status: 'fail',
        message: 'no allow-list is in effect (AllowUsers, AllowGroups, or a DenyUsers address list such as `sshield allow add` writes): every account with a valid credential may log in from anywhere',
        remediation: [{ kind: 'manual', description: 'limit logins to your networks (PVE node addresses are kept)', command: 'sshield allow add <your network, e.g. 192.0.2.0/24>' }],
      });
    }
    const users = isMissing(ctx.facts.users) ? undefined : ctx.facts.users;
    const groupsOf = (user: string) => users?.find((u) => u.name === user)?.groups ?? [];
    for (const s of ctx.specs) {
      if (s.role !== 'admin' && !(ctx.pveCluster && s.role === 'pve-peer')) continue;
      const l = accessListsOf(s.config);
      const user = s.spec.user ?? '';
      const who = s.role === 'pve-peer' ? 'this breaks the PVE cluster' : 'the admin would be locked out';
      if (s.addrAssumed) {
        // The admin's address is unknown: refused only if refused from every address the lists name.
        const tries = [...namedAddresses(l), ...(s.spec.addr ? [s.spec.addr] : [])];
        const v = tries.map((addr) => checkAccess(l, { user, addr, groups: groupsOf(user) }));
        if (v.length > 0 && v.every((x) => !x.allowed)) {
          const first = v[0]!;
          ctx.report({
            status: 'fail',
            severity: 'high',
            message: `the access lists refuse ${user} from every address they name (${first.allowed ? '' : first.reason}): ${who}`,
            remediation: [{ kind: 'manual', description: `let ${user} in from the address you connect from (AllowUsers ${user}@<address>, or sshield allow add <address>)` }],
          });
        }
        continue;
      }
      const v = checkAccess(l, { user, addr: s.spec.addr ?? '', groups: groupsOf(user) });
      if (v.allowed) continue;
      const addr = s.spec.addr;
      ctx.report({
        status: 'fail',
        severity: 'high',
        message: `${v.by} refuses ${s.label} (${v.reason}): ${who}`,
        remediation: [{ kind: 'manual', description: v.by === 'DenyUsers' && addr ? `keep ${addr} on the address list (sshield allow add ${addr})` : `add ${user}${addr ? `@${addr}` : ''} to AllowUsers` }],
      });
    }
  },
});
