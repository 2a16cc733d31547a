// The planner behind `user nologin`, `user add --nologin` and `user sftp`: what to do to the
// account (create it, its shell), to the file system (chroot directories, the upload directory)
// and to sshd_config (the Match User block of ./match-block.ts), with the proof that the
// evaluated config gives the user exactly the intended restrictions and leaves other users
// alone. Account and directory changes are typed plan steps (src/apply/plan.ts PlanStep), each
// with the state it found, so the one writer journals, undoes and restores them like files.
// Pure: stat and evaluate are injected; nothing here runs or writes.
import type { ByteString } from '../text/bytes.js';
import { applyEdits, type TextEdit } from '../text/edit.js';
import type { ConfigFile } from '../sshd/cst.js';
import type { ConnectionSpec, Origin } from '../sshd/evaluate/types.js';
import type { FileStat } from '../host/fs.js';
import type { PlanStep, SetOwnershipStep, StepOwner } from '../apply/plan.js';
import { checkChroot, type ChrootCheck } from './chroot.js';
import { expectedValues, findBlock, planBlock, removeBlockEdits, type RestrictSpec } from './match-block.js';
import type { Accounts, PasswdUser } from '../host/facts/accounts.js';
import { NOLOGIN, setShellEdit } from './shell.js';

export interface EffLike {
  get(key: string): { readonly values: readonly string[]; readonly origin: Origin } | undefined;
  value(key: string): string | undefined;
  readonly ok: boolean;
  readonly diagnostics: readonly { readonly message: string; readonly severity: string; readonly file: string; readonly line: number }[];
}


export interface ProofCheck {
  readonly identity: string;
  readonly spec: ConnectionSpec;
  readonly key: string;
  readonly expected: string;
  readonly actual: string | undefined;
  readonly origin?: string;
  readonly ok: boolean;
}

export interface UserPlanInput {
  readonly op: 'nologin' | 'add' | 'sftp';
  readonly user: string;
  readonly main: ConfigFile;
  /** The account, undefined when it does not exist. */
  readonly account: PasswdUser | undefined;
  /** /etc/passwd text, to edit offline (--root); undefined on a live host (usermod). */
  readonly offlinePasswd?: ByteString;
  /** Offline root (--root): steps work inside it (useradd --prefix, paths under DIR). */
  readonly root?: string;
  /**
   * Under --root: the uid and gid a new account gets, picked from the ROOT's passwd and group
   * (newAccountIds), so the plan shows and the writer applies numbers, never a name looked up
   * later (on another machine's passwd, or after the image changed). `group`: its private group
   * to create. Undefined on a live host (useradd picks).
   */
  readonly offlineIds?: { readonly uid: number; readonly gid: number; readonly group?: string };
  readonly chroot?: string;
  readonly uploadDir?: string;
  readonly create: boolean;
  readonly fixPermissions: boolean;
  readonly stat: (path: string) => Promise<FileStat | undefined>;
  /** Evaluates the tree with some files (sshd paths) replaced by candidate texts. */
  readonly evaluate: (replaced: ReadonlyMap<string, ByteString>, spec: ConnectionSpec) => Promise<EffLike>;
  /** The drop-in to fall back to when an earlier Match would win over a block at the end of the main file. */
  readonly dropIn?: { readonly path: string; readonly file: ConfigFile; readonly exists: boolean };
  /** Users that must not be restricted: root and the one running the command. */
  readonly protectedUsers: readonly string[];
  /** Another account to prove unaffected (root, or the admin). */
  readonly otherUser: string;
  /** More client addresses to prove from (Match Address criteria, cluster nodes). */
  readonly extraSamples?: readonly string[];
}

export interface ConfigChange {
  readonly path: string;
  readonly before: ByteString | undefined;
  readonly after: ByteString;
  readonly edits: readonly TextEdit[];
}

export interface UserPlan {
  readonly refusals: readonly string[];
  /** Account and directory changes, in order (the writer runs them by stage). */
  readonly steps: readonly PlanStep[];
  /** Config files to write (main file and/or the drop-in). */
  readonly configChanges: readonly ConfigChange[];
  readonly passwdAfter?: ByteString;
  readonly passwdEdits: readonly TextEdit[];
  readonly chroot?: ChrootCheck;
  readonly proof: readonly ProofCheck[];
  readonly notes: readonly string[];
}

