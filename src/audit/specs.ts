// Which connection specs the audit evaluates (`sshd -T -C` identities): the admin from their
// address, root from outside, an unknown user, root from every other PVE cluster node, every
// user named by a Match User/Group block (SFTP-only users are found among them), and one probe
// per Match block with Address criteria, so a block that re-enables something for some
// addresses is seen. Pure.
import type { ConnectionSpec } from '../sshd/evaluate/types.js';
import type { DirectiveInfo, PveFact, SpecRole } from '../rules/types.js';
import { sampleAddress } from '../rules/patterns.js';

export interface PlannedSpec {
  readonly role: SpecRole;
  readonly label: string;
  readonly spec: ConnectionSpec;
  /** The address is ADMIN_DEFAULT_ADDR standing in for the admin's unknown one. */
  readonly addrAssumed?: boolean;
}

export const OUTSIDE_ADDR = '203.0.113.7'; // TEST-NET-3: "somewhere on the internet"
export const ADMIN_DEFAULT_ADDR = '198.51.100.10'; // TEST-NET-2: the admin's (unknown) address
export const UNKNOWN_USER = 'sshield-no-such-user';

export interface SpecInputs {
  readonly admin?: string;
  readonly adminAddr?: string;
  readonly directives: readonly DirectiveInfo[];
  readonly pve?: PveFact;
  /** Members of a group (primary and supplementary), for Match Group. */
  readonly groupMembers: (group: string) => readonly string[];
  readonly lport: number;
}

function criteriaPairs(criteria: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < criteria.length; i++) {
    const c = criteria[i]!;
    const eq = c.indexOf('=');
    if (eq > 0) out.push([c.slice(0, eq).toLowerCase(), c.slice(eq + 1)]);
    else if (c.toLowerCase() === 'all' || c.toLowerCase() === 'invalid-user') out.push([c.toLowerCase(), '']);
    else out.push([c.toLowerCase(), criteria[++i] ?? '']);
  }
  return out;
}

const plain = (list: string) => list.split(',').filter((p) => p !== '' && !p.startsWith('!') && !/[*?]/.test(p));

export function planSpecs(i: SpecInputs): PlannedSpec[] {
  const out: PlannedSpec[] = [];
  const seen = new Set<string>();
  const base = { laddr: '0.0.0.0', lport: i.lport };
  const adminAddr = i.adminAddr ?? ADMIN_DEFAULT_ADDR;
  const add = (role: SpecRole, label: string, user: string, addr: string) => {
    const key = `${user}|${addr}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ role, label, spec: { user, host: addr, addr, ...base }, ...(i.adminAddr === undefined && addr === ADMIN_DEFAULT_ADDR ? { addrAssumed: true } : {}) });
  };
  if (i.admin && i.admin !== 'root') add('admin', `admin ${i.admin} from ${adminAddr}`, i.admin, adminAddr);
  add('root', `root from ${adminAddr}`, 'root', adminAddr);
  if (adminAddr !== OUTSIDE_ADDR) add('root', `root from ${OUTSIDE_ADDR}`, 'root', OUTSIDE_ADDR);
  add('unknown-user', `an unknown user from ${OUTSIDE_ADDR}`, UNKNOWN_USER, OUTSIDE_ADDR);
  const nodes = i.pve?.cluster?.nodes ?? [];
  for (const n of nodes) {
    for (const a of n.addresses) add('pve-peer', `root from ${a} (PVE node ${n.name}${n.local ? ', this node' : ''})`, 'root', a);
  }
  for (const d of i.directives) {
    if (d.canonical !== 'Match') continue;
    const pairs = criteriaPairs(d.args);
    const users = new Set<string>();
    let addr: string | undefined;
    for (const [k, v] of pairs) {
      if (k === 'user') plain(v).forEach((u) => users.add(u));
      else if (k === 'group') plain(v).forEach((g) => i.groupMembers(g).forEach((u) => users.add(u)));
      else if (k === 'address') addr = sampleAddress(v) ?? addr;
    }
    const where = `${d.file}:${d.line}`;
    if (users.size > 0) for (const u of users) add('match-probe', `${u} from ${addr ?? adminAddr} (Match at ${where})`, u, addr ?? adminAddr);
    else if (addr) {
      add('match-probe', `root from ${addr} (Match at ${where})`, 'root', addr);
      add('match-probe', `${i.admin ?? UNKNOWN_USER} from ${addr} (Match at ${where})`, i.admin ?? UNKNOWN_USER, addr);
    }
  }
  return out;
}
