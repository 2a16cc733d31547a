// sshd/no-deprecated-keywords: deprecated or ignored directives (Protocol, UsePrivilegeSeparation,
// UseLogin, RSAAuthentication...) do nothing but mislead readers (servconf.c sDeprecated/sIgnore).
import { defineRule } from '../define-rule.js';
import { devsec, man } from '../references.js';

export default defineRule({
  meta: {
    id: 'sshd/no-deprecated-keywords',
    title: 'No deprecated or ignored keywords',
    severity: 'info',
    tags: ['hygiene'],
    profile: 'baseline',
    keywords: ['Protocol', 'UsePrivilegeSeparation', 'UseLogin'],
    references: [devsec('sshd-10'), devsec('sshd-15'), devsec('sshd-16'), man('Protocol')],
    remediable: 'auto',
    docs: {
      what: 'Reports directives the installed sshd parses but ignores or calls deprecated (e.g. `Protocol 2`, `UsePrivilegeSeparation`, `UseLogin`, `RSAAuthentication`).',
      why: 'They have no effect; readers (and older checklists) believe they do. Some may become fatal in later versions.',
      fix: 'Remove the lines.',
      whenNot: 'A config shared with very old sshd versions that still need them.',
    },
  },
  check(ctx) {
    for (const d of ctx.diagnostics) {
      if (d.code !== 'DEPRECATED_KEYWORD' && d.code !== 'IGNORED_DIRECTIVE') continue;
      const loc = { file: d.file, line: d.line, column: d.column };
      ctx.report({ status: 'warn', message: `${d.file}:${d.line}: ${d.message}`, locations: [loc], remediation: [{ kind: 'comment-out', directives: [loc], description: 'comment out the ineffective directive' }] });
    }
  },
});
