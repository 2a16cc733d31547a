// StrictModes for the authorized_keys files a keys plan writes: the file and every directory from
// its parent up to the home, as they will be after the plan (a kept file keeps its mode, a new one
// is 0600, a made directory 0700, all the account's), judged by access/strict-modes.ts (misc.c
// safe_path with Debian's group patch). A plan that would leave sshd refusing the file is refused;
// with `fix`, what the account owns is made go-w by the same writer (the file's new mode in its
// FileChange, a set-ownership step per directory), so backups, journal and restore cover it. A
// component owned by someone else (root) is named for an admin. Reads only through ReadOnlyFs.
import { dirname, join } from 'node:path';
import type { FileChange, Plan, PlanStep } from '../apply/plan.js';
import type { Accounts, PasswdUser } from '../host/facts/accounts.js';
import type { PathInfo } from '../host/facts/access-facts.js';
import type { ReadOnlyFs } from '../host/fs.js';
import { strictModesProblem, type StrictModesHost } from '../access/strict-modes.js';

export const FIX_MODES_FLAG = '--fix-modes';

export type StrictModesResult = { readonly ok: true; readonly plan: Plan; readonly fixed: readonly string[] } | { readonly ok: false; readonly reason: string };

const octal = (m: number): string => (m & 0o7777).toString(8).padStart(4, '0');

function hostOf(accounts: Accounts): StrictModesHost {
  return {
    groupMembers: (gid) => {
      const g = accounts.groups.find((x) => x.gid === gid);
      return [...new Set([...(g?.members ?? []), ...accounts.users.filter((u) => u.gid === gid).map((u) => u.name)])];
    },
    userName: (uid) => accounts.users.find((u) => u.uid === uid)?.name,
  };
}

/** The plan, made to leave `user`'s key files as StrictModes accepts them (with `fix`), or why it cannot. */
export async function strictModesCheck(fs: ReadOnlyFs, plan: Plan, user: PasswdUser, accounts: Accounts, fix: boolean, strict: boolean, unchanged: readonly FileChange[] = []): Promise<StrictModesResult> {
  if (!strict) return { ok: true, plan, fixed: [] };
  // Asked to fix, the account's files this plan leaves as they are are judged too (kept only if their mode changes).
  const extra = fix ? unchanged.filter((u) => !plan.files.some((f) => f.path === u.path)) : [];
  const host = hostOf(accounts);
  const made = new Map((plan.steps ?? []).flatMap((s) => (s.kind === 'make-dir' ? [[s.path, s] as const] : [])));
  const home = user.home.replace(/\/+$/, '') || '/';
  const files: FileChange[] = [];
  const steps: PlanStep[] = [...(plan.steps ?? [])];
  const fixed: string[] = [];
  const dirFix = new Set<string>();
  for (const f of [...plan.files, ...extra]) {
    const noop = extra.includes(f);
    if (f.action !== 'write') {
      files.push(f);
      continue;
    }
    const st = await fs.stat(f.path);
    const fileMode = f.mode ?? (st ? st.mode & 0o7777 : f.newFileMode);
    const fileInfo: PathInfo = { path: f.path, kind: 'file', uid: st?.uid ?? f.newFileOwner?.uid ?? 0, gid: st?.gid ?? f.newFileOwner?.gid ?? 0, mode: fileMode };
    const parents: PathInfo[] = [];
    for (let d = dirname(f.path); ; d = dirname(d)) {
      const m = made.get(d);
      const ds = m ? undefined : await fs.stat(d);
      if (m) parents.push({ path: d, kind: 'directory', uid: 'uid' in m.owner ? m.owner.uid : user.uid, gid: 'gid' in m.owner ? m.owner.gid : user.gid, mode: m.mode });
      else if (ds) parents.push({ path: d, kind: ds.kind, uid: ds.uid, gid: ds.gid, mode: ds.mode & 0o7777 });
      if (d === home || d === '/') break;
    }
    const subject = { uid: user.uid, home: user.home, gids: [] };
    let problem = strictModesProblem({ realPath: f.path, stat: fileInfo, parents }, subject, host);
    if (!problem) {
      if (!noop) files.push(f);
      continue;
    }
    // What `fix` may change: the account's own file and directories, made go-w.
    let next = f;
    const ownBad: string[] = [];
    if (fileInfo.uid === user.uid && (fileMode & 0o022) !== 0) {
      next = { ...f, mode: fileMode & ~0o022 };
      ownBad.push(`chmod go-w ${f.path} (${octal(fileMode)} -> ${octal(fileMode & ~0o022)})`);
    }
    const fixedParents = parents.map((p) => {
      if (p.uid !== user.uid || (p.mode & 0o022) === 0 || made.has(p.path)) return p;
      ownBad.push(`chmod go-w ${p.path} (${octal(p.mode)} -> ${octal(p.mode & ~0o022)})`);
      if (fix && !dirFix.has(p.path)) {
        dirFix.add(p.path);
        steps.push({ kind: 'set-ownership', path: p.path, hostPath: plan.root !== undefined ? join(plan.root, p.path) : p.path, mode: p.mode & ~0o022, describe: `chmod ${octal(p.mode & ~0o022)} ${p.path} (go-w: StrictModes)`, stage: 'before-files', ...(plan.root !== undefined ? { root: plan.root } : {}), before: { uid: p.uid, gid: p.gid, mode: p.mode } });
      }
      return { ...p, mode: p.mode & ~0o022 };
    });
    problem = strictModesProblem({ realPath: f.path, stat: { ...fileInfo, mode: next.mode ?? fileMode }, parents: fixedParents }, subject, host);
    if (problem) return { ok: false, reason: `sshd would refuse ${user.name}'s keys in ${f.path} (StrictModes): ${problem}; sshield fixes only what ${user.name} owns (${FIX_MODES_FLAG}): ask an admin for the rest` };
    if (!fix) return { ok: false, reason: `sshd would refuse ${user.name}'s keys in ${f.path} (StrictModes yes): ${strictModesProblem({ realPath: f.path, stat: fileInfo, parents }, subject, host)}; re-run with ${FIX_MODES_FLAG} to ${ownBad.join(', ')}` };
    fixed.push(...ownBad);
    if (!noop || next.mode !== undefined) files.push(next);
  }
  // Directories are made go-w before the files are installed, so sshd never reads a new key through a refused path.
  return { ok: true, plan: { ...plan, files, ...(steps.length ? { steps } : {}) }, fixed };
}
