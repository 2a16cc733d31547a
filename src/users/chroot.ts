// ChrootDirectory checks, as sshd makes them at session start (session.c safely_chroot,
// OpenSSH 9.2p1): the path must be absolute, and every component from "/" down to the directory
// itself (stat(2), so symlinks are followed) must be owned by root, not writable by group or
// others (mode & 022 == 0) and a directory. `sshd -t` checks none of it, so a bad owner only
// shows up as a refused login; this module finds it before anything is reloaded and lists the
// exact fixes. Pure apart from the injected read-only stat.
import type { FileStat } from '../host/fs.js';

export interface ChrootComponent {
  readonly path: string;
  readonly stat: FileStat | undefined;
  /** Empty when sshd accepts this component. */
  readonly problems: readonly string[];
}

export interface ChrootFix {
  readonly kind: 'mkdir' | 'chown' | 'chmod';
  readonly path: string;
  /** For chmod: the new permission bits. */
  readonly mode?: number;
  readonly describe: string;
}

export interface ChrootCheck {
  readonly path: string;
  readonly ok: boolean;
  readonly components: readonly ChrootComponent[];
  /** Fixes that make sshd accept the path (mkdir for missing components). */
  readonly fixes: readonly ChrootFix[];
  /** Problems no fix here can solve (relative path, a file where a directory must be, ...). */
  readonly fatal: readonly string[];
}

/**
 * Directories whose owner or mode the chroot fixer never changes: every other user of the system
 * depends on them (chmod 1755 /tmp breaks everyone's temp files), and a directory with the sticky
 * bit is shared by design. A chroot below one of them needs a safe parent of its own.
 */
export const SYSTEM_DIRECTORIES: ReadonlySet<string> = new Set(['/', '/tmp', '/var/tmp', '/home', '/srv', '/var', '/usr', '/etc']);

/** Why `path` (with its stat) may not be loosened or re-owned by the fixer; undefined when it may. */
export function systemDirectoryReason(path: string, st: FileStat): string | undefined {
  if (SYSTEM_DIRECTORIES.has(path)) return `${path} is a system directory`;
  if ((st.mode & 0o1000) !== 0) return `${path} has the sticky bit (a directory shared by every user)`;
  return undefined;
}

/** A canonical absolute path, or a message. No '%' tokens (sshd expands %h %u %% in ChrootDirectory). */
export function normaliseChrootPath(input: string): { ok: true; path: string } | { ok: false; message: string } {
  if (!input.startsWith('/')) return { ok: false, message: `chroot directory must be an absolute path (sshd: "chroot path does not begin at root"): ${input}` };
  if (input.includes('%')) return { ok: false, message: 'chroot directory with "%" tokens is not supported here; give the literal path' };
  if (/[\s"\\#]/.test(input) || /[\x00-\x1f\x7f]/.test(input)) return { ok: false, message: 'chroot directory must not contain blanks, quotes, backslashes, "#" or control characters' };
  const parts = input.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return { ok: false, message: 'chroot directory must not contain ".."' };
  if (parts.length === 0) return { ok: false, message: 'chroot directory cannot be "/"' };
  if (input.length >= 4096) return { ok: false, message: 'chroot path too long' };
  return { ok: true, path: `/${parts.join('/')}` };
}

/** The paths safely_chroot() stats: "/", "/srv/", "/srv/sftp/", ..., then the path itself. */
export function chrootComponents(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  const out = ['/'];
  for (let i = 1; i <= parts.length; i++) out.push(`/${parts.slice(0, i).join('/')}`);
  return out;
}

export async function checkChroot(path: string, stat: (p: string) => Promise<FileStat | undefined>): Promise<ChrootCheck> {
  const components: ChrootComponent[] = [];
  const fixes: ChrootFix[] = [];
  const fatal: string[] = [];
  let missingFrom = false;
  for (const c of chrootComponents(path)) {
    const st = missingFrom ? undefined : await stat(c);
    const problems: string[] = [];
    if (!st) {
      missingFrom = true;
      problems.push('does not exist');
      fixes.push({ kind: 'mkdir', path: c, mode: 0o755, describe: `mkdir -m 0755 ${c} (owner root:root)` });
    } else {
      if (st.kind !== 'directory') {
        problems.push('is not a directory');
        fatal.push(`${c} is not a directory`);
      }
      const system = systemDirectoryReason(c, st);
      const loosen: string[] = [];
      if (st.uid !== 0) {
        problems.push(`owned by uid ${st.uid}, not root`);
        loosen.push(problems[problems.length - 1]!);
        if (!system) fixes.push({ kind: 'chown', path: c, describe: `chown root:root ${c}` });
      }
      if ((st.mode & 0o022) !== 0) {
        const mode = st.mode & ~0o022 & 0o7777;
        problems.push(`writable by ${st.mode & 0o020 ? 'group' : ''}${(st.mode & 0o022) === 0o022 ? ' and ' : ''}${st.mode & 0o002 ? 'others' : ''} (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')})`);
        loosen.push(problems[problems.length - 1]!);
        if (!system) fixes.push({ kind: 'chmod', path: c, mode, describe: `chmod ${mode.toString(8).padStart(4, '0')} ${c}` });
      }
      if (system && loosen.length) {
        fatal.push(`${system}: sshield never changes its owner or mode, and sshd refuses a chroot below it as it is (${loosen.join(', ')}); choose a chroot path whose parents are root-owned and not group/other-writable, e.g. /srv/sftp/NAME or /home/NAME`);
      }
    }
    components.push({ path: c, stat: st, problems });
  }
  return { path, ok: components.every((c) => c.problems.length === 0), components, fixes, fatal };
}
