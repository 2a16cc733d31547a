import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseAuthorizedKeys, keyLines, printAuthorizedKeys } from '../../../src/keys/parser.js';
import { planKeyLine, validateFromList, type KeyChangeRequest } from '../../../src/keys/restrict.js';
import { applyEdits } from '../../../src/text/edit.js';
import { effectivePermissions } from '../../../src/keys/options.js';

const ED = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBP+2WDn8cx3oq2pI0kmJjvwbw8W0TmT3wSgZ6H1eL2F';

function change(line: string, req: KeyChangeRequest): string {
  const f = parseAuthorizedKeys(line, 'f');
  const p = planKeyLine(keyLines(f)[0]!, req);
  if (p.kind === 'unchanged') return line;
  if (p.kind === 'refused') return `REFUSED ${p.message}`;
  return applyEdits(line, [p.edit]);
}

test('restrict: exact edits', () => {
  const cases: [string, KeyChangeRequest, string][] = [
    [`${ED} c`, { mode: 'restrict', deny: ['pty', 'port-forwarding'] }, `no-pty,no-port-forwarding ${ED} c`],
    [`from="1.2.3.4"\t${ED} c`, { mode: 'restrict', deny: ['pty'] }, `from="1.2.3.4",no-pty\t${ED} c`],
    [`pty,no-user-rc ${ED}`, { mode: 'restrict', deny: ['pty'] }, `no-user-rc,no-pty ${ED}`],
    [`restrict,pty ${ED}`, { mode: 'restrict', restrict: true }, `restrict,pty ${ED}`],
    [`no-pty ${ED}`, { mode: 'restrict', restrict: true }, `restrict,no-pty ${ED}`],
    [`restrict ${ED}`, { mode: 'restrict', deny: ['pty', 'x11-forwarding'] }, `restrict ${ED}`],
    [`from="a" ${ED}`, { mode: 'restrict', from: '127.0.0.1' }, `from="127.0.0.1" ${ED}`],
    [`${ED}`, { mode: 'restrict', command: 'echo "hi"' }, `command="echo \\"hi\\"" ${ED}`],
    [`no-pty,no-X11-forwarding ${ED} c`, { mode: 'unrestrict' }, `${ED} c`],
    [`restrict,command="x" ${ED}`, { mode: 'unrestrict', allow: ['pty'] }, `restrict,command="x",pty ${ED}`],
    [`restrict,command="x" ${ED}`, { mode: 'unrestrict', removeCommand: true }, `restrict ${ED}`],
    [`bogus ${ED}`, { mode: 'restrict', deny: ['pty'] }, 'REFUSED line 1: sshd already ignores this key (bad options: unknown key option); fix it by hand'],
  ];
  for (const [input, req, want] of cases) assert.equal(change(input, req), want, input);
});

test('from= validation follows addr_match_list', () => {
  assert.deepEqual(validateFromList('127.0.0.1,10.0.0.0/8,!192.168.*,::1,fe80::/10,*.example.com'), []);
  assert.equal(validateFromList('10.0.0.1/8').length, 1);
  assert.equal(validateFromList('1.2.3.4,,5.6.7.8').length, 1);
  assert.equal(validateFromList('10.0.0.0/33').length, 1);
  assert.equal(validateFromList('a b').length, 1);
});

const other = fc.oneof(fc.constant('# comment'), fc.constant(''), fc.constant('  \t'), fc.constant(`no-pty ${ED} x`), fc.constant('garbage "'), fc.stringMatching(/^[ -~]{0,30}$/));
const target = fc.constantFrom(`${ED} t`, `from="1.2.3.4",pty ${ED} t`, `restrict ${ED}`, `no-agent-forwarding,,permitopen="h:22"\t${ED}  t t`);
const req = fc.constantFrom<KeyChangeRequest>(
  { mode: 'restrict', deny: ['pty', 'port-forwarding', 'agent-forwarding', 'user-rc', 'x11-forwarding'] },
  { mode: 'restrict', restrict: true, from: '10.0.0.0/8' },
  { mode: 'restrict', command: '/bin/true' },
  { mode: 'unrestrict' },
);

test('property: only the chosen line changes, every other byte is kept, a second run changes nothing', () => {
  fc.assert(
    fc.property(fc.array(other, { maxLength: 6 }), target, fc.array(other, { maxLength: 6 }), fc.constantFrom('\n', '\r\n'), req, (pre, t, post, eol, r) => {
      const head = pre.map((l) => l + eol).join('');
      const tail = post.map((l) => eol + l).join('');
      const text = head + t + tail;
      const f = parseAuthorizedKeys(text, 'f');
      const line = keyLines(f).find((k) => k.start === head.length)!;
      assert.ok(line);
      const p = planKeyLine(line, r);
      assert.notEqual(p.kind, 'refused');
      const out = p.kind === 'change' ? applyEdits(text, [p.edit]) : text;
      assert.ok(out.startsWith(head));
      assert.ok(out.endsWith(tail));
      const f2 = parseAuthorizedKeys(out, 'f');
      assert.equal(printAuthorizedKeys(f2), out);
      const line2 = keyLines(f2).find((k) => k.start === head.length)!;
      assert.equal(line2.key.fingerprint, line.key.fingerprint);
      if (r.mode === 'restrict' && r.deny) assert.deepEqual(Object.values(effectivePermissions(line2.options!)).filter(Boolean), []);
      assert.equal(planKeyLine(line2, r).kind, 'unchanged');
    }),
    { numRuns: 400 },
  );
});
