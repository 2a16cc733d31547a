// The three real daemons as oracles for the built-in engine, behind one shape: Debian 12's
// /usr/sbin/sshd on this machine (9.2p1-debian) and the chrooted sshd of the cached Debian 13
// and Debian unstable roots (10.0p1-debian, 10.6p1-debian; test/helpers/debian-roots.ts).
// A config set is placed where that sshd reads it ("@DIR@" in texts and names is the directory
// sshd sees); `sshdT` runs the real `sshd -T [-C spec]` on it (output bytes as latin1), and the
// engine reads the same files through `fs`.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BUILDS, type BuildProfile } from '../../src/sshd/builds/index.js';
import type { ReadOnlyFs } from '../../src/host/fs.js';
import { localFs } from '../../src/host/local-fs.js';
import { rootFs } from '../../src/host/root-fs.js';
import { SID, TRIXIE, type DebianRoot } from './debian-roots.js';
import { ensurePrivsepDir, hostKeys, sshdAvailable, sshdT, type RunResult } from './sshd.js';
import { sshdTBatch } from './sshd-batch.js';

export interface Placed {
  /** The main config path as the oracle's sshd sees it (and the engine reads it through `fs`). */
  readonly main: string;
  sshdT(spec?: string): Promise<RunResult>;
  /** Several specs in one spawn (undefined = no -C). */
  sshdTMany(specs: readonly (string | undefined)[]): Promise<RunResult[]>;
  remove(): void;
}

export interface Oracle {
  readonly build: BuildProfile;
  readonly fs: ReadOnlyFs;
  readonly cwd: string;
  /** Why it cannot run here, or undefined. */
  readonly unavailable: string | undefined;
  /** A host key path as the oracle's sshd names it (call after checking `unavailable`). */
  hostKey(): Promise<string>;
  /** Writes `main` and `files` (names relative to @DIR@); texts are byte strings (latin1). */
  place(main: string, files?: Readonly<Record<string, string>>): Placed;
}

function local(): Oracle {
  return {
    build: BUILDS['9.2p1-debian'], fs: localFs(), cwd: process.cwd(),
    unavailable: sshdAvailable() ? undefined : 'needs root and /usr/sbin/sshd',
    hostKey: async () => (await hostKeys(['ed25519']))[0]!,
    place(main, files = {}) {
      const dir = mkdtempSync(join(tmpdir(), 'sshield-oracle-'));
      const write = (p: string, t: string) => { mkdirSync(dirname(p), { recursive: true }); writeFileSync(p, t.replaceAll('@DIR@', dir), 'latin1'); };
      write(join(dir, 'sshd_config'), main);
      for (const [k, v] of Object.entries(files)) write(join(dir, k.replaceAll('@DIR@', dir)), v);
      const path = join(dir, 'sshd_config');
      return {
        main: path,
        sshdT: (spec) => sshdT(path, spec),
        sshdTMany: (specs) => { ensurePrivsepDir(); return sshdTBatch({ sshd: '/usr/sbin/sshd', main: path, dirSeen: dir, dirHost: dir }, specs); },
        remove: () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  };
}

function inRoot(build: BuildProfile, r: DebianRoot): Oracle {
  return {
    build, fs: rootFs(r.root), cwd: '/', unavailable: r.unavailable(),
    hostKey: async () => r.hostKey,
    place(main, files = {}) {
      const c = r.config(main, files);
      return { main: c.main, sshdT: (spec) => c.sshdT(spec), sshdTMany: (specs) => c.sshdTMany(specs), remove: () => c.remove() };
    },
  };
}

/** Debian 12 (local), Debian 13 (trixie root), Debian unstable (sid root). */
export function oracles(): Oracle[] {
  return [local(), inRoot(BUILDS['10.0p1-debian'], TRIXIE), inRoot(BUILDS['10.6p1-debian'], SID)];
}
