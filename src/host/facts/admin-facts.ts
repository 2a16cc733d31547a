// What "who must keep a way in" (src/access/must-keep.ts) needs from a host: whether sudo is
// installed, the sudoers files as sudo reads them (/etc/sudoers and what its #include,
// #includedir, @include, @includedir directives name; sudoers(5): an includedir skips names
// ending in "~" or containing "."), and on a live host `sudo -l -U USER` for the accounts that
// could log in (sudo's own answer, Defaults, aliases, LDAP and all); the addresses accounts logged
// in from (`last -i -w` through the executor, /var/log/auth.log "Accepted ... for USER from ADDR"
// lines where readable). Texts only: parsing and deciding are src/access. Reads through the
// ReadOnlyFs; processes only through the executor, and only on a live host.
import type { HostExecutor } from '../executor.js';
import type { Accounts } from './accounts.js';

export interface AdminFacts {
  /** /usr/bin/sudo (or /bin/sudo) exists. */
  readonly sudoInstalled: boolean;
  /** Sudoers files read, by path, in the order sudo reads them. */
  readonly sudoers: ReadonlyMap<string, string>;
  /** Files named by an include that could not be read (sudo itself would complain). */
  readonly sudoersProblems: readonly string[];
  /** `sudo -l -U USER` stdout per user (live host with sudo only). */
  readonly sudoList: ReadonlyMap<string, string>;
  /** `last -i -w` output (live host), when it ran. */
  readonly last?: string;
  /** The tail of /var/log/auth.log, when readable. */
  readonly authLog?: string;
  readonly live: boolean;
}

export interface GatherAdminInput {
  readonly exec: Pick<HostExecutor, 'fs' | 'run' | 'live'>;
  readonly accounts: Accounts;
  /** Accounts to ask `sudo -l -U` about; default: root, uid >= 1000 with a login shell (at most 64). */
  readonly users?: readonly string[];
}

async function text(exec: GatherAdminInput['exec'], path: string, max = 4 << 20): Promise<string | undefined> {
  try {
    const r = await exec.fs.readFile(path, max);
    return r.ok ? Buffer.from(r.bytes).toString('latin1') : undefined;
  } catch {
    return undefined;
  }
}

/** Include directives of a sudoers file (sudoers(5) "Including other files from within sudoers"). */
export function sudoersIncludes(t: string, from: string): { path: string; dir: boolean }[] {
  const out: { path: string; dir: boolean }[] = [];
  const base = from.slice(0, from.lastIndexOf('/')) || '/';
  for (const l of t.split('\n')) {
    const m = /^\s*[#@](include|includedir)\s+(\S+)/.exec(l);
    if (!m) continue;
    const p = m[2]!.replace(/%h/g, 'localhost');
    out.push({ path: p.startsWith('/') ? p : `${base}/${p}`, dir: m[1] === 'includedir' });
  }
  return out;
}

async function run(exec: GatherAdminInput['exec'], cmd: string, args: string[]): Promise<string | undefined> {
  const p = exec.live ? exec.run(cmd, args, { timeoutMs: 15_000 }) : undefined;
  if (!p) return undefined;
  const r = await p;
  return r.code === 0 && !r.error ? r.stdout : undefined;
}

export async function gatherAdminFacts(i: GatherAdminInput): Promise<AdminFacts> {
  const fs = i.exec.fs;
  const isExe = async (p: string) => (await fs.stat(p).catch(() => undefined))?.kind === 'file';
  const sudoInstalled = (await isExe('/usr/bin/sudo')) || (await isExe('/bin/sudo'));
  const sudoers = new Map<string, string>();
  const problems: string[] = [];
  const queue: { path: string; dir: boolean }[] = [{ path: '/etc/sudoers', dir: false }];
  while (queue.length > 0 && sudoers.size < 128) {
    const q = queue.shift()!;
    if (q.dir) {
      const names = await fs.readDir(q.path).catch(() => undefined);
      if (!names) continue;
      for (const n of names.filter((x) => !x.endsWith('~') && !x.includes('.')).sort()) queue.push({ path: `${q.path}/${n}`, dir: false });
      continue;
    }
    if (sudoers.has(q.path)) continue;
    const t = await text(i.exec, q.path, 1 << 20);
    if (t === undefined) {
      if (q.path !== '/etc/sudoers' || sudoInstalled) problems.push(`${q.path}: unreadable`);
      continue;
    }
    sudoers.set(q.path, t);
    queue.unshift(...sudoersIncludes(t, q.path));
  }
  const sudoList = new Map<string, string>();
  if (sudoInstalled && i.exec.live) {
    const users = i.users ?? i.accounts.users.filter((u) => u.uid === 0 || (u.uid >= 1000 && u.uid < 60000 && u.loginShell)).map((u) => u.name).slice(0, 64);
    // A few at a time: each is a short sudo process; the answers are independent.
    const queue = [...new Set(users)];
    const worker = async () => {
      for (let u = queue.shift(); u !== undefined; u = queue.shift()) {
        const out = await run(i.exec, 'sudo', ['-n', '-l', '-U', u]);
        if (out !== undefined) sudoList.set(u, out);
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
  }
  // The most recent logins are enough (util-linux last: -n limits the lines).
  const last = await run(i.exec, 'last', ['-i', '-w', '-n', '1000']);
  const log = await text(i.exec, '/var/log/auth.log', 64 << 20);
  return {
    sudoInstalled,
    sudoers,
    sudoersProblems: problems,
    sudoList,
    ...(last !== undefined ? { last } : {}),
    ...(log !== undefined ? { authLog: log.slice(-(4 << 20)) } : {}),
    live: i.exec.live,
  };
}
