// sshd/no-password-auth: nobody may log in with a password. A password is usable when
// PasswordAuthentication is yes, OR when KbdInteractiveAuthentication is yes with UsePAM yes
// (PAM's conversation asks for the Unix password: auth2-pam.c, OpenSSH 9.2p1), in both cases
// unless AuthenticationMethods requires another factor in every list (auth2.c).
import { defineRule } from '../define-rule.js';
import { describeOrigin, locationOf, originKey, setFix, summariseLabels } from '../helpers.js';
import { devsec, guide, man, mozilla } from '../references.js';
import type { Origin } from '../../sshd/evaluate/types.js';
import type { Location, Remediation, SpecEvaluation } from '../types.js';

/** Whether some AuthenticationMethods list can be satisfied by `method` alone (plus other password-like methods). */
export function passwordOnlyListAllows(spec: SpecEvaluation, method: 'password' | 'keyboard-interactive'): boolean {
  const am = spec.config.get('authenticationmethods')?.values.join(' ').trim() ?? 'any';
  if (am === '' || am === 'any') return true;
  return am.split(/\s+/).some((list) => {
    const methods = list.split(',').map((m) => m.split(':')[0]!);
    return methods.includes(method) && methods.every((m) => m === 'password' || m === 'keyboard-interactive');
  });
}

export default defineRule({
  meta: {
    id: 'sshd/no-password-auth',
    title: 'Passwords cannot be used to log in (neither directly nor through PAM)',
    severity: 'high',
    tags: ['auth'],
    profile: 'baseline',
    keywords: ['PasswordAuthentication', 'KbdInteractiveAuthentication', 'UsePAM', 'AuthenticationMethods'],
    references: [guide('Hardening in general: PasswordAuthentication no'), devsec('sshd-27'), mozilla('AuthenticationMethods publickey'), man('PasswordAuthentication')],
    remediable: 'planned',
    docs: {
      what: 'Evaluates, for every identity checked (admin, root, an unknown user, Match block addresses, PVE nodes, SFTP users), whether a password alone can log in: `PasswordAuthentication yes`, or `KbdInteractiveAuthentication yes` together with `UsePAM yes`, unless `AuthenticationMethods` demands a second factor in every list. The location is the directive that wins, e.g. cloud-init\'s `sshd_config.d/50-cloud-init.conf`, which is read before the main file and so beats it.',
      why: 'Password logins are brute-forced around the clock and leaked passwords are reused; keys are not guessable. Setting `PasswordAuthentication no` alone is not enough when PAM answers keyboard-interactive with the Unix password.',
      fix: 'Set `PasswordAuthentication no` and `KbdInteractiveAuthentication no` in the first file sshd reads (a low-numbered drop-in such as `sshd_config.d/00-sshield.conf`), neutralise drop-ins that turn them back on (`ssh_pwauth: false` for cloud-init), and fix Match blocks that re-enable them. Prove a key login works before reloading.',
      whenNot: 'Hosts whose users cannot use keys; then require a second factor (`AuthenticationMethods publickey,password`) and waive with a reason.',
    },
  },
  check(ctx) {
    const groups = new Map<string, { via: string; origins: Origin[]; labels: string[]; fix: Remediation[] }>();
    const add = (s: SpecEvaluation, via: string, origins: Origin[], fix: Remediation[]) => {
      const k = `${via}|${origins.map(originKey).join('|')}`;
      const g = groups.get(k);
      if (g) g.labels.push(s.label);
      else groups.set(k, { via, origins, labels: [s.label], fix });
    };
    for (const s of ctx.specs) {
      const pa = s.config.get('passwordauthentication');
      const kbd = s.config.get('kbdinteractiveauthentication');
      const pam = s.config.get('usepam');
      if (pa?.values[0] === 'yes' && passwordOnlyListAllows(s, 'password')) {
        add(s, 'PasswordAuthentication yes', [pa.origin], [setFix(ctx, pa.origin, 'PasswordAuthentication', 'no')]);
      }
      if (kbd?.values[0] === 'yes' && pam?.values[0] === 'yes' && passwordOnlyListAllows(s, 'keyboard-interactive')) {
        add(s, 'KbdInteractiveAuthentication yes with UsePAM yes (PAM asks for the password)', [kbd.origin, pam.origin], [setFix(ctx, kbd.origin, 'KbdInteractiveAuthentication', 'no')]);
      }
    }
    for (const g of groups.values()) {
      const locations = g.origins.map(locationOf).filter((l): l is Location => l !== undefined);
      ctx.report({
        status: 'fail',
        message: `password login is possible through ${g.via} for ${summariseLabels(g.labels)} (${describeOrigin(ctx, g.origins[0]!)})`,
        identities: [...new Set(g.labels)],
        locations,
        remediation: g.fix,
      });
    }
  },
});
