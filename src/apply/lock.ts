// The apply lock: one file, created exclusively and appearing only with the owner's pid in it, so two sshield runs never
// change the same host at once. A lock whose pid no longer exists is stale (the owner was killed)
// and is taken over; the journal then tells the new owner what the dead one left behind.
import { bytesToText } from '../text/bytes.js';
import type { ApplyHost } from './host.js';

export class LockHeldError extends Error {
  constructor(
    readonly lockPath: string,
    readonly ownerPid: number,
  ) {
    super(`another sshield run (pid ${ownerPid}) holds ${lockPath}; wait for it to finish`);
  }
}

export interface Lock {
  readonly path: string;
  /** Whether a stale lock of a dead process was taken over. */
  readonly tookOverStale: boolean;
  release(): Promise<void>;
}

/** Takes the lock; while a live process holds it, waits up to `waitMs` (0: fail at once) unless `abort` ends the wait. */
export async function acquireLock(host: ApplyHost, lockPath: string, waitMs = 0, abort?: AbortSignal): Promise<Lock> {
  const dir = lockPath.slice(0, lockPath.lastIndexOf('/')) || '/';
  await host.mkdirp(dir, 0o700);
  let tookOverStale = false;
  const deadline = host.now() + waitMs;
  for (let attempt = 0; attempt < 3; attempt++) {
    const r = await host.createExclusive(lockPath, Buffer.from(`${host.pid}\n`), 0o600);
    if (r === 'ok') {
      return {
        path: lockPath,
        tookOverStale,
        release: async () => {
          const cur = await readOwner(host, lockPath);
          if (cur === host.pid) await host.remove(lockPath);
        },
      };
    }
    const owner = await readOwner(host, lockPath);
    if (owner !== undefined && owner !== host.pid && (await host.signal(owner, 0))) {
      if (host.now() >= deadline) throw new LockHeldError(lockPath, owner);
      if (abort?.aborted) throw new Error(`${typeof abort.reason === 'string' ? abort.reason : 'interrupted'} while waiting for ${lockPath} (held by pid ${owner}); nothing was changed`);
      await host.sleep(200);
      attempt--; // a live owner is not a failed attempt: wait for it
      continue;
    }
    // Dead owner (or an unreadable / empty lock, which no run of this version leaves: its lock
    // appears with its content, local-host.ts createExclusive): stale. Taken away only if it is
    // still the lock judged stale: moved aside under a name of this run's own, read back, and
    // given back when another run's fresh lock was moved instead (it took the stale lock over
    // between our read and our move), so two runs never both take over one stale lock.
    const aside = `${lockPath}.stale.${host.pid}`;
    try {
      await host.rename(lockPath, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // another run removed it first
      throw e;
    }
    const moved = await host.fs.readFile(aside, 64);
    if ((moved.ok ? ownerOf(moved.bytes) : undefined) !== owner) {
      if (moved.ok) await host.createExclusive(lockPath, moved.bytes, 0o600);
      await host.remove(aside);
      continue;
    }
    await host.remove(aside);
    tookOverStale = true;
  }
  throw new LockHeldError(lockPath, (await readOwner(host, lockPath)) ?? -1);
}

async function readOwner(host: ApplyHost, lockPath: string): Promise<number | undefined> {
  const r = await host.fs.readFile(lockPath, 64);
  return r.ok ? ownerOf(r.bytes) : undefined;
}

function ownerOf(bytes: Uint8Array): number | undefined {
  const n = Number.parseInt(bytesToText(bytes).trim(), 10);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

export async function withLock<T>(host: ApplyHost, lockPath: string, fn: (lock: Lock) => Promise<T>, waitMs = 0, abort?: AbortSignal): Promise<T> {
  const lock = await acquireLock(host, lockPath, waitMs, abort);
  try {
    return await fn(lock);
  } finally {
    await lock.release().catch(() => undefined);
  }
}
