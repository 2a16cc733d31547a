// sshd/require-readable-revoked-keys: RevokedKeys names a file sshd can read. sshd_config(5)
// (OpenSSH 9.2p1): "If this file is not readable, then public key authentication will be refused
// for all users" (auth.c auth_key_is_revoked treats every error as revoked): a missing KRL after
// a botched copy locks out every key and certificate at once. A KRL this host cannot read
// (offline root) is a warning: ssh-keygen on the host itself must check it.
import { defineRule } from '../define-rule.js';
import { man } from '../references.js';
import { isMissing } from '../types.js';

export default defineRule({
  meta: {
    id: 'sshd/require-readable-revoked-keys',
    title: 'the RevokedKeys file exists and can be read',
    severity: 'critical',
    tags: ['auth', 'access'],
    profile: 'baseline',
    keywords: ['RevokedKeys'],
    references: [man('RevokedKeys'), { source: 'ssh-keygen(1)', item: 'KEY REVOCATION LISTS', url: 'https://man.openbsd.org/ssh-keygen#KEY_REVOCATION_LISTS' }],
    remediable: 'manual',
    docs: {
      what: 'When `RevokedKeys` is set, checks that the file exists, is readable and, for a KRL, that `ssh-keygen -Q -l -f FILE` reads it. Fails when it is missing or unreadable; warns when it is a KRL this host cannot check (an offline root).',
      why: 'sshd refuses public key authentication for every user when the revocation file cannot be read: a deleted or mistyped KRL locks out every key and certificate, admins included, and passwords may be the only way left in.',
      fix: 'Put the list back (`sshield ca trust --user-ca CA.pub --revoked revoked_keys.krl` installs it and checks it with ssh-keygen first), or remove the `RevokedKeys` line if nothing is revoked.',
      whenNot: 'Never: an unreadable RevokedKeys is never intended.',
    },
  },
  check(ctx) {
    const f = ctx.facts.certificates;
    if (isMissing(f)) return ctx.skip(`certificate facts unknown: ${f?.missing ?? 'not gathered'}`);
    const rk = f.revokedKeys;
    if (!rk) return ctx.pass('RevokedKeys is not set');
    const at = rk.setBy ? [rk.setBy] : [{ file: ctx.mainConfig, line: 1 }];
    const r = rk.fact;
    if (r.kind === 'error') {
      ctx.report({ status: 'fail', message: `RevokedKeys ${r.path} cannot be read (${r.reason}): sshd refuses public key authentication for every user`, locations: at, remediation: [{ kind: 'manual', description: `restore ${r.path} (a KRL from \`sshield ca revoke\` or a list of public keys) or remove the RevokedKeys line` }] });
      return;
    }
    if (r.kind === 'krl-unknown') {
      ctx.report({ status: 'warn', severity: 'medium', message: `RevokedKeys ${r.path} is a KRL that could not be checked here (${r.reason})`, locations: at, remediation: [{ kind: 'manual', description: 'check it on the host', command: `ssh-keygen -Q -l -f ${r.path}` }] });
      return;
    }
    ctx.pass(`RevokedKeys ${r.path} is readable (${r.kind === 'krl' ? 'a KRL ssh-keygen reads' : 'a list of keys'})`);
  },
});