function originText(o: Origin | undefined): string | undefined {
  if (!o) return undefined;
  return o.kind === 'default' ? 'default' : `${o.file}:${o.line}${o.match ? ` (Match at ${o.match.file}:${o.match.line})` : ''}`;
}

export async function planUser(p: UserPlanInput): Promise<UserPlan> {
  const refusals: string[] = [];
  const notes: string[] = [];
  const steps: PlanStep[] = [];
  const root = p.root === undefined ? {} : { root: p.root };
  const hostPath = (path: string) => (p.root === undefined ? path : `${p.root.replace(/\/+$/, '')}${path}`);
  const newIds = p.root !== undefined ? p.offlineIds : undefined;
  const createAccount = async (): Promise<PlanStep> => {
    const home = `/home/${p.user}`;
    const ids = newIds ? { ids: { uid: newIds.uid, gid: newIds.gid, gecos: '', ...(newIds.group !== undefined ? { group: newIds.group } : {}) } } : {};
    const idText = newIds ? ` (uid ${newIds.uid}, gid ${newIds.gid}${newIds.group !== undefined ? ` in a new group ${newIds.group}` : ''})` : '';
    return { kind: 'create-account', user: p.user, shell: NOLOGIN, home, createHome: true, ...ids, describe: `create account ${p.user}${idText} with shell ${NOLOGIN} and a home directory`, stage: 'before-files', ...root, before: { exists: false, homeExists: (await p.stat(home)) !== undefined } };
  };
  // Who owns the upload directory: under --root the numbers of the root's own account (or of the
  // account this plan creates), shown in the plan and applied as they are; live, the account's
  // ids when the step runs (it may be created by an earlier step of the same run).
  const ids = p.account ? { uid: p.account.uid, gid: p.account.gid } : newIds ? { uid: newIds.uid, gid: newIds.gid } : undefined;
  const uploadOwner: StepOwner = p.root !== undefined && ids ? ids : { user: p.user };
  const ownerText = 'uid' in uploadOwner ? `${p.user} (${uploadOwner.uid}:${uploadOwner.gid} in ${p.root}/etc/passwd)` : p.user;
  if (p.protectedUsers.includes(p.user)) {
    refusals.push(p.user === 'root' ? 'refusing to restrict root: the administrator account must keep a shell' : `refusing to restrict ${p.user}: it is the account running this command (you would lose your shell)`);
  }
  if (p.op === 'add') {
    if (p.account) refusals.push(`user ${p.user} already exists (use "sshield user nologin ${p.user}")`);
    else steps.push(await createAccount());
  } else if (!p.account) {
    if (p.op === 'sftp' && p.create) steps.push(await createAccount());
    else refusals.push(`no such user: ${p.user}${p.op === 'sftp' ? ' (add --create to create it)' : ''}`);
  }
  let passwdAfter: ByteString | undefined;
  let passwdEdits: TextEdit[] = [];
  if (p.account && p.account.shell !== NOLOGIN) {
    if (p.offlinePasswd !== undefined) {
      passwdEdits = [setShellEdit(p.account, NOLOGIN)];
      passwdAfter = applyEdits(p.offlinePasswd, passwdEdits);
    } else {
      // After the Match block is live: if the config change fails and is rolled back, the
      // account keeps its shell instead of ending up with neither a shell nor SFTP.
      steps.push({ kind: 'set-shell', user: p.user, shell: NOLOGIN, describe: `usermod -s ${NOLOGIN} ${p.user} (was ${p.account.shell || '/bin/sh'})`, stage: 'after-files', ...root, before: { shell: p.account.shell } });
    }
  } else if (p.account) notes.push(`${p.user} already has the shell ${NOLOGIN}`);

  let chroot: ChrootCheck | undefined;
  if (p.op === 'sftp' && p.chroot) {
    chroot = await checkChroot(p.chroot, p.stat);
    for (const f of chroot.fatal) refusals.push(`chroot: ${f}`);
    const missing = chroot.fixes.filter((f) => f.kind === 'mkdir');
    const perms = chroot.fixes.filter((f) => f.kind !== 'mkdir');
    if (missing.length && !p.create) refusals.push(`chroot directory ${p.chroot} does not exist (add --create to make it, root-owned, mode 0755)`);
    if (perms.length && !p.fixPermissions) {
      refusals.push(`sshd would refuse the chroot ${p.chroot} (session.c safely_chroot: every component root-owned, not group/other-writable): ${chroot.components.filter((c) => c.stat && c.problems.length).map((c) => `${c.path} ${c.problems.join(', ')}`).join('; ')}; fix with: ${perms.map((f) => f.describe).join(' && ')} (or add --fix-permissions)`);
    }
    for (const c of chroot.components) {
      const fixes = chroot.fixes.filter((f) => f.path === c.path);
      const mkdir = fixes.find((f) => f.kind === 'mkdir');
      if (mkdir && p.create) steps.push({ kind: 'make-dir', path: c.path, hostPath: hostPath(c.path), mode: 0o755, owner: { uid: 0, gid: 0 }, describe: mkdir.describe, stage: 'before-files', ...root, before: { exists: false } });
      const perms = fixes.filter((f) => f.kind !== 'mkdir');
      if (perms.length && p.fixPermissions && c.stat) {
        const chmod = perms.find((f) => f.kind === 'chmod');
        const step: SetOwnershipStep = {
          kind: 'set-ownership',
          path: c.path,
          hostPath: hostPath(c.path),
          ...(perms.some((f) => f.kind === 'chown') ? { owner: { uid: 0, gid: 0 } } : {}),
          ...(chmod?.mode !== undefined ? { mode: chmod.mode } : {}),
          describe: perms.map((f) => f.describe).join(' && '),
          stage: 'before-files',
          ...root,
          before: { uid: c.stat.uid, gid: c.stat.gid, mode: c.stat.mode & 0o7777 },
        };
        steps.push(step);
      }
    }
    if (p.uploadDir) {
      const st = await p.stat(p.uploadDir);
      if (!st) steps.push({ kind: 'make-dir', path: p.uploadDir, hostPath: hostPath(p.uploadDir), mode: 0o755, owner: uploadOwner, describe: `mkdir -m 0755 ${p.uploadDir}, owned by ${ownerText} (the writable directory inside the chroot)`, stage: 'before-files', ...root, before: { exists: false } });
      else if (st.kind !== 'directory') refusals.push(`${p.uploadDir} exists and is not a directory`);
      else if (!p.account || st.uid !== p.account.uid) {
        if (p.fixPermissions || !p.account) steps.push({ kind: 'set-ownership', path: p.uploadDir, hostPath: hostPath(p.uploadDir), owner: uploadOwner, mode: 0o755, describe: `chown ${'uid' in uploadOwner ? `${uploadOwner.uid}:${uploadOwner.gid}` : `${p.user}:`} ${p.uploadDir}${'uid' in uploadOwner ? ` (${ownerText})` : ''}`, stage: 'before-files', ...root, before: { uid: st.uid, gid: st.gid, mode: st.mode & 0o7777 } });
        else refusals.push(`${p.uploadDir} is owned by uid ${st.uid}, not ${p.user}: the user could not upload (chown ${p.user}: ${p.uploadDir}, or add --fix-permissions)`);
      }
    }
  }

  const spec: RestrictSpec = { user: p.user, ...(p.chroot ? { chroot: p.chroot } : {}) };
  const samples = [...new Set(['127.0.0.1', '203.0.113.77', '2001:db8::77', ...(p.extraSamples ?? [])])];
  const prove = async (changes: readonly ConfigChange[]): Promise<{ proof: ProofCheck[]; invalid: string[] }> => {
    const replaced = new Map(changes.map((c) => [c.path, c.after]));
    const proof: ProofCheck[] = [];
    const invalid: string[] = [];
    const want = expectedValues(spec);
    for (const addr of samples) {
      const s: ConnectionSpec = { user: p.user, host: addr, addr };
      const eff = await p.evaluate(replaced, s);
      if (!eff.ok) for (const d of eff.diagnostics) if (d.severity === 'error') invalid.push(`the candidate config is invalid: ${d.file}:${d.line}: ${d.message}`);
      for (const [key, expected] of Object.entries(want)) {
        const actual = eff.value(key);
        const origin = originText(eff.get(key)?.origin);
        proof.push({ identity: `${p.user} from ${addr}`, spec: s, key, expected, actual, ...(origin ? { origin } : {}), ok: actual === expected });
      }
    }
    // Nobody else is captured by the block.
    const other: ConnectionSpec = { user: p.otherUser, host: '127.0.0.1', addr: '127.0.0.1' };
    const [b, a] = [await p.evaluate(new Map(), other), await p.evaluate(replaced, other)];
    for (const key of Object.keys(want)) {
      proof.push({ identity: `${p.otherUser} (unaffected)`, spec: other, key, expected: b.value(key) ?? '', actual: a.value(key), ok: (a.value(key) ?? '') === (b.value(key) ?? '') });
    }
    return { proof, invalid };
  };
  const change = (path: string, before: ByteString | undefined, bp: { after: ByteString; edits: readonly TextEdit[] }): ConfigChange => ({ path, before, after: bp.after, edits: bp.edits });
  const inDropIn = p.dropIn && findBlock(p.dropIn.file, p.user) !== undefined;
  let configChanges: ConfigChange[];
  if (!inDropIn) configChanges = [change(p.main.path, p.main.text, planBlock(p.main, spec))];
  else configChanges = [];
  let result = inDropIn ? undefined : await prove(configChanges);
  if ((!result || result.proof.some((x) => !x.ok)) && p.dropIn) {
    // An earlier Match wins over the end of the main file (first satisfied Match per keyword):
    // a drop-in read first puts this block ahead of it. Include restores the Match state after
    // the included file (servconf.c), so the block captures nothing of the main file.
    const d = p.dropIn;
    const fromMain = removeBlockEdits(p.main, p.user);
    const alt: ConfigChange[] = [change(d.path, d.exists ? d.file.text : undefined, planBlock(d.file, spec))];
    if (fromMain.length) alt.push({ path: p.main.path, before: p.main.text, after: applyEdits(p.main.text, fromMain), edits: fromMain });
    const r2 = await prove(alt);
    if (!r2.proof.some((x) => !x.ok) || !result) {
      if (result) notes.push(`an earlier Match block wins over the end of ${p.main.path}; the block goes to ${d.path}, which sshd reads first`);
      configChanges = alt;
      result = r2;
    }
  }
  const { proof, invalid } = result!;
  refusals.push(...invalid);
  const failed = proof.filter((x) => !x.ok);
  if (failed.length) {
    refusals.push(`the Match block would not take effect: ${failed.slice(0, 4).map((f) => `${f.identity}: ${f.key} would be ${f.actual ?? 'unset'}${f.origin ? ` (set at ${f.origin})` : ''}, not ${f.expected}`).join('; ')}`);
  }
  dedupe(refusals);
  return {
    refusals,
    steps,
    configChanges: configChanges.filter((c) => c.before !== c.after),
    ...(passwdAfter !== undefined ? { passwdAfter } : {}),
    passwdEdits,
    ...(chroot ? { chroot } : {}),
    proof,
    notes,
  };
}

function dedupe(a: string[]): void {
  const seen = new Set<string>();
  for (let i = a.length - 1; i >= 0; i--) {
    if (seen.has(a[i]!)) a.splice(i, 1);
    else seen.add(a[i]!);
  }
}

/**
 * The ids useradd would give a new account in an offline root, picked from that root's own
 * passwd and group (login.defs defaults: UID_MIN 1000, a private group of the same name and
 * number): the first uid from 1000 that no account uses and no group uses as its gid, so the
 * new group can have the same number. A group of that name that exists already is used as is.
 */
export function newAccountIds(acc: Pick<Accounts, 'users' | 'groups'>, user: string): { uid: number; gid: number; group?: string } | undefined {
  const uids = new Set(acc.users.map((u) => u.uid));
  const gids = new Set(acc.groups.map((g) => g.gid));
  const own = acc.groups.find((g) => g.name === user);
  for (let id = 1000; id < 60000; id++) {
    if (uids.has(id) || (!own && gids.has(id))) continue;
    return own ? { uid: id, gid: own.gid } : { uid: id, gid: id, group: user };
  }
  return undefined;
}
