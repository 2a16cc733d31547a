// A child process replaces one file over and over (alternating two contents of different sizes);
// the parent SIGKILLs it at random moments. Whatever the moment, the file must be exactly the old
// or the new content, never empty, truncated or mixed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';

const A = Buffer.alloc(256 * 1024, 'a\n');
const B = Buffer.alloc(700 * 1024, 'bb\n');

test('SIGKILL at random moments leaves exactly the old or the new content', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sshield-awkill-'));
  try {
    const target = join(dir, 'authorized_keys');
    writeFileSync(target, A);
    const childJs = join(dir, 'child.mjs');
    buildSync({
      stdin: {
        contents: `
          import { atomicReplace } from ${JSON.stringify(resolve('src/apply/atomic-write.ts'))};
          const [target] = process.argv.slice(2);
          const A = Buffer.alloc(${A.length}, 'a\\n');
          const B = Buffer.alloc(${B.length}, 'bb\\n');
          let n = 0;
          for (;;) {
            const r = await atomicReplace(target, n % 2 ? A : B);
            if (!r.ok) { console.error(r.message); process.exit(9); }
            if (n++ === 0) process.stdout.write('ready\\n');
          }`,
        resolveDir: process.cwd(),
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: childJs,
      logLevel: 'silent',
    });
    const deadline = Date.now() + 30_000;
    let iterations = 0;
    const seen = { a: 0, b: 0 };
    while (iterations < 40 && Date.now() < deadline) {
      const child = spawn(process.execPath, [childJs, target], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((res, rej) => {
        child.stdout!.once('data', () => res());
        child.once('exit', (code) => rej(new Error(`child exited early with ${code}`)));
      });
      await new Promise((r) => setTimeout(r, Math.random() * 40));
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      const now = readFileSync(target);
      const isA = now.equals(A);
      const isB = now.equals(B);
      assert.ok(isA || isB, `iteration ${iterations}: file is ${now.length} bytes, neither old nor new`);
      if (isA) seen.a++;
      else seen.b++;
      iterations++;
    }
    assert.ok(iterations >= 10, `only ${iterations} iterations ran`);
    // Stray temp files may remain after a kill; the target never is one of them.
    for (const name of readdirSync(dir)) assert.ok(name === 'authorized_keys' || name === 'child.mjs' || /^\.authorized_keys\.sshield-[0-9a-f]{12}\.tmp$/.test(name), name);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
