// sshd/require-safe-chroot: every ChrootDirectory in effect (usually for SFTP-only users) must be
// root-owned and not group/other-writable in every path component (sshd_config(5)
// ChrootDirectory; session.c safely_chroot(), checked only at session start, not by `sshd -t`).
import { defineRule } from '../define-rule.js';
import { describeOrigin, locationOf, setFix } from '../helpers.js';
import { guide, man } from '../references.js';
import { isMissing } from '../types.js';

export default defineRule({
  meta: {
    id: 'sshd/require-safe-chroot',
    title: 'ChrootDirectory paths are root-owned and not writable by others',
    severity: 'high',
    tags: ['access'],
    profile: 'baseline',
    keywords: ['ChrootDirectory', 'ForceCommand'],
    references: [guide('Hardening - Shell of a User: Match User / ChrootDirectory'), man('ChrootDirectory')],
    remediable: 'manual',
    docs: {
      what: 'For every identity whose effective `ChrootDirectory` is not `none` (the SFTP-only users found in Match blocks), checks each component of the expanded path: it must exist, be a directory owned by root and not writable by group or others. Also warns when a chrooted user is not forced to `internal-sftp`.',
      why: 'sshd refuses the session ("bad ownership or modes for chroot directory") when the check fails, so the user is locked out; `sshd -t` does not notice. The guide\'s example `ChrootDirectory /home/alex/` fails exactly this way because alex owns his home.',
      fix: '`chown root:root` and `chmod 755` every component; give the user a writable subdirectory (e.g. `/home/alex/upload`), and pair the chroot with `ForceCommand internal-sftp`.',
      whenNot: 'Never: a chroot that fails the check is unusable.',
    },
  },
  check(ctx) {
    const chrooted = ctx.specs.filter((s) => {
      const v = s.config.value('chrootdirectory');
      return v !== undefined && v !== 'none';
    });
    if (chrooted.length === 0) return ctx.pass('no ChrootDirectory is in effect for any identity checked');
    if (isMissing(ctx.facts.chroot)) return ctx.skip(`cannot inspect chroot directories: ${ctx.facts.chroot?.missing ?? 'not gathered'}`);
    const facts = ctx.facts.chroot;
    for (const s of chrooted) {
      const e = s.config.get('chrootdirectory')!;
      const loc = locationOf(e.origin);
      const f = facts.find((c) => c.user === (s.spec.user ?? ''));
      if (f && f.problems.length > 0) {
        ctx.report({
          status: 'fail',
          message: `ChrootDirectory ${f.path} for ${s.label} is unusable: ${f.problems.join('; ')} (${describeOrigin(ctx, e.origin)})`,
          ...(loc ? { locations: [loc] } : {}),
          remediation: [{ kind: 'manual', description: `make every component of ${f.path} root-owned and not group/other-writable`, command: `chown root:root ${f.path} && chmod 755 ${f.path}` }],
        });
      }
      const fc = s.config.value('forcecommand');
      if (fc === undefined || fc === 'none' || !/internal-sftp/.test(s.config.get('forcecommand')?.values.join(' ') ?? '')) {
        ctx.report({
          status: 'warn',
          message: `${s.label} is chrooted without ForceCommand internal-sftp: a shell session needs a populated chroot (${describeOrigin(ctx, e.origin)})`,
          ...(loc ? { locations: [loc] } : {}),
          remediation: [setFix(ctx, e.origin, 'ForceCommand', 'internal-sftp', 'force internal-sftp for the chrooted users')],
        });
      }
    }
  },
});
