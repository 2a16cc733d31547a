// What each typed plan step (plan.ts PlanStep) does to a host, for the pipeline: `check` (is the
// host still as the plan found it: the step's `before`, like the sha256 of a file), `apply`,
// `undo` (back to `before` from any state between before and after, so a rollback that is itself
// killed can run again) and `inverse` (the step `sshield restore` plans to bring `before` back
// from the host as it is now). Accounts change only through useradd/usermod/userdel/groupadd run
// by host.run (with --prefix under an offline root); directories only through the host's
// makeDir/removeDir/setOwnership (descriptor-based, no symlink followed). Nothing here decides
// what to change (the planners do) or when (pipeline.ts).
// Restore's inverse steps that bring something back (an account, a directory) run before the
// files are installed, those that take something away or loosen it run after.
// Adding a kind: extend the PlanStep union in plan.ts, then add its entry to KINDS below: the
// table is typed over the union, so the compiler names whatever is missing.
import { parseGroup, parsePasswd, type PasswdUser } from '../host/facts/accounts.js';
import { bytesToText } from '../text/bytes.js';
import type { ApplyHost } from './host.js';
import type { CreateAccountStep, DeleteAccountStep, InstallPackagesStep, MakeDirStep, PlanStep, RemoveDirStep, SetOwnershipStep, SetShellStep, StepOwner } from './plan.js';
import { applyInstall, checkInstall, inverseInstall, undoInstall } from './package-step.js';

interface StepKindImpl<S extends PlanStep> {
  /** undefined when the host is as `s.before` says; else why the plan is stale. */
  check(host: ApplyHost, s: S): Promise<string | undefined>;
  /** Makes the change; throws with the reason when it fails. */
  apply(host: ApplyHost, s: S): Promise<void>;
  /** Brings `s.before` back from any state between before and after; a note when something is left as it is (never data removed). */
  undo(host: ApplyHost, s: S): Promise<string | undefined>;
  /** For restore: the step that brings `s.before` back now; undefined when the host already is there; a string when it cannot be done safely (shown as a note). */
  inverse(host: ApplyHost, s: S, ctx: InverseContext): Promise<PlanStep | string | undefined>;
}

/** What the restore plan already takes away (host paths of directories removed by earlier inverse steps). */
export interface InverseContext {
  readonly removedDirs: Set<string>;
}

/** The passwd(5) fields a step records and re-checks. */
type AccountLine = Pick<PasswdUser, 'name' | 'uid' | 'gid' | 'gecos' | 'home' | 'shell'>;

function inRoot(root: string | undefined, path: string): string {
  return root === undefined ? path : `${root.replace(/\/+$/, '')}${path}`;
}

async function readAccountFile(host: ApplyHost, root: string | undefined, path: string): Promise<string> {
  const r = await host.fs.readFile(inRoot(root, path), 16 << 20);
  if (!r.ok) {
    if (r.reason === 'missing') return '';
    throw new Error(`cannot read ${inRoot(root, path)}: ${r.detail}`);
  }
  return bytesToText(r.bytes);
}

/** The account as /etc/passwd (inside the root) has it now (the one reader: host/facts/accounts.ts; first entry wins, as getpwnam); undefined when there is none. */
export async function accountOf(host: ApplyHost, root: string | undefined, user: string): Promise<AccountLine | undefined> {
  const u = parsePasswd(await readAccountFile(host, root, '/etc/passwd')).find((p) => p.name === user);
  return u ? { name: u.name, uid: u.uid, gid: u.gid, gecos: u.gecos, home: u.home, shell: u.shell } : undefined;
}

async function groupName(host: ApplyHost, root: string | undefined, gid: number): Promise<string | undefined> {
  return parseGroup(await readAccountFile(host, root, '/etc/group')).find((g) => g.gid === gid)?.name;
}

async function resolveOwner(host: ApplyHost, root: string | undefined, o: StepOwner): Promise<{ uid: number; gid: number }> {
  if ('uid' in o) return o;
  const a = await accountOf(host, root, o.user);
  if (!a) throw new Error(`no account ${o.user} to own the directory`);
  return { uid: a.uid, gid: a.gid };
}

