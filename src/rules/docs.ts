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
  out.push(...docSections(m.docs));
  const opts = Object.entries(m.options ?? {});
  if (opts.length) {
    out.push('## Options', '', '| Option | Type | Default | Meaning |', '|---|---|---|---|');
    for (const [k, o] of opts) out.push(`| \`${k}\` | ${o.kind} | \`${JSON.stringify(o.default)}\` | ${o.description} |`);
    out.push('');
  }
  out.push(...referenceLines(m.references));
  return `${out.join('\n')}\n`;
}

/** The four prose sections every rule page has (audit and scan rules alike). */
export function docSections(d: { readonly what: string; readonly why: string; readonly fix: string; readonly whenNot: string }): string[] {
  return ['## What it checks', '', d.what, '', '## Why', '', d.why, '', '## How to fix', '', d.fix, '', '## When not to use it', '', d.whenNot, ''];
}

export function referenceLines(refs: readonly { readonly source: string; readonly item: string; readonly url?: string }[]): string[] {
  return ['## References', '', ...refs.map((r) => `- ${r.source}: ${r.url ? `[${r.item}](${r.url})` : r.item}`)];
}
