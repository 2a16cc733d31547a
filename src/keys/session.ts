// Which key the current SSH session logged in with, when that can be known, so `keys restrict`
// can refuse to cut the admin's own access. Sources, in order: SSH_USER_AUTH (a file sshd writes
// when ExposeAuthInfo yes; lines "publickey <type> <base64>"), then the auth log line sshd writes
// at LogLevel INFO, "Accepted publickey for USER from IP port PORT ssh2: TYPE SHA256:..."
// (auth.c auth_log, OpenSSH 9.2), matched on SSH_CONNECTION's client address and port.
// Pure: env and file contents are passed in.
import { analyseBlob, decodeBase64Strict } from './blob.js';
import { keyTypeByName } from './key-types.js';

export interface SessionKey {
  /** An SSH session is active (SSH_CONNECTION is set). */
  readonly inSession: boolean;
  readonly fingerprint?: string;
  readonly source?: 'SSH_USER_AUTH' | 'auth-log';
}

export function sessionKeyFromExposeAuthInfo(text: string): string | undefined {
  let fp: string | undefined;
  for (const line of text.split('\n')) {
    const m = /^publickey (\S+) (\S+)/.exec(line);
    if (!m) continue;
    const blob = decodeBase64Strict(m[2]!);
    const t = keyTypeByName(m[1]!);
    if (!blob || !t) continue;
    const r = analyseBlob(blob, t);
    if (r.ok) fp = r.key.fingerprint; // the last publickey method is the one that completed auth
  }
  return fp;
}

export function sessionKeyFromAuthLog(log: string, user: string, sshConnection: string): string | undefined {
  const [ip, port] = sshConnection.split(' ');
  if (!ip || !port) return undefined;
  let fp: string | undefined;
  const re = /Accepted publickey for (\S+) from (\S+) port (\d+) ssh2: \S+ (SHA256:[A-Za-z0-9+/]+)/g;
  for (const m of log.matchAll(re)) {
    if (m[1] === user && m[2] === ip && m[3] === port) fp = m[4];
  }
  return fp;
}
