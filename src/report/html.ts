// renderHtml: a ReportView (one audit, one scan, or many hosts) as one self-contained HTML page:
// inline CSS, no script, no external resource (a Content-Security-Policy forbids any), light and
// dark (prefers-color-scheme), readable from a phone to a wall screen, printable. A summary, a
// host x rule matrix when there are several hosts, then per host the findings by severity with
// their evidence (file:line, the identities evaluated) and the exact fix. Every string from the
// report passes through esc(): banners, comments and file names are attacker-influenced. Pure.
import type { Severity } from '../rules/types.js';
import { SEVERITIES } from '../rules/types.js';
import { bySeverityThenRule, cellStatus, type FindingView, type HostView, type ReportView, type ViewStatus } from './view.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML-escapes text for element content and quoted attributes; control characters become visible. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u2028\u2029]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Inline `code` spans of rule prose (the only markup rule texts use), escaped first. */
function prose(s: string): string {
  return esc(s).replace(/`([^`]+)`/g, '<code>$1</code>');
}

/** Only http(s) links; anything else is shown as text. */
function link(text: string, url: string | undefined): string {
  return url && /^https?:\/\/[^\s"'<>]+$/.test(url) ? `<a href="${esc(url)}" rel="noreferrer">${esc(text)}</a>` : esc(text);
}

const STATUS_LABEL: Record<ViewStatus, string> = { error: 'error', fail: 'fail', warn: 'warn', info: 'info', waived: 'waived', skip: 'skip', pass: 'pass' };
const STATUS_MARK: Record<ViewStatus, string> = { error: '!', fail: '✗', warn: '▲', info: 'i', waived: '~', skip: '–', pass: '✓' };
const SEVERITY_TITLE: Record<Severity, string> = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', info: 'Info' };
const PROBLEM: ReadonlySet<ViewStatus> = new Set(['fail', 'warn', 'info']);

function anchor(prefix: string, s: string): string {
  return `${prefix}-${s.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
}

function counts(h: HostView): Record<ViewStatus, number> {
  const c: Record<ViewStatus, number> = { error: h.error ? 1 : 0, fail: 0, warn: 0, info: 0, waived: 0, skip: 0, pass: 0 };
  for (const f of h.findings) c[f.status]++;
  return c;
}

function badge(status: ViewStatus, severity?: Severity): string {
  const sev = severity && status !== 'pass' && status !== 'skip' ? ` ${severity}` : '';
  return `<span class="badge s-${status}${severity ? ` v-${severity}` : ''}"><span aria-hidden="true">${STATUS_MARK[status]}</span> ${STATUS_LABEL[status]}${sev}</span>`;
}

