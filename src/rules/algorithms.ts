// Shared check for algorithm-list rules (Ciphers, KexAlgorithms, MACs, HostKeyAlgorithms): the
// effective list (already expanded from +/-/^ against the build's defaults by the evaluator, as
// `sshd -T` prints it) must contain no name matching a forbidden pattern. Pure.
import { describeOrigin, locationOf, setFix } from './helpers.js';
import { matchPattern } from './patterns.js';
import type { RuleContext } from './types.js';

export function checkAlgorithms(ctx: RuleContext, key: string, keyword: string): void {
  const forbid = ctx.options.forbid as readonly string[];
  const s = ctx.specs[0];
  const e = s?.config.get(key);
  if (!s || !e) return ctx.skip(`${keyword} is not in the effective configuration`);
  const list = e.values.join(',').split(',').map((x) => x.trim()).filter(Boolean);
  const bad = list.filter((a) => forbid.some((p) => matchPattern(a, p)));
  if (bad.length === 0) return ctx.pass(`${keyword} offers no forbidden algorithm (${list.length} offered)`);
  const keep = list.filter((a) => !bad.includes(a));
  const loc = locationOf(e.origin);
  ctx.report({
    status: 'fail',
    message: `${keyword} offers ${bad.join(', ')} (${describeOrigin(ctx, e.origin)})`,
    ...(loc ? { locations: [loc] } : {}),
    remediation: keep.length > 0 ? [setFix(ctx, e.origin, keyword, keep.join(','), 'keep only the acceptable algorithms, in the same order')] : [{ kind: 'manual', description: `choose acceptable ${keyword}` }],
  });
}
