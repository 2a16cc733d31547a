// sshd/no-gssapi-auth: GSSAPIAuthentication must be no unless the site uses GSSAPI.
import { defineRule } from '../define-rule.js';
import { checkValue, mustBe } from '../helpers.js';
import { cis, cve, devsec, guide, man } from '../references.js';

export default defineRule({
  meta: {
    id: 'sshd/no-gssapi-auth',
    title: 'GSSAPI authentication is off',
    severity: 'low',
    tags: ['auth'],
    profile: 'baseline',
    keywords: ['GSSAPIAuthentication'],
    references: [guide('Hardening in general: GSSAPIAuthentication no'), ...cis('5.1.9'), devsec('sshd-33'), man('GSSAPIAuthentication'), cve('CVE-2026-3497')],
    remediable: 'auto',
    docs: {
      what: 'Checks that `GSSAPIAuthentication` is `no` for every identity checked.',
      why: 'GSSAPI code runs before authentication; several recent CVEs (CVE-2026-3497, CVE-2026-60000) are reachable only with it on.',
      fix: 'Set `GSSAPIAuthentication no` (the default).',
      whenNot: 'Hosts joined to Active Directory or a Kerberos realm that log users in with tickets.',
    },
  },
  check(ctx) {
    checkValue(ctx, { key: 'gssapiauthentication', keyword: 'GSSAPIAuthentication', judge: mustBe('no'), fixValue: 'no' });
  },
});
