// sshd/no-weak-hostkey-algorithms: no SHA-1 RSA (ssh-rsa) or DSA host key signatures.
import { defineRule } from '../define-rule.js';
import { checkAlgorithms } from '../algorithms.js';
import { man } from '../references.js';

export default defineRule({
  meta: {
    id: 'sshd/no-weak-hostkey-algorithms',
    title: 'No weak host key signature algorithms are offered',
    severity: 'medium',
    tags: ['crypto'],
    profile: 'baseline',
    keywords: ['HostKeyAlgorithms'],
    references: [man('HostKeyAlgorithms'), { source: 'ssh-audit', item: 'ssh-rsa (SHA-1)' }],
    options: {
      forbid: { kind: 'string-list', default: ['ssh-dss', 'ssh-dss-cert-v01@openssh.com', 'ssh-rsa', 'ssh-rsa-cert-v01@openssh.com'], description: 'patterns of host key algorithms that must not be offered' },
    },
    remediable: 'planned',
    docs: {
      what: 'Checks the effective `HostKeyAlgorithms` against the `forbid` patterns: `ssh-rsa` (RSA with SHA-1 signatures) and DSA; the strict profile also removes ECDSA.',
      why: 'SHA-1 signatures allow chosen-prefix collisions (SHA-1 is a Shambles); OpenSSH disabled `ssh-rsa` by default in 8.8. `rsa-sha2-256/512` use the same RSA key safely.',
      fix: 'Remove the line that re-adds `ssh-rsa`, or set `HostKeyAlgorithms ssh-ed25519,rsa-sha2-512,rsa-sha2-256` plus the cert variants, keeping only types for which a host key exists (PVE pins the RSA key: keep `rsa-sha2-*`).',
      whenNot: 'Clients older than OpenSSH 7.2 that cannot verify rsa-sha2 signatures.',
    },
  },
  check(ctx) {
    checkAlgorithms(ctx, 'hostkeyalgorithms', 'HostKeyAlgorithms');
  },
});
