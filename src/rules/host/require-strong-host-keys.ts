// host/require-strong-host-keys: the host keys sshd loads are of strong types and sizes: no DSA,
// RSA at least `minRsaBits` (3072), ECDSA flagged in strict. On PVE the RSA key is pinned by the
// cluster (pve-cluster ssh_create_node_known_hosts): regenerate only with `pvecm updatecerts`.
import { defineRule } from '../define-rule.js';
import { cis, devsec, mozilla } from '../references.js';
import { isMissing } from '../types.js';

export default defineRule({
  meta: {
    id: 'host/require-strong-host-keys',
    title: 'Host keys are of strong types and sizes',
    severity: 'medium',
    tags: ['crypto'],
    profile: 'baseline',
    keywords: ['HostKey'],
    references: [devsec('sshd-14'), devsec('sshd-50'), mozilla('HostKey'), ...cis('5.1.2')],
    options: {
      minRsaBits: { kind: 'integer', default: 3072, min: 1024, max: 16384, description: 'smallest acceptable RSA host key' },
      allowEcdsa: { kind: 'boolean', default: true, description: 'accept ECDSA host keys (strict: no)' },
    },
    remediable: 'manual',
    docs: {
      what: 'For each `HostKey` sshd loads, reads the key type and size: DSA fails, RSA below `minRsaBits` (3072) fails, ECDSA fails only when `allowEcdsa` is off (strict). A HostKey file that is missing is reported too.',
      why: 'The host key is what clients trust; a weak one can be forged by a well-funded attacker, letting them impersonate the server.',
      fix: 'Generate an ed25519 key (`ssh-keygen -t ed25519 -f /etc/ssh/ssh_host_ed25519_key -N ""`) and an RSA key of 4096 bits, then update clients\' known_hosts. On PVE run `pvecm updatecerts` afterwards.',
      whenNot: 'Replacing a host key changes what every client has pinned: plan it.',
    },
  },
  check(ctx) {
    if (isMissing(ctx.facts.hostKeys)) return ctx.skip(`host keys unknown: ${ctx.facts.hostKeys?.missing ?? 'not gathered'}`);
    // No key read at all (an empty root, unreadable files): nothing was judged, so nothing passes.
    if (ctx.facts.hostKeys.length === 0) return ctx.skip('no host key could be read (the HostKey files are missing or unreadable)');
    const min = ctx.options.minRsaBits as number;
    const allowEcdsa = ctx.options.allowEcdsa as boolean;
    const configured = ctx.specs[0]?.config.get('hostkey')?.values ?? [];
    for (const k of ctx.facts.hostKeys) {
      if (configured.length > 0 && !configured.includes(k.path)) continue;
      const pvePin = ctx.facts.pve && k.type === 'rsa' ? ' (PVE pins this key: run pvecm updatecerts after replacing it)' : '';
      if (k.type === 'dsa') ctx.report({ status: 'fail', message: `${k.path}: DSA host key`, remediation: [{ kind: 'manual', description: `remove the HostKey ${k.path}` }] });
      else if (k.type === 'rsa' && k.bits !== undefined && k.bits < min)
        ctx.report({ status: 'fail', message: `${k.path}: RSA host key of ${k.bits} bits, below ${min}${pvePin}`, remediation: [{ kind: 'manual', description: `regenerate ${k.path} with 4096 bits${pvePin}`, command: `ssh-keygen -q -t rsa -b 4096 -N '' -f ${k.path}` }] });
      else if (k.type === 'ecdsa' && !allowEcdsa) ctx.report({ status: 'fail', message: `${k.path}: ECDSA host key (NIST curve)`, remediation: [{ kind: 'manual', description: `stop loading ${k.path}` }] });
    }
    for (const p of configured) {
      if (!ctx.facts.hostKeys.some((k) => k.path === p)) ctx.report({ status: 'warn', message: `HostKey ${p} is configured but could not be read`, remediation: [{ kind: 'manual', description: `create ${p} or remove the HostKey line` }] });
    }
  },
});
