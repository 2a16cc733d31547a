// sshd/require-allowlist: an AllowUsers or AllowGroups allow-list is in effect (the guide's
// "IP address allowlist" step), and it does not lock out the admin or (PVE) root from the
// cluster nodes. AllowUsers entries are USER or USER@HOST (CIDR allowed), auth.c allowed_user().
import { defineRule } from '../define-rule.js';
import { matchUserEntry } from '../patterns.js';
import { cis, guide, lynis, man } from '../references.js';
import type { SpecEvaluation } from '../types.js';

function allowedByUsers(s: SpecEvaluation): boolean | undefined {
  const e = s.config.get('allowusers');
  const entries = e?.values.flatMap((v) => v.split(/\s+/)).filter(Boolean) ?? [];
  if (entries.length === 0) return undefined;
  return entries.some((en) => matchUserEntry(s.spec.user ?? '', s.spec.addr, en));
}

export default defineRule({
  meta: {
    id: 'sshd/require-allowlist',
    title: 'Logins are limited to an allow-list of users/groups (and addresses)',
    severity: 'medium',
    tags: ['access'],
    profile: 'baseline',
    keywords: ['AllowUsers', 'AllowGroups'],
    references: [guide('Hardening - Allowlist: IP address allowlist'), ...cis('5.1.4'), lynis('SSH-7440'), man('AllowUsers')],
    remediable: 'planned',
    docs: {
      what: 'Checks that `AllowUsers` or `AllowGroups` is in effect for the admin\'s connection, and that the list lets in the admin and, on a PVE cluster node, root from every other node.',
      why: 'An allow-list (ideally `user@address` entries) means a new system account or a guessed name cannot log in at all, and limits where admins may come from.',
      fix: 'Add e.g. `AllowUsers alice@192.0.2.0/24 root@10.0.0.0/24` (PVE: include `root@<each node address>`), or `AllowGroups sshusers`, and check with `sshield audit` before reloading.',
      whenNot: 'Hosts with many changing users managed through a directory, where group-based access control is enforced elsewhere.',
    },
  },
  check(ctx) {
    const admin = ctx.specs.find((s) => s.role === 'admin') ?? ctx.specs[0];
    if (!admin) return ctx.skip('no connection spec evaluated');
    const hasList = (s: SpecEvaluation) => ['allowusers', 'allowgroups'].some((k) => (s.config.get(k)?.values.join('').trim() ?? '') !== '');
    if (!hasList(admin)) {
      return ctx.report({
        status: 'fail',
        message: 'no AllowUsers or AllowGroups allow-list is in effect: every account with a valid credential may log in from anywhere',
        remediation: [{ kind: 'manual', description: 'add AllowUsers user@network entries for the admins (and root@<node> on PVE cluster nodes)' }],
      });
    }
    for (const s of ctx.specs) {
      if (s.role !== 'admin' && !(ctx.pveCluster && s.role === 'pve-peer')) continue;
      if (allowedByUsers(s) === false) {
        ctx.report({
          status: 'fail',
          severity: 'high',
          message: `AllowUsers does not admit ${s.label}: ${s.role === 'pve-peer' ? 'this breaks the PVE cluster' : 'the admin would be locked out'}`,
          remediation: [{ kind: 'manual', description: `add ${s.spec.user}@${s.spec.addr ?? '*'} to AllowUsers` }],
        });
      }
    }
  },
});
