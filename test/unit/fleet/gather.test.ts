// The remote side of a fleet audit, without a network: the gather script run by the local sh over
// a scratch directory tree (as a remote host would run it), its answer parsed and served by the
// snapshot; a hostile answer table (escapes, bad encodings, lies about sizes, truncation, floods
// of records) refused with one clear error; remote argv quoting proven against a real sh with
// generated strings; misses (what the judge asked that was not gathered) turn into requests.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { gatherCommand, GATHER_MAGIC, type GatherRequest } from '../../../src/fleet/gather-script.js';
import { parseGatherStream, validPath } from '../../../src/fleet/gather-stream.js';
import { normalizePath, Snapshot } from '../../../src/fleet/snapshot.js';
import { commandLine, shellQuote } from '../../../src/fleet/ssh.js';

const dir = mkdtempSync(join(tmpdir(), 'sshield-gather-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the gather command line with the local sh, as the remote login shell would. */
function gatherLocally(requests: GatherRequest[], cap = 1 << 20): Buffer {
  const r = spawnSync('sh', ['-c', gatherCommand(requests, cap)], { maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout;
}

test('the gather script answers stat, read, list, readdir, shadow and run requests; the snapshot serves them like a file system', async () => {
  const root = join(dir, 'tree');
  mkdirSync(join(root, 'conf.d'), { recursive: true });
  writeFileSync(join(root, 'main'), 'Include conf.d/*.conf\n');
  writeFileSync(join(root, 'conf.d', "it's a $(x) `y`\n.conf"), 'X 1\n');
  writeFileSync(join(root, 'conf.d', 'host_key'), 'PRIVATE');
  writeFileSync(join(root, 'shadow'), 'root:$6$salt$hash:19000:0:99999:7:::\nlocked:!$6$x$y:19000::::::\nnone:*:19000::::::\nempty::19000::::::\nbang:!:1::::::\n');
  symlinkSync('conf.d', join(root, 'link'));
  symlinkSync(join(root, 'main'), join(root, 'abs-link'));
  const requests: GatherRequest[] = [
    { op: 'readdir', arg: join(root, 'link') },
    { op: 'read', arg: join(root, 'abs-link') },
    { op: 'shadow', arg: join(root, 'shadow') },
    { op: 'stat', arg: join(root, 'nope', 'deeper') },
    { op: 'run', arg: commandLine('printf', ['%s|', 'a b', "it's", '$HOME']) },
    { op: 'run', arg: commandLine('sh', ['-c', 'echo out; echo err >&2; exit 3']) },
  ];
  const p = parseGatherStream(gatherLocally(requests), 1 << 20);
  assert.ok(p.ok, p.ok ? '' : p.error);
  const snap = new Snapshot('local', 1 << 20);
  await snap.add(p.answer, requests);
  const misses = new Map<string, GatherRequest>();
  const exec = snap.view(misses);
  const names = (await exec.fs.readDir(join(root, 'link')))!.sort();
  assert.deepEqual(names, ['host_key', "it's a $(x) `y`\n.conf"]);
  const weird = await exec.fs.readFile(join(root, 'link', "it's a $(x) `y`\n.conf"));
  assert.ok(weird.ok && Buffer.from(weird.bytes).toString() === 'X 1\n');
  const main = await exec.fs.readFile(join(root, 'abs-link'));
  assert.ok(main.ok && Buffer.from(main.bytes).toString() === 'Include conf.d/*.conf\n');
  assert.equal(await exec.fs.realPath(join(root, 'abs-link')), join(root, 'main'));
  assert.equal((await exec.fs.lstat(join(root, 'link')))?.kind, 'symlink');
  assert.equal((await exec.fs.stat(join(root, 'link')))?.kind, 'directory');
  const shadow = await exec.fs.readFile(join(root, 'shadow'));
  assert.ok(shadow.ok);
  assert.equal(Buffer.from(shadow.bytes).toString(), 'root:sshield-redacted:19000:0:99999:7:::\nlocked:!sshield-redacted:19000::::::\nnone:*:19000::::::\nempty::19000::::::\nbang:!:1::::::\n');
  assert.equal(await exec.fs.stat(join(root, 'nope', 'deeper')), undefined);
  const run1 = await exec.run('printf', ['%s|', 'a b', "it's", '$HOME']);
  assert.equal(run1!.stdout, "a b|it's|$HOME|");
  const run2 = await exec.run('sh', ['-c', 'echo out; echo err >&2; exit 3']);
  assert.deepEqual([run2!.code, run2!.stdout], [3, 'out\nerr\n']);
  assert.equal(misses.size, 0, JSON.stringify([...misses.values()]));
  // Not gathered: a miss for the next round, answered "missing" for now.
  assert.equal((await exec.fs.readFile(join(root, 'other'))).ok, false);
  await exec.run('sshd', ['-V']);
  assert.deepEqual([...misses.values()], [{ op: 'read', arg: join(root, 'other') }, { op: 'run', arg: commandLine('sshd', ['-V']) }]);
  // What was asked once is final: asking again is no new miss.
  snap.markAsked([...misses.values()]);
  const again = new Map<string, GatherRequest>();
  await snap.view(again).fs.readFile(join(root, 'other'));
  assert.equal(again.size, 0);
});

test('private host keys are never read, even when asked; a file over the cap is "too large", never truncated silently', async () => {
  const p = parseGatherStream(gatherLocally([{ op: 'read', arg: '/etc/ssh/ssh_host_ed25519_key' }]), 1 << 20);
  assert.ok(p.ok);
  assert.equal(p.answer.contents.size, 0);
  const big = join(dir, 'big');
  writeFileSync(big, 'x'.repeat(5000));
  const q = parseGatherStream(gatherLocally([{ op: 'read', arg: big }], 1000), 1000);
  assert.ok(q.ok);
  const snap = new Snapshot('local', 1000);
  await snap.add(q.answer, [{ op: 'read', arg: big }]);
  const r = await snap.view(new Map()).fs.readFile(big);
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.reason, 'too-large');
});

const b64 = (s: string) => Buffer.from(s, 'latin1').toString('base64');
const stream = (...lines: string[]) => Buffer.from(`${GATHER_MAGIC}\n${lines.join('\n')}\n`, 'latin1');
const statBlob = (...triples: [string, string, string][]) => b64(triples.map((t) => `${t.join('\0')}\0`).join(''));

test('a hostile answer is one error, never a partial result', () => {
  const cases: [string, Buffer, RegExp][] = [
    ['empty', Buffer.alloc(0), /no answer/],
    ['no magic', Buffer.from('hello\nEND 0\n'), /no magic line/],
    ['huge banner', Buffer.concat([Buffer.alloc(70_000, 0x41), Buffer.from(`\n${GATHER_MAGIC}\nEND 0\n`)]), /64 KiB before/],
    ['cut off', stream(`C r:/etc/x ${b64('a')}`), /ended before END/],
    ['count lie', stream(`C r:/etc/x ${b64('a')}`, 'END 2'), /END count/],
    ['after END', stream('END 0', 'C r:/etc/x YQ=='), /data after END/],
    ['dot-dot', stream(`C b:${b64('/etc/../root/.ssh/id')} YQ==`, 'END 1'), /bad path/],
    ['relative', stream('C r:etc/passwd YQ==', 'END 1'), /bad path/],
    ['double slash', stream('C r://etc YQ==', 'END 1'), /bad path/],
    ['NUL in path', stream(`C b:${b64('/etc/a\0b')} YQ==`, 'END 1'), /bad path/],
    ['raw with bad chars', stream('C r:/etc/a$b YQ==', 'END 1'), /bad name encoding/],
    ['bad base64', stream('C r:/etc/x !!!!', 'END 1'), /bad base64/],
    ['unknown record', stream('Z r:/etc/x', 'END 1'), /unknown record/],
    ['over the cap', stream(`C r:/etc/x ${b64('y'.repeat(20))}`, 'END 1'), /more bytes than asked/],
    ['stat escape', stream(`F ${statBlob(['f 644 0 0 1 1', '/etc/../x', ''])}`, 'END 1'), /bad path/],
    ['stat link without target', stream(`F ${statBlob(['l 777 0 0 1 1', '/etc/x', ''])}`, 'END 1'), /bad symlink target/],
    ['stat bad fields', stream(`F ${statBlob(['f 999 0 0 1 1', '/etc/x', ''])}`, 'END 1'), /bad stat fields/],
    ['stat not triples', stream(`F ${b64('f 644 0 0 1 1\0/etc/x\0')}`, 'END 1'), /triples/],
    ['listing with a slash', stream(`D r:/etc ${statBlob(['f 644 0 0 1 1', 'a/b', ''])}`, 'END 1'), /bad name/],
    ['listing dot-dot', stream(`D r:/etc ${statBlob(['d 755 0 0 1 1', '..', ''])}`, 'END 1'), /bad name/],
  ];
  for (const [name, data, re] of cases) {
    const r = parseGatherStream(data, 10);
    assert.equal(r.ok, false, name);
    if (!r.ok) assert.match(r.error, re, name);
  }
  assert.ok(parseGatherStream(Buffer.from(`Welcome to pve1\n${GATHER_MAGIC}\nEND 0\n`), 10).ok, 'a login banner before the magic line is fine');
});

test('the parser never throws on random bytes after the magic line', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
      parseGatherStream(Buffer.concat([Buffer.from(`${GATHER_MAGIC}\n`), Buffer.from(bytes)]), 100);
    }),
    { numRuns: 2000 },
  );
});

