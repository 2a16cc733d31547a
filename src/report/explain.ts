// `sshield explain RULE` without the files: the rule's page rendered from its metadata exactly as
// docs/rules/<id>.md is (what, why, how to fix, when not to, options, references, profiles), then
// turned from markdown into terminal text. Works in the single executable, which ships no docs.
// Lookup accepts the full id or a unique name without its domain ("no-root-login"). Pure.
import { RULES } from '../rules/registry.js';
import { renderRuleDoc } from '../rules/docs.js';
import { PROFILES } from '../policy/profiles.js';
import { SCAN_RULES, renderScanRuleDoc } from '../scan/rules.js';
import type { ScanRuleId } from '../scan/types.js';
import type { Severity } from '../rules/types.js';
import { NO_COLOR, type Palette } from './text.js';

export interface RuleEntry {
  readonly id: string;
  readonly kind: 'audit' | 'scan';
  readonly title: string;
  readonly severity: Severity;
  readonly tags: readonly string[];
  /** The rule page in markdown, identical to docs/rules/<domain>-<name>.md. */
  readonly markdown: string;
}

export function allRules(): RuleEntry[] {
  const audit = RULES.map((r) => ({
    id: r.meta.id,
    kind: 'audit' as const,
    title: r.meta.title,
    severity: r.meta.severity,
    tags: r.meta.tags,
    markdown: renderRuleDoc(r, Object.values(PROFILES).filter((p) => p.rules[r.meta.id]?.enabled).map((p) => p.name)),
  }));
  const scan = (Object.keys(SCAN_RULES) as ScanRuleId[]).map((id) => {
    const m = SCAN_RULES[id];
    return { id, kind: 'scan' as const, title: m.title, severity: m.severity, tags: m.tags, markdown: renderScanRuleDoc(m) };
  });
  return [...audit, ...scan].sort((a, b) => a.id.localeCompare(b.id));
}

export type Lookup = { readonly kind: 'found'; readonly rule: RuleEntry } | { readonly kind: 'unknown'; readonly suggestions: readonly string[] };

export function findRule(query: string): Lookup {
  const rules = allRules();
  const q = query.trim().toLowerCase().replace(/\.md$/, '');
  const exact = rules.find((r) => r.id === q || r.id.replace('/', '-') === q);
  if (exact) return { kind: 'found', rule: exact };
  const byName = rules.filter((r) => r.id.slice(r.id.indexOf('/') + 1) === q);
  if (byName.length === 1) return { kind: 'found', rule: byName[0]! };
  const words = q.split(/[^a-z0-9]+/).filter(Boolean);
  const suggestions = rules.filter((r) => words.length > 0 && words.every((w) => r.id.includes(w))).map((r) => r.id);
  return { kind: 'unknown', suggestions: byName.length > 1 ? byName.map((r) => r.id) : suggestions.slice(0, 8) };
}

/** Wraps at `width` columns; continuation lines get `hang` spaces more than `indent`. */
function wrap(text: string, indent: string, hang: number, width = 80): string[] {
  const lines: string[] = [];
  let cur = indent;
  for (const word of text.split(/ +/)) {
    const visible = cur.replace(/\x1b\[[0-9;]*m/g, '').length;
    if (visible + word.length + 1 > width && cur.trim()) {
      lines.push(cur.trimEnd());
      cur = `${indent}${' '.repeat(hang)}`;
    }
    cur += cur.trim() ? ` ${word}` : word;
  }
  if (cur.trim()) lines.push(cur.trimEnd());
  return lines;
}

/** Markdown of a rule page as terminal text: headings bold, `code` highlighted, links as "text <url>". */
export function markdownToText(md: string, c: Palette = NO_COLOR): string {
  const out: string[] = [];
  for (const line of md.split('\n')) {
    const inline = (s: string) =>
      s
        .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_, t: string, u: string) => `${t} <${u}>`)
        .replace(/\*\*([^*]+)\*\*/g, (_, t: string) => c.bold(t))
        .replace(/`([^`]+)`/g, (_, t: string) => c.cyan(t));
    const h = /^(#{1,3}) (.*)$/.exec(line);
    if (h) out.push(h[1] === '#' ? c.bold(h[2]!) : c.bold(h[2]!.toUpperCase()));
    else if (/^\|[-|]+\|$/.test(line)) continue;
    else if (line.startsWith('|')) out.push(...wrap(inline(line.slice(1, -1).split('|').map((x) => x.trim()).join('  ·  ')), '  ', 2));
    else if (!line) out.push('');
    else out.push(...wrap(inline(line), '  ', line.startsWith('- ') ? 2 : 0));
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

export function renderRuleList(c: Palette = NO_COLOR): string {
  const rules = allRules();
  const width = Math.max(...rules.map((r) => r.id.length));
  return `${rules.map((r) => `${c.bold(r.id.padEnd(width))}  ${c.dim(`[${r.severity}]`)} ${r.title}`).join('\n')}\n`;
}
