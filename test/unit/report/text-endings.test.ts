// The audit's text endings: the header names the config and the build evaluated, the sample
// identities are explained once, next steps say what harden fixes (N of M), the allow-list and
// upgrade commands appear only when they apply, -v lists every identity, and colour follows
// NO_COLOR / FORCE_COLOR / the terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderText } from '../../../src/report/text.js';
import { nextSteps, targetArgs } from '../../../src/report/next-steps.js';
import { colorEnabled } from '../../../src/cli/color.js';
import type { Report } from '../../../src/report/types.js';

const load = (n: string) => JSON.parse(readFileSync(`test/golden/audit/${n}.json`, 'utf8')) as Report;

test('next steps: harden fixes N of M, allow add when no allow-list, nothing when nothing failed', () => {
  const r = load('pve9-default');
  const steps = nextSteps(r);
  const failed = r.results.filter((x) => x.status === 'fail' && !x.waived);
  const fixable = failed.filter((x) => x.remediation.some((m) => m.kind === 'set' || m.kind === 'comment-out'));
  assert.equal(steps[0]!.command, 'sshield harden --dry-run --root examples/pve9-default');
  assert.match(steps[0]!.why, new RegExp(`fixes ${fixable.length} of ${failed.length} failed rules`));
  assert.ok(steps.some((s) => s.command.startsWith('sshield allow add <your admin network>')));
  const clean: Report = { ...r, results: r.results.map((x) => ({ ...x, status: 'pass' as const })) };
  assert.deepEqual(nextSteps(clean), []);
  assert.doesNotMatch(renderText(clean), /Next steps/);
  assert.equal(targetArgs({ ...r, target: { ...r.target, kind: 'file', label: '/srv/my sshd_config', config: '/srv/my sshd_config' } }), " -f '/srv/my sshd_config'");
  assert.equal(targetArgs({ ...r, target: { ...r.target, kind: 'local', label: 'localhost' } }), '');
});

test('next steps: `sshield upgrade --dry-run` (with --root, never -f) when an upgrade fixes open CVEs, not a bare apt-get', () => {
  const r = load('debian12-cloud');
  const fixable = r.vulns!.verdicts.filter((v) => v.verdict === 'fix-available' && !v.waived).length;
  assert.ok(fixable > 0);
  const up = nextSteps(r).find((s) => s.command.startsWith('sshield upgrade'));
  assert.equal(up?.command, 'sshield upgrade --dry-run --root examples/debian12-cloud');
  assert.match(up!.why, new RegExp(`\\(${fixable} open CVEs\\)`));
  assert.ok(!nextSteps(r).some((s) => s.command.includes('apt-get')));
  const onFile: Report = { ...r, target: { ...r.target, kind: 'file', label: '/srv/sshd_config', config: '/srv/sshd_config' } };
  assert.equal(nextSteps(onFile).find((s) => s.command.startsWith('sshield upgrade'))?.command, 'sshield upgrade --dry-run');
  assert.equal(nextSteps(load('pve9-default')).find((s) => s.command.startsWith('sshield upgrade')), undefined, 'deb13u4: its open CVEs have no fix yet');
});

test('the header names config and build; the sample addresses are explained exactly once', () => {
  const t = renderText(load('pve9-default'));
  assert.match(t.split('\n')[1]!, /^config \/etc\/ssh\/sshd_config · evaluated as OpenSSH 10\.0p1-debian$/);
  assert.equal(t.split('are documentation addresses (RFC 5737)').length, 2);
  const none = load('hardened');
  const quiet: Report = { ...none, specs: [], results: none.results.map((x) => ({ ...x, message: x.message.replaceAll('198.51.100.10', 'X').replaceAll('203.0.113.7', 'Y') })) };
  assert.doesNotMatch(renderText(quiet), /documentation address/);
});

test('-v: every identity a finding holds for, where the message says "and N more"', () => {
  const r = load('pve-cluster-node');
  const shortened = r.results.filter((x) => /and \d+ more/.test(x.message));
  assert.ok(shortened.length > 0);
  const v = renderText(r, undefined, { verbose: true });
  for (const x of shortened) {
    const n = Number(/and (\d+) more/.exec(x.message)![1]);
    assert.equal(x.identities!.length, 3 + n, `${x.ruleId}: the full list`);
    assert.ok(v.includes(`evaluated for: ${x.identities!.join('; ')}`), x.ruleId);
  }
  assert.doesNotMatch(renderText(r), /evaluated for:/);
  assert.match(renderText(r), /-v shows the rules that passed and every identity/);
});

test('colour: NO_COLOR wins, FORCE_COLOR forces it when piped, else only a terminal', () => {
  assert.equal(colorEnabled(true, {}), true);
  assert.equal(colorEnabled(false, {}), false);
  assert.equal(colorEnabled(false, { FORCE_COLOR: '1' }), true);
  assert.equal(colorEnabled(true, { FORCE_COLOR: '0' }), false);
  assert.equal(colorEnabled(true, { NO_COLOR: '' }), false);
  assert.equal(colorEnabled(false, { NO_COLOR: '1', FORCE_COLOR: '1' }), false);
  assert.equal(colorEnabled(true, { TERM: 'dumb' }), false);
});
