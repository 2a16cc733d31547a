// From an SSH identification banner to the build the assessment judges, using the data's release
// rows: "OpenSSH_9.2p1 Debian-2+deb12u10" is package 1:9.2p1-2+deb12u10 of Debian 12, and
// "OpenSSH_10.0p2 Debian-7+deb13u4" is package 1:10.0p1-7+deb13u4 of Debian 13 (upstream's 10.0p1
// tarball already says "p2" in version.h; Debian 13's row records what its binary announces).
// A banner without a Debian/Ubuntu revision (DebianBanner no, or a distribution sshd that hides
// it) says nothing about backported fixes: the build is marked revisionHidden and judged
// `unknown` wherever the upstream number alone cannot decide. Pure.
//
// API: buildFromBanner(banner, data?) -> BannerBuild | undefined (undefined: not OpenSSH).
import { loadVulnData, type VulnData, type DistroRelease } from './data.js';
import { compareOpensshVersions, parseOpensshVersion, parseSshBanner, type SshBanner } from './openssh-version.js';
import type { BuildInput } from './assess.js';

export interface BannerBuild extends BuildInput {
  readonly banner: SshBanner;
  /** How the package version was derived, for the evidence. */
  readonly derivation: string;
}

const sameMinor = (a: string, b: string): boolean => {
  const x = parseOpensshVersion(a);
  const y = parseOpensshVersion(b);
  return !!x && !!y && x.major === y.major && x.minor === y.minor;
};

/** The release row a banner's distro + announced version belong to. */
function releaseOf(b: SshBanner, data: VulnData): DistroRelease | undefined {
  if (!b.distro || !b.version) return undefined;
  const rows = data.distros.filter((r) => r.id === b.distro!.id);
  const byId = b.distro.versionId ? rows.find((r) => r.versionId === b.distro!.versionId) : undefined;
  if (byId) return sameMinor(byId.announces ?? byId.upstream, b.version) ? byId : undefined;
  return rows.find((r) => compareOpensshVersions(r.announces ?? r.upstream, b.version!) === 0 && (r.announces ?? r.upstream) === b.version);
}

export function buildFromBanner(line: string | SshBanner, data: VulnData = loadVulnData()): BannerBuild | undefined {
  const banner = typeof line === 'string' ? parseSshBanner(line) : line;
  if (!banner || banner.software !== 'OpenSSH' || !banner.version) return undefined;
  const revision = banner.packageVersion ? banner.packageVersion.slice(banner.packageVersion.lastIndexOf('-') + 1) : undefined;
  if (!revision || !banner.distro) {
    return { banner, upstreamVersion: banner.version, revisionHidden: true, derivation: `the banner "${banner.softwareVersion}${banner.comment ? ` ${banner.comment}` : ''}" names no distribution package revision` };
  }
  const rel = releaseOf(banner, data);
  if (rel) {
    const pkg = `1:${rel.upstream}-${revision}`;
    const quirk = rel.announces && rel.announces !== rel.upstream && banner.version === rel.announces ? ` (${rel.codename}'s ${rel.upstream} package announces ${rel.announces})` : '';
    return {
      banner,
      distro: { id: rel.id, versionId: rel.versionId },
      packageVersion: pkg,
      upstreamVersion: rel.upstream,
      derivation: `banner "${banner.softwareVersion} ${banner.comment}" is package ${pkg} of ${rel.id === 'debian' ? 'Debian' : 'Ubuntu'} ${rel.versionId}${quirk}`,
    };
  }
  return {
    banner,
    distro: banner.distro,
    packageVersion: banner.packageVersion!,
    upstreamVersion: banner.version,
    derivation: `banner "${banner.softwareVersion} ${banner.comment}" is package ${banner.packageVersion} (${banner.distro.id}${banner.distro.versionId ? ` ${banner.distro.versionId}` : ', release not recognised'})`,
  };
}
