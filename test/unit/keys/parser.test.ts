import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseAuthorizedKeys, printAuthorizedKeys, keyLines, type KeyLine } from '../../../src/keys/parser.js';
import { effectivePermissions } from '../../../src/keys/options.js';

const ED = 'AAAAC3NzaC1lZDI1NTE5AAAAIBP+2WDn8cx3oq2pI0kmJjvwbw8W0TmT3wSgZ6H1eL2F';
const KEY = `ssh-ed25519 ${ED}`;

function one(line: string): KeyLine {
  const f = parseAuthorizedKeys(line, 'ak');
  const k = keyLines(f)[0];
  assert.ok(k, `no key in ${JSON.stringify(line)}: ${JSON.stringify(f.diagnostics)}`);
  return k;
}

test('lines: blank, comment, key with comment, CRLF, no final newline; printing is byte-exact', () => {
  const text = `\n  \t\n# comment\r\n${KEY} alice@host  with  spaces\r\n\t ${KEY}\n${KEY}`;
  const f = parseAuthorizedKeys(text, 'ak');
  assert.deepEqual(f.lines.map((l) => l.kind), ['blank', 'blank', 'comment', 'key', 'key', 'key']);
  assert.equal(printAuthorizedKeys(f), text);
  const k = keyLines(f);
  assert.equal(k[0]!.comment, 'alice@host  with  spaces');
  assert.equal(k[0]!.eol, '\r\n');
  assert.equal(k[1]!.comment, '');
  assert.equal(k[2]!.eol, '');
  assert.deepEqual(f.diagnostics, []);
});

test('options: quoted values with escaped quotes and spaces, every kind sshd knows', () => {
  const k = one(`command="echo \\"a b\\" ; ls",from="10.0.0.0/8,!10.1.*",permitopen="host:22",permitlisten="8080",environment="A_1=x y",expiry-time="20300101",principals="a,b",no-pty,No-X11-Forwarding,no-agent-forwarding,no-port-forwarding,no-user-rc,pty,restrict,cert-authority,no-touch-required,verify-required,tunnel="1" ${KEY} c`);
  const o = k.options!;
  assert.equal(o.length, 18);
  assert.deepEqual(o[0], { kind: 'value', name: 'command', value: 'echo "a b" ; ls', start: 0, end: 27, text: 'command="echo \\"a b\\" ; ls"' });
  assert.equal(o[1]!.kind === 'value' && o[1]!.value, '10.0.0.0/8,!10.1.*');
  assert.deepEqual(o.filter((x) => x.kind === 'flag').map((x) => x.kind === 'flag' && `${x.negated ? 'no-' : ''}${x.flag}`), ['no-pty', 'no-x11-forwarding', 'no-agent-forwarding', 'no-port-forwarding', 'no-user-rc', 'pty', 'restrict', 'cert-authority', 'no-touch-required', 'verify-required']);
  assert.equal(k.comment, 'c');
  assert.deepEqual(k.optionsSpan, { start: 0, end: k.keyStart - 1 });
});

test('effective permissions: last flag wins, restrict turns all off at its position', () => {
  assert.deepEqual(effectivePermissions(one(`restrict,pty ${KEY}`).options!), { pty: true, 'port-forwarding': false, 'agent-forwarding': false, 'x11-forwarding': false, 'user-rc': false });
  assert.equal(effectivePermissions(one(`pty,restrict ${KEY}`).options!).pty, false);
  assert.equal(effectivePermissions(one(`no-pty,pty ${KEY}`).options!).pty, true);
});

test('bad lines are diagnostics with file:line:column; sshd semantics for each', () => {
  const text = [
    `no-pty,bogus ${KEY} x`, // unknown option: key ignored
    `command="unterminated ${KEY}`, // unterminated quote: the whole rest is options
    `ssh-ed25519 AAAA!!!! c`, // bad base64
    `just some words`, // no key
    `restricted ${KEY}`, // prefix match then garbage
    `command="a",command="b" ${KEY}`, // duplicate command
    `no-pty, ${KEY}`, // trailing comma before the blank is fine
    `no-pty,,pty ${KEY}`, // empty item is fine
    `expiry-time="2030" ${KEY}`,
    `ssh-rsa ${ED}`, // type mismatch
  ].join('\n');
  const f = parseAuthorizedKeys(text, '/home/a/.ssh/authorized_keys');
  const got = f.diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`);
  assert.deepEqual(got, [
    '1:8 BAD_OPTIONS bad key options: unknown key option; sshd ignores this key',
    '2:1 BAD_OPTIONS invalid key option string: unterminated quote; sshd ignores this line',
    '3:1 BAD_KEY the ssh-ed25519 key is not valid base64; sshd ignores this line',
    '4:1 NO_KEY no public key found on this line; sshd ignores it',
    '5:9 BAD_OPTIONS bad key options: unknown key option; sshd ignores this key',
    '6:13 BAD_OPTIONS bad key options: multiple "command" clauses; sshd ignores this key',
    '9:1 BAD_OPTIONS bad key options: invalid expires time; sshd ignores this key',
    '10:1 BAD_KEY the ssh-rsa key is invalid: the blob holds a ssh-ed25519 key, not ssh-rsa; sshd ignores this line',
  ]);
  assert.equal(printAuthorizedKeys(f), text);
});

const lineArb = fc.oneof(
  fc.constant(KEY),
  fc.constant(`no-pty,from="1.2.3.4" ${KEY} c`),
  fc.constant('# c'),
  fc.constant(''),
  fc.string({ unit: fc.constantFrom('a', ' ', '\t', '"', '\\', ',', '=', '#', '\r', '\0', 'é', 'n', 'o', '-', 'p', 't', 'y') }),
  fc.stringMatching(/^[ -~]{0,40}$/),
);

test('fuzz: never throws and always round-trips byte for byte', () => {
  fc.assert(
    fc.property(fc.array(lineArb, { maxLength: 12 }), fc.constantFrom('\n', '\r\n'), fc.boolean(), (lines, eol, finalEol) => {
      const text = lines.join(eol) + (finalEol ? eol : '');
      const f = parseAuthorizedKeys(text, 'f');
      assert.equal(printAuthorizedKeys(f), text);
    }),
    { numRuns: 500 },
  );
  fc.assert(fc.property(fc.string({ maxLength: 200 }).map((s) => Buffer.from(s, 'utf8').toString('latin1')), (text) => {
    assert.equal(printAuthorizedKeys(parseAuthorizedKeys(text, 'f')), text);
  }), { numRuns: 500 });
});
