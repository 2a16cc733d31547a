// `sshield explain`: every audit and scan rule explained from its metadata, the same page as
// docs/rules/<id>.md (so the single executable, which ships no docs, says the same); lookup by id
// or bare name; unknown rules exit 2 with suggestions; the list; --json. The text of one rule is a
// golden file (test/golden/explain/, UPDATE_GOLDEN=1 to accept a deliberate change).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { allRules, findRule, markdownToText } from '../../../src/report/explain.js';
import { RULE_IDS } from '../../../src/rules/registry.js';
import { SCAN_RULES } from '../../../src/scan/rules.js';
import { assertMatchesSchema } from '../../helpers/json-schema.js';

function sshield(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'explain', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const flat = (s: string) => s.replace(/`/g, '').replace(/\[([^\]]+)\]\(([^)]+)\)/g, '$1 <$2>').replace(/\s+/g, ' ');

test('every audit and scan rule is explained, with the very page docs/rules ships', () => {
  const rules = allRules();
  assert.deepEqual(rules.map((r) => r.id).sort(), [...RULE_IDS, ...Object.keys(SCAN_RULES)].sort());
  for (const r of rules) {
    assert.equal(r.markdown, readFileSync(`docs/rules/${r.id.replace('/', '-')}.md`, 'utf8'), `${r.id}: same as the shipped page`);
    const text = flat(markdownToText(r.markdown));
    for (const section of ['WHAT IT CHECKS', 'WHY', 'HOW TO FIX', 'WHEN NOT TO USE IT', 'REFERENCES']) assert.ok(text.includes(section), `${r.id}: ${section}`);
    const body = r.markdown.split('\n').filter((l) => l && !l.startsWith('#') && !l.startsWith('|'));
    for (const l of body) assert.ok(text.includes(flat(l.replace(/\*\*/g, '')).trim()), `${r.id}: "${l}" is in the text`);
  }
});

test('lookup: full id, file name, bare name; unknown names suggest', () => {
  for (const q of ['sshd/no-root-login', 'sshd-no-root-login', 'no-root-login', 'sshd-no-root-login.md']) {
    const f = findRule(q);
    assert.ok(f.kind === 'found' && f.rule.id === 'sshd/no-root-login', q);
  }
  const pw = findRule('no-password-auth');
  assert.ok(pw.kind === 'unknown' && pw.suggestions.includes('sshd/no-password-auth') && pw.suggestions.includes('scan/no-password-auth'), 'a name two domains share is ambiguous');
});

test('sshield explain RULE prints the page (golden); unknown exits 2; no RULE lists every rule', () => {
  const r = sshield('sshd/no-root-login');
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /\x1b\[/);
  const p = 'test/golden/explain/sshd-no-root-login.txt';
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(p, r.stdout);
  assert.ok(existsSync(p), `${p} missing: run with UPDATE_GOLDEN=1 after checking the output`);
  assert.equal(r.stdout, readFileSync(p, 'utf8'));
  for (const l of r.stdout.split('\n')) assert.ok(l.length <= 80 || !l.includes(' '), `wrapped at 80 columns: ${l}`);
  const bad = sshield('no-such-thing');
  assert.equal(bad.code, 2);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /no rule "no-such-thing"/);
  const amb = sshield('no-password-auth');
  assert.equal(amb.code, 2);
  assert.match(amb.stderr, /did you mean scan\/no-password-auth, sshd\/no-password-auth\?/);
  const list = sshield();
  assert.equal(list.code, 0);
  assert.equal(list.stdout.trim().split('\n').length, allRules().length);
  const json = JSON.parse(sshield('scan/no-terrapin', '--json').stdout) as { schemaVersion: number; command: string; rules: { id: string; markdown: string }[] };
  assert.equal(json.schemaVersion, 1);
  assert.equal(json.command, 'explain');
  assert.equal(json.rules[0]!.id, 'scan/no-terrapin');
  assertMatchesSchema('explain', json);
  assertMatchesSchema('explain', sshield('--json').stdout, 'explain --json (every rule)');
});
