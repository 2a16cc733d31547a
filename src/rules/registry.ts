// The rule registry: every rule module, one import and one list entry each. The registry is the
// single list the runner, the docs guardrail and the profiles read; keys/ rules plug in here too.
import type { Rule } from './types.js';
import sshdLimitLoginGraceTime from './sshd/limit-login-grace-time.js';
import sshdLimitMaxAuthTries from './sshd/limit-max-auth-tries.js';
import sshdLimitMaxSessions from './sshd/limit-max-sessions.js';
import sshdLimitMaxStartups from './sshd/limit-max-startups.js';
import sshdNoAcceptEnv from './sshd/no-accept-env.js';
import sshdNoAgentForwarding from './sshd/no-agent-forwarding.js';
import sshdNoClientOnlyKeywords from './sshd/no-client-only-keywords.js';
import sshdNoConfigErrors from './sshd/no-config-errors.js';
import sshdNoDebianBanner from './sshd/no-debian-banner.js';
import sshdNoDeprecatedKeywords from './sshd/no-deprecated-keywords.js';
import sshdNoEmptyPasswords from './sshd/no-empty-passwords.js';
import sshdNoGssapiAuth from './sshd/no-gssapi-auth.js';
import sshdNoHostbasedAuth from './sshd/no-hostbased-auth.js';
import sshdNoKbdInteractiveAuth from './sshd/no-kbd-interactive-auth.js';
import sshdNoKerberosAuth from './sshd/no-kerberos-auth.js';
import sshdNoPasswordAuth from './sshd/no-password-auth.js';
import sshdNoRootLogin from './sshd/no-root-login.js';
import sshdNoShadowedDirectives from './sshd/no-shadowed-directives.js';
import sshdNoTcpForwarding from './sshd/no-tcp-forwarding.js';
import sshdNoTerrapinExposure from './sshd/no-terrapin-exposure.js';
import sshdNoTunnel from './sshd/no-tunnel.js';
import sshdNoUserEnvironment from './sshd/no-user-environment.js';
import sshdNoWeakCiphers from './sshd/no-weak-ciphers.js';
import sshdNoWeakHostkeyAlgorithms from './sshd/no-weak-hostkey-algorithms.js';
import sshdNoWeakKex from './sshd/no-weak-kex.js';
import sshdNoWeakMacs from './sshd/no-weak-macs.js';
import sshdNoX11Forwarding from './sshd/no-x11-forwarding.js';
import sshdRequireAdminAccess from './sshd/require-admin-access.js';
import sshdRequireAllowlist from './sshd/require-allowlist.js';
import sshdRequireClientAlive from './sshd/require-client-alive.js';
import sshdRequireIgnoreRhosts from './sshd/require-ignore-rhosts.js';
import sshdRequireLogLevel from './sshd/require-log-level.js';
import sshdRequirePerSourcePenalties from './sshd/require-per-source-penalties.js';
import sshdRequirePrincipalsControl from './sshd/require-principals-control.js';
import sshdRequirePvePeerAccess from './sshd/require-pve-peer-access.js';
import sshdRequireReadableRevokedKeys from './sshd/require-readable-revoked-keys.js';
import sshdRequireSafeChroot from './sshd/require-safe-chroot.js';
import sshdRequireStrictModes from './sshd/require-strict-modes.js';
import keysNoAuthorizedKeys2 from './keys/no-authorized-keys2.js';
import keysNoDuplicateKeys from './keys/no-duplicate-keys.js';
import keysNoExpiredCertificates from './keys/no-expired-certificates.js';
import keysRequireCertAuthorityPrincipals from './keys/require-cert-authority-principals.js';
import keysRequireRestrictions from './keys/require-restrictions.js';
import keysRequireSafePermissions from './keys/require-safe-permissions.js';
import keysRestrictCaKeyTypes from './keys/restrict-ca-key-types.js';
import keysRestrictKeyTypes from './keys/restrict-key-types.js';
import hostNoKnownVulnerabilities from './host/no-known-vulnerabilities.js';
import hostNoWeakModuli from './host/no-weak-moduli.js';
import hostRequireCurrentOpenssh from './host/require-current-openssh.js';
import hostRequireNologinForSftpUsers from './host/require-nologin-for-sftp-users.js';
import hostRequireSafeConfigPermissions from './host/require-safe-config-permissions.js';
import hostRequireStrongHostKeys from './host/require-strong-host-keys.js';

export const RULES: readonly Rule[] = [
  sshdLimitLoginGraceTime,
  sshdLimitMaxAuthTries,
  sshdLimitMaxSessions,
  sshdLimitMaxStartups,
  sshdNoAcceptEnv,
  sshdNoAgentForwarding,
  sshdNoClientOnlyKeywords,
  sshdNoConfigErrors,
  sshdNoDebianBanner,
  sshdNoDeprecatedKeywords,
  sshdNoEmptyPasswords,
  sshdNoGssapiAuth,
  sshdNoHostbasedAuth,
  sshdNoKbdInteractiveAuth,
  sshdNoKerberosAuth,
  sshdNoPasswordAuth,
  sshdNoRootLogin,
  sshdNoShadowedDirectives,
  sshdNoTcpForwarding,
  sshdNoTerrapinExposure,
  sshdNoTunnel,
  sshdNoUserEnvironment,
  sshdNoWeakCiphers,
  sshdNoWeakHostkeyAlgorithms,
  sshdNoWeakKex,
  sshdNoWeakMacs,
  sshdNoX11Forwarding,
  sshdRequireAdminAccess,
  sshdRequireAllowlist,
  sshdRequireClientAlive,
  sshdRequireIgnoreRhosts,
  sshdRequireLogLevel,
  sshdRequirePerSourcePenalties,
  sshdRequirePrincipalsControl,
  sshdRequirePvePeerAccess,
  sshdRequireReadableRevokedKeys,
  sshdRequireSafeChroot,
  sshdRequireStrictModes,
  keysNoAuthorizedKeys2,
  keysNoDuplicateKeys,
  keysNoExpiredCertificates,
  keysRequireCertAuthorityPrincipals,
  keysRequireRestrictions,
  keysRequireSafePermissions,
  keysRestrictCaKeyTypes,
  keysRestrictKeyTypes,
  hostNoKnownVulnerabilities,
  hostNoWeakModuli,
  hostRequireCurrentOpenssh,
  hostRequireNologinForSftpUsers,
  hostRequireSafeConfigPermissions,
  hostRequireStrongHostKeys,
];

const byId = new Map(RULES.map((r) => [r.meta.id, r]));

export function getRule(id: string): Rule | undefined {
  return byId.get(id);
}

export const RULE_IDS: readonly string[] = RULES.map((r) => r.meta.id);
