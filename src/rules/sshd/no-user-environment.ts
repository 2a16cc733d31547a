// sshd/no-user-environment: PermitUserEnvironment must be no.
import { defineRule } from '../define-rule.js';
import { checkValue, mustBe } from '../helpers.js';
import { cis, devsec, guide, lynis, man } from '../references.js';

export default defineRule({
  meta: {
    id: 'sshd/no-user-environment',
    title: 'Users cannot set environment variables for sshd',
    severity: 'medium',
    tags: ['hygiene'],
    profile: 'baseline',
    keywords: ['PermitUserEnvironment'],
    references: [guide('Hardening in general: PermitUserEnvironment no'), ...cis('5.1.21', '5.1.22'), devsec('sshd-17'), lynis(), man('PermitUserEnvironment')],
    remediable: 'auto',
    docs: {
      what: 'Checks that `PermitUserEnvironment` is `no` for every identity checked.',
      why: 'With it on, `~/.ssh/environment` and `environment=` key options can set `LD_PRELOAD` and similar, bypassing ForceCommand restrictions.',
      fix: 'Set `PermitUserEnvironment no` (the default).',
      whenNot: 'Rarely: when a pattern list of harmless variables is genuinely needed; prefer `SetEnv` on the server side.',
    },
  },
  check(ctx) {
    checkValue(ctx, { key: 'permituserenvironment', keyword: 'PermitUserEnvironment', judge: mustBe('no'), fixValue: 'no' });
  },
});
