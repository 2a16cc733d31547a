// Reference builders for rule metadata, so every rule cites sources the same way. Data only.
import type { Reference } from './types.js';

export const guide = (step: string): Reference => ({ source: 'guide', item: step });
/** CIS Debian 12 v1.1.0 and Debian 13 v1.0.0 item numbers (13 shifts items after 5.1.12 by one). */
export const cis = (deb12: string, deb13: string = deb12): Reference[] => [
  { source: 'CIS Debian 12', item: deb12 },
  { source: 'CIS Debian 13', item: deb13 },
];
export const lynis = (item = 'SSH-7408'): Reference => ({ source: 'Lynis', item });
export const mozilla = (item: string): Reference => ({ source: 'Mozilla', item, url: 'https://infosec.mozilla.org/guidelines/openssh' });
export const devsec = (item: string): Reference => ({ source: 'dev-sec', item });
export const man = (keyword: string): Reference => ({ source: 'sshd_config(5)', item: keyword, url: `https://man.openbsd.org/sshd_config#${keyword}` });
export const cve = (id: string): Reference => ({ source: 'CVE', item: id, url: `https://www.cve.org/CVERecord?id=${id}` });
export const pve = (item: string): Reference => ({ source: 'Proxmox VE', item, url: 'https://pve.proxmox.com/pve-docs/pvecm.1.html' });
