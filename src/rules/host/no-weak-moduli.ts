// host/no-weak-moduli: when a group-exchange KEX is offered, the moduli file sshd uses must hold
// no group below `minBits` (field 5 of /etc/ssh/moduli is the size minus one).
import { defineRule } from '../define-rule.js';
import { devsec, mozilla } from '../references.js';
import { isMissing } from '../types.js';

export default defineRule({
  meta: {
    id: 'host/no-weak-moduli',
    title: 'No Diffie-Hellman group-exchange moduli below 3072 bits',
    severity: 'low',
    tags: ['crypto'],
    profile: 'strict',
    keywords: ['KexAlgorithms', 'ModuliFile'],
    references: [devsec('sshd-48'), mozilla('moduli >= 3071'), { source: 'ssh-audit', item: 'Debian 12 guide: moduli' }],
    options: { minBits: { kind: 'integer', default: 3072, min: 1024, max: 8192, description: 'smallest acceptable group size in bits' } },
    remediable: 'planned',
    docs: {
      what: 'If the effective `KexAlgorithms` offers `diffie-hellman-group-exchange-*`, checks that the moduli file (`ModuliFile`, default `/etc/ssh/moduli`) has no group smaller than `minBits` (3072).',
      why: 'Group exchange may pick a 2048-bit group; 3072 bits matches the strength of the rest of a modern configuration.',
      fix: '`sshield harden --profile strict` writes the groups of 3072 bits and more to `moduli.safe` beside the moduli file (through the writer: backed up, atomic, undone by `sshield restore`) and sets `ModuliFile` to it, so sshd uses it; the conffile itself is not edited (that causes upgrade prompts). By hand: `awk \'$5 >= 3071\' /etc/ssh/moduli > /etc/ssh/moduli.safe` plus `ModuliFile /etc/ssh/moduli.safe`. Or drop group exchange from KexAlgorithms.',
      whenNot: 'Hosts that do not offer group exchange pass automatically.',
    },
  },
  check(ctx) {
    const kex = ctx.specs[0]?.config.get('kexalgorithms')?.values.join(',') ?? '';
    if (!kex.includes('diffie-hellman-group-exchange')) return ctx.pass('no Diffie-Hellman group exchange offered');
    if (isMissing(ctx.facts.moduli)) return ctx.skip(`moduli file unknown: ${ctx.facts.moduli?.missing ?? 'not gathered'}`);
    const m = ctx.facts.moduli;
    const min = ctx.options.minBits as number;
    if (m.minBits >= min) return ctx.pass(`${m.path}: smallest group ${m.minBits} bits`);
    const safe = `${m.path.slice(0, m.path.lastIndexOf('/')) || ''}/moduli.safe`;
    ctx.report({
      status: 'fail',
      message: `${m.path} holds ${m.weakCount} of ${m.total} groups below ${min} bits (smallest ${m.minBits})`,
      locations: [{ file: m.path, line: 0 }],
      remediation: [
        { kind: 'filter-moduli', from: m.path, to: safe, minBits: min, description: `write the groups of ${min} bits and more to ${safe}` },
        { kind: 'set', keyword: 'ModuliFile', value: safe, scope: 'global', description: `make sshd use ${safe}` },
      ],
    });
  },
});
