// Debian 13's real sshd (openssh-server 1:10.0p1-7+deb13u4) as a differential oracle, run inside
// the cached debootstrap root that scripts/trixie-root.sh builds (.cache/trixie-root; .ci/run
// builds it when missing). Configs are copied into ROOT/tmp/sshield-diff-*, `chroot ROOT
// /usr/sbin/sshd -T -f /tmp/... [-C spec]` runs on them, and the copies are removed afterwards.
// The root's own host keys (/etc/ssh/ssh_host_*_key inside it) serve sshd -T.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { run, type RunResult } from './sshd.js';

export const TRIXIE_ROOT = resolve(process.env.SSHIELD_TRIXIE_ROOT ?? join(import.meta.dirname, '..', '..', '.cache', 'trixie-root'));
/** Host key inside the root, as the chrooted sshd names it. */
export const TRIXIE_HOST_KEY = '/etc/ssh/ssh_host_ed25519_key';

/** Why the trixie oracle cannot run here, or undefined when it can. */
export function trixieUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (chroot)';
  if (!existsSync(join(TRIXIE_ROOT, 'usr/sbin/sshd'))) return `no Debian 13 root at ${TRIXIE_ROOT} (build it with scripts/trixie-root.sh; CI does)`;
  if (!existsSync(join(TRIXIE_ROOT, TRIXIE_HOST_KEY))) return `no host key ${TRIXIE_HOST_KEY} inside ${TRIXIE_ROOT}`;
  return undefined;
}

export function trixieAvailable(): boolean {
  return trixieUnavailable() === undefined;
}

/**
 * A config set copied into the root. `@DIR@` in the main text, in extra file names and in their
 * contents is replaced by the directory as the chrooted sshd sees it (/tmp/sshield-diff-XXXX).
 */
export interface TrixieConfig {
  /** The directory as sshd inside the root sees it. */
  readonly dir: string;
  /** The main config path as sshd inside the root sees it. */
  readonly main: string;
  /** `sshd -T -f main [-C spec]` inside the root. */
  sshdT(spec?: string): Promise<RunResult>;
  remove(): void;
}

export function trixieConfig(configText: string, extraFiles: Readonly<Record<string, string>> = {}): TrixieConfig {
  // a real Debian 13 has netbase's /etc/services (getservbyname for `Port ssh`); minbase lacks it
  if (!existsSync(join(TRIXIE_ROOT, 'etc/services')) && existsSync('/etc/services')) copyFileSync('/etc/services', join(TRIXIE_ROOT, 'etc/services'));
  const tmp = join(TRIXIE_ROOT, 'tmp');
  mkdirSync(tmp, { recursive: true, mode: 0o1777 });
  const hostDir = mkdtempSync(join(tmp, 'sshield-diff-'));
  const dir = `/tmp/${hostDir.slice(tmp.length + 1)}`;
  const sub = (s: string) => s.replaceAll('@DIR@', dir);
  const write = (inRoot: string, text: string) => {
    const p = join(TRIXIE_ROOT, inRoot);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, sub(text), 'latin1');
  };
  const main = `${dir}/sshd_config`;
  write(main, configText);
  for (const [name, text] of Object.entries(extraFiles)) write(sub(name).startsWith('/') ? sub(name) : `${dir}/${sub(name)}`, text);
  return {
    dir,
    main,
    sshdT: (spec) => run('chroot', [TRIXIE_ROOT, '/usr/sbin/sshd', '-T', '-f', main, ...(spec ? ['-C', spec] : [])]),
    remove: () => rmSync(hostDir, { recursive: true, force: true }),
  };
}

/** One-shot: copy, run `sshd -T [-C spec]` inside the root, remove. */
export async function trixieSshdT(configText: string, extraFiles: Readonly<Record<string, string>> = {}, spec?: string): Promise<RunResult> {
  const c = trixieConfig(configText, extraFiles);
  try {
    return await c.sshdT(spec);
  } finally {
    c.remove();
  }
}