test('remote argv quoting: every string reaches the program byte for byte through a real sh', () => {
  const strings = fc.string({ unit: fc.constantFrom(...'ab \'"$`\\!*?[]{}();&|<>~#%=:\n\t-'.split('')), maxLength: 12 });
  fc.assert(
    fc.property(fc.array(strings, { minLength: 1, maxLength: 4 }), (args) => {
      const r = spawnSync('sh', ['-c', commandLine('printf', ['%s\\0', ...args])], { encoding: 'latin1' });
      assert.equal(r.stdout, args.map((a) => `${a}\0`).join(''));
    }),
    { numRuns: 200 },
  );
  assert.throws(() => shellQuote('a\0b'), /NUL/);
});

test('paths asked of a host are normalised; only normalised absolute paths are accepted back', () => {
  assert.equal(normalizePath('//.ssh/authorized_keys'), '/.ssh/authorized_keys');
  assert.equal(normalizePath('/home/a/./../b//k'), '/home/b/k');
  for (const ok of ['/', '/etc', '/etc/ssh/sshd_config.d/a b.conf']) assert.ok(validPath(ok), ok);
  for (const bad of ['', 'etc', '/etc/', '/etc//x', '/./x', '/a/..', `/${'x'.repeat(256)}`]) assert.ok(!validPath(bad), bad);
});
