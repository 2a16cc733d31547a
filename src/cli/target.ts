// The host of a config-changing command on this machine: -f FILE, --root DIR or the host's
// sshd_config, opened by the one host factory (src/apply/open-host.ts) with the session read from
// the environment, and its loaded config tree. Not a command.
import { openHost, type OpenedHost } from '../apply/open-host.js';
import { loadConfig, type LoadedConfig } from '../allow/engine.js';
import { lstatSync, readFileSync } from 'node:fs';
import { parseEnviron, sessionFromEnv, withInvokingSession, type SessionFacts } from '../host/session.js';

/**
 * Who runs this and from where (SSH_CONNECTION, SUDO_USER, ...), read once from the environment,
 * with the process's uid; the host factory (openHost) adds that uid's account name from the
 * host's /etc/passwd through the executor (no getpwuid of our own). Under sudo, whose env_reset
 * drops SSH_CONNECTION and SSH_AUTH_SOCK, they are taken from the environment sudo was run from
 * (the admin's shell, found above the sudo processes in /proc): the session still is an SSH
 * session, and the agent still is the admin's (accepted only when the socket is owned by
 * SUDO_UID, the account that ran sudo).
 */
export function sessionOfProcess(env: NodeJS.ProcessEnv = process.env): SessionFacts {
  const uid = process.getuid?.();
  const sudoUid = Number(env.SUDO_UID);
  const own = (path: string) => {
    try {
      const st = lstatSync(path);
      return st.isSocket() && st.uid === sudoUid;
    } catch {
      return false;
    }
  };
  const completed = withInvokingSession(env, env.SUDO_USER && Number.isInteger(sudoUid) ? invokingEnvironment(sudoUid) : undefined, (k, v) => k !== 'SSH_AUTH_SOCK' || own(v));
  return { ...sessionFromEnv(completed), ...(uid !== undefined ? { uid } : {}) };
}

/** The environment of the process that ran sudo: our parent must be sudo (sudo's pty monitor may be another); the first non-sudo ancestor must belong to `uid`. */
function invokingEnvironment(uid: number): Record<string, string> | undefined {
  try {
    const proc = (pid: number) => {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      return { comm: readFileSync(`/proc/${pid}/comm`, 'utf8').trim(), ppid: Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]), uid: Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) };
    };
    let p = proc(process.ppid);
    if (p.comm !== 'sudo') return undefined;
    let pid = p.ppid;
    for (let hops = 0; hops < 4; hops++) {
      p = proc(pid);
      if (p.comm !== 'sudo') return p.uid === uid ? parseEnviron(readFileSync(`/proc/${pid}/environ`)) : undefined;
      pid = p.ppid;
    }
  } catch {
    // No /proc, or the process went away: the environment stays as sudo left it.
  }
  return undefined;
}

/** The opened host, or a message for the admin. */
export async function open(o: { file?: string; root?: string }, env: NodeJS.ProcessEnv = process.env): Promise<OpenedHost | string> {
  const r = await openHost({ ...(o.root !== undefined ? { root: o.root } : {}), ...(o.file !== undefined ? { file: o.file } : {}), cwd: process.cwd(), session: sessionOfProcess(env) });
  return r.ok ? r.host : r.message;
}

/** The config tree of an opened host (read after any recovery), or a message for the admin. */
export async function configOf(t: OpenedHost): Promise<LoadedConfig | string> {
  const loaded = await loadConfig(t.target, t.mainPath);
  return loaded.ok ? loaded.value : loaded.message;
}
