// The planner of `user nologin|add|sftp`: from the loaded target and the request, the user plan
// (plan.ts: the Match User block where it takes effect, the typed host steps for the account, its
// shell and the chroot directories, the proof), the predicted values, the daemon's reload and
// verify, wrapped into a Plan of kind 'user' for the one writer. Refuses root and the account
// running the command. Reads only through ReadOnlyFs; decides, never writes.
import type { Plan, PredictedValue } from '../apply/plan.js';
import type { ReadOnlyFs } from '../host/fs.js';
import { buildPlan, memoEvaluateFiles, type LoadedConfig } from '../allow/engine.js';
import { matchAddressSamples } from '../allow/planner.js';
import { clusterAddresses, daemonOf, type Target } from '../allow/target.js';
import { parseSshdConfig } from '../sshd/parser.js';
import { findKeyword } from '../sshd/keywords/index.js';
import { expectedValues } from './match-block.js';
import { NOLOGIN } from './shell.js';
import { newAccountIds, planUser, type UserPlan } from './plan.js';

export const USERS_DROPIN = '00-sshield-users.conf';

export interface UserChangeInput {
  readonly op: 'nologin' | 'add' | 'sftp';
  readonly user: string;
  readonly chroot?: string;
  readonly uploadDir?: string;
  readonly create: boolean;
  readonly fixPermissions: boolean;
  readonly target: Target;
  /** The view of the system changed (under --root: the root seen as "/"). */
  readonly fs: ReadOnlyFs;
  readonly mainPath: string;
  readonly cfg: LoadedConfig;
  /** Every name the admin running this goes by (live host only): never restricted. */
  readonly self: readonly string[];
  readonly admin: string;
  readonly systemd: boolean;
}

export type UserChangePlan =
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'plan'; readonly plan: Plan; readonly details: Readonly<Record<string, unknown>>; readonly refusal?: string; readonly userPlan: UserPlan };

/** The first-read drop-in: <dir>/00-sshield-users.conf when the main file includes <dir>/*.conf. */
function dropInOf(cfg: LoadedConfig): { path: string; file: ReturnType<typeof parseSshdConfig>; exists: boolean } | undefined {
  for (const l of cfg.main.lines) {
    if (l.kind !== 'directive') continue;
    const k = findKeyword(l.keyword.value)?.name;
    if (k === 'Match') return undefined;
    if (k !== 'Include') continue;
    for (const a of l.args) {
      const m = /^(.*)\/\*\.conf$/.exec(a.value);
      if (!m || /[*?[]/.test(m[1]!)) continue;
      const dir = m[1]!.startsWith('/') ? m[1]! : `/etc/ssh/${m[1]}`;
      const path = `${dir}/${USERS_DROPIN}`;
      const existing = cfg.tree.files.get(path);
      return { path, file: existing ?? parseSshdConfig('', path), exists: existing !== undefined };
    }
  }
  return undefined;
}

const optional = <K extends string, V>(k: K, v: V | undefined): { [P in K]?: V } => (v === undefined ? {} : ({ [k]: v } as { [P in K]: V }));

export async function planUserChange(inp: UserChangeInput): Promise<UserChangePlan> {
  const { cfg, target: t, user: name, op } = inp;
  if (name === 'root' || inp.self.includes(name)) {
    return { kind: 'refused', reason: name === 'root' ? 'refusing to restrict root: the administrator account must keep a shell' : `refusing to restrict ${name}: it is the account running this command (you would lose your shell)` };
  }
  const dropIn = dropInOf(cfg);
  const plan0 = await planUser({
    op,
    user: name,
    main: cfg.main,
    account: cfg.accounts.user(name),
    ...(t.root !== undefined && cfg.accounts.passwdText !== undefined ? { offlinePasswd: cfg.accounts.passwdText } : {}),
    ...(t.root !== undefined ? { root: t.root } : {}),
    ...(t.root !== undefined && !cfg.accounts.user(name) ? optional('offlineIds', newAccountIds(cfg.accounts, name)) : {}),
    ...(inp.chroot ? { chroot: inp.chroot } : {}),
    ...(inp.uploadDir ? { uploadDir: inp.uploadDir } : {}),
    create: inp.create,
    fixPermissions: inp.fixPermissions,
    stat: (p) => inp.fs.stat(p),
    evaluate: memoEvaluateFiles(cfg),
    ...(dropIn ? { dropIn } : {}),
    protectedUsers: ['root', ...inp.self],
    otherUser: name === 'root' ? inp.admin : 'root',
    extraSamples: [...matchAddressSamples([...cfg.tree.files.values()]), ...(await clusterAddresses(cfg.fs)).addresses.map((a) => a.text.split('/')[0]!)],
  });
  const spec = { user: name, host: '127.0.0.1', addr: '127.0.0.1' };
  const want = expectedValues({ user: name, ...(inp.chroot ? { chroot: inp.chroot } : {}) });
  const predicted: PredictedValue[] = Object.entries(want).map(([key, v]) => ({ key, values: [v], label: `${name} from 127.0.0.1`, spec }));
  const daemon = await daemonOf(cfg, t, inp.systemd);
  const changes = plan0.configChanges.map((c) => ({ ...c, reasons: [`user ${op} ${name}`] }));
  if (plan0.passwdAfter !== undefined && cfg.accounts.passwdText !== undefined) changes.push({ path: '/etc/passwd', before: cfg.accounts.passwdText, after: plan0.passwdAfter, edits: plan0.passwdEdits, reasons: [`shell of ${name} -> ${NOLOGIN}`] });
  const built = buildPlan({
    kind: 'user',
    cfg,
    ...(t.root !== undefined ? { root: t.root } : {}),
    changes,
    predicted,
    guards: [],
    notes: plan0.notes,
    reload: daemon.reload,
    ...(daemon.verify ? { verify: daemon.verify } : {}),
  });
  const plan: Plan = plan0.steps.length ? { ...built, steps: plan0.steps } : built;
  const details = {
    user: name,
    config: inp.mainPath,
    actions: plan0.steps.map((a) => ({ kind: a.kind, describe: a.describe })),
    ...(plan0.chroot ? { chroot: { path: plan0.chroot.path, ok: plan0.chroot.ok, components: plan0.chroot.components.map((c) => ({ path: c.path, problems: c.problems })) } } : {}),
    proof: plan0.proof,
    refusals: plan0.refusals,
  };
  return { kind: 'plan', plan, details, ...(plan0.refusals.length ? { refusal: plan0.refusals.join('; ') } : {}), userPlan: plan0 };
}
