// sshd/require-allowlist, table-driven through the real parser, evaluator and access check: every
// allow-list form counts (AllowUsers, AllowGroups, and the `DenyUsers *@!CIDR,...,*` address
// list that `sshield allow add` writes, which sshd checks before AllowUsers), Match blocks that
// replace the lists, lockouts of the admin (from the real address only) and of PVE peers, and
// no advice ever naming an address the admin was not seen to use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryFs } from '../../../src/host/memory-fs.js';
import { offlineExecutor } from '../../../src/host/executor.js';
import { gatherAudit } from '../../../src/audit/gather.js';
import { ADMIN_DEFAULT_ADDR } from '../../../src/audit/specs.js';
import { runRule } from '../../../src/rules/define-rule.js';
import { getRule } from '../../../src/rules/registry.js';
import { GROUP, PASSWD, dpkgStatus } from '../../helpers/rule-tester.js';

interface Row {
  readonly name: string;
  readonly config: string;
  /** The admin's real address (SSH_CONNECTION); absent = unknown. */
  readonly adminAddr?: string;
  readonly files?: Record<string, string>;
  readonly pveAware?: boolean;
  readonly status: 'pass' | 'fail';
  readonly message?: RegExp;
  /** Substring every remediation text must contain / must not contain. */
  readonly advice?: RegExp;
}

const COROSYNC = `totem {\n  cluster_name: lab\n  version: 2\n}\nnodelist {\n  node {\n    name: pve1\n    nodeid: 1\n    ring0_addr: 10.0.0.1\n  }\n  node {\n    name: pve2\n    nodeid: 2\n    ring0_addr: 10.0.0.2\n  }\n}\n`;
const PVE = { '/etc/pve/corosync.conf': COROSYNC, '/etc/corosync/corosync.conf': COROSYNC, '/etc/hostname': 'pve1\n', '/var/lib/dpkg/status': 'Package: openssh-server\nStatus: install ok installed\nVersion: 1:10.0p1-7+deb13u4\n\nPackage: pve-manager\nStatus: install ok installed\nVersion: 9.1.1\n\n' };
const ALLOW = '# sshield allow: logins only from the "!" addresses below; DenyUsers refuses all others (sshield allow list)\nDenyUsers *@!192.0.2.0/24,!2001:db8::/32,*\n';

const ROWS: Row[] = [
  { name: 'nothing: fail', config: '', status: 'fail', message: /no allow-list is in effect/, advice: /sshield allow add/ },
  { name: 'AllowUsers naming the admin', config: 'AllowUsers alice\n', status: 'pass' },
  { name: 'AllowGroups with the admin\'s group', config: 'AllowGroups sudo\n', status: 'pass' },
  { name: 'AllowUsers without the admin: locked out whatever the address', config: 'AllowUsers bob\n', status: 'fail', message: /refuse alice from every address.*locked out/ },
  { name: 'allow add form (address list for everyone), admin address unknown: in effect, no verdict on an invented address', config: ALLOW, status: 'pass' },
  { name: 'allow add form, mixed case keyword, = and quotes', config: 'denyusers="*@!192.0.2.0/24,*"\n', status: 'pass' },
  { name: 'allow add form in a drop-in', config: 'Include /etc/ssh/sshd_config.d/*.conf\n', files: { '/etc/ssh/sshd_config.d/10-allow.conf': ALLOW }, status: 'pass' },
  { name: 'allow add form, the admin connects from a listed address', config: ALLOW, adminAddr: '192.0.2.55', status: 'pass' },
  { name: 'allow add form, the admin connects from outside it: locked out, advice names the real address', config: ALLOW, adminAddr: '198.51.100.9', status: 'fail', message: /DenyUsers refuses admin alice from 198\.51\.100\.9.*locked out/, advice: /sshield allow add 198\.51\.100\.9/ },
  { name: 'DenyUsers is checked before AllowUsers: listed in AllowUsers, still refused from outside', config: `AllowUsers alice\n${ALLOW}`, adminAddr: '198.51.100.9', status: 'fail', message: /DenyUsers refuses/ },
  { name: 'a plain denylist is not an allow-list', config: 'DenyUsers baduser guest\n', status: 'fail', message: /no allow-list/ },
  { name: 'DenyUsers for one user only (allow add --user root) restricts nobody else', config: 'DenyUsers root@!192.0.2.0/24,*\n', status: 'fail', message: /no allow-list/ },
  { name: 'an address list that names everything admits everyone', config: 'DenyUsers *@!0.0.0.0/0,!::/0,*\n', status: 'fail', message: /no allow-list/ },
  { name: 'issue 13: AllowUsers *@192.0.2.0/24 *@198.51.100.7 with the admin address unknown is fine (no "locked out")', config: 'AllowUsers *@192.0.2.0/24 *@198.51.100.7\n', status: 'pass' },
  { name: 'AllowUsers user@CIDR, admin address unknown: never judged from the stand-in address', config: 'AllowUsers alice@192.0.2.0/24\n', status: 'pass' },
  { name: 'AllowUsers user@CIDR, admin from outside it', config: 'AllowUsers alice@192.0.2.0/24\n', adminAddr: '198.51.100.9', status: 'fail', message: /AllowUsers refuses admin alice from 198\.51\.100\.9/, advice: /alice@198\.51\.100\.9/ },
  { name: 'AllowUsers user@CIDR with another user only, address unknown: refused from every named address', config: 'AllowUsers bob@192.0.2.0/24\n', status: 'fail', message: /from every address they name/, advice: /the address you connect from/ },
  { name: 'a Match block that empties nothing but re-lists for some addresses still counts', config: `${ALLOW}Match Address 10.9.0.0/16\n  DenyUsers *@!10.9.0.0/16,*\n`, status: 'pass' },
  { name: 'PVE: address list keeping the node addresses', config: 'DenyUsers *@!192.0.2.0/24,!10.0.0.1,!10.0.0.2,*\n', files: PVE, pveAware: true, status: 'pass' },
  { name: 'PVE: address list without the nodes breaks the cluster', config: ALLOW, files: PVE, pveAware: true, status: 'fail', message: /DenyUsers refuses root from 10\.0\.0\.\d.*breaks the PVE cluster/, advice: /sshield allow add 10\.0\.0\.\d/ },
];

for (const row of ROWS) {
  test(`sshd/require-allowlist: ${row.name}`, async () => {
    const fs = memoryFs({ '/etc/ssh/sshd_config': row.config, '/etc/passwd': PASSWD, '/etc/group': GROUP, '/etc/os-release': 'ID=debian\nVERSION_ID="12"\n', '/var/lib/dpkg/status': dpkgStatus('1:9.2p1-2+deb12u10'), ...(row.files ?? {}) });
    const a = await gatherAudit(offlineExecutor(fs, 'memory'), { admin: 'alice', ...(row.adminAddr ? { adminAddr: row.adminAddr } : {}) });
    const r = runRule(getRule('sshd/require-allowlist')!, a.input, { pveAware: row.pveAware ?? false });
    const show = `${row.config}\n=> ${r.status}: ${r.message}`;
    assert.equal(r.status, row.status, show);
    if (row.message) assert.match(r.message, row.message, show);
    const advice = JSON.stringify(r.remediation ?? []);
    if (row.advice) assert.match(advice, row.advice, show);
    // Never an invented admin address, in any message or advice.
    assert.ok(!`${r.message} ${advice}`.includes(ADMIN_DEFAULT_ADDR), `mentions the stand-in address ${ADMIN_DEFAULT_ADDR}: ${r.message} ${advice}`);
  });
}
