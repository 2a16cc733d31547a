// sshd/no-debian-banner: DebianBanner no (a Debian/Ubuntu patch keyword: the version banner then
// omits "Debian-2+deb12u3"). Debian 12's `sshd -T` does not print it, so when the evaluator has
// no entry the first DebianBanner directive (global keyword, first wins) decides; default yes.
import { defineRule } from '../define-rule.js';
import { opensshBuild } from '../build-facts.js';
import { checkValue, directivesNamed, mustBe } from '../helpers.js';
import { devsec, guide } from '../references.js';

export default defineRule({
  meta: {
    id: 'sshd/no-debian-banner',
    title: 'The SSH banner does not reveal the Debian package revision',
    severity: 'info',
    tags: ['hygiene'],
    profile: 'baseline',
    keywords: ['DebianBanner'],
    references: [guide('Hardening in general: DebianBanner no'), devsec('sshd-47')],
    remediable: 'auto',
    docs: {
      what: 'On Debian and Ubuntu builds checks that `DebianBanner` is `no` (the default is `yes`).',
      why: 'The banner `SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3` tells scanners exactly which security fixes the host has, before authentication.',
      fix: 'Add `DebianBanner no` near the top of `/etc/ssh/sshd_config`.',
      whenNot: 'Non-Debian builds reject the keyword: never add it there (the rule skips them). Inventory tools that read the banner lose the revision.',
    },
  },
  check(ctx) {
    const b = opensshBuild(ctx.facts);
    if (b && b.distro === 'other') return ctx.skip('DebianBanner exists only in Debian and Ubuntu builds');
    if (ctx.specs.some((s) => s.config.get('debianbanner'))) {
      checkValue(ctx, { key: 'debianbanner', keyword: 'DebianBanner', judge: mustBe('no'), fixValue: 'no' });
      return;
    }
    const first = directivesNamed(ctx, 'DebianBanner').find((d) => !d.match);
    const value = first?.args[0]?.toLowerCase() ?? 'yes';
    if (value === 'no') return;
    ctx.report({
      status: 'fail',
      message: first ? `DebianBanner is ${value} (set at ${first.file}:${first.line})` : 'DebianBanner is not set (default yes): the banner shows the Debian revision',
      locations: first ? [{ file: first.file, line: first.line, column: first.column }] : [],
      remediation: [{ kind: 'set', keyword: 'DebianBanner', value: 'no', scope: 'global', description: 'set DebianBanner no globally' }],
    });
  },
});
