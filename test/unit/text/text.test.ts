import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unifiedDiff } from '../../../src/text/diff.js';
import { LineIndex } from '../../../src/text/line-index.js';

describe('LineIndex', () => {
  it('maps offsets to 1-based line/column and back', () => {
    const ix = new LineIndex('ab\r\ncd\n\nx');
    assert.equal(ix.lineCount, 4);
    assert.deepEqual(ix.positionOf(0), { line: 1, column: 1 });
    assert.deepEqual(ix.positionOf(4), { line: 2, column: 1 });
    assert.deepEqual(ix.positionOf(7), { line: 3, column: 1 });
    assert.deepEqual(ix.positionOf(99), { line: 4, column: 2 });
    assert.equal(ix.offsetOf(2, 2), 5);
    assert.equal(ix.lineStart(4), 8);
  });
});

describe('unifiedDiff', () => {
  it('shows the change with context, empty when equal', () => {
    assert.equal(unifiedDiff('/etc/ssh/sshd_config', 'a\n', 'a\n'), '');
    const d = unifiedDiff('/etc/ssh/sshd_config', 'Port 22\nPermitRootLogin yes\n', 'Port 22\nPermitRootLogin no\n');
    assert.match(d, /^--- a\/etc\/ssh\/sshd_config$/m);
    assert.match(d, /^\+\+\+ b\/etc\/ssh\/sshd_config$/m);
    assert.match(d, /^-PermitRootLogin yes$/m);
    assert.match(d, /^\+PermitRootLogin no$/m);
    assert.match(d, /^ Port 22$/m);
  });
});
