// Gathers what the preflight guards read (guards/types.ts GuardFacts), through the injected
// ReadOnlyFs only: the accounts, the authorized_keys files of the accounts that matter (root,
// sudo/wheel/admin members, the invoking user) under the current AND the predicted
// AuthorizedKeysFile, with the stat of every parent directory (StrictModes), the predicted host
// keys' public types, the components of every ChrootDirectory the prediction uses, the PVE
// cluster addresses, and the session (host/session.ts SessionFacts, read once by the CLI). No
// decisions here.
import type { ReadOnlyFs, FileStat } from '../host/fs.js';
import type { Accounts, PasswdUser } from '../host/facts/accounts.js';
import { expandAuthorizedKeysPath } from '../host/facts/authorized-keys.js';
import { inspectHostKeys } from '../host/facts/host-keys.js';
import { parseAuthorizedKeys, keyLines } from '../keys/parser.js';
import { bytesToText } from '../text/bytes.js';
import { parentsOf } from '../host/fs-paths.js';
import type { ConnectionSpec, EffectiveConfig } from '../sshd/evaluate/types.js';
import { ADMIN_GROUPS } from './guards/no-key-admin.js';
import { chrootComponents, expandChroot } from './guards/bad-chroot.js';
import { parseSshConnection, type SessionFacts } from '../host/session.js';
import type { GuardFacts, KeyFileFact, PathStat } from './guards/types.js';

const toStat = (path: string, s: FileStat): PathStat => ({ path, kind: s.kind, uid: s.uid, gid: s.gid, mode: s.mode });

export interface GuardFactsInput {
  readonly fs: ReadOnlyFs;
  readonly accounts?: Accounts;
  readonly before: (spec?: ConnectionSpec) => EffectiveConfig;
  readonly after: (spec?: ConnectionSpec) => EffectiveConfig;
  readonly laddr: string;
  readonly lport: number;
  /** Client addresses to judge an account from when its own is unknown (guard-stage addressSamples). */
  readonly samples: readonly string[];
  readonly clusterAddresses?: readonly string[];
  readonly clusterUnknownNodes?: readonly string[];
  readonly session?: SessionFacts;
  readonly live: boolean;
  /** More accounts whose authorized_keys the guards judge (besides root, admins and the invoking user). */
  readonly alsoUsers?: readonly string[];
}

export async function gatherGuardFacts(i: GuardFactsInput): Promise<GuardFacts> {
  const acc = i.accounts;
  const seen = new Set<string>();
  const pw: PasswdUser[] = (acc?.users ?? []).filter((u) => (seen.has(u.name) ? false : (seen.add(u.name), true)));
  const users = pw.map((u) => ({ name: u.name, uid: u.uid, gid: u.gid, home: u.home, loginShell: u.loginShell, groups: acc?.groupsOf(u.name) ?? [] }));
  const sess = i.live ? (i.session?.client ?? parseSshConnection(i.session?.sshConnection)) : undefined;
  const invoking = i.live ? i.session?.user : undefined;
  const spec = (user: string, addr: string): ConnectionSpec => ({ user, host: addr, addr, laddr: i.laddr, lport: i.lport });

  // authorized_keys of the accounts the guards judge, under both configurations.
  const keyFiles: KeyFileFact[] = [];
  const done = new Set<string>();
  const also = new Set(i.alsoUsers ?? []);
  const relevant = pw.filter((u) => u.uid === 0 || u.name === invoking || also.has(u.name) || (acc?.groupsOf(u.name) ?? []).some((g) => ADMIN_GROUPS.includes(g)));
  for (const u of relevant) {
    const addrs = [...new Set([...(sess ? [sess.addr] : []), ...i.samples])];
    const values = addrs.flatMap((addr) => [i.before(spec(u.name, addr)), i.after(spec(u.name, addr))]).flatMap((c) => (c.get('authorizedkeysfile')?.values ?? []).flatMap((v) => v.split(/\s+/)).filter(Boolean));
    for (const v of values) {
      const e = expandAuthorizedKeysPath(v, u, acc);
      if (!e.ok || done.has(`${u.name}\0${e.path}`)) continue;
      done.add(`${u.name}\0${e.path}`);
      const st = await i.fs.stat(e.path);
      if (!st) {
        keyFiles.push({ user: u.name, path: e.path, parents: [], keyTypes: [] });
        continue;
      }
      const real = (await i.fs.realPath(e.path)) ?? e.path;
      const parents: PathStat[] = [];
      for (const p of parentsOf(real)) {
        const s = await i.fs.stat(p);
        if (s) parents.push(toStat(p, s));
      }
      const r = await i.fs.readFile(e.path, 16 << 20);
      const keyTypes = r.ok ? keyLines(parseAuthorizedKeys(bytesToText(r.bytes), e.path)).filter((k) => k.options !== undefined).map((k) => k.typeName) : [];
      keyFiles.push({ user: u.name, path: e.path, realPath: real, stat: toStat(real, st), parents, keyTypes });
    }
  }

  // Host keys the predicted config loads.
  const hk = await inspectHostKeys(i.fs, i.after().get('hostkey')?.values ?? []);
  const hostKeys = hk.map((k) => ({ path: k.path, ...(k.public ? { type: k.public.type } : {}) }));

  // Components of every predicted ChrootDirectory.
  const chrootStats = new Map<string, PathStat | undefined>();
  for (const u of users) {
    for (const addr of i.samples) {
      const c = i.after(spec(u.name, addr)).value('chrootdirectory') ?? 'none';
      if (c === 'none') continue;
      for (const p of chrootComponents(expandChroot(c, u))) {
        if (chrootStats.has(p)) continue;
        const s = await i.fs.stat(p);
        chrootStats.set(p, s ? toStat(p, s) : undefined);
      }
    }
  }

  const byGid = new Map<number, string[]>();
  for (const g of acc?.groups ?? []) byGid.set(g.gid, [...new Set([...g.members, ...pw.filter((u) => u.gid === g.gid).map((u) => u.name)])]);
  return {
    users,
    groupMembers: (gid) => byGid.get(gid) ?? pw.filter((u) => u.gid === gid).map((u) => u.name),
    keyFiles,
    hostKeys,
    chrootStats,
    sudoInstalled: ['file', 'symlink'].includes((await i.fs.stat('/usr/bin/sudo'))?.kind ?? 'none'),
    ...(i.clusterAddresses?.length ? { clusterAddresses: i.clusterAddresses } : {}),
    ...(i.clusterUnknownNodes?.length ? { clusterUnknownNodes: i.clusterUnknownNodes } : {}),
    ...(sess && invoking ? { session: { user: invoking, addr: sess.addr, laddr: sess.laddr, lport: sess.lport } } : {}),
    ...(invoking ? { invokingUser: invoking } : {}),
    live: i.live,
  };
}
