// host/require-current-openssh: the installed OpenSSH is the newest revision of its distro series
// (judged by the vulnerability data's currency assessment), with the newest upstream release named.
import { defineRule } from '../define-rule.js';
import { buildLabel } from '../build-facts.js';
import { guide } from '../references.js';
import { isMissing } from '../types.js';

export default defineRule({
  meta: {
    id: 'host/require-current-openssh',
    title: 'OpenSSH is up to date',
    severity: 'medium',
    tags: ['version'],
    profile: 'baseline',
    keywords: [],
    references: [guide('Keep SSH up to date')],
    remediable: 'manual',
    docs: {
      what: 'Compares the installed OpenSSH build (the Debian/Ubuntu package revision from the dpkg status file, else `sshd -V`) with the newest revision known for its distribution series, and names the newest upstream release. On a live host it also fails when the running sshd still executes a binary that was replaced on disk (`/proc/PID/exe` ends in " (deleted)": upgraded but not restarted).',
      why: 'Distributions backport security fixes into their revisions; a host that misses an update keeps known holes open. Judging by upstream numbers alone is wrong (9.2p1-2+deb12u3 is fixed for regreSSHion although 9.2 < 9.8).',
      fix: '`apt-get update && apt-get install --only-upgrade openssh-server openssh-client`, then `systemctl reload ssh`.',
      whenNot: 'Hosts pinned to a vetted image; waive with an expiry date.',
    },
  },
  check(ctx) {
    if (isMissing(ctx.facts.openssh)) return ctx.skip(`OpenSSH build unknown: ${ctx.facts.openssh?.missing ?? 'not gathered'}`);
    if (isMissing(ctx.facts.vulns)) return ctx.skip(`no vulnerability data for ${buildLabel(ctx.facts)}: ${ctx.facts.vulns?.missing ?? 'not gathered'}`);
    const v = ctx.facts.vulns;
    if (v.staleDaemon) {
      ctx.report({
        status: 'fail',
        message: `the running sshd (pid ${v.staleDaemon.pid}) still executes ${v.staleDaemon.exe}: the package was upgraded but the daemon not restarted, so the installed fixes do not serve the listener yet`,
        remediation: [{ kind: 'manual', description: 'restart sshd (open sessions stay up)', command: 'systemctl restart ssh' }],
      });
    }
    if (v.lifecycle?.startsWith('end of life')) {
      ctx.report({ status: 'fail', message: `${buildLabel(ctx.facts)}: the distribution release is ${v.lifecycle}`, remediation: [{ kind: 'manual', description: 'upgrade the distribution to a supported release' }] });
    }
    const newest = `newest upstream ${v.newestUpstream.version} (${v.newestUpstream.date})`;
    if (!v.currency) return ctx.skip(`cannot tell whether ${buildLabel(ctx.facts)} is the newest of its series; ${newest}`);
    if (v.currency.current) return v.staleDaemon || v.lifecycle?.startsWith('end of life') ? undefined : ctx.pass(`${v.currency.message}; ${newest}`);
    ctx.report({
      status: 'fail',
      message: `${v.currency.message}; ${newest}`,
      remediation: [{ kind: 'manual', description: 'upgrade the OpenSSH packages', command: 'apt-get update && apt-get install --only-upgrade openssh-server openssh-client' }],
    });
  },
});
