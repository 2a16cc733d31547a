// sshd/require-pve-peer-access: on a PVE cluster node (PVE-aware profile), root from every other
// node must get what the cluster uses: key login (PermitRootLogin checked by sshd/no-root-login),
// publickey alone allowed, TCP and Unix-socket forwarding (secure migration: ssh -L with
// ExitOnForwardFailure, pve-guest-common PVE::Tunnel), a PTY (node shell: ssh -t) and AcceptEnv
// covering LC_PVE_TICKET (qemu-server qm vncproxy).
import { defineRule } from '../define-rule.js';
import { describeOrigin, locationOf } from '../helpers.js';
import { matchPattern } from '../patterns.js';
import { pve } from '../references.js';
import type { EffectiveEntry } from '../../sshd/evaluate/types.js';
import type { Location, Remediation } from '../types.js';

const ON = new Set(['yes', 'all', 'local']);

export default defineRule({
  meta: {
    id: 'sshd/require-pve-peer-access',
    title: 'PVE cluster nodes keep the root SSH access the cluster needs',
    severity: 'high',
    tags: ['pve', 'forwarding', 'access'],
    profile: 'baseline',
    keywords: ['AllowTcpForwarding', 'AllowStreamLocalForwarding', 'DisableForwarding', 'PermitTTY', 'AcceptEnv', 'AuthenticationMethods'],
    references: [pve('Role of SSH in PVE clusters'), { source: 'pve-guest-common', item: 'PVE::Tunnel fork_ssh_tunnel' }, { source: 'qemu-server', item: 'qm vncproxy LC_PVE_TICKET' }],
    remediable: 'planned',
    docs: {
      what: 'On a Proxmox VE cluster node, with a PVE-aware profile, evaluates the configuration for root connecting from each other node\'s address and checks: TCP and Unix-socket forwarding allowed (not `DisableForwarding`), `PermitTTY yes`, `AcceptEnv` covering `LC_PVE_TICKET`, and `AuthenticationMethods` accepting a key alone. Skips elsewhere.',
      why: 'Secure live migration tunnels through `ssh -L` with `ExitOnForwardFailure`, the node shell needs `ssh -t`, the noVNC console of a VM on another node passes `LC_PVE_TICKET`, and all of it runs with `BatchMode=yes`: hardening that removes any of these breaks the cluster silently.',
      fix: 'At the end of sshd_config: `Match Address <node addresses>` followed by `PermitRootLogin prohibit-password`, `AllowTcpForwarding yes`, `AllowStreamLocalForwarding yes`, `PermitTTY yes`, `DisableForwarding no` as needed, and keep `AcceptEnv LANG LC_*`.',
      whenNot: 'Single PVE nodes (the rule skips) and clusters that migrate with `type=insecure` only (still need the shell and console).',
    },
  },
  check(ctx) {
    if (!ctx.pveCluster) return ctx.skip(ctx.pveAware ? 'not a PVE cluster node' : 'profile is not PVE-aware');
    // A node known only by a name nothing resolves: its root SSH can be neither checked nor pinned.
    for (const n of ctx.pveCluster.nodes.filter((x) => x.addresses.length === 0 && x.unresolved.length > 0)) {
      ctx.report({
        status: 'warn',
        message: `cluster node ${n.name} is known only as ${n.unresolved.map((u) => `"${u}"`).join(', ')}, which neither /etc/hosts nor /etc/pve/.members resolves: its root SSH access cannot be checked; add the node's IP to /etc/hosts`,
        locations: [],
        remediation: [],
      });
    }
    const peers = ctx.specs.filter((s) => s.role === 'pve-peer');
    if (peers.length === 0) return ctx.skip('no cluster node addresses known');
    const match = `Address ${[...new Set(ctx.pveCluster.nodes.flatMap((n) => n.addresses))].join(',')}`;
    for (const s of peers) {
      const bad: string[] = [];
      const locs: Location[] = [];
      const fixes: Remediation[] = [];
      const note = (e: EffectiveEntry | undefined, what: string, keyword: string, value: string) => {
        bad.push(`${what}${e ? ` (${describeOrigin(ctx, e.origin)})` : ''}`);
        const l = e && locationOf(e.origin);
        if (l) locs.push(l);
        fixes.push({ kind: 'set', keyword, value, scope: { match }, description: `set ${keyword} ${value} for the cluster nodes` });
      };
      const df = s.config.get('disableforwarding');
      if (df?.values[0] === 'yes') note(df, 'DisableForwarding yes blocks migration tunnels', 'DisableForwarding', 'no');
      const tcp = s.config.get('allowtcpforwarding');
      if (tcp && !ON.has(tcp.values[0] ?? '')) note(tcp, `AllowTcpForwarding ${tcp.values[0]} blocks migration tunnels`, 'AllowTcpForwarding', 'yes');
      const sl = s.config.get('allowstreamlocalforwarding');
      if (sl && !ON.has(sl.values[0] ?? '')) note(sl, `AllowStreamLocalForwarding ${sl.values[0]} blocks secure migration (unix-socket -L)`, 'AllowStreamLocalForwarding', 'yes');
      const tty = s.config.get('permittty');
      if (tty && tty.values[0] !== 'yes') note(tty, 'PermitTTY no breaks the shell of other nodes', 'PermitTTY', 'yes');
      const env = s.config.get('acceptenv');
      const pats = env?.values.flatMap((v) => v.split(/\s+/)).filter(Boolean) ?? [];
      if (!pats.some((p) => matchPattern('LC_PVE_TICKET', p))) note(env, 'AcceptEnv does not accept LC_PVE_TICKET (VM consoles on other nodes fail)', 'AcceptEnv', 'LANG LC_*');
      const am = s.config.get('authenticationmethods');
      const amv = am?.values.join(' ').trim() ?? 'any';
      if (amv !== 'any' && amv !== '' && !amv.split(/\s+/).some((l) => l === 'publickey')) note(am, `AuthenticationMethods ${amv} needs more than a key (cluster SSH runs with BatchMode)`, 'AuthenticationMethods', 'any');
      if (bad.length > 0) {
        ctx.report({ status: 'fail', message: `${s.label}: ${bad.join('; ')}`, locations: locs, remediation: fixes });
      }
    }
  },
});
