// The planner's setting vocabulary (Desired: keyword, value, scope, which existing values satisfy
// it) and the PVE cluster exception that PVE-aware profiles pin (clusterException). harden takes
// its settings from the audit's remediations (audit-plan.ts); desiredSettings is the built-in
// table it used before the audit landed, kept as the planner's test table: the baseline and
// proxmox settings (research: shared/research/baselines.md §1, §1.7), made
// version-aware for the build: LoginGraceTime 0 only where CVE-2024-6387 is unfixed, otherwise
// 30; DebianBanner only on Debian builds; ObscureKeystrokeTiming is an ssh_config(5) option that
// is fatal in sshd_config, so it is removed, never written. On PVE root keeps key login
// (prohibit-password), TCP/stream-local forwarding and AcceptEnv LC_* stay (migration, noVNC
// console: LC_PVE_TICKET), see proxmox-cves.md §1.3. Each setting says which existing values
// already satisfy it (`accept`), so a stricter value (MaxAuthTries 2, LoginGraceTime 20,
// PermitRootLogin no under proxmox) is left alone.
export type Accept =
  /** Only the value itself (as `sshd -T` prints it). */
  | { readonly kind: 'exact' }
  /** A number (seconds for time values, as `sshd -T` prints them) within min..max. */
  | { readonly kind: 'range'; readonly min: number; readonly max: number }
  /** Any of these values (sshd_config spellings; compared as `sshd -T` prints them). */
  | { readonly kind: 'one-of'; readonly values: readonly string[] }
  /** A pattern list (AcceptEnv) that lets every one of these names through. */
  | { readonly kind: 'covers'; readonly names: readonly string[] };

/** Where a setting applies: to everyone (before any Match), or inside `Match <criteria>`. */
export type DesiredScope = 'global' | { readonly match: string };

export interface Desired {
  /** Canonical keyword (sshd_config(5) spelling). */
  readonly keyword: string;
  /** The value to write (several words for list keywords, e.g. "LANG LC_*"). */
  readonly value: string;
  /** Rule id this setting satisfies. */
  readonly rule: string;
  /** Default 'global'. */
  readonly scope?: DesiredScope;
  /** Default exact. */
  readonly accept?: Accept;
}

export interface SettingsContext {
  readonly profile: 'baseline' | 'proxmox';
  readonly debianBuild: boolean;
  /** True when the installed build is vulnerable to CVE-2024-6387 (regreSSHion). */
  readonly regresshionVulnerable: boolean;
  /** PVE cluster node addresses (this node's included) when the host is a cluster node. */
  readonly clusterAddresses?: readonly string[];
}

/** The Match criteria of the PVE cluster exception. */
export function clusterMatch(addresses: readonly string[]): string {
  return `Address ${[...new Set(addresses)].join(',')}`;
}

export function desiredSettings(c: SettingsContext): Desired[] {
  const rootOk = c.profile === 'proxmox' ? { kind: 'one-of', values: ['prohibit-password', 'no'] } as const : undefined;
  const out: Desired[] = [
    { keyword: 'PasswordAuthentication', value: 'no', rule: 'sshd/no-password-auth' },
    { keyword: 'KbdInteractiveAuthentication', value: 'no', rule: 'sshd/no-kbd-interactive-auth' },
    { keyword: 'PermitEmptyPasswords', value: 'no', rule: 'sshd/no-empty-passwords' },
    { keyword: 'PermitRootLogin', value: c.profile === 'proxmox' && !c.clusterAddresses?.length ? 'prohibit-password' : 'no', rule: 'sshd/no-root-login', ...(rootOk && !c.clusterAddresses?.length ? { accept: rootOk } : {}) },
    { keyword: 'X11Forwarding', value: 'no', rule: 'sshd/no-x11-forwarding' },
    { keyword: 'AllowAgentForwarding', value: 'no', rule: 'sshd/no-agent-forwarding' },
    { keyword: 'PermitTunnel', value: 'no', rule: 'sshd/no-tunnel' },
    { keyword: 'PermitUserEnvironment', value: 'no', rule: 'sshd/no-user-environment' },
    { keyword: 'HostbasedAuthentication', value: 'no', rule: 'sshd/no-hostbased-auth' },
    { keyword: 'IgnoreRhosts', value: 'yes', rule: 'sshd/require-ignore-rhosts' },
    { keyword: 'GSSAPIAuthentication', value: 'no', rule: 'sshd/no-gssapi-auth' },
    { keyword: 'KerberosAuthentication', value: 'no', rule: 'sshd/no-kerberos-auth' },
    { keyword: 'StrictModes', value: 'yes', rule: 'sshd/require-strict-modes' },
    { keyword: 'MaxAuthTries', value: '3', rule: 'sshd/limit-max-auth-tries', accept: { kind: 'range', min: 1, max: 3 } },
    c.regresshionVulnerable
      ? { keyword: 'LoginGraceTime', value: '0', rule: 'sshd/limit-login-grace-time' }
      : { keyword: 'LoginGraceTime', value: '30', rule: 'sshd/limit-login-grace-time', accept: { kind: 'range', min: 1, max: 30 } },
  ];
  if (c.profile === 'baseline' || c.clusterAddresses?.length) out.push({ keyword: 'AllowTcpForwarding', value: 'no', rule: 'sshd/no-tcp-forwarding' });
  if (c.debianBuild) out.push({ keyword: 'DebianBanner', value: 'no', rule: 'sshd/no-debian-banner' });
  if (c.profile === 'proxmox' && c.clusterAddresses?.length) out.push(...clusterException(c.clusterAddresses));
  return out;
}

/**
 * The PVE cluster exception (proxmox-cves.md §1.3), pinned in `Match Address <every node
 * address>`: root@node with keys (migration, replication, pvecm), ssh -L tunnels over TCP and
 * unix sockets (secure migration), ssh -t (node shells), LC_PVE_TICKET (VM consoles).
 */
export function clusterException(addresses: readonly string[]): Desired[] {
  const scope = { match: clusterMatch(addresses) };
  const rule = 'sshd/require-pve-peer-access';
  const fwd = { kind: 'one-of', values: ['yes', 'all', 'local'] } as const;
  return [
    { keyword: 'PermitRootLogin', value: 'prohibit-password', rule: 'sshd/no-root-login', scope },
    { keyword: 'AllowTcpForwarding', value: 'yes', rule, scope, accept: fwd },
    { keyword: 'AllowStreamLocalForwarding', value: 'yes', rule, scope, accept: fwd },
    { keyword: 'PermitTTY', value: 'yes', rule, scope },
    { keyword: 'AcceptEnv', value: 'LANG LC_*', rule, scope, accept: { kind: 'covers', names: ['LC_PVE_TICKET'] } },
  ];
}

/** Keywords removed wherever they appear (fatal or harmful in sshd_config). */
export const REMOVE_KEYWORDS: readonly string[] = ['ObscureKeystrokeTiming', 'UseRoaming'];
