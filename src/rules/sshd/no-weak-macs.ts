// sshd/no-weak-macs: no MD5, RIPEMD, truncated SHA-1 or 64-bit-tag MACs in the effective MACs.
import { defineRule } from '../define-rule.js';
import { checkAlgorithms } from '../algorithms.js';
import { cis, devsec, man, mozilla } from '../references.js';

export default defineRule({
  meta: {
    id: 'sshd/no-weak-macs',
    title: 'No weak MACs are offered',
    severity: 'medium',
    tags: ['crypto'],
    profile: 'baseline',
    keywords: ['MACs'],
    references: [...cis('5.1.15', '5.1.16'), devsec('sshd-03'), mozilla('MACs'), man('MACs')],
    options: {
      forbid: { kind: 'string-list', default: ['hmac-md5*', 'hmac-ripemd160*', 'hmac-sha1-96*', 'umac-32*'], description: 'patterns of MACs that must not be offered' },
    },
    remediable: 'planned',
    docs: {
      what: 'Checks the effective `MACs` list against the `forbid` patterns (MD5, RIPEMD-160, truncated SHA-1; the strict profile also removes `umac-64*`, `hmac-sha1*` and the non-EtM variants, as CIS and ssh-audit ask).',
      why: 'Weak or short MACs make forging or replaying packets easier; encrypt-then-MAC variants avoid a class of padding-oracle problems.',
      fix: '`MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,umac-128-etm@openssh.com`.',
      whenNot: 'Clients that only speak non-EtM SHA-2 MACs (old PuTTY/WinSCP): keep `hmac-sha2-256`/`-512` and relax the strict option.',
    },
  },
  check(ctx) {
    checkAlgorithms(ctx, 'macs', 'MACs');
  },
});
