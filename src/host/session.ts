// Who runs sshield and from where: the session facts a command needs (the client address of the
// SSH session this runs in, the invoking user behind sudo, the file ExposeAuthInfo wrote, the
// admin's SSH agent). Read once from the environment at the edge (src/cli hands `process.env` to
// sessionFromEnv) and passed down as data, so planners and guards never read the environment
// themselves. Pure.

export interface SshClient {
  /** The client's address and port, and the server address and port it connected to. */
  readonly addr: string;
  readonly port: number;
  readonly laddr: string;
  readonly lport: number;
}

export interface SessionFacts {
  /** SSH_CONNECTION as the environment has it: "client_ip client_port server_ip server_port". */
  readonly sshConnection?: string;
  /** SSH_CONNECTION parsed (session.c do_setup_env: "%s %d %s %d"); undefined when malformed. */
  readonly client?: SshClient;
  /** The person behind this run: SUDO_USER, else LOGNAME, else USER, else the OS account. */
  readonly user?: string;
  /** SUDO_USER alone (the audit only trusts it to name the admin). */
  readonly sudoUser?: string;
  /** Every account name this run goes by (SUDO_USER, LOGNAME, USER, the OS account), distinct. */
  readonly names: readonly string[];
  /** SSH_USER_AUTH: the file sshd's ExposeAuthInfo wrote for this session. */
  readonly userAuthFile?: string;
  /**
   * SSH_AUTH_SOCK: the invoking admin's agent (the verify step logs in with its keys). sudo's
   * env_reset removes it unless kept (`sudo --preserve-env=SSH_AUTH_SOCK`).
   */
  readonly agentSocket?: string;
  /** The process's uid (the CLI reads it); its account name is looked up through the executor (withAccountName). */
  readonly uid?: number;
}

/** No session: an offline root, a test, a cron job. */
export const NO_SESSION: SessionFacts = { names: [] };

/** Parses SSH_CONNECTION; undefined unless it has the four fields sshd writes. */
export function parseSshConnection(v: string | undefined): SshClient | undefined {
  const m = v?.trim().split(/\s+/);
  if (!m || m.length !== 4 || !m[0]) return undefined;
  const port = Number(m[1]);
  const lport = Number(m[3]);
  if (!Number.isInteger(lport)) return undefined;
  return { addr: m[0], port: Number.isInteger(port) ? port : 0, laddr: m[2]!, lport };
}

/** The session facts out of an environment (and the OS account name, when the caller has it). */
export function sessionFromEnv(env: Readonly<Record<string, string | undefined>>, osUser?: string): SessionFacts {
  const nonEmpty = (v: string | undefined) => (v !== undefined && v !== '' ? v : undefined);
  const sudoUser = nonEmpty(env.SUDO_USER);
  const names = [...new Set([sudoUser, nonEmpty(env.LOGNAME), nonEmpty(env.USER), nonEmpty(osUser)].filter((x): x is string => x !== undefined))];
  const sshConnection = nonEmpty(env.SSH_CONNECTION);
  const client = parseSshConnection(sshConnection);
  const userAuthFile = nonEmpty(env.SSH_USER_AUTH);
  const agentSocket = nonEmpty(env.SSH_AUTH_SOCK);
  return {
    ...(sshConnection !== undefined ? { sshConnection } : {}),
    ...(client ? { client } : {}),
    ...(names[0] !== undefined ? { user: names[0] } : {}),
    ...(sudoUser !== undefined ? { sudoUser } : {}),
    names,
    ...(userAuthFile !== undefined ? { userAuthFile } : {}),
    ...(agentSocket !== undefined ? { agentSocket } : {}),
  };
}

/**
 * The session with the OS account of its uid (as the host's /etc/passwd names it, read through
 * the executor by the host factory) added as the last name it goes by, and as its user when the
 * environment named none.
 */
export function withAccountName(s: SessionFacts, name: string | undefined): SessionFacts {
  if (name === undefined || name === '' || s.names.includes(name)) return s;
  return { ...s, names: [...s.names, name], ...(s.user === undefined ? { user: name } : {}) };
}

/** What sudo's env_reset removes that still describes this run: the SSH session and the admin's agent. */
export const SESSION_VARS = ['SSH_CONNECTION', 'SSH_AUTH_SOCK'] as const;

/**
 * The environment of a run under sudo, completed from the environment sudo was run from (the
 * admin's shell): each of SESSION_VARS this run lacks is taken from there, if `accept` allows it
 * (the caller checks, e.g., that an agent socket belongs to SUDO_UID). Without SUDO_USER, or
 * without that environment, `env` as it is. Pure.
 */
export function withInvokingSession(
  env: Readonly<Record<string, string | undefined>>,
  invoking: Readonly<Record<string, string>> | undefined,
  accept: (name: (typeof SESSION_VARS)[number], value: string) => boolean = () => true,
): Readonly<Record<string, string | undefined>> {
  if (!invoking || !env.SUDO_USER) return env;
  const add: Record<string, string> = {};
  for (const k of SESSION_VARS) {
    const v = invoking[k];
    if (!env[k] && v && accept(k, v)) add[k] = v;
  }
  return Object.keys(add).length ? { ...env, ...add } : env;
}

/** /proc/PID/environ: NUL-separated NAME=value entries. */
export function parseEnviron(bytes: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of Buffer.from(bytes).toString('utf8').split('\0')) {
    const i = e.indexOf('=');
    if (i > 0) out[e.slice(0, i)] = e.slice(i + 1);
  }
  return out;
}

