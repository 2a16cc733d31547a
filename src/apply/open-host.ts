// openHost: the one factory that turns the command line's `--root DIR`, `-f FILE` or nothing
// (this machine) into the host a command works on. It returns two views of one host:
// `target`, the read executor over the system being audited or changed (this machine, or the
// offline root seen as "/", which never runs anything), and `machine`, the ApplyHost sshield
// acts through (writes at the plan's host paths, runs `sshd -t`, reloads, probes). On the live
// host they are the same object. Remote hosts are read today through src/fleet (remote-host.ts
// judgeRemote; the read-only commands); remote changes will be one more branch here (sshield
// runs on the host itself), and nothing in the rules, facts or planners changes. Lives in src/apply because the local machine's writes
// (atomic-write.ts) do; only the CLI calls it (with the session read from its environment).
import { resolve as resolvePath } from 'node:path';
import { offlineExecutor, type HostExecutor } from '../host/executor.js';
import type { ReadOnlyFs } from '../host/fs.js';
import { localFs } from '../host/local-fs.js';
import { rootFs } from '../host/root-fs.js';
import { NO_SESSION, withAccountName, type SessionFacts } from '../host/session.js';
import { parsePasswd } from '../host/facts/accounts.js';
import type { ApplyHost } from './host.js';
import { localApplyHost } from './local-host.js';

export const DEFAULT_CONFIG = '/etc/ssh/sshd_config';

export interface HostRequest {
  /** An offline root directory (`--root`): read inside it, never run or reload anything. */
  readonly root?: string;
  /** The sshd_config of a daemon started with -f (`-f FILE`), on this machine. */
  readonly file?: string;
  /** Resolves a relative `file` (the CLI passes its working directory). */
  readonly cwd?: string;
  /** Who runs this and from where (live host only; ignored under --root). */
  readonly session?: SessionFacts;
  /** The machine to act through (default: this one); tests inject a FakeHost or a counting host. */
  readonly machine?: ApplyHost;
  /** How this machine starts sshield again for the confirm watcher (local-host.ts selfCommand). */
  readonly self?: readonly string[];
  /** The view of `root` (default: rootFs over this machine's disk); tests inject one. */
  readonly rootView?: ReadOnlyFs;
}

export interface OpenedHost {
  /** Reads of the system being judged or changed (under --root: the root seen as "/"). */
  readonly target: HostExecutor;
  /** The machine sshield acts through: writes, `sshd -t`, reload, probe. */
  readonly machine: ApplyHost;
  /** The main sshd_config as sshd names it (inside the root under --root). */
  readonly mainPath: string;
  /** The offline root (no trailing slash), when there is one. */
  readonly root?: string;
  /** True for `-f FILE` naming another file than the default: the daemon is not the system unit. */
  readonly customFile: boolean;
  readonly session: SessionFacts;
}

export type OpenResult = { readonly ok: true; readonly host: OpenedHost } | { readonly ok: false; readonly message: string };

export async function openHost(req: HostRequest = {}): Promise<OpenResult> {
  const machine = req.machine ?? localApplyHost(localFs(), req.self ? { self: req.self } : {});
  if (req.root !== undefined && req.file !== undefined) return { ok: false, message: '--root and -f cannot be combined (under --root the config is DIR/etc/ssh/sshd_config)' };
  if (req.root !== undefined) {
    if ((await machine.fs.stat(req.root)) === undefined) return { ok: false, message: `--root ${req.root}: no such directory` };
    const root = req.root.replace(/\/+$/, '') || '/';
    const view = req.rootView ?? rootFs(root);
    return { ok: true, host: { target: offlineExecutor(view, 'root'), machine, mainPath: DEFAULT_CONFIG, root, customFile: false, session: NO_SESSION } };
  }
  const file = req.file ?? DEFAULT_CONFIG;
  const mainPath = file.startsWith('/') || req.cwd === undefined ? file : resolvePath(req.cwd, file);
  return { ok: true, host: { target: machine, machine, mainPath, customFile: req.file !== undefined && req.file !== DEFAULT_CONFIG, session: await sessionOn(machine, req.session ?? NO_SESSION) } };
}

/** The session completed with its uid's account name, read from this machine's /etc/passwd (getpwuid: the first entry wins). */
async function sessionOn(machine: ApplyHost, s: SessionFacts): Promise<SessionFacts> {
  if (s.uid === undefined) return s;
  const r = await machine.fs.readFile('/etc/passwd', 16 << 20);
  const name = r.ok ? parsePasswd(Buffer.from(r.bytes).toString('latin1')).find((u) => u.uid === s.uid)?.name : undefined;
  return withAccountName(s, name);
}

/** This machine alone, for commands that act on backups rather than on a config (backups, confirm, restore). */
export async function openMachine(req: Pick<HostRequest, 'self'> = {}): Promise<ApplyHost> {
  const r = await openHost(req);
  if (!r.ok) throw new Error(r.message);
  return r.host.machine;
}
