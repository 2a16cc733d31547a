// sshd/require-admin-access: everyone who must keep a way in has one now, as sshd decides it
// (the credential model, src/access: the effective configuration per connection, Authentication-
// Methods chains, keys sshd would accept, the account's shell and shadow state, PAM): every
// account that can become root (sudo's grants), root where root may log in, the account running
// the audit, and root from every PVE cluster node. An admin with no working way in (or a PVE
// peer refused) is critical; one the model cannot prove (AuthorizedKeysCommand, an unknown PAM
// module) is a warning that says why.
import { defineRule } from '../define-rule.js';
import { guide, man } from '../references.js';
import { isMissing } from '../types.js';

export default defineRule({
  meta: {
    id: 'sshd/require-admin-access',
    title: 'Every admin (and PVE peer) has a working way in',
    severity: 'critical',
    tags: ['access', 'auth'],
    profile: 'baseline',
    keywords: ['AuthenticationMethods', 'PubkeyAuthentication', 'PasswordAuthentication', 'KbdInteractiveAuthentication', 'AuthorizedKeysFile', 'AllowUsers', 'DenyUsers', 'AllowGroups', 'DenyGroups', 'PermitRootLogin'],
    references: [guide('Hardening - Keys'), man('AuthenticationMethods')],
    remediable: 'manual',
    docs: {
      what: 'Decides, as sshd would, whether each account that must keep a way in has one: members of sudo/wheel/admin and anyone sudoers lets run ALL (where sudo is installed), root where root may log in, the account running the audit, and root from every PVE cluster node. Per account and address (its known addresses, else some address the configuration admits) it evaluates the effective configuration, the AuthenticationMethods chains, the keys sshd would accept (type, size, expiry-time, from=, revocation, StrictModes), passwords (shadow state, PAM), the access lists and the shell. No way in to a shell is critical; a way in that cannot be proven (AuthorizedKeysCommand, an unknown PAM module) is a warning.',
      why: 'An admin without a working way in is locked out the next time they need the server; a PVE node whose peers cannot log in as root breaks migration, replication and consoles.',
      fix: 'Give the account a way in before anything else: `sshield keys add --user USER --key \'ssh-ed25519 ...\'`, or fix what the message names (an expired or revoked key, a key type the config refuses, an access list, the shell).',
      whenNot: 'An account in an admin group that never logs in over SSH (console only): take it out of the group, or waive the finding with a reason.',
    },
  },
  check(ctx) {
    const f = ctx.facts.adminAccess;
    if (isMissing(f)) return ctx.skip(`who must keep a way in is unknown: ${f?.missing ?? 'not gathered'}`);
    if (f.length === 0) return ctx.pass('no account must keep a way in (no admin, root may not log in, not a PVE cluster node)');
    for (const a of f) {
      if (a.verdict === 'works') continue;
      const who = a.peer ? `root from the PVE cluster nodes (${a.why.join('; ')})` : `${a.account} (${a.why.join('; ')})`;
      const where = a.addresses === 'any-admitted' ? 'address unknown, tried every address the configuration admits' : `from ${a.addresses.join(', ')}`;
      ctx.report({
        status: a.verdict === 'none' ? 'fail' : 'warn',
        message: a.verdict === 'none' ? `${who} has no working way in (${where}): ${a.detail}` : `${who}: a way in cannot be proven (${where}): ${a.detail}`,
        remediation: [{ kind: 'manual', description: `give ${a.account} a way in that sshd accepts`, command: `sshield keys add --user ${a.account} --key '<public key>'` }],
      });
    }
  },
});
