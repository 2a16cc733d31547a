// Live proof with the admin's own credentials. Besides the banner / 'none' probe (reload.ts), the
// verify step logs in to the reloaded daemon as the admin who must keep access, with the identity
// that admin has at hand: their SSH agent (SSH_AUTH_SOCK; under sudo, which drops it, taken from
// the shell sudo ran from: src/cli/target.ts sessionOfProcess) or a private
// key named with --verify-key. The login is the system `ssh` client, run through the host
// executor (never spawned here): BatchMode (nothing prompts), no config file (-F /dev/null: root's
// own ~/.ssh/config and keys play no part: IdentityFile none, only the agent or only the named
// key), a private known_hosts pinned to the daemon's own host keys (read from its HostKey files,
// never learned from the connection), a bounded deadline, the daemon's listen address and port,
// the command `true`.
//
// The same login is tried BEFORE the change (right after the backup, nothing changed yet): only
// what worked before must work after. An identity the daemon did not accept before (an agent with
// other hosts' keys, a key that is not this admin's) proves nothing and fails nothing: the result
// says "not proven" and why. A key accepted with partial success (AuthenticationMethods
// publickey,keyboard-interactive) must still be accepted after; the second factor cannot be
// proven non-interactively, and the result says so.
//
// Pure here: the request from the session facts, the ssh arguments, the reading of ssh's output,
// the judgement of before against after. The runs go through ApplyHost.run (pipeline.ts).
import type { ApplyHost, RunResult } from './host.js';
import type { SessionFacts } from '../host/session.js';
import { bytesToText } from '../text/bytes.js';
import { parseSshdT } from './validate.js';
import { checkAccess, type AccessLists } from '../sshd/access.js';
import { matchPattern } from '../sshd/values/pattern.js';

/** The identity the admin has at hand. */
export type AdminIdentity =
  | { readonly kind: 'agent'; readonly user: string; readonly socket: string }
  | { readonly kind: 'key'; readonly user: string; readonly keyFile: string };

/** What the verify step is asked to prove: an identity, or why there is none. */
export type CredentialRequest = { readonly identity: AdminIdentity } | { readonly unavailable: string };

/** The result, as the change envelope's verify.credential carries it. */
export interface CredentialProof {
  /** proven: the admin logged in after the change as before; failed: not (the change is rolled back); not-proven: nothing could be proven, `detail` says why. */
  readonly status: 'proven' | 'failed' | 'not-proven';
  readonly user?: string;
  readonly via?: 'agent' | 'key';
  readonly keyFile?: string;
  /** The key the daemon accepted: "ED25519 SHA256:..." */
  readonly key?: string;
  /** The key was accepted, but the daemon requires a further method (not provable without a person). */
  readonly partial?: boolean;
  readonly detail: string;
}

export const NO_IDENTITY = 'not proven with your credentials: no agent, no --verify-key';

/**
 * The request from the flags and the session: the account is --verify-user, else SUDO_USER, else
 * the session's user; the identity --verify-key, else the agent of SSH_AUTH_SOCK.
 */
export function credentialRequestOf(o: { readonly verifyKey?: string; readonly verifyUser?: string; readonly session: SessionFacts }): CredentialRequest {
  const user = o.verifyUser ?? o.session.sudoUser ?? o.session.user;
  if (user === undefined) return { unavailable: 'not proven with your credentials: no account to log in as (no --verify-user, no SUDO_USER, no session user)' };
  if (o.verifyKey !== undefined) return { identity: { kind: 'key', user, keyFile: o.verifyKey } };
  if (o.session.agentSocket !== undefined) return { identity: { kind: 'agent', user, socket: o.session.agentSocket } };
  const sudo = o.session.sudoUser !== undefined ? ' (under sudo, the agent of the shell sudo was run from is used when its socket belongs to you; none was found: keep it with `sudo --preserve-env=SSH_AUTH_SOCK`, or name your key with --verify-key)' : '';
  return { unavailable: `${NO_IDENTITY}${sudo}` };
}

/**
 * Why the access lists of the changed configuration refuse `user` from `addr` (the address the
 * proof logs in from: the daemon's own listen address) because of that address, an entry's @HOST
 * part (what `allow` writes): a login from there then says nothing about the admin's own address,
 * which the guards judge. Undefined when they admit it, or refuse it whatever the address.
 */
