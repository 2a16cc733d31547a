// sshd/limit-max-startups: MaxStartups start:rate:full no looser than 10:30:60 (CIS, dev-sec).
import { defineRule } from '../define-rule.js';
import { describeOrigin, locationOf, setFix } from '../helpers.js';
import { cis, devsec, man } from '../references.js';

export default defineRule({
  meta: {
    id: 'sshd/limit-max-startups',
    title: 'Concurrent unauthenticated connections are limited (MaxStartups)',
    severity: 'low',
    tags: ['limits'],
    profile: 'baseline',
    keywords: ['MaxStartups'],
    references: [...cis('5.1.18', '5.1.19'), devsec('sshd-21'), man('MaxStartups')],
    options: {
      maxFull: { kind: 'integer', default: 60, min: 1, max: 10000, description: 'highest acceptable "full" value (connections refused from then on)' },
      maxStart: { kind: 'integer', default: 10, min: 1, max: 10000, description: 'highest acceptable "start" value (random early drop begins)' },
    },
    remediable: 'auto',
    docs: {
      what: 'Checks that `MaxStartups start:rate:full` has `start` at most 10 and `full` at most 60 (the default is 10:30:100).',
      why: 'Unauthenticated connections cost memory and CPU; a lower ceiling limits floods and the DHEat-style CPU exhaustion.',
      fix: '`MaxStartups 10:30:60`.',
      whenNot: 'Hosts that receive bursts of legitimate parallel logins (automation, PVE clusters with many nodes): raise `maxFull` and exempt them from PerSourcePenalties instead.',
    },
  },
  check(ctx) {
    const e = ctx.specs[0]?.config.get('maxstartups');
    if (!e) return ctx.skip('MaxStartups not in the effective configuration');
    const [start, , full] = (e.values[0] ?? '').split(':').map(Number);
    const maxFull = ctx.options.maxFull as number;
    const maxStart = ctx.options.maxStart as number;
    const f = full ?? start ?? NaN;
    if ((start ?? NaN) <= maxStart && f <= maxFull) return;
    const loc = locationOf(e.origin);
    ctx.report({
      status: 'fail',
      message: `MaxStartups is ${e.values[0]}, should be at most ${maxStart}:30:${maxFull} (${describeOrigin(ctx, e.origin)})`,
      ...(loc ? { locations: [loc] } : {}),
      remediation: [setFix(ctx, e.origin, 'MaxStartups', `${Math.min(start ?? 10, maxStart)}:30:${maxFull}`)],
    });
  },
});
