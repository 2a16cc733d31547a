// Probes that need a completed key exchange, done with the ssh2 library: the host key of one
// host-key algorithm (hostVerifier receives the raw key blob; we then refuse the key, so nothing
// past key exchange happens), and the authentication methods offered to a user name (a 'none'
// request, RFC 4252 §5.2: the failure reply lists the methods that can continue). Each probe is
// one connection with a hard deadline and resolves (never rejects).
import type ssh2 from 'ssh2';
import { loadSsh2 } from '../lib/lazy-ssh2.js';
import type { ScanError } from './transport.js';
import { describeKeyBlob, type KeyBlobInfo } from './key-blob.js';


/** Host-key algorithms ssh2 1.17 can verify (lib/protocol/constants.js SUPPORTED_SERVER_HOST_KEY). */
export const SSH2_HOST_KEY_ALGORITHMS: readonly string[] = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-dss'];

/** Key exchanges ssh2 1.17 implements (no sntrup761/mlkem: a PQ-only server cannot be probed). */
const SSH2_KEX = ['curve25519-sha256', 'curve25519-sha256@libssh.org', 'ecdh-sha2-nistp256', 'ecdh-sha2-nistp384', 'ecdh-sha2-nistp521', 'diffie-hellman-group-exchange-sha256', 'diffie-hellman-group14-sha256', 'diffie-hellman-group16-sha512', 'diffie-hellman-group18-sha512', 'diffie-hellman-group14-sha1', 'diffie-hellman-group-exchange-sha1', 'diffie-hellman-group1-sha1'];
const SSH2_CIPHERS = ['aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'aes128-ctr', 'aes192-ctr', 'aes256-ctr', 'chacha20-poly1305@openssh.com', 'aes256-cbc', 'aes192-cbc', 'aes128-cbc', '3des-cbc'];
const SSH2_MACS = ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'hmac-sha1-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha2-512', 'hmac-sha1', 'hmac-md5'];

/** One key per key type: rsa-sha2-512, rsa-sha2-256 and ssh-rsa sign with the same RSA key. */
export function hostKeyProbePlan(offered: readonly string[]): { probe: string[]; unsupported: string[] } {
  const byType = new Map<string, string>();
  const unsupported: string[] = [];
  const keyType = (alg: string) => (alg === 'rsa-sha2-512' || alg === 'rsa-sha2-256' ? 'ssh-rsa' : alg);
  for (const alg of offered) {
    if (!SSH2_HOST_KEY_ALGORITHMS.includes(alg)) {
      unsupported.push(alg);
      continue;
    }
    const t = keyType(alg);
    const prev = byType.get(t);
    // Prefer the SHA-2 RSA signature for the probe (some servers refuse ssh-rsa).
    if (!prev || SSH2_HOST_KEY_ALGORITHMS.indexOf(alg) < SSH2_HOST_KEY_ALGORITHMS.indexOf(prev)) byType.set(t, alg);
  }
  return { probe: [...byType.values()], unsupported };
}

function clientError(err: Error & { level?: string }): ScanError {
  const m = err.message;
  if (/no matching/i.test(m)) return { code: 'BAD_KEXINIT', message: `no algorithm in common with ssh2 (${m}); sshield's key exchange supports no post-quantum kex yet` };
  if (/ECONNREFUSED/.test(m)) return { code: 'CONNECT_REFUSED', message: m };
  if (/ECONNRESET/.test(m)) return { code: 'CONNECTION_RESET', message: m };
  if (/timed out/i.test(m)) return { code: 'TIMEOUT', message: m };
  return { code: 'SOCKET_ERROR', message: m };
}

interface Ssh2Run<T> {
  host: string;
  port: number;
  timeoutMs: number;
  config: Partial<ssh2.ConnectConfig>;
  /** Called with the client right after creation, to set handlers; returns nothing. */
  onResult: (settle: (v: T) => void) => Partial<ssh2.ConnectConfig>;
  fallback: (e: ScanError) => T;
  /** The server let us in (for 'none' auth: no authentication at all is required). */
  ready?: () => T;
}

