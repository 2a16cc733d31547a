// keys/restrict-ca-key-types: the keys trusted to sign user certificates (TrustedUserCAKeys, and
// cert-authority lines in authorized_keys) are strong: a weak CA key forges a login for every
// account that trusts it. DSA fails (removed from OpenSSH 10.0), RSA under 2048 bits fails and
// under 3072 warns (NIST SP 800-57 Part 1, Table 2: 3072 bits for 128-bit security).
import { defineRule } from '../define-rule.js';
import { man } from '../references.js';
import { isMissing } from '../types.js';

const ADVICE = 'make a new CA with `sshield ca init --type ed25519` and re-sign';

export default defineRule({
  meta: {
    id: 'keys/restrict-ca-key-types',
    title: 'user CA keys are ed25519 or strong RSA',
    severity: 'high',
    tags: ['crypto', 'auth'],
    profile: 'baseline',
    keywords: ['TrustedUserCAKeys', 'AuthorizedKeysFile'],
    options: {
      minRsaBits: { kind: 'integer', default: 2048, min: 1024, description: 'RSA CA keys shorter than this fail' },
      warnRsaBits: { kind: 'integer', default: 3072, min: 1024, description: 'RSA CA keys shorter than this warn' },
    },
    references: [man('TrustedUserCAKeys'), { source: 'NIST SP 800-57 Part 1', item: 'Table 2' }],
    remediable: 'manual',
    docs: {
      what: 'Checks every key in the `TrustedUserCAKeys` file and every `cert-authority` line of the users\' authorized_keys: DSA and RSA under 2048 bits fail, RSA under 3072 bits warns.',
      why: 'A CA key signs logins for every account that trusts it; breaking one weak CA key breaks into all of them at once.',
      fix: 'Create an ed25519 CA (`sshield ca init --dir DIR`), trust it (`sshield ca trust --user-ca DIR/user_ca.pub`), re-issue certificates, then remove the old CA key from the file.',
      whenNot: 'Never for new deployments; during a CA migration, waive with an end date.',
    },
  },
  check(ctx) {
    const min = Number(ctx.options.minRsaBits);
    const warn = Number(ctx.options.warnRsaBits);
    const judge = (family: string, bits: number, what: string, at: { file: string; line: number }) => {
      const remediation = [{ kind: 'manual' as const, description: `replace the CA key ${what}: ${ADVICE}` }];
      if (family === 'dsa') ctx.report({ status: 'fail', message: `${what}: a DSA CA key (removed from OpenSSH 10.0); ${ADVICE}`, locations: [at], remediation });
      else if (family === 'rsa' && bits < min) ctx.report({ status: 'fail', message: `${what}: an RSA CA key of ${bits} bits (under ${min}); ${ADVICE}`, locations: [at], remediation });
      else if (family === 'rsa' && bits < warn) ctx.report({ status: 'warn', severity: 'medium', message: `${what}: an RSA CA key of ${bits} bits (under ${warn})`, locations: [at], remediation });
    };
    const certs = ctx.facts.certificates;
    const keys = ctx.facts.authorizedKeys;
    if (isMissing(certs) && isMissing(keys)) return ctx.skip('neither certificate facts nor authorized keys were gathered');
    let n = 0;
    if (!isMissing(certs) && certs.trustedUserCaKeys) {
      for (const k of certs.trustedUserCaKeys.keys) {
        n++;
        judge(k.family, k.bits, `${certs.trustedUserCaKeys.path}:${k.line}: ${k.type} ${k.fingerprint}`, { file: certs.trustedUserCaKeys.path, line: k.line });
      }
    }
    if (!isMissing(keys)) {
      for (const f of keys.files) {
        for (const k of f.keys) {
          if (!(k.options ?? []).some((o) => o.kind === 'flag' && o.flag === 'cert-authority')) continue;
          n++;
          judge(k.family, k.bits, `${f.user}: ${f.path}:${k.line}: cert-authority ${k.type} ${k.fingerprint}`, { file: f.path, line: k.line });
        }
      }
    }
    ctx.pass(n === 0 ? 'no user CA keys are trusted' : `${n} CA key${n === 1 ? '' : 's'}, all strong`);
  },
});
