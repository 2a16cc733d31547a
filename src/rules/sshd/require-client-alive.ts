// sshd/require-client-alive: dead sessions are detected (ClientAliveInterval > 0, at most
// `maxInterval`; ClientAliveCountMax > 0, at most `maxCount`). CIS 5.1.7, dev-sec 300/3.
import { defineRule } from '../define-rule.js';
import { checkValue } from '../helpers.js';
import { cis, devsec, man } from '../references.js';

export default defineRule({
  meta: {
    id: 'sshd/require-client-alive',
    title: 'Unresponsive sessions are closed (ClientAliveInterval/CountMax)',
    severity: 'low',
    tags: ['limits'],
    profile: 'strict',
    keywords: ['ClientAliveInterval', 'ClientAliveCountMax'],
    references: [...cis('5.1.7'), devsec('sshd-36'), devsec('sshd-37'), man('ClientAliveInterval')],
    options: {
      maxInterval: { kind: 'integer', default: 300, min: 1, max: 86400, description: 'highest acceptable ClientAliveInterval (seconds)' },
      maxCount: { kind: 'integer', default: 3, min: 1, max: 100, description: 'highest acceptable ClientAliveCountMax' },
    },
    remediable: 'auto',
    docs: {
      what: 'Checks that `ClientAliveInterval` is between 1 and `maxInterval` seconds and `ClientAliveCountMax` between 1 and `maxCount` (0 disables the check).',
      why: 'Without keep-alives, sessions from vanished clients linger and hold resources and forwarded ports.',
      fix: '`ClientAliveInterval 300` and `ClientAliveCountMax 3`.',
      whenNot: 'Hosts where idle sessions must survive network outages longer than interval x count.',
    },
  },
  check(ctx) {
    const mi = ctx.options.maxInterval as number;
    const mc = ctx.options.maxCount as number;
    checkValue(ctx, { key: 'clientaliveinterval', keyword: 'ClientAliveInterval', judge: (v) => { const n = Number(v[0]); return n < 1 || n > mi ? `is ${v[0]}, should be 1..${mi}` : undefined; }, fixValue: String(mi) });
    checkValue(ctx, { key: 'clientalivecountmax', keyword: 'ClientAliveCountMax', judge: (v) => { const n = Number(v[0]); return n < 1 || n > mc ? `is ${v[0]}, should be 1..${mc}` : undefined; }, fixValue: String(mc) });
  },
});
