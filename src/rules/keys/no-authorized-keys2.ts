// keys/no-authorized-keys2: ~/.ssh/authorized_keys2 has been deprecated since OpenSSH 3.0 yet
// Debian's compiled-in AuthorizedKeysFile still names it (sshd -T: "authorizedkeysfile
// .ssh/authorized_keys .ssh/authorized_keys2"), so a key planted there is honoured while admins
// only look at authorized_keys. Fails when a user's effective AuthorizedKeysFile names it and the
// file exists; the remediation merges by hand (never automatic: removing it could cut access).
import { defineRule } from '../define-rule.js';
import { man } from '../references.js';
import { isMissing } from '../types.js';

const isKeys2 = (pattern: string) => /(^|\/)authorized_keys2$/.test(pattern);

export default defineRule({
  meta: {
    id: 'keys/no-authorized-keys2',
    title: 'no account uses the deprecated authorized_keys2 file',
    severity: 'low',
    tags: ['hygiene', 'auth'],
    profile: 'baseline',
    keywords: ['AuthorizedKeysFile'],
    references: [man('AuthorizedKeysFile'), { source: 'OpenSSH 3.0 release notes', item: 'authorized_keys2 deprecated', url: 'https://www.openssh.com/txt/release-3.0' }],
    remediable: 'manual',
    docs: {
      what: 'Fails when a user\'s effective `AuthorizedKeysFile` includes `.ssh/authorized_keys2` (Debian\'s default does) and that user has such a file.',
      why: 'The file is a leftover of SSH protocol 2\'s introduction: few people check it, so keys in it, forgotten or planted, keep granting access unnoticed.',
      fix: 'Move its keys into `.ssh/authorized_keys` (`cat ~U/.ssh/authorized_keys2 >> ~U/.ssh/authorized_keys`, check, then `rm ~U/.ssh/authorized_keys2`), then set `AuthorizedKeysFile .ssh/authorized_keys` in sshd_config.',
      whenNot: 'Never needed by any supported OpenSSH client; keep it only for a migration window.',
    },
  },
  check(ctx) {
    const fact = ctx.facts.authorizedKeys;
    if (isMissing(fact)) return ctx.skip(`authorized keys unknown: ${fact?.missing ?? 'not gathered'}`);
    for (const f of fact.files) {
      if (!isKeys2(f.pattern)) continue;
      const line = f.keys[0]?.line ?? 1;
      const main = f.path.replace(/authorized_keys2$/, 'authorized_keys');
      ctx.report({
        status: 'fail',
        message: `${f.user}: ${f.path}:${line}: the deprecated authorized_keys2 file is in use (${f.keys.length} key${f.keys.length === 1 ? '' : 's'}), named by AuthorizedKeysFile${f.setBy ? ` at ${f.setBy.file}:${f.setBy.line}` : ' (compiled-in default)'}`,
        locations: [{ file: f.path, line }, ...(f.setBy ? [{ file: f.setBy.file, line: f.setBy.line }] : [])],
        remediation: [{ kind: 'manual', description: `move ${f.user}'s keys from ${f.path} into ${main}, remove ${f.path}, then set AuthorizedKeysFile .ssh/authorized_keys`, command: `(echo; cat ${f.path}) >> ${main} && rm ${f.path}` }],
      });
    }
    ctx.pass('no account has an authorized_keys2 file');
  },
});
