// sshd/limit-login-grace-time: version-aware. On a build vulnerable to CVE-2024-6387
// (regreSSHion: upstream 8.5p1..9.7p1, not distro-patched; Debian 12 fixed in 1:9.2p1-2+deb12u3)
// LoginGraceTime 0 is the mitigation. On a patched build 0 means "no timeout", which lets idle
// unauthenticated connections hold every MaxStartups slot, so min..max (20..30 s) is right.
import { defineRule } from '../define-rule.js';
import { buildLabel, isVulnerable } from '../build-facts.js';
import { describeOrigin, locationOf, parseSeconds, setFix } from '../helpers.js';
import { cis, cve, devsec, guide, lynis, man } from '../references.js';

export default defineRule({
  meta: {
    id: 'sshd/limit-login-grace-time',
    title: 'Unauthenticated connections time out (0 only on builds vulnerable to regreSSHion)',
    severity: 'medium',
    tags: ['limits'],
    profile: 'baseline',
    keywords: ['LoginGraceTime'],
    references: [guide('Hardening in general: LoginGraceTime 0 / 20'), ...cis('5.1.13', '5.1.14'), devsec('sshd-18'), lynis(), man('LoginGraceTime'), cve('CVE-2024-6387')],
    options: {
      min: { kind: 'integer', default: 20, min: 1, max: 600, description: 'lowest acceptable seconds on a patched build' },
      max: { kind: 'integer', default: 30, min: 1, max: 600, description: 'highest acceptable seconds on a patched build' },
    },
    remediable: 'auto',
    docs: {
      what: 'On a build vulnerable to CVE-2024-6387 (upstream 8.5p1 to 9.7p1 without the distro fix; Debian 12 is fixed from 1:9.2p1-2+deb12u3) checks that `LoginGraceTime` is `0`. On every other build checks that it lies between `min` and `max` seconds (default 20..30) and reports `0` as a finding.',
      why: 'regreSSHion is a race in the grace-time alarm handler that gives remote root; `0` removes the alarm. But `0` also means unauthenticated connections never time out, so a few idle connections fill `MaxStartups` and lock the admin out. Once patched, a short timeout is right.',
      fix: 'Patched build: `LoginGraceTime 30`. Vulnerable build: upgrade openssh-server (then set 30); until then `LoginGraceTime 0`.',
      whenNot: 'Users on very slow links or with interactive second factors may need up to 60 seconds: raise `max`.',
    },
  },
  check(ctx) {
    const s = ctx.specs[0];
    const e = s?.config.get('logingracetime');
    if (!s || !e) return ctx.skip('LoginGraceTime not in the effective configuration');
    const secs = parseSeconds(e.values[0]);
    if (secs === undefined) return ctx.skip(`cannot read LoginGraceTime value "${e.values[0]}"`);
    const min = ctx.options.min as number;
    const max = ctx.options.max as number;
    const vulnerable = isVulnerable(ctx.facts, 'CVE-2024-6387', { introduced: '8.5p1', fixed: '9.8p1' });
    const loc = locationOf(e.origin);
    const where = describeOrigin(ctx, e.origin);
    const base = { ...(loc ? { locations: [loc] } : {}) };
    if (vulnerable === true) {
      if (secs === 0) return ctx.pass(`LoginGraceTime 0 mitigates CVE-2024-6387 on ${buildLabel(ctx.facts)}; upgrade, then set ${max}`);
      return ctx.report({
        status: 'fail',
        severity: 'high',
        cves: ['CVE-2024-6387'],
        message: `LoginGraceTime ${secs} on ${buildLabel(ctx.facts)}, which is vulnerable to CVE-2024-6387 (regreSSHion): upgrade openssh-server, or set 0 until you can (${where})`,
        ...base,
        remediation: [
          { kind: 'manual', description: 'upgrade openssh-server to a fixed revision', command: 'apt-get update && apt-get install --only-upgrade openssh-server' },
          setFix(ctx, e.origin, 'LoginGraceTime', '0', 'temporary mitigation until upgraded'),
        ],
      });
    }
    const known = vulnerable === false ? ` on ${buildLabel(ctx.facts)} (not vulnerable to CVE-2024-6387)` : ' (OpenSSH build unknown)';
    if (secs === 0) {
      return ctx.report({
        status: vulnerable === false ? 'fail' : 'warn',
        message: `LoginGraceTime 0 disables the timeout${known}: idle unauthenticated connections can exhaust MaxStartups (${where})`,
        ...base,
        remediation: [setFix(ctx, e.origin, 'LoginGraceTime', String(max))],
      });
    }
    if (secs > max) {
      return ctx.report({ status: 'fail', message: `LoginGraceTime is ${secs}s, should be at most ${max}s (${where})`, ...base, remediation: [setFix(ctx, e.origin, 'LoginGraceTime', String(max))] });
    }
    if (secs < min) {
      return ctx.report({ status: 'warn', message: `LoginGraceTime is ${secs}s, below ${min}s: slow logins may be cut off (${where})`, ...base, remediation: [setFix(ctx, e.origin, 'LoginGraceTime', String(min))] });
    }
  },
});
