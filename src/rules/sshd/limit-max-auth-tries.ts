// sshd/limit-max-auth-tries: MaxAuthTries within [min, max] (guide: 3..5).
import { defineRule } from '../define-rule.js';
import { checkValue } from '../helpers.js';
import { cis, devsec, guide, lynis, man } from '../references.js';

export default defineRule({
  meta: {
    id: 'sshd/limit-max-auth-tries',
    title: 'Authentication attempts per connection are limited (3..5)',
    severity: 'medium',
    tags: ['limits', 'auth'],
    profile: 'baseline',
    keywords: ['MaxAuthTries'],
    references: [guide('Hardening in general: MaxAuthTries 3-5'), ...cis('5.1.16', '5.1.17'), devsec('sshd-19'), lynis(), man('MaxAuthTries')],
    options: {
      min: { kind: 'integer', default: 3, min: 1, max: 100, description: 'lowest acceptable value (below it, agents holding several keys hit "Too many authentication failures")' },
      max: { kind: 'integer', default: 5, min: 1, max: 100, description: 'highest acceptable value' },
    },
    remediable: 'auto',
    docs: {
      what: 'Checks that `MaxAuthTries` lies between `min` and `max` (default 3..5; the OpenSSH default is 6) for every identity checked.',
      why: 'Each connection may otherwise try many passwords or keys; a low limit slows guessing and makes failures visible in the log sooner.',
      fix: 'Set `MaxAuthTries 3`.',
      whenNot: 'Below 3, admins whose agent offers several keys are refused before the right one is tried: keep at least 3, or use `IdentitiesOnly` on clients.',
    },
  },
  check(ctx) {
    const min = ctx.options.min as number;
    const max = ctx.options.max as number;
    checkValue(ctx, {
      key: 'maxauthtries',
      keyword: 'MaxAuthTries',
      judge: (v) => {
        const n = Number(v[0]);
        return n > max ? `is ${n}, should be at most ${max}` : undefined;
      },
      fixValue: String(min),
    });
    checkValue(ctx, {
      key: 'maxauthtries',
      keyword: 'MaxAuthTries',
      status: 'warn',
      judge: (v) => {
        const n = Number(v[0]);
        return n < min ? `is ${n}, below ${min}: clients whose agent offers several keys will be locked out` : undefined;
      },
      fixValue: String(min),
    });
  },
});
