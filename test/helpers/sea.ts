// The single executable (Node SEA) for tests: dist/sshield-linux-x64, built by scripts/build-sea.sh
// when missing or older than the bundle it carries (dist/sshield.cjs, itself built first when
// missing). Several test files may ask at once (the runner starts them side by side): one builds
// under a lock (a directory made with mkdir, atomic; its owner's pid inside, so a lock left by a
// killed build is taken over), the others wait and then find it fresh. What a caller gets is a
// snapshot that never changes under it: a hard link of that build in .cache/sea/<inode>/ (another
// test file's build replaces dist/sshield-linux-x64 by a rename, with a new sha256, mid-run);
// snapshots of older builds are removed after an hour.
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { run } from './sshd.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const SEA = join(REPO, 'dist', 'sshield-linux-x64');
const BUNDLE = join(REPO, 'dist', 'sshield.cjs');
const LOCK = join(REPO, '.cache', 'sea-build.lock');

function fresh(): boolean {
  return existsSync(SEA) && existsSync(BUNDLE) && statSync(SEA).mtimeMs >= statSync(BUNDLE).mtimeMs;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function withLock<T>(fn: () => Promise<T>, waitMs = 600_000): Promise<T> {
  mkdirSync(join(REPO, '.cache'), { recursive: true });
  const end = Date.now() + waitMs;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let owner = Number.NaN;
      try {
        owner = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
      } catch {
        /* being made or removed: wait */
      }
      if (Number.isInteger(owner) && owner > 0 && !alive(owner)) rmSync(LOCK, { recursive: true, force: true });
      else if (Date.now() > end) throw new Error(`the single executable is still being built by pid ${owner} (${LOCK})`);
      else await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** A hard link of the current build that no later build changes (see the top of this file). */
function snapshot(): string {
  const ino = statSync(SEA).ino;
  const root = join(REPO, '.cache', 'sea');
  const dir = join(root, String(ino));
  const path = join(dir, 'sshield-linux-x64');
  mkdirSync(dir, { recursive: true });
  try {
    linkSync(SEA, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  for (const d of readdirSync(root)) {
    if (d === String(ino)) continue;
    try {
      if (Date.now() - statSync(join(root, d)).mtimeMs > 3_600_000) rmSync(join(root, d), { recursive: true, force: true });
    } catch {
      /* another process removed it */
    }
  }
  return path;
}

/** A fresh single executable (built when needed; x86-64 only), as a snapshot no later build changes. */
export async function ensureSea(): Promise<string> {
  if (fresh()) return snapshot();
  return withLock(async () => {
    if (!existsSync(BUNDLE)) {
      const b = await run(process.execPath, ['build.mjs'], { timeoutMs: 120_000, env: { ...process.env } });
      if (b.code !== 0) throw new Error(`node build.mjs failed: ${b.stderr}`);
    }
    if (!fresh()) {
      const b = await run(join(REPO, 'scripts', 'build-sea.sh'), [], { timeoutMs: 300_000, env: { ...process.env } });
      if (b.code !== 0) throw new Error(`scripts/build-sea.sh failed: ${b.stderr}`);
    }
    return snapshot();
  });
}
