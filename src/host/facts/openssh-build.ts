// Which OpenSSH the host runs: the Debian package version of openssh-server from the dpkg
// status file (exact, with the distro revision that says which security fixes are in), else
// `sshd -V` on a live host (upstream version only; 9.2+ prints "OpenSSH_9.2, OpenSSL ...",
// older versions need an invalid flag to print the same line on stderr).
import type { HostExecutor } from '../executor.js';
import { parseDebianVersion } from '../../vulns/dpkg-version.js';
import { inferDistroRelease } from '../../vulns/openssh-version.js';
import type { DpkgDatabase } from './dpkg-status.js';
import type { OsRelease } from './os-release.js';
import { type Fact, known, unknown } from './types.js';

export interface OpensshBuild {
  /** Upstream portable version, e.g. "9.2p1" (from sshd -V possibly "9.2" without patch level). */
  readonly upstream: string;
  /** Full Debian package version, e.g. "1:9.2p1-2+deb12u10". */
  readonly packageVersion?: string;
  /** The Debian revision part, e.g. "2+deb12u10". */
  readonly revision?: string;
  /** The distribution the package belongs to (from os-release, else inferred from the revision). */
  readonly distro?: { readonly id: string; readonly versionId?: string };
  readonly source: 'dpkg' | 'sshd -V';
  /** Which package supplied it. */
  readonly package?: string;
  /** "OpenSSL 3.0.19 27 Jan 2026" from sshd -V, when run. */
  readonly openssl?: string;
}

/** Splits a Debian openssh version "1:9.2p1-2+deb12u10" into upstream "9.2p1" and revision. */
export function opensshFromPackageVersion(version: string): { upstream: string; revision: string } {
  const v = parseDebianVersion(version);
  return { upstream: v.upstream, revision: v.revision };
}

export function buildFromDpkg(db: DpkgDatabase, os: OsRelease | undefined): OpensshBuild | undefined {
  const pkg = db.installed('openssh-server') ?? db.installed('openssh-server-gssapi');
  if (!pkg) return undefined;
  const { upstream, revision } = opensshFromPackageVersion(pkg.version);
  let distro: OpensshBuild['distro'];
  if (os && (os.id === 'debian' || os.id === 'ubuntu' || os.idLike.includes('debian'))) {
    const id = os.id === 'ubuntu' || os.idLike.includes('ubuntu') ? 'ubuntu' : 'debian';
    const versionId = id === os.id ? os.versionId : inferDistroRelease(id, upstream, revision);
    distro = versionId ? { id, versionId } : { id };
  } else {
    const id = /ubuntu/.test(revision) ? 'ubuntu' : 'debian';
    const versionId = inferDistroRelease(id, upstream, revision);
    distro = versionId ? { id, versionId } : { id };
  }
  return { upstream, packageVersion: pkg.version, revision, distro, source: 'dpkg', package: pkg.name };
}

/** Parses `sshd -V` output: "OpenSSH_9.2p1 Debian-2+deb12u10, OpenSSL 3.0.19 27 Jan 2026". */
export function parseSshdVersionOutput(text: string): { upstream: string; comment?: string; openssl?: string } | undefined {
  const m = /OpenSSH_(\d+\.\d+(?:p\d+)?)(?: ([^,\s]+))?(?:,\s*(.*))?/.exec(text);
  if (!m) return undefined;
  const openssl = m[3]?.trim().split('\n')[0];
  return { upstream: m[1]!, ...(m[2] ? { comment: m[2] } : {}), ...(openssl ? { openssl } : {}) };
}

export async function gatherOpensshBuild(
  exec: HostExecutor,
  dpkg: Fact<DpkgDatabase>,
  os: Fact<OsRelease>,
  sshdPath = '/usr/sbin/sshd',
): Promise<Fact<OpensshBuild>> {
  const osv = os.status === 'known' ? os.value : undefined;
  if (dpkg.status === 'known') {
    const b = buildFromDpkg(dpkg.value, osv);
    if (b) return known(b);
  }
  const why = dpkg.status === 'known' ? 'openssh-server is not installed according to dpkg' : dpkg.reason;
  let pending;
  try {
    pending = exec.run(sshdPath, ['-V'], { timeoutMs: 5000 });
  } catch (e) {
    return unknown(`${why}; sshd -V failed: ${(e as Error).message}`);
  }
  if (!pending) return unknown(`${why}; cannot run sshd -V on an offline ${exec.kind} host`);
  const r = await pending;
  const parsed = parseSshdVersionOutput(`${r.stderr}\n${r.stdout}`);
  if (!parsed) return unknown(`${why}; ${sshdPath} -V gave no version (${r.error ?? `exit ${r.code}`})`);
  const distro = osv ? { id: osv.id, ...(osv.versionId ? { versionId: osv.versionId } : {}) } : undefined;
  return known({
    upstream: parsed.upstream,
    source: 'sshd -V',
    ...(distro ? { distro } : {}),
    ...(parsed.openssl ? { openssl: parsed.openssl } : {}),
  });
}
