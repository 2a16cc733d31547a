// sshd/require-pve-peer-access and the PVE-aware exemptions of other rules: root from each
// cluster node needs forwarding (migration tunnels), a PTY and AcceptEnv LC_* (VM consoles).
import { test } from 'node:test';
import { checkCase, type Case } from '../../helpers/rule-tester.js';

const COROSYNC = `totem {\n  cluster_name: lab\n  version: 2\n}\nnodelist {\n  node {\n    name: pve1\n    nodeid: 1\n    ring0_addr: 10.0.0.1\n  }\n  node {\n    name: pve2\n    nodeid: 2\n    ring0_addr: 10.0.0.2\n  }\n}\n`;
const PVE = {
  '/etc/pve/corosync.conf': COROSYNC,
  '/etc/corosync/corosync.conf': COROSYNC,
  '/etc/hostname': 'pve1\n',
  '/var/lib/dpkg/status': 'Package: openssh-server\nStatus: install ok installed\nVersion: 1:10.0p1-7+deb13u4\n\nPackage: pve-manager\nStatus: install ok installed\nVersion: 9.1.1\n\n',
};
const GOOD = 'PermitRootLogin no\nAllowTcpForwarding no\nAllowStreamLocalForwarding no\nAcceptEnv LANG LC_*\nMatch Address 10.0.0.1,10.0.0.2\n  PermitRootLogin prohibit-password\n  AllowTcpForwarding yes\n  AllowStreamLocalForwarding yes\n';

const peer: Case[] = [
  { name: 'not PVE-aware: skip', config: GOOD, files: PVE, status: 'skip' },
  { name: 'the right state', config: GOOD, files: PVE, pveAware: true, status: 'pass' },
  { name: 'DisableForwarding yes globally breaks migration', config: `DisableForwarding yes\n${GOOD}`, files: PVE, pveAware: true, status: 'fail', message: 'DisableForwarding yes' },
  { name: 'no LC_* for peers breaks VM consoles', config: GOOD.replace('AcceptEnv LANG LC_*\n', ''), files: PVE, pveAware: true, status: 'fail', message: 'LC_PVE_TICKET' },
  { name: 'no TTY for root breaks node shells', config: `PermitTTY no\n${GOOD}`, files: PVE, pveAware: true, status: 'fail', message: 'PermitTTY no' },
  { name: 'a node known by a name nothing resolves: warn, nothing to check', config: GOOD, files: { ...PVE, '/etc/pve/corosync.conf': COROSYNC.replace('ring0_addr: 10.0.0.2', 'ring0_addr: pve2.lab') }, pveAware: true, status: 'warn', message: 'pve2 is known only as "pve2.lab"' },
  { name: 'the name resolved through /etc/hosts', config: GOOD, files: { ...PVE, '/etc/pve/corosync.conf': COROSYNC.replace('ring0_addr: 10.0.0.2', 'ring0_addr: pve2.lab'), '/etc/hosts': '10.0.0.2 pve2.lab pve2\n' }, pveAware: true, status: 'pass' },
  { name: 'streamlocal forwarding off for peers', config: GOOD.replace('  AllowStreamLocalForwarding yes\n', ''), files: PVE, pveAware: true, status: 'fail', message: 'AllowStreamLocalForwarding no', locations: ['/etc/ssh/sshd_config:3'] },
];
for (const c of peer) test(`sshd/require-pve-peer-access: ${c.name}`, () => checkCase('sshd/require-pve-peer-access', c));

const exempt: [string, Case][] = [
  ['sshd/no-tcp-forwarding', { name: 'peers exempt on a PVE-aware profile', config: GOOD, files: PVE, pveAware: true, status: 'pass' }],
  ['sshd/no-tcp-forwarding', { name: 'not exempt without PVE awareness', config: GOOD, files: PVE, status: 'fail', message: 'root from 10.0.0.1' }],
  ['sshd/no-accept-env', { name: 'proxmox allow-list', config: GOOD, files: PVE, pveAware: true, options: { allow: ['LANG', 'LC_*'] }, status: 'pass' }],
  ['sshd/require-per-source-penalties', { name: 'PVE 9 peers not exempt', config: GOOD, files: PVE, pveAware: true, status: 'warn', message: '10.0.0.2' }],
  ['sshd/require-per-source-penalties', { name: 'PVE 9 peers exempt', config: `PerSourcePenaltyExemptList 10.0.0.0/24\n${GOOD}`, files: PVE, pveAware: true, status: 'pass' }],
  ['sshd/require-allowlist', { name: 'allow-list that excludes root from the nodes breaks the cluster', config: `AllowUsers alice\n${GOOD}`, files: PVE, pveAware: true, status: 'fail', message: 'breaks the PVE cluster' }],
  ['sshd/require-allowlist', { name: 'allow-list with root@nodes', config: `AllowUsers alice root@10.0.0.0/24\n${GOOD}`, files: PVE, pveAware: true, status: 'pass' }],
];
for (const [id, c] of exempt) test(`${id}: ${c.name}`, () => checkCase(id, c));
