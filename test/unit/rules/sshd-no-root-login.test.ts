// sshd/no-root-login, including the Proxmox VE cluster standard: `no` globally with a
// `Match Address <nodes>` exception `prohibit-password`; a global `no` breaks the cluster.
import { test } from 'node:test';
import { checkCase, type Case } from '../../helpers/rule-tester.js';

const COROSYNC = `totem {\n  cluster_name: lab\n  version: 2\n}\nnodelist {\n  node {\n    name: pve1\n    nodeid: 1\n    ring0_addr: 10.0.0.1\n  }\n  node {\n    name: pve2\n    nodeid: 2\n    ring0_addr: 10.0.0.2\n  }\n  node {\n    name: pve3\n    nodeid: 3\n    ring0_addr: 10.0.0.3\n  }\n}\n`;
const PVE = {
  '/etc/pve/corosync.conf': COROSYNC,
  '/etc/corosync/corosync.conf': COROSYNC,
  '/etc/hostname': 'pve1\n',
  '/var/lib/dpkg/status': 'Package: openssh-server\nStatus: install ok installed\nVersion: 1:9.2p1-2+deb12u10\n\nPackage: pve-manager\nStatus: install ok installed\nVersion: 8.4.1\n\n',
};

const cases: Case[] = [
  { name: 'default prohibit-password', config: '', status: 'fail', message: 'root can log in with a key' },
  { config: 'PermitRootLogin no\n', status: 'pass' },
  { name: 'mixed case =', config: 'permitrootlogin=No\n', status: 'pass' },
  { config: 'PermitRootLogin yes\n', status: 'fail', message: 'with a password', locations: ['/etc/ssh/sshd_config:1'] },
  { name: 'set in an Include', config: 'Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin no\n', files: { '/etc/ssh/sshd_config.d/10-x.conf': 'PermitRootLogin yes\n' }, status: 'fail', locations: ['/etc/ssh/sshd_config.d/10-x.conf:1'] },
  { name: 'Match Address re-enables root', config: 'PermitRootLogin no\nMatch Address 192.168.1.0/24\n  PermitRootLogin yes\n', status: 'fail', locations: ['/etc/ssh/sshd_config:3'] },
  { name: 'PVE cluster: global no breaks the cluster', config: 'PermitRootLogin no\n', files: PVE, pveAware: true, status: 'fail', message: 'breaks the PVE cluster' },
  { name: 'PVE cluster: prohibit-password globally is too wide', config: 'PermitRootLogin prohibit-password\n', files: PVE, pveAware: true, status: 'fail', message: 'root can log in with a key for root from' },
  { name: 'PVE cluster: the right state', config: 'PermitRootLogin no\nMatch Address 10.0.0.1,10.0.0.2,10.0.0.3\n  PermitRootLogin prohibit-password\n', files: PVE, pveAware: true, status: 'pass' },
  { name: 'PVE cluster: exception with yes allows passwords', config: 'PermitRootLogin no\nMatch Address 10.0.0.0/24\n  PermitRootLogin yes\n', files: PVE, pveAware: true, status: 'fail', message: 'with a password from the cluster nodes' },
];

for (const c of cases) test(`sshd/no-root-login: ${c.name ?? c.config.trim()}`, () => checkCase('sshd/no-root-login', c));
