// The HTML renderer and saved-report reader without a browser: escaping of every
// attacker-influenced string, the page's self-containment (CSP, no script, no external URL),
// the host x rule matrix for several hosts (scan and audit mixed), and clear errors for files
// that are not sshield reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { esc, renderHtml } from '../../../src/report/html.js';
import { reportView } from '../../../src/report/view.js';
import { parseSavedReport } from '../../../src/report/saved.js';
import type { Report } from '../../../src/report/types.js';
import type { ScanReport } from '../../../src/scan/types.js';

const audit = JSON.parse(readFileSync('test/golden/audit/pve9-default.json', 'utf8')) as Report;
const scan = JSON.parse(readFileSync('test/golden/scan/fixture.json', 'utf8')) as ScanReport;

test('esc: markup characters and control bytes', () => {
  assert.equal(esc(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  assert.equal(esc('a\u0000b\u001bc\u2028'), 'a\\x00b\\x1bc\\x2028');
  assert.equal(esc('tab\tand\nnewline'), 'tab\tand\nnewline');
});

test('the page is self-contained: a CSP that forbids loading anything, no script, no external resource', () => {
  const html = renderHtml(reportView([{ kind: 'audit', report: audit }]));
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'/);
  assert.doesNotMatch(html, /<script|<link|<img|<iframe|@import|url\(/i);
  for (const m of html.matchAll(/(?:src|href)="([^"]*)"/g)) assert.ok(m[1]!.startsWith('#') || /^https:\/\//.test(m[1]!), `only in-page anchors and reference links: ${m[1]}`);
  assert.match(html, /prefers-color-scheme:dark/);
  assert.match(html, /@media print/);
});

test('attacker-influenced strings are escaped everywhere', () => {
  const evil = `"><script>alert(1)</script><b x='`;
  const r: Report = { ...audit, target: { ...audit.target, label: evil, note: evil }, specs: [{ role: 'root', label: evil, spec: evil }], results: audit.results.map((x) => ({ ...x, message: `${evil} ${x.message}`, locations: [{ file: evil, line: 3 }] })) };
  const s: ScanReport = { ...scan, targets: scan.targets.map((t) => ({ ...t, target: evil, banner: t.banner ? { ...t.banner, raw: evil } : undefined })) } as ScanReport;
  const html = renderHtml(reportView([{ kind: 'audit', report: r }, { kind: 'scan', report: s }], evil));
  assert.doesNotMatch(html, /<script|<b x=/);
  assert.match(html, /&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;&lt;b x=&#39;/);
});

test('several hosts: a matrix with one row per rule and one column per host, worst status per cell', () => {
  const view = reportView([{ kind: 'audit', report: audit }, { kind: 'scan', report: scan }]);
  assert.equal(view.hosts.length, 1 + scan.targets.length);
  const html = renderHtml(view);
  assert.match(html, /Hosts × rules/);
  const rules = new Set([...audit.results.map((r) => r.ruleId), ...view.hosts.slice(1).flatMap((h) => h.findings.map((f) => f.ruleId))]);
  const body = html.slice(html.indexOf('<table class="grid">'), html.indexOf('</table>', html.indexOf('<table class="grid">')));
  assert.equal(body.match(/<tr><th scope="row">/g)?.length, rules.size);
  for (const t of scan.targets) if (t.error) assert.ok(html.includes(esc(t.error.code)), 'an unscannable target says why');
});

test('a single audit: findings grouped by severity with where, identities and the exact fix; next steps', () => {
  const html = renderHtml(reportView([{ kind: 'audit', report: audit }]));
  assert.doesNotMatch(html, /Hosts × rules/);
  const high = html.indexOf('>High <'), medium = html.indexOf('>Medium <'), low = html.indexOf('>Low <');
  assert.ok(high > 0 && high < medium && medium < low, 'severity groups in order');
  assert.match(html, /<dt>where<\/dt><dd><code>\/etc\/ssh\/sshd_config:34<\/code>/);
  assert.match(html, /<dt>evaluated for<\/dt><dd>root from 198\.51\.100\.10; root from 203\.0\.113\.7<\/dd>/);
  assert.match(html, /<pre><code>PermitRootLogin no<\/code><\/pre>/);
  assert.match(html, /Next steps.*sshield harden --dry-run --root examples\/pve9-default.*fixes 10 of 11 failed rules/s, 'the CVE rule only warns on deb13u4: its open CVEs have no fix yet');
  assert.match(html, /198\.51\.100\.10 and 203\.0\.113\.7 are documentation addresses \(RFC 5737\)/);
});

test('saved reports: audit and scan JSON are recognised; anything else is a clear error', () => {
  assert.equal(parseSavedReport(JSON.stringify(audit)).ok && parseSavedReport(JSON.stringify(audit)).ok, true);
  const s = parseSavedReport(JSON.stringify(scan));
  assert.ok(s.ok && s.report.kind === 'scan');
  const bad = (text: string, re: RegExp) => {
    const r = parseSavedReport(text);
    assert.ok(!r.ok && re.test(r.message), `${text.slice(0, 40)}: ${r.ok ? 'accepted' : r.message}`);
  };
  bad('{', /not JSON/);
  bad('{"tool":{"name":"other"}}', /not an sshield report/);
  bad(JSON.stringify({ ...audit, schemaVersion: 2 }), /schemaVersion 2 is not supported/);
  bad(JSON.stringify({ ...audit, results: [{ ...audit.results[0], status: 'boom' }] }), /results\[0\]\.status "boom" unknown/);
  bad(JSON.stringify({ ...audit, results: [{ ...audit.results[0], locations: [{ file: 1 }] }] }), /results\[0\]\.locations/);
  bad(JSON.stringify({ ...scan, targets: [{ target: 'x' }] }), /targets\[0\]: target, host and port expected/);
  bad(JSON.stringify({ tool: { name: 'sshield' }, schemaVersion: 1 }), /neither an audit report/);
});
