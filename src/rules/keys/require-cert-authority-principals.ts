// keys/require-cert-authority-principals: a `cert-authority` line in authorized_keys carries
// `principals=`. sshd(8) AUTHORIZED_KEYS FILE FORMAT (OpenSSH 9.2p1): cert-authority "Specifies
// that the listed key is a certification authority (CA) that is trusted to validate signed
// certificates for user authentication"; principals= lists the principals accepted; without it
// the certificate must name the account itself, so the CA alone decides who gets in as this
// account (any certificate it issues for that name, for whatever purpose).
import { defineRule } from '../define-rule.js';
import { man } from '../references.js';
import { isMissing } from '../types.js';

export default defineRule({
  meta: {
    id: 'keys/require-cert-authority-principals',
    title: 'cert-authority lines in authorized_keys name their principals',
    severity: 'medium',
    tags: ['auth', 'access'],
    profile: 'baseline',
    keywords: ['AuthorizedKeysFile'],
    references: [{ source: 'sshd(8)', item: 'AUTHORIZED_KEYS FILE FORMAT: cert-authority, principals=', url: 'https://man.openbsd.org/sshd#AUTHORIZED_KEYS_FILE_FORMAT' }, man('TrustedUserCAKeys')],
    remediable: 'manual',
    docs: {
      what: 'Fails for every `cert-authority` key line (in any user\'s effective authorized_keys files) without a `principals="..."` option.',
      why: 'Without `principals=`, every certificate the CA ever signs for the account\'s name is accepted, whatever it was issued for. Naming the principals keeps "which certificates open this account" in the account\'s own file.',
      fix: 'Add the principals the account accepts: `cert-authority,principals="alice,ops" ssh-ed25519 AAAA...`, or trust the CA server-wide with `sshield ca trust` (per-account principals files).',
      whenNot: 'A CA that issues certificates only for this account\'s name and nothing else.',
    },
  },
  check(ctx) {
    const fact = ctx.facts.authorizedKeys;
    if (isMissing(fact)) return ctx.skip(`authorized keys unknown: ${fact?.missing ?? 'not gathered'}`);
    let n = 0;
    for (const f of fact.files) {
      for (const k of f.keys) {
        const opts = k.options ?? [];
        if (!opts.some((o) => o.kind === 'flag' && o.flag === 'cert-authority')) continue;
        n++;
        if (opts.some((o) => o.kind === 'value' && o.name === 'principals')) continue;
        ctx.report({
          status: 'fail',
          message: `${f.user}: ${f.path}:${k.line}: cert-authority ${k.type} ${k.fingerprint} without principals=: any certificate it signs naming "${f.user}" logs in`,
          locations: [{ file: f.path, line: k.line }],
          remediation: [{ kind: 'manual', description: `add principals="..." to the cert-authority line ${f.path}:${k.line}` }],
        });
      }
    }
    ctx.pass(n === 0 ? 'no cert-authority lines' : `${n} cert-authority line${n === 1 ? '' : 's'}, each with principals=`);
  },
});