async function exec(host: ApplyHost, cmd: string, args: readonly string[]): Promise<void> {
  const r = await host.run(cmd, args, { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${(r.stderr || r.error || `exit ${r.code}`).trim()}`);
}

const prefix = (root: string | undefined): string[] => (root === undefined ? [] : ['--prefix', root]);
const octal = (m: number): string => m.toString(8).padStart(4, '0');

async function lstatDir(host: ApplyHost, hostPath: string): Promise<{ mode: number; uid: number; gid: number } | 'missing' | string> {
  const st = await host.fs.lstat(hostPath);
  if (!st) return 'missing';
  if (st.kind !== 'directory') return `${hostPath} is a ${st.kind}, not a directory`;
  return { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
}

async function createAccount(host: ApplyHost, s: CreateAccountStep): Promise<void> {
  if (s.ids) {
    if (s.ids.group !== undefined && (await groupName(host, s.root, s.ids.gid)) === undefined) await exec(host, 'groupadd', [...prefix(s.root), '-g', String(s.ids.gid), s.ids.group]);
    await exec(host, 'useradd', [...prefix(s.root), '-u', String(s.ids.uid), '-g', String(s.ids.gid), '-c', s.ids.gecos, '-d', s.home, s.createHome ? '-m' : '-M', '-s', s.shell, s.user]);
  } else await exec(host, 'useradd', [...prefix(s.root), '-m', '-d', s.home, '-s', s.shell, s.user]);
  const a = await accountOf(host, s.root, s.user);
  if (!a) throw new Error(`useradd reported success but ${s.user} is not in ${inRoot(s.root, '/etc/passwd')}`);
  if (s.ids && (a.uid !== s.ids.uid || a.gid !== s.ids.gid)) throw new Error(`useradd made ${s.user} ${a.uid}:${a.gid}, not the planned ${s.ids.uid}:${s.ids.gid}`);
}

const createAccountImpl: StepKindImpl<CreateAccountStep> = {
  async check(host, s) {
    if (await accountOf(host, s.root, s.user)) return `account ${s.user} exists now`;
    if (s.ids) {
      // The plan shows these numbers: another account (or group) that took them since must not share them.
      const taken = parsePasswd(await readAccountFile(host, s.root, '/etc/passwd')).find((u) => u.uid === s.ids!.uid);
      if (taken) return `uid ${s.ids.uid} belongs to ${taken.name} now`;
      const g = await groupName(host, s.root, s.ids.gid);
      if (s.ids.group !== undefined && g !== undefined && g !== s.ids.group) return `gid ${s.ids.gid} belongs to group ${g} now`;
    }
    const home = await host.fs.lstat(inRoot(s.root, s.home));
    if ((home !== undefined) !== s.before.homeExists) return `${inRoot(s.root, s.home)} ${home ? 'exists now' : 'is gone'}`;
    return undefined;
  },
  apply: createAccount,
  async undo(host, s) {
    if (await accountOf(host, s.root, s.user)) {
      // The home goes only when this step made it (useradd -m on a missing home): never a directory that was there before.
      const removeHome = s.createHome && !s.before.homeExists;
      await exec(host, 'userdel', [...prefix(s.root), ...(removeHome ? ['-r'] : []), s.user]);
    }
    // The private group this step made (groupadd -g before useradd; planned only when no group of
    // that name existed): userdel leaves it when login.defs says nothing of USERGROUPS_ENAB (an
    // offline root without one), and a run killed between groupadd and useradd left it alone.
    if (s.ids?.group !== undefined) {
      const g = parseGroup(await readAccountFile(host, s.root, '/etc/group')).find((x) => x.name === s.ids!.group);
      const used = parsePasswd(await readAccountFile(host, s.root, '/etc/passwd')).some((u) => u.gid === s.ids!.gid);
      if (g && g.gid === s.ids.gid && g.members.length === 0 && !used) await exec(host, 'groupdel', [...prefix(s.root), g.name]);
    }
    return undefined;
  },
  async inverse(host, s) {
    const a = await accountOf(host, s.root, s.user);
    if (!a) return undefined;
    const g = await groupName(host, s.root, a.gid);
    return {
      kind: 'delete-account',
      user: s.user,
      describe: `userdel ${s.user} (its home ${a.home} is kept)`,
      stage: 'after-files',
      ...(s.root !== undefined ? { root: s.root } : {}),
      before: { exists: true, uid: a.uid, gid: a.gid, home: a.home, shell: a.shell, gecos: a.gecos, ...(g === s.user ? { group: g } : {}) },
    };
  },
};

function recreateOf(s: DeleteAccountStep, homeExists: boolean): CreateAccountStep {
  const b = s.before;
  return {
    kind: 'create-account',
    user: s.user,
    shell: b.shell,
    home: b.home,
    createHome: false,
    ids: { uid: b.uid, gid: b.gid, gecos: b.gecos, ...(b.group !== undefined ? { group: b.group } : {}) },
    describe: `useradd -u ${b.uid} -g ${b.gid} -M -d ${b.home} -s ${b.shell} ${s.user}`,
    stage: 'before-files',
    ...(s.root !== undefined ? { root: s.root } : {}),
    before: { exists: false, homeExists },
  };
}

const deleteAccountImpl: StepKindImpl<DeleteAccountStep> = {
  async check(host, s) {
    const a = await accountOf(host, s.root, s.user);
    if (!a) return `account ${s.user} is gone`;
    if (a.uid !== s.before.uid) return `account ${s.user} has uid ${a.uid} now, not ${s.before.uid}`;
    return undefined;
  },
  async apply(host, s) {
    await exec(host, 'userdel', [...prefix(s.root), s.user]);
  },
  async undo(host, s) {
    if (await accountOf(host, s.root, s.user)) return undefined;
    await createAccount(host, recreateOf(s, true));
    return undefined;
  },
  async inverse(host, s) {
    if (await accountOf(host, s.root, s.user)) return undefined;
    return recreateOf(s, (await host.fs.lstat(inRoot(s.root, s.before.home))) !== undefined);
  },
};

const setShellImpl: StepKindImpl<SetShellStep> = {
  async check(host, s) {
    const a = await accountOf(host, s.root, s.user);
    if (!a) return `no account ${s.user}`;
    return a.shell === s.before.shell ? undefined : `the shell of ${s.user} is ${a.shell} now, not ${s.before.shell}`;
  },
  async apply(host, s) {
    await exec(host, 'usermod', [...prefix(s.root), '-s', s.shell, s.user]);
    const a = await accountOf(host, s.root, s.user);
    if (a?.shell !== s.shell) throw new Error(`usermod reported success but the shell of ${s.user} is ${a?.shell ?? '(no account)'}`);
  },
  async undo(host, s) {
    const a = await accountOf(host, s.root, s.user);
    if (!a || a.shell === s.before.shell) return undefined;
    await exec(host, 'usermod', [...prefix(s.root), '-s', s.before.shell, s.user]);
    return undefined;
  },
  async inverse(host, s) {
    const a = await accountOf(host, s.root, s.user);
    if (!a) return `${s.user} no longer exists: its shell is not restored`;
    if (a.shell === s.before.shell) return undefined;
    return { kind: 'set-shell', user: s.user, shell: s.before.shell, describe: `usermod -s ${s.before.shell} ${s.user}`, stage: 'after-files', ...(s.root !== undefined ? { root: s.root } : {}), before: { shell: a.shell } };
  },
};

const makeDirImpl: StepKindImpl<MakeDirStep> = {
  async check(host, s) {
    return (await host.fs.lstat(s.hostPath)) ? `${s.hostPath} exists now` : undefined;
  },
  async apply(host, s) {
    const own = await resolveOwner(host, s.root, s.owner);
    await host.makeDir(s.hostPath, { mode: s.mode, ...own });
    const st = await lstatDir(host, s.hostPath);
    if (typeof st !== 'object' || st.uid !== own.uid || st.gid !== own.gid || st.mode !== s.mode) throw new Error(`${s.hostPath} was not created as ${own.uid}:${own.gid} ${octal(s.mode)}`);
  },
  async undo(host, s) {
    const r = await host.removeDir(s.hostPath);
    return r === 'not-empty' ? `${s.hostPath} was left in place: it is not empty` : undefined;
  },
  async inverse(host, s, ctx) {
    const st = await lstatDir(host, s.hostPath);
    if (st === 'missing') return undefined;
    if (typeof st === 'string') return `${st}: left in place`;
    const inside = ((await host.fs.readDir(s.hostPath)) ?? []).filter((n) => !ctx.removedDirs.has(`${s.hostPath}/${n}`));
    if (inside.length) return `${s.hostPath} is not empty: left in place`;
    ctx.removedDirs.add(s.hostPath);
    return { kind: 'remove-dir', path: s.path, hostPath: s.hostPath, describe: `rmdir ${s.path}`, stage: 'after-files', ...(s.root !== undefined ? { root: s.root } : {}), before: { exists: true, ...st } };
  },
};

const removeDirImpl: StepKindImpl<RemoveDirStep> = {
  async check(host, s) {
    const st = await lstatDir(host, s.hostPath);
    if (st === 'missing') return `${s.hostPath} is gone`;
    // Emptiness is checked when it runs: a restore removes the directories inside it first.
    return typeof st === 'string' ? st : undefined;
  },
  async apply(host, s) {
    const r = await host.removeDir(s.hostPath);
    if (r === 'not-empty') throw new Error(`${s.hostPath} is not empty: not removed`);
  },
  async undo(host, s) {
    if ((await host.fs.lstat(s.hostPath)) !== undefined) return undefined;
    await host.makeDir(s.hostPath, { mode: s.before.mode, uid: s.before.uid, gid: s.before.gid });
    return undefined;
  },
  async inverse(host, s) {
    if ((await host.fs.lstat(s.hostPath)) !== undefined) return undefined;
    return { kind: 'make-dir', path: s.path, hostPath: s.hostPath, mode: s.before.mode, owner: { uid: s.before.uid, gid: s.before.gid }, describe: `mkdir -m ${octal(s.before.mode)} ${s.path} (owner ${s.before.uid}:${s.before.gid})`, stage: 'before-files', ...(s.root !== undefined ? { root: s.root } : {}), before: { exists: false } };
  },
};

const setOwnershipImpl: StepKindImpl<SetOwnershipStep> = {
  async check(host, s) {
    const st = await lstatDir(host, s.hostPath);
    if (st === 'missing') return `${s.hostPath} is gone`;
    if (typeof st === 'string') return st;
    const b = s.before;
    if (st.uid !== b.uid || st.gid !== b.gid || st.mode !== b.mode) return `${s.hostPath} is ${st.uid}:${st.gid} ${octal(st.mode)} now, not ${b.uid}:${b.gid} ${octal(b.mode)}`;
    return undefined;
  },
  async apply(host, s) {
    const own = s.owner ? await resolveOwner(host, s.root, s.owner) : undefined;
    await host.setOwnership(s.hostPath, { ...(own ?? {}), ...(s.mode !== undefined ? { mode: s.mode } : {}) });
    const st = await lstatDir(host, s.hostPath);
    if (typeof st !== 'object' || (own && (st.uid !== own.uid || st.gid !== own.gid)) || (s.mode !== undefined && st.mode !== s.mode)) throw new Error(`${s.hostPath}: owner or mode not as set`);
  },
  async undo(host, s) {
    const st = await lstatDir(host, s.hostPath);
    if (typeof st !== 'object') return st === 'missing' ? undefined : `${st}: its owner and mode were not restored`;
    const b = s.before;
    if (st.uid !== b.uid || st.gid !== b.gid || st.mode !== b.mode) await host.setOwnership(s.hostPath, b);
    return undefined;
  },
  async inverse(host, s) {
    const st = await lstatDir(host, s.hostPath);
    if (st === 'missing') return `${s.path} no longer exists`;
    if (typeof st === 'string') return st;
    const b = s.before;
    if (st.uid === b.uid && st.gid === b.gid && st.mode === b.mode) return undefined;
    return { kind: 'set-ownership', path: s.path, hostPath: s.hostPath, owner: { uid: b.uid, gid: b.gid }, mode: b.mode, describe: `chown ${b.uid}:${b.gid} ${s.path} && chmod ${octal(b.mode)} ${s.path}`, stage: 'after-files', ...(s.root !== undefined ? { root: s.root } : {}), before: st };
  },
};

const installPackagesImpl: StepKindImpl<InstallPackagesStep> = {
  check: checkInstall,
  apply: applyInstall,
  undo: undoInstall,
  inverse: inverseInstall,
};

const KINDS: { readonly [K in PlanStep['kind']]: StepKindImpl<Extract<PlanStep, { kind: K }>> } = {
  'create-account': createAccountImpl,
  'delete-account': deleteAccountImpl,
  'set-shell': setShellImpl,
  'make-dir': makeDirImpl,
  'remove-dir': removeDirImpl,
  'set-ownership': setOwnershipImpl,
  'install-packages': installPackagesImpl,
};

function impl(s: PlanStep): StepKindImpl<PlanStep> {
  return KINDS[s.kind] as StepKindImpl<PlanStep>;
}

export const checkStep = (host: ApplyHost, s: PlanStep): Promise<string | undefined> => impl(s).check(host, s);
export const applyStep = (host: ApplyHost, s: PlanStep): Promise<void> => impl(s).apply(host, s);
export const undoStep = (host: ApplyHost, s: PlanStep): Promise<string | undefined> => impl(s).undo(host, s);
export const inverseStep = (host: ApplyHost, s: PlanStep, ctx: InverseContext): Promise<PlanStep | string | undefined> => impl(s).inverse(host, s, ctx);
