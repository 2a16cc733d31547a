// Software from the identification line, distro-aware: `OpenSSH_9.2p1 Debian-2+deb12u10` is the
// Debian package openssh-server 1:9.2p1-2+deb12u10 (Debian's sshd adds the package revision to
// the banner unless `DebianBanner no`, debian/patches/debian-banner.patch). Pure. Used until/unless
// src/vulns offers parseSshBanner (then scan.ts prefers that, so audit and scan agree).
import type { ScanSoftware } from './types.js';

export function parseSoftware(softwareVersion: string, comments: string | null): ScanSoftware {
  const us = softwareVersion.indexOf('_');
  const product = us === -1 ? softwareVersion : softwareVersion.slice(0, us);
  const version = us === -1 ? null : softwareVersion.slice(us + 1) || null;
  let distro: string | null = null;
  let packageVersion: string | null = null;
  const m = comments ? /^(Debian|Ubuntu|Raspbian)-(\S+)/.exec(comments) : null;
  if (m && product === 'OpenSSH' && version) {
    distro = m[1]!.toLowerCase();
    // Debian and Ubuntu package OpenSSH with epoch 1 (1:9.2p1-2+deb12u10).
    packageVersion = `1:${version}-${m[2]!}`;
  }
  return { product, version, distro, packageVersion };
}
