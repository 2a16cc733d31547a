// sshd/no-kerberos-auth: KerberosAuthentication must be no unless the site uses Kerberos.
import { defineRule } from '../define-rule.js';
import { checkValue, mustBe } from '../helpers.js';
import { devsec, guide, man } from '../references.js';

export default defineRule({
  meta: {
    id: 'sshd/no-kerberos-auth',
    title: 'Kerberos password authentication is off',
    severity: 'low',
    tags: ['auth'],
    profile: 'baseline',
    keywords: ['KerberosAuthentication'],
    references: [guide('Hardening in general: KerberosAuthentication no'), devsec('sshd-30'), man('KerberosAuthentication')],
    remediable: 'auto',
    docs: {
      what: 'Checks that `KerberosAuthentication` is `no` for every identity checked.',
      why: 'Kerberos password validation is extra pre-authentication attack surface that almost no host needs; the guide turns it off.',
      fix: 'Set `KerberosAuthentication no` (the default).',
      whenNot: 'Hosts in a Kerberos realm that authenticate users with Kerberos passwords.',
    },
  },
  check(ctx) {
    checkValue(ctx, { key: 'kerberosauthentication', keyword: 'KerberosAuthentication', judge: mustBe('no'), fixValue: 'no' });
  },
});
