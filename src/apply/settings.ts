// What `harden` sets when the audit's remediations are not available to it: the built-in
// baseline and proxmox settings (research: shared/research/baselines.md §1, §1.7), made
// version-aware for the build: LoginGraceTime 0 only where CVE-2024-6387 is unfixed, otherwise
// 30; DebianBanner only on Debian builds; ObscureKeystrokeTiming is an ssh_config(5) option that
// is fatal in sshd_config, so it is removed, never written. On PVE root keeps key login
// (prohibit-password), TCP/stream-local forwarding and AcceptEnv LC_* stay (migration, noVNC
// console: LC_PVE_TICKET), see proxmox-cves.md §1.3.
export interface Desired {
  /** Canonical keyword (sshd_config(5) spelling). */
  readonly keyword: string;
  readonly value: string;
  /** Rule id this setting satisfies. */
  readonly rule: string;
}

export interface SettingsContext {
  readonly profile: 'baseline' | 'proxmox';
  readonly debianBuild: boolean;
  /** True when the installed build is vulnerable to CVE-2024-6387 (regreSSHion). */
  readonly regresshionVulnerable: boolean;
}

export function desiredSettings(c: SettingsContext): Desired[] {
  const out: Desired[] = [
    { keyword: 'PasswordAuthentication', value: 'no', rule: 'sshd/no-password-auth' },
    { keyword: 'KbdInteractiveAuthentication', value: 'no', rule: 'sshd/no-kbd-interactive-auth' },
    { keyword: 'PermitEmptyPasswords', value: 'no', rule: 'sshd/no-empty-passwords' },
    { keyword: 'PermitRootLogin', value: c.profile === 'proxmox' ? 'prohibit-password' : 'no', rule: 'sshd/no-root-login' },
    { keyword: 'X11Forwarding', value: 'no', rule: 'sshd/no-x11-forwarding' },
    { keyword: 'AllowAgentForwarding', value: 'no', rule: 'sshd/no-agent-forwarding' },
    { keyword: 'PermitTunnel', value: 'no', rule: 'sshd/no-tunnel' },
    { keyword: 'PermitUserEnvironment', value: 'no', rule: 'sshd/no-user-environment' },
    { keyword: 'HostbasedAuthentication', value: 'no', rule: 'sshd/no-hostbased-auth' },
    { keyword: 'IgnoreRhosts', value: 'yes', rule: 'sshd/require-ignore-rhosts' },
    { keyword: 'GSSAPIAuthentication', value: 'no', rule: 'sshd/no-gssapi-auth' },
    { keyword: 'KerberosAuthentication', value: 'no', rule: 'sshd/no-kerberos-auth' },
    { keyword: 'StrictModes', value: 'yes', rule: 'sshd/require-strict-modes' },
    { keyword: 'MaxAuthTries', value: '3', rule: 'sshd/limit-max-auth-tries' },
    { keyword: 'LoginGraceTime', value: c.regresshionVulnerable ? '0' : '30', rule: 'sshd/limit-login-grace-time' },
  ];
  if (c.profile === 'baseline') out.push({ keyword: 'AllowTcpForwarding', value: 'no', rule: 'sshd/no-tcp-forwarding' });
  if (c.debianBuild) out.push({ keyword: 'DebianBanner', value: 'no', rule: 'sshd/no-debian-banner' });
  return out;
}

/** Keywords removed wherever they appear (fatal or harmful in sshd_config). */
export const REMOVE_KEYWORDS: readonly string[] = ['ObscureKeystrokeTiming', 'UseRoaming'];
