// sshd/no-client-only-keywords: ssh_config(5) keywords such as ObscureKeystrokeTiming in
// sshd_config make sshd refuse to start ("Bad configuration option", servconf.c
// process_server_config_line_depth). The parser flags them as CLIENT_ONLY_KEYWORD.
import { defineRule } from '../define-rule.js';
import { guide } from '../references.js';

export default defineRule({
  meta: {
    id: 'sshd/no-client-only-keywords',
    title: 'No client-only keywords (e.g. ObscureKeystrokeTiming) in sshd_config',
    severity: 'critical',
    tags: ['hygiene'],
    profile: 'baseline',
    keywords: ['ObscureKeystrokeTiming'],
    references: [guide('Security issues: ObscureKeystrokeTiming no'), { source: 'ssh_config(5)', item: 'ObscureKeystrokeTiming' }],
    remediable: 'auto',
    docs: {
      what: 'Reports ssh_config(5) (client) keywords written into sshd_config or its drop-ins, such as `ObscureKeystrokeTiming` (which the guide lists) or `UseRoaming`.',
      why: 'sshd rejects unknown keywords as fatal errors: the next restart or reload leaves the host without SSH (Debian\'s unit does not retry after exit status 255).',
      fix: 'Remove the line from sshd_config. `ObscureKeystrokeTiming` belongs in the client\'s `~/.ssh/config` or `/etc/ssh/ssh_config` (OpenSSH 9.5 and later).',
      whenNot: 'Never: there is no configuration in which this finding is harmless.',
    },
  },
  check(ctx) {
    const hits = ctx.diagnostics.filter((d) => d.code === 'CLIENT_ONLY_KEYWORD');
    for (const d of hits) {
      const loc = { file: d.file, line: d.line, column: d.column };
      ctx.report({
        status: 'fail',
        message: `${d.message} at ${d.file}:${d.line}: sshd will refuse to start`,
        locations: [loc],
        remediation: [{ kind: 'comment-out', directives: [loc], description: 'comment out the client-only directive' }],
      });
    }
  },
});
