// Real Debian sshd builds as differential oracles, each run inside a cached debootstrap root:
// Debian 13 "trixie" (openssh-server 1:10.0p1-7+deb13u4, scripts/trixie-root.sh, the
// 10.0p1-debian profile) and Debian unstable "sid" (1:10.6p1-1, scripts/sid-root.sh, the
// 10.6p1-debian profile). .ci/run builds both. Configs are copied into ROOT/tmp/sshield-diff-*,
// `chroot ROOT /usr/sbin/sshd -T -f /tmp/... [-C spec]` runs on them, and the copies are removed
// afterwards. The roots' own host keys (/etc/ssh/ssh_host_*_key inside them) serve sshd -T.
// Where a root lives: $SSHIELD_<NAME>_ROOT, else the first built one of .cache/<name>-root beside
// the trixie root named by $SSHIELD_TRIXIE_ROOT, this checkout's .cache/<name>-root, and (in a git
// worktree) the main checkout's .cache/<name>-root.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { run, type RunResult } from './sshd.js';
import { sshdTBatch } from './sshd-batch.js';

const REPO_CACHE = join(import.meta.dirname, '..', '..', '.cache');

/** A config set copied into a root: `@DIR@` is the directory as the chrooted sshd sees it. */
export interface RootConfig {
  /** The directory as sshd inside the root sees it. */
  readonly dir: string;
  /** The main config path as sshd inside the root sees it. */
  readonly main: string;
  /** `sshd -T -f main [-C spec]` inside the root (stdout/stderr as latin1 byte strings). */
  sshdT(spec?: string): Promise<RunResult>;
  /** The same for several specs in one spawn (undefined = no -C). */
  sshdTMany(specs: readonly (string | undefined)[]): Promise<RunResult[]>;
  remove(): void;
}

export interface DebianRoot {
  readonly name: string;
  readonly root: string;
  /** Host key inside the root, as the chrooted sshd names it. */
  readonly hostKey: string;
  /** Why this oracle cannot run here (the test then skips, printing it), or undefined. */
  unavailable(): string | undefined;
  /** Copies `configText` (and extra files, names relative to @DIR@ or absolute) into the root. */
  config(configText: string, extraFiles?: Readonly<Record<string, string>>): RootConfig;
}

/** In a git worktree: the main checkout's .cache (where the shared roots are usually built). */
function mainCheckoutCache(): string | undefined {
  try {
    const dotGit = join(REPO_CACHE, '..', '.git');
    const m = /^gitdir: (.*)$/m.exec(readFileSync(dotGit, 'utf8'));
    if (!m) return undefined;
    const common = resolve(m[1]!.trim(), readFileSync(join(m[1]!.trim(), 'commondir'), 'utf8').trim());
    return join(dirname(common), '.cache');
  } catch {
    return undefined; // not a worktree (.git is a directory) or not a checkout at all
  }
}

function locate(name: string): string {
  const own = process.env[`SSHIELD_${name.toUpperCase()}_ROOT`];
  if (own) return resolve(own);
  const candidates = [
    ...(process.env.SSHIELD_TRIXIE_ROOT && name !== 'trixie' ? [join(dirname(resolve(process.env.SSHIELD_TRIXIE_ROOT)), `${name}-root`)] : []),
    join(REPO_CACHE, `${name}-root`),
    ...(mainCheckoutCache() ? [join(mainCheckoutCache()!, `${name}-root`)] : []),
  ];
  return candidates.find((c) => existsSync(join(c, 'usr/sbin/sshd'))) ?? resolve(join(REPO_CACHE, `${name}-root`));
}

/**
 * `strict`: a missing root is a failure (the test says how to build it) unless the build script
 * left ROOT.unavailable saying the Debian archive could not be reached; otherwise a missing root
 * is a skip (the trixie oracle's long-standing behaviour).
 */
export function debianRoot(name: string, label: string, script: string, strict: boolean): DebianRoot {
  const root = locate(name);
  const hostKey = '/etc/ssh/ssh_host_ed25519_key';
  return {
    name,
    root,
    hostKey,
    unavailable() {
      if (process.getuid?.() !== 0) return 'needs root (chroot)';
      if (!existsSync(join(root, 'usr/sbin/sshd'))) {
        const marker = `${root}.unavailable`;
        if (existsSync(marker)) return `${label} root not built: ${readFileSync(marker, 'utf8').trim()}`;
        if (strict) return undefined; // the test runs and fails, naming the script
        return `no ${label} root at ${root} (build it with ${script}; CI does)`;
      }
      if (!existsSync(join(root, hostKey))) return `no host key ${hostKey} inside ${root}`;
      return undefined;
    },
    config(configText, extraFiles = {}) {
      if (!existsSync(join(root, 'usr/sbin/sshd'))) throw new Error(`no ${label} root at ${root}: build it with ${script} (the Debian archive is reachable, so the oracle must run)`);
      // a real host has netbase's /etc/services (getservbyname for `Port ssh`); minbase lacks it
      if (!existsSync(join(root, 'etc/services')) && existsSync('/etc/services')) copyFileSync('/etc/services', join(root, 'etc/services'));
      const tmp = join(root, 'tmp');
      mkdirSync(tmp, { recursive: true, mode: 0o1777 });
      const hostDir = mkdtempSync(join(tmp, 'sshield-diff-'));
      const dir = `/tmp/${hostDir.slice(tmp.length + 1)}`;
      const sub = (s: string) => s.replaceAll('@DIR@', dir);
      const write = (inRoot: string, text: string) => {
        const p = join(root, inRoot);
        mkdirSync(dirname(p), { recursive: true });
        writeFileSync(p, sub(text), 'latin1');
      };
      const main = `${dir}/sshd_config`;
      write(main, configText);
      for (const [n, text] of Object.entries(extraFiles)) write(sub(n).startsWith('/') ? sub(n) : `${dir}/${sub(n)}`, text);
      return {
        dir,
        main,
        // output bytes one char each (latin1), as config values are held
        sshdT: (spec) => run('chroot', [root, '/usr/sbin/sshd', '-T', '-f', main, ...(spec ? ['-C', spec] : [])], { encoding: 'latin1' }),
        sshdTMany: (specs) => sshdTBatch({ sshd: '/usr/sbin/sshd', main, dirSeen: dir, dirHost: hostDir, chrootTo: root }, specs),
        remove: () => rmSync(hostDir, { recursive: true, force: true }),
      };
    },
  };
}

/** Debian 13's sshd 10.0p1 (skipped when its root is absent, as before). */
export const TRIXIE = debianRoot('trixie', 'Debian 13', 'scripts/trixie-root.sh', false);
/** Debian unstable's sshd 10.6p1: must run unless the archive could not be reached. */
export const SID = debianRoot('sid', 'Debian unstable', 'scripts/sid-root.sh', true);