export function refusedByAddress(lists: AccessLists, user: string, addr: string): string | undefined {
  const v = checkAccess(lists, { user, addr });
  if (v.allowed) return undefined;
  const hostPart = (p: string) => p.includes('@') && matchPattern(user, p.slice(0, p.indexOf('@')));
  if (v.by === 'DenyUsers' && v.pattern !== undefined && hostPart(v.pattern)) return v.reason;
  if (v.by === 'AllowUsers' && lists.allowUsers.some(hostPart)) return `not among the addresses AllowUsers admits for ${user} (${lists.allowUsers.join(' ')})`;
  return undefined;
}

/** The alias the pinned known_hosts names the daemon by (HostKeyAlias), whatever its address. */
export const HOST_ALIAS = 'sshield-verify';

/** The `ssh` arguments of one login: pinned host keys, only this identity, nothing interactive. */
export function sshLoginArgs(id: AdminIdentity, target: { readonly address: string; readonly port: number }, knownHosts: string, connectTimeoutSec: number): string[] {
  const o = (kv: string) => ['-o', kv];
  const who = id.kind === 'agent' ? [...o(`IdentityAgent=${id.socket}`), ...o('IdentityFile=none')] : [...o('IdentityAgent=none'), ...o('IdentitiesOnly=yes'), '-i', id.keyFile];
  return [
    '-F', '/dev/null',
    ...o('BatchMode=yes'),
    ...o(`ConnectTimeout=${connectTimeoutSec}`),
    ...o('StrictHostKeyChecking=yes'),
    ...o(`UserKnownHostsFile=${knownHosts}`),
    ...o('GlobalKnownHostsFile=/dev/null'),
    ...o(`HostKeyAlias=${HOST_ALIAS}`),
    ...o('CheckHostIP=no'),
    ...o('UpdateHostKeys=no'),
    ...o('PreferredAuthentications=publickey'),
    ...o('PubkeyAuthentication=yes'),
    ...o('ControlMaster=no'),
    ...o('ControlPath=none'),
    ...o('ForwardAgent=no'),
    ...o('ForwardX11=no'),
    ...o('ClearAllForwardings=yes'),
    ...o('LogLevel=DEBUG1'),
    ...who,
    '-T',
    '-p', String(target.port),
    '-l', id.user,
    '--', target.address,
    'true',
  ];
}

/** What one login showed. */
export interface LoginResult {
  /** session: logged in and `true` ran (exit 0); authenticated: logged in, but the command did not succeed (a forced command, a nologin shell). */
  readonly result: 'session' | 'authenticated' | 'partial' | 'refused' | 'host-key' | 'unreachable';
  /** The key the daemon accepted ("ED25519 SHA256:..."), when it said so. */
  readonly key?: string;
  readonly detail: string;
}

/** Reads ssh's exit and its DEBUG1 stderr (sshconnect2.c messages, OpenSSH 9.x). */
export function readLogin(r: Pick<RunResult, 'code' | 'stderr' | 'error'>): LoginResult {
  const err = r.stderr;
  const accepted = [...err.matchAll(/^debug1: Server accepts key: .*?\b([A-Z0-9-]+(?:-CERT)?) (SHA256:[A-Za-z0-9+/=]+)/gm)].at(-1);
  const key = accepted ? `${accepted[1]} ${accepted[2]}` : undefined;
  const withKey = key ? { key } : {};
  const authed = /^Authenticated to \S+ \(.*\) using "publickey"\.?$/m.test(err) || /^debug1: Authentication succeeded \(publickey\)/m.test(err);
  if (authed && r.code === 0) return { result: 'session', ...withKey, detail: `logged in with ${key ?? 'a public key'} and ran \`true\`` };
  if (authed) return { result: 'authenticated', ...withKey, detail: `logged in with ${key ?? 'a public key'}, but \`true\` did not run (exit ${r.code ?? 'by a signal'}: ${lastLine(r.stderr, r.error)})` };
  const partial = /Authenticated using "publickey" with partial success/.test(err);
  const last = lastLine(err, r.error);
  if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No .* host key is known/i.test(err)) return { result: 'host-key', detail: `the daemon's host key is not the one in its HostKey files: ${last}` };
  if (partial) {
    const cont = [...err.matchAll(/^debug1: Authentications that can continue: (\S+)/gm)].at(-1)?.[1];
    return { result: 'partial', ...withKey, detail: `${key ?? 'a public key'} accepted; the daemon requires a further method (${cont ?? 'unknown'}) that cannot be proven without you` };
  }
  if (/Permission denied|No more authentication methods|Too many authentication failures/i.test(err)) return { result: 'refused', detail: last };
  return { result: 'unreachable', detail: last };
}

