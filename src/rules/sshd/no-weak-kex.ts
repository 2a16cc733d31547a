// sshd/no-weak-kex: no SHA-1 or 1024-bit key exchanges in the effective KexAlgorithms; the
// strict profile also drops NIST curves and the 2048-bit group14.
import { defineRule } from '../define-rule.js';
import { checkAlgorithms } from '../algorithms.js';
import { cis, devsec, man, mozilla } from '../references.js';

export default defineRule({
  meta: {
    id: 'sshd/no-weak-kex',
    title: 'No weak key exchange algorithms are offered',
    severity: 'medium',
    tags: ['crypto'],
    profile: 'baseline',
    keywords: ['KexAlgorithms'],
    references: [...cis('5.1.12'), devsec('sshd-02'), mozilla('KexAlgorithms'), man('KexAlgorithms')],
    options: {
      forbid: { kind: 'string-list', default: ['diffie-hellman-group1-sha1', 'diffie-hellman-group14-sha1', 'diffie-hellman-group-exchange-sha1', 'gss-*-sha1-*'], description: 'patterns of key exchanges that must not be offered' },
    },
    remediable: 'planned',
    docs: {
      what: 'Checks the effective `KexAlgorithms` list against the `forbid` patterns (SHA-1 based exchanges; the strict profile adds the NIST ECDH curves and the 2048-bit `diffie-hellman-group14-sha256`).',
      why: 'SHA-1 exchanges and 1024-bit groups are within reach of well-funded attackers (Logjam); they never appear in OpenSSH\'s defaults and only come back through a config line.',
      fix: 'OpenSSH 9.2: `KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group-exchange-sha256`; 10.x: put `mlkem768x25519-sha256` first.',
      whenNot: 'Old network gear that only speaks group14-sha1: isolate it rather than weakening the server.',
    },
  },
  check(ctx) {
    checkAlgorithms(ctx, 'kexalgorithms', 'KexAlgorithms');
  },
});
