// keys/no-duplicate-keys: one key (by SHA256 fingerprint of the plain key, certificates by the key
// they certify) authorized for several accounts means one person or machine holds all of them and
// the logs cannot tell who did what. cert-authority lines are excluded: trusting one CA in several
// accounts is the intended use (principals decide who is who).
import { defineRule } from '../define-rule.js';
import { isMissing, type Location } from '../types.js';

export default defineRule({
  meta: {
    id: 'keys/no-duplicate-keys',
    title: 'no key is authorized for several accounts',
    severity: 'medium',
    tags: ['hygiene', 'access'],
    profile: 'strict',
    keywords: ['AuthorizedKeysFile'],
    references: [{ source: 'NIST IR 7966', item: 'Security of Interactive and Automated Access Management Using SSH' }, { source: 'sshd(8)', item: 'AUTHORIZED_KEYS FILE FORMAT', url: 'https://man.openbsd.org/sshd#AUTHORIZED_KEYS_FILE_FORMAT' }],
    remediable: 'manual',
    docs: {
      what: 'Groups every authorized key of every account by its SHA256 fingerprint and reports a key that appears in more than one account (cert-authority lines excepted).',
      why: 'A shared key defeats accountability (the log shows the account, not the person) and widens the damage of one stolen key to every account that trusts it; often it is a root key copied into a user account or the reverse.',
      fix: 'Give each person and each automated job its own key: create a new key for the second account, install it, then delete the copied line (`sshield keys list` shows file:line and fingerprint).',
      whenNot: 'One administrator deliberately using the same key for their own account and a break-glass account: waive the rule for that fingerprint\'s accounts.',
    },
  },
  check(ctx) {
    const fact = ctx.facts.authorizedKeys;
    if (isMissing(fact)) return ctx.skip(`authorized keys unknown: ${fact?.missing ?? 'not gathered'}`);
    const byFp = new Map<string, { users: Set<string>; at: Location[]; type: string }>();
    for (const f of fact.files) {
      for (const k of f.keys) {
        if (k.options?.some((o) => o.kind === 'flag' && o.flag === 'cert-authority')) continue;
        let e = byFp.get(k.fingerprint);
        if (!e) byFp.set(k.fingerprint, (e = { users: new Set(), at: [], type: k.type }));
        e.users.add(f.user);
        e.at.push({ file: f.path, line: k.line });
      }
    }
    for (const [fp, e] of byFp) {
      if (e.users.size < 2) continue;
      const users = [...e.users];
      ctx.report({
        status: 'fail',
        message: `${e.type} key ${fp} is authorized for ${users.length} accounts (${users.join(', ')}): ${e.at.map((l) => `${l.file}:${l.line}`).join(', ')}`,
        locations: e.at,
        remediation: [{ kind: 'manual', description: `give each of ${users.join(', ')} its own key and remove the shared one ${fp} from all but one`, command: `sshield keys list --json` }],
      });
    }
    ctx.pass(byFp.size === 0 ? 'no authorized keys found' : `${byFp.size} distinct key${byFp.size === 1 ? '' : 's'}, none shared between accounts`);
  },
});
