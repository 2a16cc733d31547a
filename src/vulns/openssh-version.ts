// Upstream OpenSSH version ordering ("9.2p1" < "9.10p1" < "10.0p1" < "10.0p2") and the banner
// parser the network scanner uses. Pure; no I/O.
//
// API:
//   parseOpensshVersion("9.2p1") -> { major, minor, patch } | undefined ("OpenSSH_9.2" from
//     `sshd -V` has no portable patch level: patch is then treated as 1, the first portable release)
//   compareOpensshVersions(a, b) -> <0|0|>0 (unparsable versions sort first)
//   parseSshBanner("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10") -> SshBanner

export interface OpensshVersion {
  readonly major: number;
  readonly minor: number;
  /** Portable patch level (the N of pN); undefined when the text had none. */
  readonly patch: number | undefined;
}

export function parseOpensshVersion(text: string): OpensshVersion | undefined {
  const m = /^(?:OpenSSH_)?(\d+)\.(\d+)(?:p(\d+))?/.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: m[3] === undefined ? undefined : Number(m[3]) };
}

export function compareOpensshVersions(a: string, b: string): number {
  const va = parseOpensshVersion(a);
  const vb = parseOpensshVersion(b);
  if (!va || !vb) return (va ? 1 : 0) - (vb ? 1 : 0);
  if (va.major !== vb.major) return va.major - vb.major;
  if (va.minor !== vb.minor) return va.minor - vb.minor;
  return (va.patch ?? 1) - (vb.patch ?? 1);
}

export interface SshBanner {
  /** Protocol version: "2.0" (or "1.99"). */
  readonly protocol: string;
  /** The softwareversion field, e.g. "OpenSSH_9.2p1". */
  readonly softwareVersion: string;
  /** "OpenSSH", "dropbear", ... (the part before the first '_'). */
  readonly software: string;
  /** Upstream version when the software is OpenSSH, e.g. "9.2p1". */
  readonly version?: string;
  /** The comment after the first space, e.g. "Debian-2+deb12u10". */
  readonly comment?: string;
  /** Distribution inferred from the comment (Debian's DebianBanner, Ubuntu's patch). */
  readonly distro?: { readonly id: 'debian' | 'ubuntu'; readonly versionId?: string };
  /** The package version the comment implies, e.g. "1:9.2p1-2+deb12u10". */
  readonly packageVersion?: string;
}

/** Debian/Ubuntu release a package revision or upstream base belongs to, when recognisable. */
export function inferDistroRelease(
  id: 'debian' | 'ubuntu',
  upstream: string | undefined,
  revision: string,
): string | undefined {
  const deb = /(?:\+deb|~bpo|~deb)(\d+)/.exec(revision);
  if (deb) return deb[1];
  const base = upstream?.replace(/^(\d+\.\d+p\d+).*$/, '$1');
  // 10.0p2: what Debian 13's 10.0p1 package announces (upstream's 10.0p1 version.h says p2).
  if (id === 'debian') return ({ '8.4p1': '11', '9.2p1': '12', '10.0p1': '13', '10.0p2': '13' } as Record<string, string>)[base ?? ''];
  return ({ '8.9p1': '22.04', '9.6p1': '24.04', '10.2p1': '26.04' } as Record<string, string>)[base ?? ''];
}

/**
 * Parses an identification string (RFC 4253 §4.2: "SSH-protoversion-softwareversion SP comments").
 * Debian's sshd sends "OpenSSH_9.2p1 Debian-2+deb12u10" unless DebianBanner no; Ubuntu sends
 * "OpenSSH_9.6p1 Ubuntu-3ubuntu13.3". Both packages use epoch 1 (debian/changelog).
 */
export function parseSshBanner(line: string): SshBanner | undefined {
  const m = /^SSH-(\d+\.\d+)-(\S+)(?: (.*))?$/.exec(line.replace(/\r?\n$/, ''));
  if (!m) return undefined;
  const protocol = m[1]!;
  const softwareVersion = m[2]!;
  const comment = m[3]?.trim() || undefined;
  const us = softwareVersion.indexOf('_');
  const software = us >= 0 ? softwareVersion.slice(0, us) : softwareVersion;
  const isOpenssh = software === 'OpenSSH';
  const version = isOpenssh && parseOpensshVersion(softwareVersion) ? softwareVersion.slice(us + 1) : undefined;
  let distro: SshBanner['distro'];
  let packageVersion: string | undefined;
  const dm = comment ? /^(Debian|Ubuntu)-(\S+)/.exec(comment) : null;
  if (isOpenssh && version && dm) {
    const id = dm[1] === 'Debian' ? 'debian' : 'ubuntu';
    const revision = dm[2]!;
    packageVersion = `1:${version}-${revision}`;
    const versionId = inferDistroRelease(id, version, revision);
    distro = versionId ? { id, versionId } : { id };
  }
  return {
    protocol,
    softwareVersion,
    software,
    ...(version !== undefined ? { version } : {}),
    ...(comment !== undefined ? { comment } : {}),
    ...(distro ? { distro } : {}),
    ...(packageVersion ? { packageVersion } : {}),
  };
}
