// sshd/no-shadowed-directives: directives that look effective but are not because an earlier one
// (first value wins for most keywords, servconf.c; drop-ins included at the top of Debian's
// main file come first) already set the keyword: the classic "I set PasswordAuthentication no
// and nothing changed" of cloud images.
import { defineRule } from '../define-rule.js';
import { locationOf } from '../helpers.js';
import { findKeyword } from '../../sshd/keywords/index.js';
import { man } from '../references.js';
import type { Location } from '../types.js';

export default defineRule({
  meta: {
    id: 'sshd/no-shadowed-directives',
    title: 'No directive is silently overridden by an earlier one',
    severity: 'low',
    tags: ['hygiene'],
    profile: 'baseline',
    keywords: [],
    references: [man('Include'), { source: 'sshd_config(5)', item: 'first obtained value is used' }],
    remediable: 'auto',
    docs: {
      what: 'For every keyword in the effective configuration of the identities checked, lists directives that set it but lost to an earlier one (for first-wins keywords), e.g. the main file\'s `PasswordAuthentication no` losing to `sshd_config.d/50-cloud-init.conf`.',
      why: 'A shadowed line misleads whoever reads the file: the setting they see is not the one in force.',
      fix: 'Remove (comment out) the losing directive, or move the intended value into the file read first.',
      whenNot: 'Deliberate layering where a drop-in overrides the distribution\'s file: the finding is only a warning.',
    },
  },
  check(ctx) {
    // Only the global layer: a Match block overriding a global value is layering, not shadowing.
    const s = ctx.specs[0];
    if (!s) return ctx.skip('no connection spec evaluated');
    for (const e of s.config.entries) {
      const merge = findKeyword(e.key)?.merge;
      if (e.setBy.length < 2 || merge === 'accumulate' || merge === 'none') continue;
      if (e.setBy.some((o) => o.kind === 'directive' && o.match)) continue;
      const winner = locationOf(e.setBy[0]!);
      const losers = e.setBy.slice(1).map(locationOf).filter((l): l is Location => !!l);
      if (!winner || losers.length === 0) continue;
      const why = merge === 'last' ? 'is read last and wins' : 'is read first and wins';
      ctx.report({
        status: 'warn',
        message: `${e.key}: ${losers.map((l) => `${l.file}:${l.line}`).join(', ')} ${losers.length > 1 ? 'have' : 'has'} no effect; ${winner.file}:${winner.line} ${why}`,
        locations: losers,
        remediation: [{ kind: 'comment-out', directives: losers, description: `comment out the ineffective ${e.key} directive(s)` }],
      });
    }
  },
});
