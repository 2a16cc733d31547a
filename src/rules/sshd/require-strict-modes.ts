// sshd/require-strict-modes: StrictModes must be yes.
import { defineRule } from '../define-rule.js';
import { checkValue, mustBe } from '../helpers.js';
import { devsec, lynis, man } from '../references.js';

export default defineRule({
  meta: {
    id: 'sshd/require-strict-modes',
    title: 'sshd checks ownership and modes of users\' files',
    severity: 'medium',
    tags: ['hygiene'],
    profile: 'baseline',
    keywords: ['StrictModes'],
    references: [devsec('sshd-11'), lynis(), man('StrictModes')],
    remediable: 'auto',
    docs: {
      what: 'Checks that `StrictModes` is `yes`.',
      why: 'Without it sshd trusts an `authorized_keys` that other users can write, so anyone with write access to a home directory can add a key.',
      fix: 'Set `StrictModes yes` (the default) and fix the modes of `~/.ssh` (0700) and `authorized_keys` (0600).',
      whenNot: 'Never on multi-user hosts.',
    },
  },
  check(ctx) {
    checkValue(ctx, { key: 'strictmodes', keyword: 'StrictModes', judge: mustBe('yes'), fixValue: 'yes' });
  },
});
