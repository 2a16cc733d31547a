// keys/no-expired-certificates: certificates written into authorized_keys files whose validity has
// ended. sshd never accepts such a line (a certificate is matched only through a cert-authority
// line, and an expired one never: auth2-pubkey.c, sshkey_cert_check_authority), so it is dead
// weight that misleads whoever reads the file ("alice still has access") and hides the key that
// really works. Judged at the time the facts were gathered.
import { defineRule } from '../define-rule.js';
import { man } from '../references.js';
import { isMissing } from '../types.js';

export default defineRule({
  meta: {
    id: 'keys/no-expired-certificates',
    title: 'no expired certificates in authorized_keys files',
    severity: 'low',
    tags: ['hygiene', 'auth'],
    profile: 'baseline',
    keywords: ['AuthorizedKeysFile'],
    references: [{ source: 'ssh-keygen(1)', item: 'CERTIFICATES: validity interval', url: 'https://man.openbsd.org/ssh-keygen#CERTIFICATES' }, man('TrustedUserCAKeys')],
    remediable: 'manual',
    docs: {
      what: 'Reports every certificate line (`*-cert-v01@openssh.com`) in users\' effective authorized_keys files whose validity ended before the audit ran.',
      why: 'An expired certificate never logs anyone in, yet it reads like access: it misleads reviews and hides which keys really work. Certificates belong with the client (`KEY-cert.pub`), with the CA trusted server-side.',
      fix: 'Delete the line (`sshield keys list --user U` shows file:line), and trust the CA instead with `sshield ca trust` so fresh certificates need no file edits.',
      whenNot: 'Never useful; harmless to sshd.',
    },
  },
  check(ctx) {
    const fact = ctx.facts.authorizedKeys;
    if (isMissing(fact)) return ctx.skip(`authorized keys unknown: ${fact?.missing ?? 'not gathered'}`);
    const certs = ctx.facts.certificates;
    if (isMissing(certs)) return ctx.skip(`the time of the audit is unknown: ${certs?.missing ?? 'not gathered'}`);
    let n = 0;
    for (const f of fact.files) {
      for (const k of f.keys) {
        if (!k.certificate) continue;
        n++;
        if (k.certValidBefore === undefined || k.certValidBefore > certs.nowSeconds) continue;
        const ended = new Date(k.certValidBefore * 1000).toISOString().replace('.000Z', 'Z');
        ctx.report({
          status: 'fail',
          message: `${f.user}: ${f.path}:${k.line}: certificate ${k.type} ${k.fingerprint} expired ${ended}: it logs nobody in`,
          locations: [{ file: f.path, line: k.line }],
          remediation: [{ kind: 'manual', description: `delete ${f.path}:${k.line}`, command: `sshield keys list --user ${f.user}` }],
        });
      }
    }
    ctx.pass(n === 0 ? 'no certificates in authorized_keys files' : `${n} certificate${n === 1 ? '' : 's'}, none expired`);
  },
});