async function runSsh2<T>(o: Ssh2Run<T>): Promise<T> {
  const { Client } = await loadSsh2();
  return new Promise<T>((resolve) => {
    const client = new Client();
    let done = false;
    let closed = false;
    const settle = (v: T) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      client.removeAllListeners();
      client.on('error', () => {});
      if (closed) {
        resolve(v);
        return;
      }
      // As the clear-text probe: resolve once the socket is closed, so --concurrency bounds
      // open sockets; the fallback timer only guards against a close that never comes.
      const fallback = setTimeout(() => resolve(v), 1000);
      client.once('close', () => {
        clearTimeout(fallback);
        resolve(v);
      });
      client.end();
      // end() waits for the server; a hostile one must not keep the socket: destroy next tick.
      setImmediate(() => (client as unknown as { _sock?: { destroy(): void } })._sock?.destroy());
    };
    const timer = setTimeout(() => settle(o.fallback({ code: 'TIMEOUT', message: `no answer within ${o.timeoutMs} ms` })), o.timeoutMs);
    client.on('error', (err: Error) => settle(o.fallback(clientError(err))));
    client.on('close', () => {
      closed = true;
      settle(o.fallback({ code: 'CLOSED_EARLY', message: 'connection closed' }));
    });
    if (o.ready) client.on('ready', () => settle(o.ready!()));
    try {
      client.connect({
        host: o.host,
        port: o.port,
        readyTimeout: o.timeoutMs,
        ident: 'sshield_scan',
        ...o.config,
        ...o.onResult(settle),
      });
    } catch (e) {
      settle(o.fallback({ code: 'SOCKET_ERROR', message: (e as Error).message }));
    }
  });
}

export type HostKeyProbe = { readonly kind: 'ok'; readonly algorithm: string; readonly key: KeyBlobInfo } | { readonly kind: 'error'; readonly algorithm: string; readonly error: ScanError };

/** Completes one key exchange restricted to `algorithm` and returns the server's host key. */
export function probeHostKey(host: string, port: number, algorithm: string, timeoutMs: number): Promise<HostKeyProbe> {
  return runSsh2<HostKeyProbe>({
    host,
    port,
    timeoutMs,
    config: { username: 'sshield-scan', algorithms: { serverHostKey: [algorithm as never], kex: SSH2_KEX as never, cipher: SSH2_CIPHERS as never, hmac: SSH2_MACS as never } },
    fallback: (error) => ({ kind: 'error', algorithm, error }),
    onResult: (settle) => ({
      hostVerifier: (key: Buffer) => {
        settle({ kind: 'ok', algorithm, key: describeKeyBlob(Buffer.from(key)) });
        return false;
      },
    }),
  });
}

export type AuthProbe = { readonly kind: 'ok'; readonly methods: string[]; readonly hostKey?: KeyBlobInfo; readonly hostKeyAlgorithm?: string } | { readonly kind: 'error'; readonly error: ScanError };

/** Asks which methods the server offers to `user` (a 'none' authentication request). */
export function probeAuthMethods(host: string, port: number, user: string, timeoutMs: number): Promise<AuthProbe> {
  let hostKey: KeyBlobInfo | undefined;
  return runSsh2<AuthProbe>({
    host,
    port,
    timeoutMs,
    config: { username: user, algorithms: { kex: SSH2_KEX as never, cipher: SSH2_CIPHERS as never, hmac: SSH2_MACS as never } },
    fallback: (error) => ({ kind: 'error', error }),
    ready: () => ({ kind: 'ok', methods: ['none'], ...(hostKey ? { hostKey } : {}) }),
    onResult: (settle) => ({
      hostVerifier: (key: Buffer) => {
        hostKey = describeKeyBlob(Buffer.from(key));
        return true;
      },
      authHandler: (methodsLeft: string[] | null, _partial: boolean | null, next: (m: unknown) => void) => {
        if (methodsLeft === null) return next({ type: 'none', username: user });
        settle({ kind: 'ok', methods: [...methodsLeft], ...(hostKey ? { hostKey } : {}) });
        return next(false);
      },
    } as Partial<ssh2.ConnectConfig>),
  });
}
