// sshd/no-config-errors: the configuration must be one the real sshd accepts. Every error
// diagnostic of the parser/include loader/evaluator (unknown keyword, bad value, keyword not
// allowed in Match, include loop...) means `sshd -t` fails and a reload would leave sshd down.
import { defineRule } from '../define-rule.js';
import { man } from '../references.js';

export default defineRule({
  meta: {
    id: 'sshd/no-config-errors',
    title: 'sshd accepts the configuration (no fatal errors)',
    severity: 'critical',
    tags: ['hygiene'],
    profile: 'baseline',
    keywords: [],
    references: [man('Include'), { source: 'sshd(8)', item: '-t' }],
    remediable: 'manual',
    docs: {
      what: 'Reports every error the configuration loader finds that makes the real `sshd -t` fail: unknown or misspelt keywords, bad values, keywords not allowed inside Match, include loops, unreadable files. Client-only keywords are reported by `sshd/no-client-only-keywords`.',
      why: 'The running daemon keeps its old configuration, but the next reload, restart or reboot fails and the host has no SSH.',
      fix: 'Correct the line named in the finding, then run `sshd -t`.',
      whenNot: 'Never: there is no configuration in which this finding is harmless.',
    },
  },
  check(ctx) {
    for (const d of ctx.diagnostics) {
      if (d.severity !== 'error' || d.code === 'CLIENT_ONLY_KEYWORD') continue;
      ctx.report({
        status: 'fail',
        message: `${d.file}${d.line > 0 ? `:${d.line}` : ''}: ${d.message}${d.hint ? ` (${d.hint})` : ''} [${d.code}]`,
        locations: d.line > 0 ? [{ file: d.file, line: d.line, column: d.column }] : [{ file: d.file, line: 0 }],
        remediation: [{ kind: 'manual', description: d.hint ?? 'correct or remove the directive, then validate with sshd -t' }],
      });
    }
  },
});
