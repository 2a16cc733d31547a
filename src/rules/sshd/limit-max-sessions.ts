// sshd/limit-max-sessions: MaxSessions at most `max` (CIS/dev-sec 10; strict 4).
import { defineRule } from '../define-rule.js';
import { checkValue } from '../helpers.js';
import { cis, devsec, lynis, man } from '../references.js';

export default defineRule({
  meta: {
    id: 'sshd/limit-max-sessions',
    title: 'Sessions per connection are limited (MaxSessions)',
    severity: 'low',
    tags: ['limits'],
    profile: 'baseline',
    keywords: ['MaxSessions'],
    references: [...cis('5.1.17', '5.1.18'), devsec('sshd-20'), lynis(), man('MaxSessions')],
    options: { max: { kind: 'integer', default: 10, min: 1, max: 1000, description: 'highest acceptable value' } },
    remediable: 'auto',
    docs: {
      what: 'Checks that `MaxSessions` is at most `max` (10, the default; the strict profile uses 4) for every identity checked.',
      why: 'Multiplexed sessions over one authenticated connection multiply what a stolen connection can do and cost resources.',
      fix: '`MaxSessions 10` (or lower).',
      whenNot: 'Heavy ControlMaster users (Ansible with pipelining) may need more.',
    },
  },
  check(ctx) {
    const max = ctx.options.max as number;
    checkValue(ctx, { key: 'maxsessions', keyword: 'MaxSessions', judge: (v) => (Number(v[0]) > max ? `is ${v[0]}, should be at most ${max}` : undefined), fixValue: String(max) });
  },
});
