// sshd/require-log-level: LogLevel INFO or VERBOSE (strict: VERBOSE, which logs key fingerprints).
import { defineRule } from '../define-rule.js';
import { checkValue } from '../helpers.js';
import { cis, devsec, man } from '../references.js';

export default defineRule({
  meta: {
    id: 'sshd/require-log-level',
    title: 'sshd logs enough to audit logins (LogLevel)',
    severity: 'low',
    tags: ['logging'],
    profile: 'baseline',
    keywords: ['LogLevel'],
    references: [...cis('5.1.14', '5.1.15'), devsec('sshd-13'), man('LogLevel')],
    options: {
      levels: { kind: 'string-list', default: ['INFO', 'VERBOSE'], description: 'acceptable LogLevel values' },
    },
    remediable: 'auto',
    docs: {
      what: 'Checks that the effective `LogLevel` is one of `levels` (INFO or VERBOSE; strict: VERBOSE) for every identity checked.',
      why: 'QUIET/ERROR/FATAL hide failed and successful logins; DEBUG levels log private data. VERBOSE records which key logged in.',
      fix: '`LogLevel VERBOSE`.',
      whenNot: 'Temporarily raise to DEBUG while troubleshooting, then waive with an expiry date.',
    },
  },
  check(ctx) {
    const levels = (ctx.options.levels as readonly string[]).map((l) => l.toUpperCase());
    checkValue(ctx, {
      key: 'loglevel',
      keyword: 'LogLevel',
      judge: (v) => (levels.includes((v[0] ?? '').toUpperCase()) ? undefined : `is ${v[0]}, should be ${levels.join(' or ')}`),
      fixValue: levels.includes('VERBOSE') ? 'VERBOSE' : levels[0] ?? 'VERBOSE',
    });
  },
});
