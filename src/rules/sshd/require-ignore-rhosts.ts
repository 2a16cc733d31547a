// sshd/require-ignore-rhosts: IgnoreRhosts must be yes.
import { defineRule } from '../define-rule.js';
import { checkValue, mustBe } from '../helpers.js';
import { cis, devsec, lynis, man } from '../references.js';

export default defineRule({
  meta: {
    id: 'sshd/require-ignore-rhosts',
    title: '.rhosts and .shosts files are ignored',
    severity: 'medium',
    tags: ['auth'],
    profile: 'baseline',
    keywords: ['IgnoreRhosts'],
    references: [...cis('5.1.11'), devsec('sshd-23'), lynis(), man('IgnoreRhosts')],
    remediable: 'auto',
    docs: {
      what: 'Checks that `IgnoreRhosts` is `yes`.',
      why: 'Host-based trust files let one compromised host log in to others without any key.',
      fix: 'Set `IgnoreRhosts yes` (the default).',
      whenNot: 'Legacy clusters that rely on host-based authentication (then also see `sshd/no-hostbased-auth`).',
    },
  },
  check(ctx) {
    checkValue(ctx, { key: 'ignorerhosts', keyword: 'IgnoreRhosts', judge: mustBe('yes', 'shosts-only'), fixValue: 'yes' });
  },
});
