// sshd/require-principals-control: a user CA trusted with TrustedUserCAKeys but no
// AuthorizedPrincipalsFile or AuthorizedPrincipalsCommand. sshd_config(5) (OpenSSH 9.2p1): then
// "the username of the user must appear in a certificate's principals list for it to be
// accepted", so whoever can get a certificate naming "root" (or any account) from that CA logs in
// as it, and which accounts the CA may reach is decided on the CA machine, not on the server.
// Worse where root may log in with a key (PermitRootLogin other than no): high.
import { defineRule } from '../define-rule.js';
import { guide, man } from '../references.js';
import { isMissing } from '../types.js';

export default defineRule({
  meta: {
    id: 'sshd/require-principals-control',
    title: 'a trusted user CA has per-account principals files',
    severity: 'medium',
    tags: ['auth', 'access'],
    profile: 'baseline',
    keywords: ['TrustedUserCAKeys', 'AuthorizedPrincipalsFile', 'AuthorizedPrincipalsCommand', 'PermitRootLogin'],
    references: [man('TrustedUserCAKeys'), man('AuthorizedPrincipalsFile'), guide('SSH-keys: use SSH keys (ed25519) certificates and not passwords')],
    remediable: 'manual',
    docs: {
      what: 'Fails when `TrustedUserCAKeys` is set while neither `AuthorizedPrincipalsFile` nor `AuthorizedPrincipalsCommand` is: sshd then accepts any certificate from the CA whose principals include the account name. High when root may log in with a key.',
      why: 'Without principals files the server delegates "who may log in as whom" entirely to whoever signs certificates: one certificate with principal `root` opens every server that trusts the CA. Per-account principals files (root only when asked) keep that decision on each server.',
      fix: 'Run `sshield ca trust --user-ca CA.pub --principals USER:PRINCIPAL ...`: it sets `AuthorizedPrincipalsFile /etc/ssh/auth_principals/%u` and writes one root-owned file per account you name (refused when certificates in use today would lose access, unless `--allow-principals-change`).',
      whenNot: 'A CA whose signing policy already maps one principal per account and is itself audited (e.g. an identity provider issuing certificates with the login name only), where per-server files would only repeat it.',
    },
  },
  check(ctx) {
    const f = ctx.facts.certificates;
    if (isMissing(f)) return ctx.skip(`certificate facts unknown: ${f?.missing ?? 'not gathered'}`);
    const ca = f.trustedUserCaKeys;
    if (!ca) return ctx.pass('no user CA is trusted (TrustedUserCAKeys none)');
    if (f.principalsFile || f.principalsCommand) return ctx.pass(`principals are controlled per account (${f.principalsFile ? `AuthorizedPrincipalsFile ${f.principalsFile}` : `AuthorizedPrincipalsCommand ${f.principalsCommand}`})`);
    const rootByKey = f.permitRootLogin !== 'no';
    ctx.report({
      status: 'fail',
      message: `TrustedUserCAKeys ${ca.path} is trusted without AuthorizedPrincipalsFile: any certificate from ${ca.keys.length === 1 ? 'that CA' : 'those CAs'} naming an account as principal logs in as it${rootByKey ? `, root included (PermitRootLogin ${f.permitRootLogin})` : ''}`,
      ...(rootByKey ? { severity: 'high' as const } : {}),
      locations: ca.setBy ? [ca.setBy] : [{ file: ctx.mainConfig, line: 1 }],
      remediation: [{ kind: 'manual', description: 'name which principals may log in as which account, one root-owned file per account', command: `sshield ca trust --user-ca ${ca.path} --principals USER:PRINCIPAL --dry-run` }],
    });
  },
});
