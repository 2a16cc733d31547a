// sshd/no-hostbased-auth: HostbasedAuthentication must be no.
import { defineRule } from '../define-rule.js';
import { checkValue, mustBe } from '../helpers.js';
import { cis, devsec, man } from '../references.js';

export default defineRule({
  meta: {
    id: 'sshd/no-hostbased-auth',
    title: 'Host-based authentication is off',
    severity: 'medium',
    tags: ['auth'],
    profile: 'baseline',
    keywords: ['HostbasedAuthentication'],
    references: [...cis('5.1.10'), devsec('sshd-25'), man('HostbasedAuthentication')],
    remediable: 'auto',
    docs: {
      what: 'Checks that `HostbasedAuthentication` is `no` for every identity checked.',
      why: 'Host-based authentication trusts the client host\'s key for all its users: one compromised host opens every account it is trusted for.',
      fix: 'Set `HostbasedAuthentication no` (the default).',
      whenNot: 'Managed HPC clusters that deliberately use host-based trust.',
    },
  },
  check(ctx) {
    checkValue(ctx, { key: 'hostbasedauthentication', keyword: 'HostbasedAuthentication', judge: mustBe('no'), fixValue: 'no' });
  },
});
