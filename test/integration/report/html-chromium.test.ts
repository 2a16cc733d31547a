// The HTML report in a real browser (Debian's headless Chromium over the DevTools protocol):
// an example root's audit, a scan of a loopback sshd and a 3-host report made from three saved
// JSON files by `sshield report`. Each page is loaded on a phone (light) and a wall screen (dark)
// and printed to PDF: no console errors, no request but the page itself, no sideways scrolling on
// the phone, the colour scheme followed, and every finding of the JSON visible in the page text.
// Screenshots land in .cache/html-report/ for people to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Browser, chromiumAvailable } from '../../helpers/chromium.js';
import { sshdAvailable, startSshd, type SshdInstance } from '../../helpers/sshd.js';
import type { Report } from '../../../src/report/types.js';
import type { ScanReport } from '../../../src/scan/types.js';

const skip = !chromiumAvailable() && 'needs /usr/bin/chromium (Debian package chromium)';
const SHOTS = resolve('.cache/html-report');
let browser: Browser;
let dir: string;

function sshield(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', env: { ...process.env, SSHIELD_TODAY: '2026-11-24', NO_COLOR: '1' }, maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const norm = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Loads the page as a phone and as a dark wall screen, prints it, and returns the page text. */
async function check(name: string, file: string): Promise<string> {
  const url = pathToFileURL(file).href;
  const views = [
    { tag: 'phone-light', width: 390, height: 844, mobile: true, scheme: 'light' as const },
    { tag: 'wall-dark', width: 1920, height: 1080, mobile: false, scheme: 'dark' as const },
  ];
  const backgrounds: unknown[] = [];
  let text = '';
  for (const v of views) {
    const page = await browser.load(url, { ...v, maxHeight: 6000, expressions: ['document.documentElement.scrollWidth <= window.innerWidth', 'getComputedStyle(document.body).backgroundColor'] });
    writeFileSync(join(SHOTS, `${name}-${v.tag}.png`), page.png);
    assert.deepEqual(page.consoleErrors, [], `${name} ${v.tag}: console errors`);
    assert.deepEqual(page.requests, [url], `${name} ${v.tag}: the page loads nothing but itself`);
    assert.ok(page.png.length > 10_000 && page.png.subarray(1, 4).toString() === 'PNG', `${name} ${v.tag}: a screenshot`);
    assert.equal(page.values[0], true, `${name} ${v.tag}: no sideways scrolling of the page (wide tables scroll in their own box)`);
    backgrounds.push(page.values[1]);
    text = page.text;
  }
  assert.notEqual(backgrounds[0], backgrounds[1], `${name}: prefers-color-scheme dark changes the page`);
  const pdf = await browser.pdf(url);
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-', `${name}: prints`);
  writeFileSync(join(SHOTS, `${name}.pdf`), pdf);
  return norm(text);
}

function assertAuditInPage(report: Report, text: string, where: string): void {
  for (const r of report.results) {
    assert.ok(text.includes(r.ruleId), `${where}: ${r.ruleId} is in the page`);
    if (r.status === 'fail' || r.status === 'warn') {
      assert.ok(text.includes(norm(r.message)), `${where}: the message of ${r.ruleId} is in the page: ${r.message}`);
      for (const d of r.details) assert.ok(text.includes(norm(d)), `${where}: detail of ${r.ruleId}: ${d}`);
      for (const l of r.locations) assert.ok(text.includes(l.line > 0 ? `${l.file}:${l.line}` : l.file), `${where}: location of ${r.ruleId}`);
      for (const m of r.remediation) assert.ok(text.includes(norm(m.description)), `${where}: the fix of ${r.ruleId}: ${m.description}`);
    }
  }
}

before(() => {
  if (skip) return;
  mkdirSync(SHOTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'sshield-html-'));
  return Browser.launch().then((b) => void (browser = b));
});
after(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('audit --format html of examples/pve9-default in Chromium', { skip }, async () => {
  const html = sshield(['audit', '--root', 'examples/pve9-default', '--format', 'html']);
  assert.equal(html.code, 1, html.stderr);
  assert.equal(html.stderr, '');
  const json = sshield(['audit', '--root', 'examples/pve9-default', '--json']);
  const report = JSON.parse(json.stdout) as Report;
  const file = join(dir, 'pve9.html');
  writeFileSync(file, html.stdout);
  const text = await check('audit-pve9-default', file);
  assertAuditInPage(report, text, 'pve9-default');
  assert.match(text, /Next steps/);
  assert.match(text, /sshield harden --dry-run --root \S*examples\/pve9-default/);
  assert.match(text, /evaluated for root from 198\.51\.100\.10/, 'the identity evaluated is shown with the finding');
});

test('scan --format html of a loopback sshd in Chromium', { skip: skip || (!sshdAvailable() && 'needs root and /usr/sbin/sshd') }, async () => {
  let inst: SshdInstance | undefined;
  try {
    inst = await startSshd({ hostKeyTypes: ['ed25519', 'rsa'], config: 'Ciphers aes256-gcm@openssh.com,aes128-cbc\nMACs hmac-sha2-256-etm@openssh.com,hmac-sha1\nPasswordAuthentication yes\n' });
    const target = `127.0.0.1:${inst.port}`;
    const html = sshield(['scan', target, '--user', 'root', '--host-keys', '--format', 'html']);
    assert.equal(html.code, 1, html.stderr);
    const json = sshield(['scan', target, '--user', 'root', '--host-keys', '--json']);
    const report = JSON.parse(json.stdout) as ScanReport;
    const findings = report.targets[0]!.findings;
    assert.ok(findings.some((f) => f.ruleId === 'scan/restrict-ciphers') && findings.some((f) => f.ruleId === 'scan/no-password-auth'), 'the weak cipher and the password are found');
    const file = join(dir, 'scan.html');
    writeFileSync(file, html.stdout);
    const text = await check('scan-loopback', file);
    assert.ok(text.includes(target));
    assert.ok(text.includes(report.targets[0]!.banner!.raw), 'the banner is shown');
    for (const f of findings) {
      assert.ok(text.includes(norm(f.message)), `scan finding in the page: ${f.message}`);
      if (f.reason) assert.ok(text.includes(norm(f.reason)), `its reason: ${f.reason}`);
    }
  } finally {
    await inst?.stop();
  }
});

test('sshield report of three saved audits: summary, host x rule matrix, every finding', { skip }, async () => {
  const names = ['pve8-default', 'debian12-cloud', 'hardened'];
  const reports: Report[] = [];
  const files: string[] = [];
  for (const n of names) {
    const r = sshield(['audit', '--root', `examples/${n}`, '--json']);
    const f = join(dir, `${n}.json`);
    writeFileSync(f, r.stdout);
    files.push(f);
    reports.push(JSON.parse(r.stdout) as Report);
  }
  const out = join(dir, 'fleet.html');
  const r = sshield(['report', ...files, '-o', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  const text = await check('report-3-hosts', out);
  assert.match(text, /sshield report: 3 hosts/);
  assert.match(text, /Hosts × rules/);
  reports.forEach((rep, i) => assertAuditInPage(rep, text, names[i]!));
  const cells = await browser.load(pathToFileURL(out).href, { width: 1280, height: 800, expressions: ['document.querySelectorAll("table.grid tbody tr").length', 'document.querySelectorAll("table.grid thead th").length', 'document.querySelectorAll("table.grid td.s-fail").length'] });
  const rules = new Set(reports.flatMap((x) => x.results.map((y) => y.ruleId)));
  assert.equal(cells.values[0], rules.size, 'one matrix row per rule');
  assert.equal(cells.values[1], 1 + names.length, 'one matrix column per host');
  assert.equal(cells.values[2], reports.reduce((n, x) => n + x.results.filter((y) => y.status === 'fail').length, 0), 'one red cell per failed rule per host');
});

test('a hostile report cannot inject markup, scripts or requests', { skip }, async () => {
  const r = JSON.parse(sshield(['audit', '--root', 'examples/hardened', '--json']).stdout) as Report;
  const evil = `<img src="http://127.0.0.1:9/x.png" onerror="console.error('pwned')"><script>console.error('pwned')</script><style>body{display:none}</style>&amp;"'`;
  const bad = {
    ...r,
    target: { ...r.target, label: `root:${evil}`, os: evil },
    results: r.results.map((x, i) => (i === 0 ? { ...x, status: 'fail', message: evil, details: [evil], locations: [{ file: `/etc/ssh/${evil}`, line: 7 }], remediation: [{ kind: 'manual', description: evil, command: evil }], references: [{ source: evil, item: evil, url: `javascript:console.error('pwned')` }] } : x)),
  };
  const f = join(dir, 'evil.json');
  writeFileSync(f, JSON.stringify(bad));
  const out = join(dir, 'evil.html');
  const res = sshield(['report', f, '-o', out]);
  assert.equal(res.code, 0, res.stderr);
  const page = await browser.load(pathToFileURL(out).href, { width: 1024, height: 768, expressions: ['document.querySelectorAll("script,img,style:not(head style),a[href^=javascript]").length'] });
  assert.deepEqual(page.consoleErrors, []);
  assert.deepEqual(page.requests, [pathToFileURL(out).href]);
  assert.equal(page.values[0], 0, 'no element came from the report');
  assert.ok(page.text.includes(`<script>console.error('pwned')</script>`), 'the text is shown as text');
});
