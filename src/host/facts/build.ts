// The one build detection: which OpenSSH the host runs and which engine profile evaluates its
// configuration. From the host facts (dpkg's openssh-server stanza, else `sshd -V` on a live
// host, openssh-build.ts), or an override (`--openssh 9.2p1-debian | 9.2p1 | 1:9.2p1-2+deb12u3`).
// Unknown: the 9.2p1-debian profile and a missing fact the rules report. Pure.
import { BUILDS, buildForVersion, getBuild, type BuildProfile } from '../../sshd/builds/index.js';
import type { Missing, OpenSshBuildFact } from './audit-facts.js';
import type { Fact } from './types.js';
import type { OpensshBuild } from './openssh-build.js';

export interface HostBuild {
  /** The engine profile the configuration is evaluated with. */
  readonly profile: BuildProfile;
  /** What is known of the installed build, or why not. */
  readonly fact: Missing<OpenSshBuildFact>;
}

export const DEFAULT_BUILD: BuildProfile = BUILDS['9.2p1-debian'];

/** The nearest profile at or below an upstream version ("10.0p1" -> 10.0p1-debian). */
export function profileFor(upstream: string): BuildProfile {
  const m = /^(\d+)\.(\d+)/.exec(upstream);
  const n = m ? Number(m[1]) + Number(m[2]) / 10 : 9.2;
  return buildForVersion(n);
}

/** An --openssh value: a build id, an upstream version or a Debian/Ubuntu package version. */
export function overrideBuild(s: string): HostBuild | undefined {
  const byId = getBuild(s);
  if (byId) return { profile: byId, fact: { upstream: s.split('-')[0]!, source: 'override' } };
  const m = /^(?:\d+:)?(\d+\.\d+(?:p\d+)?)(?:-(.+))?$/.exec(s.trim());
  if (!m) return undefined;
  const upstream = m[1]!;
  const distro = m[2] ? (/ubuntu/.test(m[2]) ? 'ubuntu' : 'debian') : undefined;
  return { profile: profileFor(upstream), fact: { upstream, ...(m[2] ? { packageVersion: s.trim() } : {}), ...(distro ? { distro } : {}), source: 'override' } };
}

export function hostBuild(openssh: Fact<OpensshBuild>, override?: string): HostBuild {
  const ov = override !== undefined ? overrideBuild(override) : undefined;
  if (ov) return ov;
  if (openssh.status !== 'known') return { profile: DEFAULT_BUILD, fact: { missing: openssh.reason } };
  const b = openssh.value;
  const id = b.distro?.id;
  return {
    profile: profileFor(b.upstream),
    fact: { upstream: b.upstream, ...(b.packageVersion ? { packageVersion: b.packageVersion } : {}), distro: id === 'debian' || id === 'ubuntu' ? id : 'other', source: b.source },
  };
}
