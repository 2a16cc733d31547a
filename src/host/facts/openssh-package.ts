// The installed openssh-server package's own records for the CVE assessment: its changelog
// (/usr/share/doc/openssh-server/changelog.Debian.gz, a symlink to openssh-client's doc directory
// on Debian and Ubuntu; read through the host fs, so --root images give the same answer) and the
// apt candidate (`apt-cache policy openssh-server` on a live host: the host's own apt lists and
// pins, no network). Facts, never exceptions: what cannot be read is { status: 'unknown', reason }.
import type { HostExecutor } from '../executor.js';
import type { ReadOnlyFs } from '../fs.js';
import { decodeChangelog, parseDebianChangelog, type ChangelogEntry } from '../../vulns/changelog.js';
import { type Fact, known, unknown } from './types.js';

export const OPENSSH_CHANGELOG_PATHS = ['/usr/share/doc/openssh-server/changelog.Debian.gz', '/usr/share/doc/openssh-client/changelog.Debian.gz'] as const;

export interface OpensshChangelog {
  readonly path: string;
  readonly entries: readonly ChangelogEntry[];
}

export async function gatherOpensshChangelog(fs: ReadOnlyFs, paths: readonly string[] = OPENSSH_CHANGELOG_PATHS): Promise<Fact<OpensshChangelog>> {
  const reasons: string[] = [];
  for (const path of paths) {
    const r = await fs.readFile(path, 4 * 1024 * 1024);
    if (!r.ok) {
      reasons.push(`${path}: ${r.reason}`);
      continue;
    }
    try {
      const entries = parseDebianChangelog(decodeChangelog(r.bytes));
      if (entries.length === 0) {
        reasons.push(`${path}: no changelog entries`);
        continue;
      }
      return known({ path, entries });
    } catch (e) {
      reasons.push(`${path}: ${(e as Error).message}`);
    }
  }
  return unknown(reasons.join('; '));
}

/** Parses `apt-cache policy PKG`: "  Installed: 1:9.2p1-2+deb12u10" / "  Candidate: ...". */
export function parseAptPolicy(text: string): { installed?: string; candidate?: string } {
  const get = (k: string) => new RegExp(`^\\s*${k}:\\s*(\\S+)`, 'm').exec(text)?.[1];
  const installed = get('Installed');
  const candidate = get('Candidate');
  const ok = (v: string | undefined) => (v && v !== '(none)' ? v : undefined);
  return { ...(ok(installed) ? { installed: installed! } : {}), ...(ok(candidate) ? { candidate: candidate! } : {}) };
}

export async function gatherAptCandidate(exec: HostExecutor, pkg = 'openssh-server'): Promise<Fact<string>> {
  let pending;
  try {
    pending = exec.run('apt-cache', ['policy', pkg], { timeoutMs: 10_000 });
  } catch (e) {
    return unknown(`apt-cache policy failed: ${(e as Error).message}`);
  }
  if (!pending) return unknown(`cannot run apt-cache on an offline ${exec.kind} host`);
  const r = await pending;
  if (r.code !== 0) return unknown(`apt-cache policy ${pkg}: ${r.error ?? `exit ${r.code}`}`);
  const p = parseAptPolicy(r.stdout);
  return p.candidate ? known(p.candidate) : unknown(`apt-cache policy ${pkg} names no candidate`);
}

export interface RunningSshd {
  readonly pid: number;
  /** /proc/PID/exe as the kernel reports it. */
  readonly exe: string;
  /** The binary the daemon runs was replaced or removed since it started (an upgrade without restart). */
  readonly replaced: boolean;
}

/**
 * Whether the running listener still executes the binary on disk: after dpkg replaces
 * /usr/sbin/sshd the old inode is unlinked and the kernel shows "/usr/sbin/sshd (deleted)" as the
 * process's exe (proc(5), /proc/pid/exe). Live local hosts only; the pid comes from the sshd fact.
 */
export async function gatherRunningSshd(exec: HostExecutor, pid: number | undefined): Promise<Fact<RunningSshd>> {
  if (exec.kind !== 'local') return unknown(`not a live local host (${exec.kind})`);
  if (pid === undefined) return unknown('no running sshd found');
  const exe = await exec.fs.readLink(`/proc/${pid}/exe`);
  if (exe === undefined) return unknown(`cannot read /proc/${pid}/exe`);
  return known({ pid, exe, replaced: / \(deleted\)$/.test(exe) });
}
