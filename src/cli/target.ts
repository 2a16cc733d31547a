// The host of a config-changing command on this machine: -f FILE, --root DIR or the host's
// sshd_config, opened by the one host factory (src/apply/open-host.ts) with the session read from
// the environment, and its loaded config tree. Not a command.
import { openHost, type OpenedHost } from '../apply/open-host.js';
import { loadConfig, type LoadedConfig } from '../allow/engine.js';
import { sessionFromEnv, type SessionFacts } from '../host/session.js';

/**
 * Who runs this and from where (SSH_CONNECTION, SUDO_USER, ...), read once from the environment,
 * with the process's uid; the host factory (openHost) adds that uid's account name from the
 * host's /etc/passwd through the executor (no getpwuid of our own).
 */
export function sessionOfProcess(env: NodeJS.ProcessEnv = process.env): SessionFacts {
  const uid = process.getuid?.();
  return { ...sessionFromEnv(env), ...(uid !== undefined ? { uid } : {}) };
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

/** The opened host and its loaded config tree (for commands that only read), or a message. */
export async function loadTarget(o: { file?: string; root?: string }, env: NodeJS.ProcessEnv = process.env): Promise<{ t: OpenedHost; cfg: LoadedConfig } | string> {
  const t = await open(o, env);
  if (typeof t === 'string') return t;
  const cfg = await configOf(t);
  return typeof cfg === 'string' ? cfg : { t, cfg };
}