function lastLine(stderr: string, error?: string): string {
  const lines = stderr.split(/\r?\n/).filter((l) => l.trim() && !l.startsWith('debug1:') && !/^(Transferred|Bytes per second):/.test(l));
  return (lines.at(-1) ?? error ?? 'no output').trim();
}

function rank(r: LoginResult['result']): number {
  return r === 'session' ? 3 : r === 'authenticated' ? 2 : r === 'partial' ? 1 : 0;
}

/** Whether the login before the change got in far enough to hold the change to it. */
export function gotIn(r: LoginResult): boolean {
  return rank(r.result) > 0;
}

/** Whether `after` keeps what `before` had: a session stays a session, a login a login, an accepted key accepted. */
export function keepsAccess(before: LoginResult, after: LoginResult): boolean {
  return rank(after.result) >= rank(before.result);
}

function described(id: AdminIdentity): string {
  return id.kind === 'agent' ? `the keys of your agent (${id.socket})` : `--verify-key ${id.keyFile}`;
}

function base(id: AdminIdentity): Pick<CredentialProof, 'user' | 'via' | 'keyFile'> {
  return { user: id.user, via: id.kind, ...(id.kind === 'key' ? { keyFile: id.keyFile } : {}) };
}

/** The proof when the login before the change did not get in: nothing to hold the change to. */
export function notProvenBefore(id: AdminIdentity, before: LoginResult): CredentialProof {
  return { status: 'not-proven', ...base(id), detail: `not proven with your credentials: ${id.user} could not log in with ${described(id)} before the change either (${before.detail})` };
}

/** The proof after the change, judged against the login before it. */
export function judgeAfter(id: AdminIdentity, before: LoginResult, after: LoginResult): CredentialProof {
  const key = after.key ?? before.key;
  if (keepsAccess(before, after)) {
    const partial = after.result === 'partial';
    return {
      status: 'proven',
      ...base(id),
      ...(key ? { key } : {}),
      ...(partial ? { partial: true } : {}),
      detail: partial ? `${id.user}'s ${key ?? 'key'} (${id.kind === 'agent' ? 'from your agent' : id.keyFile}) is still accepted; ${after.detail.replace(/^.*?; /, '')}` : `${id.user} logged in after the change with ${key ?? 'a public key'} (${id.kind === 'agent' ? 'from your agent' : id.keyFile})`,
    };
  }
  return { status: 'failed', ...base(id), ...(key ? { key } : {}), detail: `${id.user} logged in with ${described(id)} before the change but not after it: ${after.detail}` };
}

/** known_hosts lines for the pinned alias: one per "type base64" public key. */
export function knownHostsText(publicKeys: readonly string[]): string {
  return publicKeys.map((k) => `${HOST_ALIAS} ${k}\n`).join('');
}

/**
 * The public halves of the host keys the daemon serves with this config: `sshd -T` names the
 * HostKey files; each one's .pub, else `ssh-keygen -y` of the private key. A string: why not.
 */
export async function daemonHostKeys(host: ApplyHost, sshd: string, mainConfig: string): Promise<string[] | string> {
  const t = await host.run(sshd, ['-T', '-f', mainConfig], { timeoutMs: 30_000 });
  if (t.code !== 0) return `sshd -T failed: ${(t.stderr || t.error || '').trim().split('\n')[0]}`;
  const paths = parseSshdT(t.stdout).get('hostkey') ?? [];
  const keys: string[] = [];
  for (const p of paths) {
    const pub = await host.fs.readFile(`${p}.pub`, 64 * 1024);
    let line = pub.ok ? bytesToText(pub.bytes) : '';
    if (!/^\S+ \S+/.test(line.trim())) {
      const y = await host.run('ssh-keygen', ['-y', '-f', p], { timeoutMs: 10_000 });
      line = y.code === 0 ? y.stdout : '';
    }
    const m = /^(\S+) (\S+)/.exec(line.trim());
    if (m) keys.push(`${m[1]} ${m[2]}`);
  }
  return keys.length ? keys : `no readable host key among ${paths.join(', ') || '(none named)'}`;
}

