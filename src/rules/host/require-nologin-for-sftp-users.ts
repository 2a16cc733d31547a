// host/require-nologin-for-sftp-users: users forced to internal-sftp (ForceCommand in a Match
// block) have a non-login shell, so the account cannot be used interactively elsewhere (su,
// console, another service). The guide: adduser --shell /usr/sbin/nologin.
import { defineRule } from '../define-rule.js';
import { guide } from '../references.js';
import { isMissing } from '../types.js';

const NOLOGIN = /(^|\/)(nologin|false)$/;

export default defineRule({
  meta: {
    id: 'host/require-nologin-for-sftp-users',
    title: 'SFTP-only users have a nologin shell',
    severity: 'medium',
    tags: ['access'],
    profile: 'baseline',
    keywords: ['ForceCommand'],
    references: [guide('Hardening - Shell of a User: /usr/sbin/nologin')],
    remediable: 'manual',
    docs: {
      what: 'For each user whose effective configuration forces `internal-sftp` (the SFTP-only users of Match User/Group blocks), checks that the passwd shell is `/usr/sbin/nologin` or `/bin/false`.',
      why: 'ForceCommand only restricts SSH; with a real shell the account still works for `su`, the console and other services, and a mistake in the Match block gives a full shell.',
      fix: '`usermod --shell /usr/sbin/nologin <user>` (internal-sftp keeps working: sshd does not run the shell).',
      whenNot: 'Users who need SFTP here and a shell through another path.',
    },
  },
  check(ctx) {
    // Without the accounts no SFTP-only user can be found: that is not a pass.
    if (isMissing(ctx.facts.users)) return ctx.skip(`user accounts unknown: ${ctx.facts.users?.missing ?? 'not gathered'}`);
    const sftp = ctx.specs.filter((s) => s.role === 'sftp-user');
    if (sftp.length === 0) return ctx.pass('no SFTP-only users (ForceCommand internal-sftp) found');
    const users = ctx.facts.users;
    for (const s of sftp) {
      const u = users.find((x) => x.name === s.spec.user);
      if (!u) continue;
      if (!NOLOGIN.test(u.shell)) {
        ctx.report({
          status: 'fail',
          message: `SFTP-only user ${u.name} has the login shell ${u.shell}`,
          remediation: [{ kind: 'manual', description: `give ${u.name} a nologin shell`, command: `usermod --shell /usr/sbin/nologin ${u.name}` }],
        });
      }
    }
  },
});
