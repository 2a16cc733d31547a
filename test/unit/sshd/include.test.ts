// loadConfigTree over the in-memory fs: sshd's reading order, glob semantics, the include
// cache, depth limit and loops, unreadable and oversized files.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memoryFs } from '../../../src/host/memory-fs.js';
import { type ConfigTree, loadConfigTree } from '../../../src/sshd/include.js';
import { fnmatchPeriod } from '../../../src/sshd/glob.js';

/** "enter path" / "leave path" / "line path:N" / "error CODE effect" */
function trace(t: ConfigTree, which: 'items' | 'matchItems' = 'items'): string[] {
  return t[which].map((it) => {
    if (it.kind === 'error') return `error ${it.diagnostic.code} ${it.effect}`;
    if (it.kind === 'line') return `line ${it.file.path}:${it.line.line}`;
    return `${it.kind} ${it.file.path}${it.include?.cached ? ' (cached)' : ''}`;
  });
}

describe('loadConfigTree', () => {
  it('expands Include in place, globs sorted in byte order, dotfiles skipped, relative to /etc/ssh', async () => {
    const fs = memoryFs({
      '/etc/ssh/sshd_config': 'Include sshd_config.d/*.conf\nPort 22\n',
      '/etc/ssh/sshd_config.d/b.conf': 'X 1\n',
      '/etc/ssh/sshd_config.d/B.conf': 'X 2\n',
      '/etc/ssh/sshd_config.d/a.conf': 'X 3\n',
      '/etc/ssh/sshd_config.d/.hidden.conf': 'X 4\n',
      '/etc/ssh/sshd_config.d/c.conf.bak': 'X 5\n',
    });
    const t = await loadConfigTree(fs, '/etc/ssh/sshd_config');
    assert.deepEqual(trace(t), [
      'enter /etc/ssh/sshd_config',
      'line /etc/ssh/sshd_config:1',
      'enter /etc/ssh/sshd_config.d/B.conf', 'line /etc/ssh/sshd_config.d/B.conf:1', 'leave /etc/ssh/sshd_config.d/B.conf',
      'enter /etc/ssh/sshd_config.d/a.conf', 'line /etc/ssh/sshd_config.d/a.conf:1', 'leave /etc/ssh/sshd_config.d/a.conf',
      'enter /etc/ssh/sshd_config.d/b.conf', 'line /etc/ssh/sshd_config.d/b.conf:1', 'leave /etc/ssh/sshd_config.d/b.conf',
      'line /etc/ssh/sshd_config:2',
      'leave /etc/ssh/sshd_config',
    ]);
    assert.equal(t.fatal, false);
    assert.deepEqual(trace(t, 'matchItems').map((s) => s.replace(' (cached)', '')), trace(t));
    const inc = t.items[2];
    assert.ok(inc?.kind === 'enter' && inc.include?.selector === '/etc/ssh/sshd_config.d/*.conf' && inc.include.line.line === 1);
  });

  it('several arguments, the same glob twice (served from the cache), no match silently ignored, sshDir option', async () => {
    const fs = memoryFs({
      '/cfg/main': 'include a.conf nomatch*.conf a.conf\nMatch User x\n  Include /cfg/a.conf\n',
      '/cfg/a.conf': 'Y 1\n',
    });
    const t = await loadConfigTree(fs, '/cfg/main', { sshDir: '/cfg' });
    assert.deepEqual(trace(t), [
      'enter /cfg/main', 'line /cfg/main:1',
      'enter /cfg/a.conf', 'line /cfg/a.conf:1', 'leave /cfg/a.conf',
      'enter /cfg/a.conf (cached)', 'line /cfg/a.conf:1', 'leave /cfg/a.conf (cached)',
      'line /cfg/main:2', 'line /cfg/main:3',
      'enter /cfg/a.conf (cached)', 'line /cfg/a.conf:1', 'leave /cfg/a.conf (cached)',
      'leave /cfg/main',
    ]);
    assert.deepEqual(t.diagnostics, []);
  });

  it('an include loop ends at the depth limit with INCLUDE_DEPTH and INCLUDE_LOOP naming the cycle', async () => {
    const fs = memoryFs({ '/etc/ssh/sshd_config': 'Include /etc/ssh/a\n', '/etc/ssh/a': 'Include b\n', '/etc/ssh/b': 'Include a\n' });
    const t = await loadConfigTree(fs, '/etc/ssh/sshd_config');
    assert.equal(t.fatal, true);
    assert.equal(t.items.filter((i) => i.kind === 'enter').length, 17); // depths 0..16
    assert.deepEqual(t.items.at(-1)?.kind === 'error' && [t.items.at(-1)?.kind, (t.items.at(-1) as { effect: string }).effect], ['error', 'fatal']);
    const codes = t.diagnostics.map((d) => `${d.code} ${d.file}:${d.line}`);
    assert.ok(codes.includes('INCLUDE_DEPTH /etc/ssh/b:1'), codes.join());
    const loop = t.diagnostics.find((d) => d.code === 'INCLUDE_LOOP');
    assert.match(loop?.message ?? '', /\/etc\/ssh\/a -> \/etc\/ssh\/b -> \/etc\/ssh\/a$/);
    assert.deepEqual(t.matchItems, []);
  });

  it('unreadable or oversized included files are fatal, naming the including file and line', async () => {
    const fs = memoryFs({
      '/etc/ssh/sshd_config': '# x\nInclude /etc/ssh/secret\n',
      '/etc/ssh/secret': { content: 'Port 1\n', unreadable: true },
    });
    const t = await loadConfigTree(fs, '/etc/ssh/sshd_config');
    assert.equal(t.fatal, true);
    const d = t.diagnostics.find((x) => x.code === 'UNREADABLE_FILE');
    assert.deepEqual([d?.file, d?.line, d?.severity], ['/etc/ssh/sshd_config', 2, 'error']);
    const big = memoryFs({ '/etc/ssh/sshd_config': 'Include /etc/ssh/big\n', '/etc/ssh/big': new Uint8Array(50 * 1024 * 1024) });
    const t0 = performance.now();
    const b = await loadConfigTree(big, '/etc/ssh/sshd_config');
    assert.ok(performance.now() - t0 < 1000);
    assert.deepEqual(b.diagnostics.map((x) => [x.code, x.line]), [['FILE_TOO_LARGE', 1]]);
    const missing = await loadConfigTree(big, '/nope');
    assert.equal(missing.main, undefined);
    assert.equal(missing.diagnostics[0]?.code, 'UNREADABLE_FILE');
  });

  it('empty Include argument is a bad option that ends the line; no argument at all is fatal', async () => {
    const fs = memoryFs({ '/m': 'Include /a "" /a\nInclude # nothing\n', '/a': 'Z 1\n' });
    const t = await loadConfigTree(fs, '/m');
    assert.deepEqual(trace(t), [
      'enter /m', 'line /m:1', 'enter /a', 'line /a:1', 'leave /a', 'error MISSING_ARGUMENT bad-option', 'line /m:2', 'error MISSING_ARGUMENT fatal',
    ]);
  });

  it('globs: wildcards per component, brackets, escapes, symlinks, directories read as empty', async () => {
    const fs = memoryFs({
      '/m': 'Include /d/*/x[0-9].conf /d/lit\\*.conf /l/*.conf /d/sub\n',
      '/d/one/x1.conf': 'A 1\n',
      '/d/two/x2.conf': 'A 2\n',
      '/d/two/xa.conf': 'A 3\n',
      '/d/.dot/x3.conf': 'A 4\n',
      '/d/lit*.conf': 'A 5\n',
      '/d/sub/f': 'A 6\n',
      '/l': { kind: 'symlink', target: '/d/one' },
    });
    const t = await loadConfigTree(fs, '/m');
    assert.deepEqual(t.items.filter((i) => i.kind === 'enter').map((i) => i.kind === 'enter' && i.file.path), ['/m', '/d/one/x1.conf', '/d/two/x2.conf', '/d/lit*.conf', '/l/x1.conf', '/d/sub']);
    assert.ok(t.diagnostics.some((d) => d.code === 'UNREADABLE_FILE' && d.severity === 'warning'));
    assert.equal(fnmatchPeriod('*', '.x'), false);
    assert.equal(fnmatchPeriod('.*', '.x'), true);
    assert.equal(fnmatchPeriod('[!a]?', 'ba'), true);
    assert.equal(fnmatchPeriod('[]]', ']'), true);
    assert.equal(fnmatchPeriod('a[', 'a['), true);
  });
});
