// Renders a rule's documentation page (docs/rules/<domain>-<name>.md) from its metadata, the
// single source: what, why, how to fix, when not to, options, keywords, references, profiles.
import type { Rule } from './types.js';

export function docPath(id: string): string {
  return `docs/rules/${id.replace('/', '-')}.md`;
}

export function renderRuleDoc(rule: Rule, profiles: readonly string[]): string {
  const m = rule.meta;
  const out: string[] = [];
  out.push(`# ${m.id}`, '', `**${m.title}**`, '');
  out.push(`- Severity: ${m.severity}`, `- Tags: ${m.tags.join(', ')}`, `- Profiles: ${profiles.join(', ') || '(none: enable it in a policy file)'}`);
  if (m.keywords.length) out.push(`- Keywords read: ${m.keywords.map((k) => `\`${k}\``).join(', ')}`);
  out.push(`- Remediation: ${m.remediable}`, '');
  out.push('## What it checks', '', m.docs.what, '', '## Why', '', m.docs.why, '', '## How to fix', '', m.docs.fix, '', '## When not to use it', '', m.docs.whenNot, '');
  const opts = Object.entries(m.options ?? {});
  if (opts.length) {
    out.push('## Options', '', '| Option | Type | Default | Meaning |', '|---|---|---|---|');
    for (const [k, o] of opts) out.push(`| \`${k}\` | ${o.kind} | \`${JSON.stringify(o.default)}\` | ${o.description} |`);
    out.push('');
  }
  out.push('## References', '');
  for (const r of m.references) out.push(`- ${r.source}: ${r.url ? `[${r.item}](${r.url})` : r.item}`);
  return `${out.join('\n')}\n`;
}
