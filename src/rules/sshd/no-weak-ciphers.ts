// sshd/no-weak-ciphers: no CBC, 3DES, arcfour or blowfish ciphers in the effective Ciphers.
import { defineRule } from '../define-rule.js';
import { checkAlgorithms } from '../algorithms.js';
import { cis, devsec, man, mozilla } from '../references.js';

export default defineRule({
  meta: {
    id: 'sshd/no-weak-ciphers',
    title: 'No weak ciphers are offered',
    severity: 'medium',
    tags: ['crypto'],
    profile: 'baseline',
    keywords: ['Ciphers'],
    references: [...cis('5.1.6'), devsec('sshd-01'), mozilla('Ciphers'), man('Ciphers')],
    options: {
      forbid: { kind: 'string-list', default: ['3des-cbc', '*-cbc', 'arcfour*', 'rijndael-cbc@lysator.liu.se', 'blowfish-*', 'cast128-*'], description: 'patterns of ciphers that must not be offered' },
    },
    remediable: 'planned',
    docs: {
      what: 'Checks the effective `Ciphers` list (after `+`/`-`/`^` expansion against the build\'s defaults) against the `forbid` patterns: CBC modes, 3DES, arcfour, blowfish, cast128.',
      why: 'CBC modes leak plaintext bits (CVE-2008-5161) and enable the Terrapin EtM variant; 3DES and arcfour are broken. OpenSSH\'s defaults contain none of them; they appear only when a config adds them.',
      fix: 'Remove the `Ciphers` line that adds them, or set `Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr`.',
      whenNot: 'Only to talk to ancient embedded clients; then restrict that exception to their address with Match (Ciphers cannot be set in Match: use a separate sshd instance).',
    },
  },
  check(ctx) {
    checkAlgorithms(ctx, 'ciphers', 'Ciphers');
  },
});
