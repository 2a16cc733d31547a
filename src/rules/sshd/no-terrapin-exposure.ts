// sshd/no-terrapin-exposure: CVE-2023-48795 (Terrapin) needs chacha20-poly1305 or an EtM MAC
// with a CBC cipher, on a build without strict KEX (upstream 9.6; Debian 12 backport
// 1:9.2p1-2+deb12u2). With strict KEX (both ends) the attack is closed whatever the lists say.
import { defineRule } from '../define-rule.js';
import { buildLabel, isVulnerable } from '../build-facts.js';
import { describeOrigin, locationOf, setFix } from '../helpers.js';
import { cis, cve } from '../references.js';
import type { Location } from '../types.js';

export default defineRule({
  meta: {
    id: 'sshd/no-terrapin-exposure',
    title: 'Not exposed to the Terrapin prefix-truncation attack',
    severity: 'medium',
    tags: ['crypto'],
    profile: 'baseline',
    keywords: ['Ciphers', 'MACs'],
    references: [cve('CVE-2023-48795'), ...cis('5.1.6')],
    remediable: 'planned',
    docs: {
      what: 'On builds without strict key exchange (OpenSSH before 9.6 without the distro backport; Debian 12 has it from 1:9.2p1-2+deb12u2) checks that neither `chacha20-poly1305@openssh.com` nor an EtM MAC combined with a CBC cipher is offered.',
      why: 'Terrapin lets a man in the middle drop packets at the start of the encrypted channel, e.g. to downgrade extension negotiation. Strict KEX closes it when both ends support it.',
      fix: 'Upgrade openssh-server. Until then remove `chacha20-poly1305@openssh.com` from `Ciphers` (and `*-etm@openssh.com` from `MACs` if CBC ciphers are enabled).',
      whenNot: 'Patched builds pass automatically.',
    },
  },
  check(ctx) {
    const s = ctx.specs[0];
    const c = s?.config.get('ciphers');
    const m = s?.config.get('macs');
    if (!s || !c || !m) return ctx.skip('Ciphers/MACs not in the effective configuration');
    const vulnerable = isVulnerable(ctx.facts, 'CVE-2023-48795', { fixed: '9.6p1' });
    if (vulnerable === false) return ctx.pass(`${buildLabel(ctx.facts)} implements strict key exchange (CVE-2023-48795 fixed)`);
    const ciphers = c.values.join(',').split(',');
    const macs = m.values.join(',').split(',');
    const chacha = ciphers.includes('chacha20-poly1305@openssh.com');
    const etmCbc = ciphers.some((x) => x.endsWith('-cbc')) && macs.some((x) => x.includes('-etm@'));
    if (!chacha && !etmCbc) return ctx.pass('no Terrapin-prone cipher/MAC combination offered');
    const locs = [locationOf(c.origin), etmCbc ? locationOf(m.origin) : undefined].filter((l): l is Location => !!l);
    ctx.report({
      status: vulnerable === undefined ? 'warn' : 'fail',
      cves: ['CVE-2023-48795'],
      message: `${chacha ? 'chacha20-poly1305@openssh.com' : 'EtM MACs with CBC ciphers'} offered on ${buildLabel(ctx.facts)}${vulnerable === undefined ? ' (strict KEX support unknown)' : ' without strict KEX'} (${describeOrigin(ctx, c.origin)})`,
      locations: locs,
      remediation: [
        { kind: 'manual', description: 'upgrade openssh-server to a build with strict KEX', command: 'apt-get update && apt-get install --only-upgrade openssh-server' },
        setFix(ctx, c.origin, 'Ciphers', ciphers.filter((x) => x !== 'chacha20-poly1305@openssh.com' && !x.endsWith('-cbc')).join(',')),
      ],
    });
  },
});
