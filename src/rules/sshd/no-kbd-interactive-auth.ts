// sshd/no-kbd-interactive-auth: KbdInteractiveAuthentication (alias ChallengeResponseAuthentication) must be no.
import { defineRule } from '../define-rule.js';
import { checkValue, mustBe } from '../helpers.js';
import { devsec, guide, man, mozilla } from '../references.js';

export default defineRule({
  meta: {
    id: 'sshd/no-kbd-interactive-auth',
    title: 'Keyboard-interactive (challenge-response) authentication is off',
    severity: 'medium',
    tags: ['auth'],
    profile: 'baseline',
    keywords: ['KbdInteractiveAuthentication', 'ChallengeResponseAuthentication'],
    references: [guide('Hardening in general: ChallengeResponseAuthentication no'), devsec('sshd-29'), mozilla('PasswordAuthentication no is not sufficient'), man('KbdInteractiveAuthentication')],
    remediable: 'planned',
    docs: {
      what: 'Checks that `KbdInteractiveAuthentication` (called `ChallengeResponseAuthentication` before OpenSSH 8.7; both names share one setting) is `no` for every identity checked.',
      why: 'With `UsePAM yes` (Debian\'s default) keyboard-interactive asks PAM, and PAM asks for the Unix password: passwords keep working even with `PasswordAuthentication no`.',
      fix: 'Set `KbdInteractiveAuthentication no` (Debian ships this line); remove `yes` in drop-ins and Match blocks.',
      whenNot: 'When PAM drives a second factor (e.g. `AuthenticationMethods publickey,keyboard-interactive:pam` with a TOTP module): then waive this rule and make sure `sshd/no-password-auth` still passes.',
    },
  },
  check(ctx) {
    checkValue(ctx, { key: 'kbdinteractiveauthentication', keyword: 'KbdInteractiveAuthentication', judge: mustBe('no'), fixValue: 'no' });
  },
});
