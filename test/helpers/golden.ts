// Golden files: a renderer's output compared with a reviewed file under test/golden/, rewritten
// only when UPDATE_GOLDEN=1 (after checking the output by eye).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Asserts that `actual` equals the file `name` in the directory `dir` (written first under UPDATE_GOLDEN=1). */
export function assertGolden(dir: string, name: string, actual: string): void {
  const p = join(dir, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dir, { recursive: true });
    writeFileSync(p, actual);
  }
  assert.ok(existsSync(p), `${p} missing: run with UPDATE_GOLDEN=1 after checking the output`);
  assert.equal(actual, readFileSync(p, 'utf8'), `${name} differs from the golden file (UPDATE_GOLDEN=1 to accept)`);
}
