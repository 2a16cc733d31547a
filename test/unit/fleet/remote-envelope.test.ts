// Reading a host's answer (remote-envelope.ts): only a well-formed change envelope is believed,
// anything else is a reason; the host's outcome maps to the fleet's statuses exactly; the argv
// the host runs always carries the fleet's own --json/--yes/--confirm-timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { excerpt, hostArgs, parseEnvelope, verdictOfConfirm, verdictOfRun } from '../../../src/fleet/remote-envelope.js';

const env = (outcome: Record<string, unknown>, extra: Record<string, unknown> = {}) => JSON.stringify({ schemaVersion: 1, command: 'harden', outcome, plan: null, backup: null, verify: null, messages: [], ...extra });

test('a well-formed envelope is read; hostile or foreign answers are reasons, never throws', () => {
  const ok = parseEnvelope(env({ kind: 'applied', backupId: '20261205T001238Z', confirmDeadline: 1, notes: [], exitCode: 0 }));
  assert.ok(!('error' in ok));
  assert.deepEqual(ok.outcome, { kind: 'applied', exitCode: 0, backupId: '20261205T001238Z', confirmDeadline: 1 });
  const bad: [string, RegExp][] = [
    ['', /printed nothing/],
    ['Welcome to my shell!\n{"x":1}', /not JSON: "Welcome to my shell! \{"x":1\}"/],
    ['[1,2]', /not an object/],
    ['null', /not an object/],
    [JSON.stringify({ schemaVersion: 2, command: 'harden', outcome: { kind: 'applied', exitCode: 0 } }), /schemaVersion 2, expected 1/],
    [JSON.stringify({ schemaVersion: 1, outcome: { kind: 'applied', exitCode: 0 } }), /names no command/],
    [env({ kind: 'pwned', exitCode: 0 }), /no known outcome \(pwned\)/],
    [env({ kind: 'applied', exitCode: 3 }), /says applied with exit code 3/],
    [env({ kind: '__proto__', exitCode: 0 }), /no known outcome/],
    [env({ kind: 'toString', exitCode: 0 }), /no known outcome/],
    ['{"schemaVersion":1,"command":"harden","outcome":{"kind":"applied","exitCode":0}', /not JSON/],
  ];
  for (const [text, re] of bad) {
    const r = parseEnvelope(text);
    assert.ok('error' in r, text);
    assert.match(r.error, re, text);
  }
  // A login shell's noise before the envelope (as sshield prints it, pretty) is skipped; noise after is not.
  const pretty = JSON.stringify(JSON.parse(env({ kind: 'nothing-to-do', exitCode: 0 })), null, 2);
  const noisy = parseEnvelope(`Welcome!\nquota: 3 GB\n${pretty}\n`);
  assert.ok(!('error' in noisy) && noisy.outcome.kind === 'nothing-to-do', JSON.stringify(noisy));
  assert.ok('error' in parseEnvelope(`Welcome!\n${pretty}\ntrailing`));
  // Control characters and bidi overrides from a host never reach a report line.
  const r = parseEnvelope(env({ kind: 'refused', reason: 'a\u001b[31mred\u202e\nline', exitCode: 3 }));
  assert.ok(!('error' in r));
  assert.equal(r.outcome.reason, 'a [31mred line');
  // An id that is not an id is dropped, not passed on.
  const id = parseEnvelope(env({ kind: 'applied', backupId: '../../etc', exitCode: 0 }));
  assert.ok(!('error' in id) && id.outcome.backupId === undefined);
  fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => {
    const x = parseEnvelope(s);
    assert.ok('error' in x || typeof x.outcome.kind === 'string');
  }));
  fc.assert(fc.property(fc.json(), (s) => {
    parseEnvelope(s);
  }));
  assert.equal(excerpt('x'.repeat(300), 10), `${'x'.repeat(10)}…`);
});

test('the host\'s outcome -> the fleet status, exactly', () => {
  const v = (o: Record<string, unknown>, dry = false) => verdictOfRun({ exitCode: 0, ...o } as never, dry);
  assert.deepEqual(v({ kind: 'applied', backupId: 'B', confirmDeadline: 5 }), { next: 'prove', backupId: 'B', deadline: 5 });
  assert.deepEqual(v({ kind: 'applied', backupId: 'B' }), { next: 'done', status: 'failed', reason: 'the host applied change B without a confirm window, so it cannot be proven and undone from here' });
  assert.equal((v({ kind: 'applied', backupId: 'B', confirmDeadline: 5 }, true) as { status: string }).status, 'failed');
  assert.deepEqual(v({ kind: 'nothing-to-do' }), { next: 'done', status: 'unchanged' });
  assert.deepEqual(v({ kind: 'dry-run' }, true), { next: 'done', status: 'planned' });
  assert.equal((v({ kind: 'dry-run' }) as { status: string }).status, 'failed');
  for (const k of ['refused', 'declined', 'no-tty', 'stale', 'pending-confirm']) assert.equal((v({ kind: k, reason: 'why' }) as { status: string }).status, 'refused', k);
  assert.equal((v({ kind: 'refused', reason: 'guard says no' }) as { reason: string }).reason, 'guard says no');
  assert.equal((v({ kind: 'stale', reason: 'changed since' }) as { reason: string }).reason, 'stale: changed since');
  assert.deepEqual(v({ kind: 'failed', step: 'verify', reason: 'no banner', rolledBack: true, backupId: 'B' }), { next: 'done', status: 'failed', reason: 'at verify: no banner (rolled back on the host)', backupId: 'B' });
  assert.match((v({ kind: 'failed', step: 'reload', reason: 'x', rolledBack: false }) as { reason: string }).reason, /NOT rolled back/);
  assert.deepEqual(v({ kind: 'error', reason: 'bad flag' }), { next: 'done', status: 'failed', reason: 'bad flag' });
  assert.equal(verdictOfConfirm({ kind: 'applied', exitCode: 0 }), 'confirmed');
  assert.equal(verdictOfConfirm({ kind: 'failed', exitCode: 2, rolledBack: true }), 'rolled-back');
  assert.equal(verdictOfConfirm({ kind: 'stale', exitCode: 3 }), 'too-late');
  assert.equal(verdictOfConfirm({ kind: 'nothing-to-do', exitCode: 0 }), 'nothing-pending');
  assert.deepEqual(verdictOfConfirm({ kind: 'refused', exitCode: 3, reason: 'same session' }), { other: 'refused: same session' });
});

test('the host argv: --json always; --yes and the fleet\'s --confirm-timeout for a real run (a caller\'s dropped); before --', () => {
  assert.deepEqual(hostArgs(['harden', '--profile', 'proxmox'], 120), { args: ['harden', '--profile', 'proxmox', '--json', '--yes', '--confirm-timeout', '120'], dryRun: false });
  assert.deepEqual(hostArgs(['harden', '--dry-run', '--json'], 120), { args: ['harden', '--dry-run', '--json'], dryRun: true });
  assert.deepEqual(hostArgs(['harden', '--confirm-timeout', '0', '--yes', '--confirm-timeout=5'], 30).args, ['harden', '--json', '--yes', '--confirm-timeout', '30']);
  assert.deepEqual(hostArgs(['keys', 'add', '--user', 'bob', '--', '--weird'], 60).args, ['keys', 'add', '--user', 'bob', '--json', '--yes', '--confirm-timeout', '60', '--', '--weird']);
});
