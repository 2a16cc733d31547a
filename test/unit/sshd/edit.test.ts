// Edit builders: exact edits, re-parsed results, untouched lines byte-identical.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ConfigFile, DirectiveLine } from '../../../src/sshd/cst.js';
import { commentOutLine, directiveText, insertLine, quoteArg, removeLine, setDirectiveArgs, setDirectiveRest } from '../../../src/sshd/edit.js';
import { parseSshdConfig } from '../../../src/sshd/parser.js';
import { applyEdits } from '../../../src/text/edit.js';

const parse = (t: string) => parseSshdConfig(t, 'f');
const dir = (f: ConfigFile, n: number) => f.lines.find((l): l is DirectiveLine => l.kind === 'directive' && l.line === n)!;
function untouched(before: ConfigFile, after: ConfigFile, except: number[]): void {
  const a = after.lines.map((l) => after.text.slice(l.start, l.end));
  for (const l of before.lines) {
    if (except.includes(l.line)) continue;
    assert.ok(a.includes(before.text.slice(l.start, l.end)), `line ${l.line} kept`);
  }
}

describe('edit builders', () => {
  const src = 'Port 22\r\n\tPermitRootLogin = yes   # was no\r\nAcceptEnv LANG\r\nForceCommand echo "hi"\r\n';
  it('setDirectiveArgs keeps indentation, separator, comment and CRLF', () => {
    const f = parse(src);
    const out = applyEdits(src, setDirectiveArgs(f, dir(f, 2), ['prohibit-password']));
    assert.equal(out, 'Port 22\r\n\tPermitRootLogin = prohibit-password   # was no\r\nAcceptEnv LANG\r\nForceCommand echo "hi"\r\n');
    untouched(f, parse(out), [2]);
    const out2 = applyEdits(src, setDirectiveArgs(f, dir(f, 3), ['LANG', 'LC_*', 'a b', '']));
    assert.deepEqual(dir(parse(out2), 3).args.map((a) => a.value), ['LANG', 'LC_*', 'a b', '']);
    const g = parse('Port #x\n');
    assert.equal(applyEdits(g.text, setDirectiveArgs(g, dir(g, 1), ['22'])), 'Port 22 #x\n');
  });
  it('setDirectiveRest replaces the raw rest of line', () => {
    const f = parse(src);
    const out = applyEdits(src, setDirectiveRest(f, dir(f, 4), 'internal-sftp -d "/up load"'));
    assert.equal(dir(parse(out), 4).rest.value, 'internal-sftp -d "/up load"');
    untouched(f, parse(out), [4]);
  });
  it('commentOutLine prefixes "#", removeLine deletes the whole line', () => {
    const f = parse(src);
    const out = applyEdits(src, commentOutLine(f, dir(f, 2)));
    assert.equal(out, 'Port 22\r\n#\tPermitRootLogin = yes   # was no\r\nAcceptEnv LANG\r\nForceCommand echo "hi"\r\n');
    assert.equal(parse(out).lines[1]?.kind, 'comment');
    assert.equal(applyEdits(src, removeLine(f, dir(f, 1))), src.slice(9));
  });
  it('insertLine honours CRLF, adds a missing final newline, and supports top/before/after/end', () => {
    const f = parse(src);
    const line = directiveText('PasswordAuthentication', ['no']);
    assert.equal(applyEdits(src, insertLine(f, 'top', line)), 'PasswordAuthentication no\r\n' + src);
    assert.equal(applyEdits(src, insertLine(f, 'end', line)), src + 'PasswordAuthentication no\r\n');
    assert.equal(applyEdits(src, insertLine(f, { before: dir(f, 3) }, line)), 'Port 22\r\n\tPermitRootLogin = yes   # was no\r\nPasswordAuthentication no\r\nAcceptEnv LANG\r\nForceCommand echo "hi"\r\n');
    const g = parse('Port 22');
    assert.equal(applyEdits(g.text, insertLine(g, { after: g.lines[0]! }, line)), 'Port 22\nPasswordAuthentication no\n');
    const e = parse('');
    assert.equal(applyEdits('', insertLine(e, 'end', line)), 'PasswordAuthentication no\n');
  });
  it('quoteArg: argv_split reads back exactly the value (property)', () => {
    const value = fc.string({ unit: fc.integer({ min: 1, max: 255 }).filter((c) => c !== 10).map((c) => String.fromCharCode(c)), maxLength: 20 });
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 4 }), (vals) => {
        const f = parse(directiveText('AcceptEnv', vals) + '\n');
        const d = f.lines[0];
        assert.equal(d?.kind, 'directive');
        assert.deepEqual(d.kind === 'directive' && d.args.map((a) => a.value), vals);
      }),
      { numRuns: 1000 },
    );
    assert.equal(quoteArg('plain'), 'plain');
    assert.equal(quoteArg('a "b"\\'), '"a \\"b\\"\\\\"');
    assert.throws(() => quoteArg('a\nb'), RangeError);
  });
});
