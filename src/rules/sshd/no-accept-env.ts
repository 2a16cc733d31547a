// sshd/no-accept-env: clients may not pass environment variables beyond an allow-list (the
// guide: comment out AcceptEnv). PVE peers are judged by sshd/require-pve-peer-access instead.
import { defineRule } from '../define-rule.js';
import { describeOrigin, fromClusterNode, locationOf, originKey, summariseLabels } from '../helpers.js';
import { guide, man, pve } from '../references.js';
import type { Location } from '../types.js';

export default defineRule({
  meta: {
    id: 'sshd/no-accept-env',
    title: 'Clients cannot set environment variables (AcceptEnv) beyond an allow-list',
    severity: 'low',
    tags: ['hygiene'],
    profile: 'baseline',
    keywords: ['AcceptEnv'],
    references: [guide('Hardening in general: comment out AcceptEnv'), man('AcceptEnv'), pve('VM console needs LC_PVE_TICKET')],
    options: {
      allow: { kind: 'string-list', default: [], description: 'AcceptEnv patterns that are acceptable (the proxmox profile allows LANG and LC_*)' },
    },
    remediable: 'planned',
    docs: {
      what: 'Checks that the effective `AcceptEnv` list (it accumulates over every directive) contains only patterns from the `allow` option (empty by default; `LANG LC_*` in the proxmox profile).',
      why: 'Every accepted variable is input an attacker controls in the session\'s environment (locale parsing bugs, shell start-up files). Debian ships `AcceptEnv LANG LC_*`.',
      fix: 'Comment out the `AcceptEnv` lines (Debian\'s main file has one).',
      whenNot: 'Proxmox VE nodes need `LC_*` (the noVNC console of a VM on another node passes `LC_PVE_TICKET`): use the proxmox profile, which allows `LANG LC_*`.',
    },
  },
  check(ctx) {
    const allow = new Set(ctx.options.allow as readonly string[]);
    const groups = new Map<string, { labels: string[]; bad: string[]; locations: Location[]; origin: string }>();
    for (const s of ctx.specs) {
      if (fromClusterNode(ctx, s)) continue;
      const e = s.config.get('acceptenv');
      if (!e) continue;
      const vals = e.values.flatMap((v) => v.split(/\s+/)).filter((v) => v !== '' && v !== 'none');
      const bad = vals.filter((v) => !allow.has(v));
      if (bad.length === 0) continue;
      const k = e.setBy.map(originKey).join('|');
      const g = groups.get(k);
      if (g) g.labels.push(s.label);
      else groups.set(k, { labels: [s.label], bad, locations: e.setBy.map(locationOf).filter((l): l is Location => !!l), origin: describeOrigin(ctx, e.origin) });
    }
    for (const g of groups.values()) {
      ctx.report({
        status: 'fail',
        message: `AcceptEnv accepts ${g.bad.join(' ')} for ${summariseLabels(g.labels)} (${g.origin})`,
        identities: [...new Set(g.labels)],
        locations: g.locations,
        remediation: g.locations.length > 0 ? [{ kind: 'comment-out', directives: g.locations, description: 'comment out the AcceptEnv directives' }] : [],
      });
    }
  },
});
