// The host as a plan predicts it, without writing anything: the plan's files laid over the loaded
// host (candidate.ts, the one overlay), its host steps applied to the accounts (create-account,
// delete-account, set-shell: the passwd/group entries useradd/userdel/usermod would leave) and to
// the directories (make-dir, remove-dir, set-ownership: their stat), and the candidate
// configuration to evaluate for any connection spec. What the guards judge as "after". Pure
// apart from reads through the loaded host's fs.
import type { FileStat, ReadOnlyFs } from '../host/fs.js';
import type { LoadedHost } from '../host/loaded-host.js';
import { gatherAccounts, isLoginShell, makeAccounts, type Accounts, type GroupEntry, type PasswdUser, type ShadowEntry } from '../host/facts/accounts.js';
import { candidateFiles } from './candidate.js';
import { stepsOf, type Plan, type PlanStep, type StepOwner } from './plan.js';

export interface PredictedHost {
  /** The candidate configuration (and its files through the overlay). */
  readonly config: LoadedHost;
  /** Every file and directory as after the plan. */
  readonly fs: ReadOnlyFs;
  /** The accounts after the plan; undefined when the host's are unknown. */
  readonly accounts: Accounts | undefined;
  /** The accounts the plan's steps touch (created, deleted, shell changed). */
  readonly touched: readonly string[];
}

const ACCOUNT_FILES = ['/etc/passwd', '/etc/group'];

/** The accounts after the plan's account steps (pure). */
export function accountsAfterSteps(acc: Accounts, steps: readonly PlanStep[]): Accounts {
  const users: PasswdUser[] = [...acc.users];
  const groups: GroupEntry[] = [...acc.groups];
  // Shadow as the steps leave it, where it is known (an unreadable shadow stays unknown).
  const shadow: ShadowEntry[] | undefined = acc.shadow ? [...acc.shadow] : undefined;
  const nextId = (taken: number[]) => Math.max(999, ...taken.filter((x) => x < 60_000)) + 1;
  for (const s of steps) {
    if (s.kind === 'create-account') {
      if (users.some((u) => u.name === s.user)) continue;
      const uid = s.ids?.uid ?? nextId(users.map((u) => u.uid));
      const group = s.ids?.group ?? s.user;
      let gid = s.ids?.gid ?? groups.find((g) => g.name === group)?.gid;
      if (gid === undefined) gid = nextId(groups.map((g) => g.gid));
      if (!groups.some((g) => g.gid === gid)) groups.push({ name: group, gid, members: [], line: 0 });
      users.push({ name: s.user, password: 'x', uid, gid, gecos: s.ids?.gecos ?? '', home: s.home, shell: s.shell, loginShell: isLoginShell(s.shell), line: 0, start: 0, end: 0, shellStart: 0 });
      // useradd writes "NAME:!:..." to /etc/shadow: the password locked until one is set, so with
      // UsePAM no sshd refuses the new account's keys too (auth.c platform_locked_account).
      if (shadow && !shadow.some((e) => e.name === s.user)) shadow.push({ name: s.user, hash: '!', line: 0 });
    } else if (s.kind === 'delete-account') {
      const i = users.findIndex((u) => u.name === s.user);
      if (i >= 0) users.splice(i, 1);
      if (shadow) for (let e = shadow.length - 1; e >= 0; e--) if (shadow[e]!.name === s.user) shadow.splice(e, 1);
      for (let g = 0; g < groups.length; g++) groups[g] = { ...groups[g]!, members: groups[g]!.members.filter((m) => m !== s.user) };
    } else if (s.kind === 'set-shell') {
      const i = users.findIndex((u) => u.name === s.user);
      if (i >= 0) users[i] = { ...users[i]!, shell: s.shell, loginShell: isLoginShell(s.shell) };
    }
  }
  return makeAccounts(users, groups, acc.shells ? [...acc.shells] : undefined, [...acc.problems], {
    ...(shadow ? { shadow } : {}),
    ...(acc.shadowUnknown !== undefined ? { shadowUnknown: acc.shadowUnknown } : {}),
  });
}

function ownerOf(o: StepOwner, acc: Accounts | undefined): { uid: number; gid: number } | undefined {
  if ('uid' in o) return o;
  const u = acc?.user(o.user);
  return u ? { uid: u.uid, gid: u.gid } : undefined;
}

/** `base` with the directories the steps make, remove or re-own (by the path as the target sees it). */
export function stepsFs(base: ReadOnlyFs, steps: readonly PlanStep[], acc: Accounts | undefined): ReadOnlyFs {
  const dirs = new Map<string, FileStat | null>();
  for (const s of steps) {
    if (s.kind === 'make-dir') {
      const o = ownerOf(s.owner, acc) ?? { uid: 0, gid: 0 };
      dirs.set(s.path, { kind: 'directory', size: 4096, mode: s.mode, uid: o.uid, gid: o.gid, mtimeMs: 0 });
    } else if (s.kind === 'remove-dir') dirs.set(s.path, null);
  }
  const owned = steps.filter((s): s is Extract<PlanStep, { kind: 'set-ownership' }> => s.kind === 'set-ownership');
  if (dirs.size === 0 && owned.length === 0) return base;
  const stat = async (path: string, real: (p: string) => Promise<FileStat | undefined>): Promise<FileStat | undefined> => {
    let st = dirs.has(path) ? (dirs.get(path) ?? undefined) : await real(path);
    for (const s of owned) {
      if (s.path !== path || !st) continue;
      const o = s.owner ? ownerOf(s.owner, acc) : undefined;
      st = { ...st, ...(o ?? {}), ...(s.mode !== undefined ? { mode: s.mode } : {}) };
    }
    return st;
  };
  return { ...base, stat: (p) => stat(p, (x) => base.stat(x)), lstat: (p) => stat(p, (x) => base.lstat(x)), realPath: async (p) => (dirs.has(p) ? (dirs.get(p) ? p : undefined) : base.realPath(p)) };
}

export async function predictHost(host: LoadedHost, plan: Pick<Plan, 'files' | 'steps'>): Promise<PredictedHost> {
  const config = await host.candidate(candidateFiles(plan));
  const steps = stepsOf(plan);
  let base = host.accounts;
  if (plan.files.some((f) => ACCOUNT_FILES.includes(f.path))) {
    const a = await gatherAccounts(config.fs);
    base = a.status === 'known' ? a.value : undefined;
  }
  const accounts = base ? accountsAfterSteps(base, steps) : undefined;
  const touched = [...new Set(steps.flatMap((s) => (s.kind === 'create-account' || s.kind === 'delete-account' || s.kind === 'set-shell' ? [s.user] : [])))];
  return { config, fs: stepsFs(config.fs, steps, accounts), accounts, touched };
}
