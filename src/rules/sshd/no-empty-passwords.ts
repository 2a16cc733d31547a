// sshd/no-empty-passwords: PermitEmptyPasswords must be no for every identity.
import { defineRule } from '../define-rule.js';
import { checkValue, mustBe } from '../helpers.js';
import { cis, devsec, guide, man } from '../references.js';

export default defineRule({
  meta: {
    id: 'sshd/no-empty-passwords',
    title: 'Accounts with empty passwords cannot log in',
    severity: 'critical',
    tags: ['auth'],
    profile: 'baseline',
    keywords: ['PermitEmptyPasswords'],
    references: [guide('Hardening in general: PermitEmptyPasswords no'), ...cis('5.1.19', '5.1.20'), devsec('sshd-28'), man('PermitEmptyPasswords')],
    remediable: 'auto',
    docs: {
      what: 'Checks that `PermitEmptyPasswords` is `no` in the effective configuration of every identity checked (including Match blocks).',
      why: 'With `yes`, any account whose password field is empty can log in over the network without credentials.',
      fix: 'Set `PermitEmptyPasswords no` (the default) and remove any `PermitEmptyPasswords yes`, also inside Match blocks.',
      whenNot: 'Never: there is no legitimate use on a server reachable over a network.',
    },
  },
  check(ctx) {
    checkValue(ctx, { key: 'permitemptypasswords', keyword: 'PermitEmptyPasswords', judge: mustBe('no'), fixValue: 'no' });
  },
});