/** Matrix column heads: the last path component of a root or file, when that stays unique. */
function shortNames(hosts: readonly HostView[]): Map<HostView, string> {
  const short = hosts.map((h) => (/^root:|^\//.test(h.name) ? h.name.replace(/\/+$/, '').split('/').pop() || h.name : h.name));
  const unique = new Set(short).size === short.length;
  return new Map(hosts.map((h, i) => [h, unique ? short[i]! : h.name]));
}

function summaryTable(view: ReportView, hostIds: Map<HostView, string>): string {
  const names = shortNames(view.hosts);
  const rows = view.hosts.map((h) => {
    const c = counts(h);
    const state: ViewStatus = h.error ? 'error' : c.fail > 0 ? 'fail' : c.warn > 0 ? 'warn' : 'pass';
    return `<tr><th scope="row" title="${esc(h.name)}"><a href="#${hostIds.get(h)}">${esc(names.get(h)!)}</a></th><td>${badge(state)}</td><td class="n">${c.fail}</td><td class="n">${c.warn}</td><td class="n">${c.info}</td><td class="n">${c.pass}</td><td class="n">${c.skip}</td><td class="n">${c.waived}</td></tr>`;
  });
  return `<section class="summary" aria-labelledby="summary"><h2 id="summary">Summary</h2><div class="scroll"><table class="counts"><thead><tr><th scope="col">host</th><th scope="col">state</th><th scope="col">failed</th><th scope="col">warnings</th><th scope="col">info</th><th scope="col">passed</th><th scope="col">skipped</th><th scope="col">waived</th></tr></thead><tbody>${rows.join('')}</tbody></table></div></section>`;
}

function matrix(view: ReportView, hostIds: Map<HostView, string>): string {
  const rules = new Map<string, { title: string; worst: number }>();
  for (const h of view.hosts) {
    for (const f of h.findings) {
      const w = PROBLEM.has(f.status) ? (f.status === 'fail' ? 3 : f.status === 'warn' ? 2 : 1) : 0;
      const prev = rules.get(f.ruleId);
      rules.set(f.ruleId, { title: f.title, worst: Math.max(prev?.worst ?? 0, w) });
    }
  }
  const ordered = [...rules.entries()].sort((a, b) => b[1].worst - a[1].worst || a[0].localeCompare(b[0]));
  const names = shortNames(view.hosts);
  const head = view.hosts.map((h) => `<th scope="col" title="${esc(h.name)}"><a href="#${hostIds.get(h)}">${esc(names.get(h)!)}</a></th>`).join('');
  const body = ordered.map(([id, r]) => {
    const cells = view.hosts.map((h) => {
      const c = cellStatus(h, id);
      if (!c) return '<td class="cell none" title="not evaluated">·</td>';
      return `<td class="cell s-${c.status}${PROBLEM.has(c.status) ? ` v-${c.severity}` : ''}" title="${esc(`${h.name}: ${c.status}${PROBLEM.has(c.status) ? ` (${c.severity})` : ''}`)}"><span aria-hidden="true">${STATUS_MARK[c.status]}</span><span class="sr">${STATUS_LABEL[c.status]}</span></td>`;
    });
    return `<tr><th scope="row"><code>${esc(id)}</code><span class="rt">${esc(r.title)}</span></th>${cells.join('')}</tr>`;
  });
  return `<section class="matrix" aria-labelledby="matrix"><h2 id="matrix">Hosts × rules</h2><p class="legend">${(['fail', 'warn', 'info', 'waived', 'skip', 'pass'] as const).map((s) => badge(s)).join(' ')}</p><div class="scroll"><table class="grid"><thead><tr><th scope="col">rule</th>${head}</tr></thead><tbody>${body.join('')}</tbody></table></div></section>`;
}

function finding(f: FindingView): string {
  const parts: string[] = [];
  parts.push(`<article class="finding s-${f.status} v-${f.severity}" data-rule="${esc(f.ruleId)}"><header>${badge(f.status, f.severity)} <code class="rule">${esc(f.ruleId)}</code> <span class="title">${esc(f.title)}</span></header>`);
  parts.push(`<p class="msg">${esc(f.message)}</p>`);
  if (f.details.length > 0) parts.push(`<ul class="details">${f.details.map((d) => `<li>${esc(d)}</li>`).join('')}</ul>`);
  const dl: string[] = [];
  if (f.where.length > 0) dl.push(`<dt>where</dt><dd>${f.where.map((w) => `<code>${esc(w)}</code>`).join(' ')}</dd>`);
  if (f.identities.length > 0) dl.push(`<dt>evaluated for</dt><dd>${f.identities.map(esc).join('; ')}</dd>`);
  if (f.waived) dl.push(`<dt>waived</dt><dd>${esc(f.waived)}</dd>`);
  for (const x of f.fixes) dl.push(`<dt>fix</dt><dd>${prose(x.text)}${x.code ? `<pre><code>${esc(x.code)}</code></pre>` : ''}</dd>`);
  if (f.references.length > 0) dl.push(`<dt>references</dt><dd>${f.references.map((r) => `${esc(r.source)}: ${link(r.item, r.url)}`).join('; ')}</dd>`);
  if (dl.length > 0) parts.push(`<dl>${dl.join('')}</dl>`);
  parts.push('</article>');
  return parts.join('');
}

function hostSection(h: HostView, id: string, single: boolean): string {
  const c = counts(h);
  const out: string[] = [];
  out.push(`<section class="host" id="${id}" aria-labelledby="${id}-h">`);
  out.push(`<h2 id="${id}-h">${single ? '' : `<span class="kind">${h.kind}</span> `}${esc(h.name)}</h2>`);
  if (h.facts.length > 0) out.push(`<dl class="facts">${h.facts.map((f) => `<div><dt>${esc(f.label)}</dt><dd>${esc(f.value)}</dd></div>`).join('')}</dl>`);
  if (h.note) out.push(`<p class="note">${esc(h.note)}</p>`);
  if (h.error) out.push(`<p class="error">${badge('error')} could not be scanned: ${esc(h.error)}</p>`);
  out.push(`<p class="tally">${badge('fail')} ${c.fail} · ${badge('warn')} ${c.warn}${c.info ? ` · ${badge('info')} ${c.info}` : ''} · ${badge('pass')} ${c.pass} · ${badge('skip')} ${c.skip} · ${badge('waived')} ${c.waived}</p>`);
  if (h.nextSteps.length > 0) {
    out.push(`<div class="next"><h3>Next steps</h3><ol>${h.nextSteps.map((s) => `<li><pre><code>${esc(s.command)}</code></pre>${esc(s.why)}</li>`).join('')}</ol></div>`);
  }
  const problems = h.findings.filter((f) => PROBLEM.has(f.status)).sort(bySeverityThenRule);
  for (const sev of [...SEVERITIES].reverse()) {
    const group = problems.filter((f) => f.severity === sev);
    if (group.length === 0) continue;
    out.push(`<h3 class="sev v-${sev}">${SEVERITY_TITLE[sev]} <span class="count">(${group.length})</span></h3>`, ...group.map(finding));
  }
  if (problems.length === 0 && !h.error) out.push(`<p class="clean">${badge('pass')} nothing failed.</p>`);
  const waived = h.findings.filter((f) => f.status === 'waived').sort(bySeverityThenRule);
  if (waived.length > 0) out.push(`<h3>Waived <span class="count">(${waived.length})</span></h3>`, ...waived.map(finding));
  const rest = (status: ViewStatus, title: string) => {
    const rs = h.findings.filter((f) => f.status === status).sort((a, b) => a.ruleId.localeCompare(b.ruleId));
    if (rs.length === 0) return;
    out.push(`<h3>${title} <span class="count">(${rs.length})</span></h3><ul class="plain ${status}">${rs.map((f) => `<li data-rule="${esc(f.ruleId)}"><code>${esc(f.ruleId)}</code> ${esc(status === 'skip' ? f.message : f.title)}</li>`).join('')}</ul>`);
  };
  rest('skip', 'Skipped');
  rest('pass', 'Passed');
  if (h.identities.length > 0) {
    out.push(`<h3>Identities evaluated</h3><p class="ids">The effective configuration was computed for each of these connections, as <code>sshd -T -C</code> does. 198.51.100.10 and 203.0.113.7 are documentation addresses (RFC 5737) standing for "a client from anywhere"; node addresses are the cluster's own.</p><ul class="plain">${h.identities.map((i) => `<li>${esc(i.label)} <code>${esc(i.spec)}</code></li>`).join('')}</ul>`);
  }
  out.push('</section>');
  return out.join('');
}

const CSS = `
:root{color-scheme:light dark;--bg:#fbfbfa;--fg:#1d1f21;--muted:#5c6370;--card:#fff;--line:#d9dce1;--code:#f1f2f4;
--fail:#b3261e;--warn:#9a6700;--info:#2f5fa7;--pass:#1e7b34;--skip:#6a6f78;--waived:#7a4fb0;--error:#b3261e;
--critical:#7d0a0a;--high:#b3261e;--medium:#c25e00;--low:#8a7300}
@media (prefers-color-scheme:dark){:root{--bg:#15171a;--fg:#e6e6e6;--muted:#a0a7b4;--card:#1e2126;--line:#363b44;--code:#2a2e35;
--fail:#ff8a80;--warn:#f2c14e;--info:#8ab4f8;--pass:#7ee2a8;--skip:#a0a7b4;--waived:#c7a4ff;--error:#ff8a80;
--critical:#ff6e6e;--high:#ff8a80;--medium:#ffb060;--low:#e8d06a}}
*{box-sizing:border-box}
html{font-size:clamp(15px,0.45vw + 11px,24px)}
body{margin:0;background:var(--bg);color:var(--fg);font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;overflow-wrap:anywhere}
main{max-width:min(96vw,110rem);margin:0 auto;padding:1rem 1rem 3rem}
h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.3rem;margin:2rem 0 .5rem;border-bottom:1px solid var(--line);padding-bottom:.2rem}h3{font-size:1.05rem;margin:1.4rem 0 .5rem}
code,pre{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:.9em}
code{background:var(--code);padding:0 .25em;border-radius:3px}
pre{background:var(--code);padding:.4rem .6rem;border-radius:4px;margin:.3rem 0;white-space:pre-wrap}
pre code{padding:0;background:none}
a{color:var(--info)}
.meta,.legend,.ids,.rt,.count,.kind{color:var(--muted)}
.scroll{overflow-x:auto}
table{border-collapse:collapse;background:var(--card)}
th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.counts th[scope=col]{white-space:nowrap}
.grid thead th{position:sticky;top:0;background:var(--card)}
.grid th[scope=row]{font-weight:normal;min-width:13rem;max-width:28rem;position:sticky;left:0;background:var(--card);z-index:1}
table{overflow-wrap:normal}.grid th[scope=col],.counts th{white-space:nowrap}
.grid .rt{display:block;font-size:.85em}
.grid td.cell{text-align:center;font-weight:bold;min-width:2.5rem}
.grid td.s-fail,.grid td.s-warn,.grid td.s-error{background:color-mix(in srgb,currentColor 14%,transparent)}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.badge{display:inline-block;border:1px solid currentColor;border-radius:1em;padding:0 .5em;font-size:.8em;white-space:nowrap;font-weight:600}
.s-fail{color:var(--fail)}.s-warn{color:var(--warn)}.s-info{color:var(--info)}.s-pass{color:var(--pass)}.s-skip{color:var(--skip)}.s-waived{color:var(--waived)}.s-error{color:var(--error)}
.finding.s-fail,.finding.s-warn,.finding.s-info,.finding.s-waived{color:inherit}
.badge.s-fail.v-critical,.cell.s-fail.v-critical{color:var(--critical)}.badge.s-fail.v-medium,.cell.s-fail.v-medium{color:var(--medium)}.badge.s-fail.v-low,.cell.s-fail.v-low{color:var(--low)}
h3.sev.v-critical{color:var(--critical)}h3.sev.v-high{color:var(--high)}h3.sev.v-medium{color:var(--medium)}h3.sev.v-low{color:var(--low)}
.finding{background:var(--card);border:1px solid var(--line);border-left:.35rem solid var(--skip);border-radius:6px;padding:.6rem .9rem;margin:.6rem 0;break-inside:avoid}
.finding.s-fail{border-left-color:var(--fail)}.finding.s-fail.v-critical{border-left-color:var(--critical)}.finding.s-fail.v-medium{border-left-color:var(--medium)}.finding.s-fail.v-low{border-left-color:var(--low)}
.finding.s-warn{border-left-color:var(--warn)}.finding.s-info{border-left-color:var(--info)}.finding.s-waived{border-left-color:var(--waived)}
.finding header{display:flex;flex-wrap:wrap;gap:.4rem;align-items:baseline}
.finding .title{font-weight:600}
.finding .msg{margin:.4rem 0}
.finding dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .8rem;margin:.4rem 0 0}
.finding dt{color:var(--muted);font-size:.9em}.finding dd{margin:0}
.details{margin:.2rem 0;padding-left:1.2rem;font-size:.95em}
.facts{display:flex;flex-wrap:wrap;gap:.3rem 1.4rem;margin:.3rem 0}.facts dt{color:var(--muted);font-size:.85em}.facts dd{margin:0}
.note{border-left:.3rem solid var(--warn);padding:.2rem .6rem;background:var(--card)}
.error{font-weight:600}
.next{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.2rem .9rem .6rem}
.next ol{padding-left:1.2rem;margin:.2rem 0}
ul.plain{list-style:none;padding-left:0;columns:2 26rem;column-gap:2rem}ul.plain li{break-inside:avoid;margin:.15rem 0}
footer{margin-top:3rem;color:var(--muted);font-size:.85em}
@media (max-width:40rem){main{padding:.6rem}.grid .rt{display:none}.grid th[scope=row]{min-width:9rem}.finding dl{grid-template-columns:1fr}.finding dt{margin-top:.3rem}}
@media print{:root{color-scheme:light;--bg:#fff;--card:#fff;--code:#f3f3f3}body{font-size:10.5pt}main{max-width:none;padding:0}
.scroll{overflow:visible}a{color:inherit;text-decoration:none}.grid thead th{position:static}section.host{break-before:page}section.host:first-of-type{break-before:auto}}
`;

/** The whole page. `generated` is said in the footer when given (kept out of golden files). */
export function renderHtml(view: ReportView, opts: { generated?: string } = {}): string {
  const ids = new Map<HostView, string>();
  const used = new Set<string>();
  view.hosts.forEach((h, i) => {
    let id = anchor('host', h.name);
    if (used.has(id)) id = `${id}-${i + 1}`;
    used.add(id);
    ids.set(h, id);
  });
  const single = view.hosts.length === 1;
  const body: string[] = [];
  body.push(`<header><h1>${esc(view.title)}</h1><p class="meta">sshield ${esc(view.toolVersion)} · ${view.hosts.length} host${single ? '' : 's'}</p></header>`);
  body.push(summaryTable(view, ids));
  if (!single) body.push(matrix(view, ids));
  for (const h of view.hosts) body.push(hostSection(h, ids.get(h)!, single));
  body.push(`<footer>Generated by sshield ${esc(view.toolVersion)}${opts.generated ? ` on ${esc(opts.generated)}` : ''}. Severities: ${[...SEVERITIES].reverse().join(' &gt; ')}. This page loads nothing from the network.</footer>`);
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${esc(view.title)}</title>`,
    `<style>${CSS.trim()}</style>`,
    '</head>',
    `<body><main>${body.join('\n')}</main></body>`,
    '</html>',
    '',
  ].join('\n');
}