/** One login attempt through the executor, bounded by `timeoutMs`. */
export async function tryLogin(host: ApplyHost, id: AdminIdentity, target: { readonly address: string; readonly port: number }, knownHosts: string, timeoutMs: number): Promise<LoginResult> {
  const connect = Math.max(1, Math.min(10, Math.floor(timeoutMs / 2000)));
  const r = await host.run('ssh', sshLoginArgs(id, target, knownHosts, connect), { timeoutMs });
  if (r.error && r.code === null && !r.stderr) return { result: 'unreachable', detail: `ssh did not run: ${r.error}` };
  return readLogin(r);
}

/** Where and how the writer logs in: the daemon's address, its main config (for its host keys), a private directory. */
export interface ProofTarget {
  readonly address: string;
  readonly port: number;
  /** The main sshd_config on this machine (its HostKey files pin the daemon). */
  readonly mainConfig: string;
  /** The sshd whose `sshd -T` names the host keys; undefined: they cannot be pinned. */
  readonly sshd?: string;
  /** A directory only root can write (in the backup), for the pinned known_hosts. */
  readonly dir: string;
  readonly timeoutMs: number;
}

async function pin(host: ApplyHost, t: ProofTarget): Promise<string | { readonly unpinned: string }> {
  if (!t.sshd) return { unpinned: 'no sshd here to name the daemon\'s host keys' };
  const keys = await daemonHostKeys(host, t.sshd, t.mainConfig);
  if (typeof keys === 'string') return { unpinned: keys };
  await host.mkdirp(t.dir, 0o700);
  const path = `${t.dir}/known_hosts`;
  await host.writeFile(path, new TextEncoder().encode(knownHostsText(keys)), { mode: 0o600 });
  return path;
}

/**
 * The login before the change. `proof` is final when nothing can be proven (no identity, no
 * pinned host key, not accepted before); otherwise `before` is what the login after must keep.
 */
export async function loginBefore(host: ApplyHost, req: CredentialRequest, t: ProofTarget): Promise<{ readonly proof: CredentialProof } | { readonly id: AdminIdentity; readonly before: LoginResult }> {
  if ('unavailable' in req) return { proof: { status: 'not-proven', detail: req.unavailable } };
  const id = req.identity;
  const kh = await pin(host, t);
  if (typeof kh !== 'string') return { proof: { status: 'not-proven', ...base(id), detail: `not proven with your credentials: the daemon's host keys are unknown (${kh.unpinned})` } };
  const before = await tryLogin(host, id, t, kh, t.timeoutMs);
  return gotIn(before) ? { id, before } : { proof: notProvenBefore(id, before) };
}

/**
 * The login after the reload, retried (a few times, within the deadline) only while the daemon
 * could not be reached (it re-executes on SIGHUP): a refusal is final, since the configuration
 * before the change accepted this identity, so only the new one can refuse it (and retrying would
 * only earn 127.0.0.1 PerSourcePenalties on OpenSSH 9.8+).
 */
export async function loginAfter(host: ApplyHost, id: AdminIdentity, before: LoginResult, t: ProofTarget): Promise<CredentialProof> {
  const kh = await pin(host, t);
  // The host keys of the new config could not be read: the ones read before the change still pin it.
  const knownHosts = typeof kh === 'string' ? kh : `${t.dir}/known_hosts`;
  const deadline = host.now() + t.timeoutMs;
  let after: LoginResult = { result: 'unreachable', detail: 'not tried' };
  for (let i = 0; i < 3; i++) {
    after = await tryLogin(host, id, t, knownHosts, Math.max(2000, deadline - host.now()));
    if (keepsAccess(before, after) || (after.result !== 'unreachable' && after.result !== 'host-key') || host.now() >= deadline) break;
    await host.sleep(300);
  }
  return judgeAfter(id, before, after);
}
