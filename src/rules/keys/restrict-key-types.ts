// keys/restrict-key-types: every authorized key is of a strong type. DSA fails (OpenSSH 9.2 no
// longer accepts ssh-dss by default and 10.0 removed it), RSA under 2048 bits fails, under 3072
// warns (NIST SP 800-57: 3072 bits for 128-bit security); ed25519 or a FIDO sk-ssh-ed25519 key is
// what the guide asks for. Reads the authorizedKeys fact only (src/keys analysis of the blobs).
import { defineRule } from '../define-rule.js';
import { guide } from '../references.js';
import { isMissing, type AuthorizedKeyFact } from '../types.js';

const ADVICE = 'use ed25519 (ssh-keygen -t ed25519) or a FIDO key (ssh-keygen -t ed25519-sk) instead';

function keyText(k: AuthorizedKeyFact): string {
  return `${k.type} ${k.bits} bits ${k.fingerprint}${k.comment ? ` (${k.comment})` : ''}`;
}

export default defineRule({
  meta: {
    id: 'keys/restrict-key-types',
    title: 'authorized keys are ed25519 or strong RSA',
    severity: 'medium',
    tags: ['crypto', 'auth'],
    profile: 'baseline',
    keywords: ['AuthorizedKeysFile'],
    references: [guide('SSH-keys: use SSH keys (ed25519) certificates and not passwords'), { source: 'NIST SP 800-57 Part 1', item: 'Table 2' }, { source: 'ssh-keygen(1)', item: '-t ed25519 / ed25519-sk', url: 'https://man.openbsd.org/ssh-keygen' }],
    options: {
      minRsaBits: { kind: 'integer', default: 2048, min: 1024, description: 'RSA keys shorter than this fail' },
      warnRsaBits: { kind: 'integer', default: 3072, min: 1024, description: 'RSA keys shorter than this warn' },
    },
    remediable: 'manual',
    docs: {
      what: 'Checks the type and size of every key in every user\'s authorized_keys files (the effective `AuthorizedKeysFile` per user): DSA keys and RSA keys under 2048 bits fail, RSA keys under 3072 bits warn. Certificates are judged by the key they certify.',
      why: 'DSA is limited to 1024 bits and SHA-1 and was removed from OpenSSH 10.0; short RSA moduli are within reach of well-funded attackers. Ed25519 keys are small, fast and have no weak parameter choices; FIDO (sk-) keys also need the hardware token.',
      fix: 'Have the key\'s owner create a new key (`ssh-keygen -t ed25519`, or `-t ed25519-sk` with a token), add it, log in with it, then delete the old line (`sshield keys list --user U` shows file:line and fingerprint).',
      whenNot: 'A legacy client that cannot use ed25519 or RSA >= 3072 (old appliances): raise the options or waive the rule for that account until it is replaced.',
    },
  },
  check(ctx) {
    const fact = ctx.facts.authorizedKeys;
    if (isMissing(fact)) return ctx.skip(`authorized keys unknown: ${fact?.missing ?? 'not gathered'}`);
    const min = Number(ctx.options.minRsaBits);
    const warn = Number(ctx.options.warnRsaBits);
    let n = 0;
    for (const f of fact.files) {
      for (const k of f.keys) {
        n++;
        const at = [{ file: f.path, line: k.line }];
        const remediation = [{ kind: 'manual' as const, description: `replace ${f.user}'s key ${k.fingerprint} (${f.path}:${k.line}): ${ADVICE}`, command: `sshield keys list --user ${f.user}` }];
        if (k.family === 'dsa') ctx.report({ status: 'fail', message: `${f.user}: ${f.path}:${k.line}: DSA key ${keyText(k)}: DSA is broken and removed from OpenSSH 10.0; ${ADVICE}`, locations: at, remediation, severity: 'high' });
        else if (k.family === 'rsa' && k.bits < min) ctx.report({ status: 'fail', message: `${f.user}: ${f.path}:${k.line}: RSA key below ${min} bits: ${keyText(k)}; ${ADVICE}`, locations: at, remediation, severity: 'high' });
        else if (k.family === 'rsa' && k.bits < warn) ctx.report({ status: 'warn', message: `${f.user}: ${f.path}:${k.line}: RSA key below ${warn} bits: ${keyText(k)}; ${ADVICE}`, locations: at, remediation });
      }
    }
    ctx.pass(n === 0 ? 'no authorized keys found' : `${n} authorized key${n === 1 ? '' : 's'}, all of strong types`);
  },
});
