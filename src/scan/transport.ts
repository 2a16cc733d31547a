// The one socket of a default scan: connect, send our identification, read the server's (and any
// preamble), send a KEXINIT, read the server's KEXINIT, close. All parsing and limits live in the
// pure ProbeMachine; this file only owns the socket and the per-target deadline, and turns every
// way a connection can go wrong into a ScanError (never a throw, never a hang past the deadline).
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { ProbeMachine, DEFAULT_PROBE_LIMITS, type ProbeLimits, type ProbeErrorCode } from './probe.js';
import { encodeKexinit, encodeUnencryptedPacket, type Kexinit } from './wire.js';
import type { IdentLine } from './ident.js';
import type { ByteString } from '../text/bytes.js';

export const CLIENT_IDENT = 'SSH-2.0-sshield_scan';

export type ScanErrorCode =
  | ProbeErrorCode
  | 'TIMEOUT'
  | 'CONNECT_REFUSED'
  | 'DNS_FAILED'
  | 'UNREACHABLE'
  | 'CONNECTION_RESET'
  | 'CLOSED_EARLY'
  | 'SOCKET_ERROR';

export interface ScanError {
  readonly code: ScanErrorCode;
  readonly message: string;
  /** Which probe failed, when it was not the clear-text one: "auth (--user root)", "host-key (ssh-ed25519)". */
  readonly probe?: string;
}

export interface ProbeTimings {
  connectMs?: number;
  identMs?: number;
  kexinitMs?: number;
  totalMs: number;
}

export interface ProbeOutcome {
  readonly ident?: IdentLine;
  readonly preamble: readonly ByteString[];
  readonly kexinit?: Kexinit;
  readonly error?: ScanError;
  readonly timings: ProbeTimings;
  readonly address?: string;
}

export interface ProbeOptions {
  readonly timeoutMs: number;
  readonly limits?: ProbeLimits;
}

/** What we offer: a broad, current client proposal so no server refuses before sending its own. */
const OUR_KEXINIT: Omit<Kexinit, 'cookie' | 'reserved'> = {
  kex: ['mlkem768x25519-sha256', 'sntrup761x25519-sha512', 'sntrup761x25519-sha512@openssh.com', 'curve25519-sha256', 'curve25519-sha256@libssh.org', 'ecdh-sha2-nistp256', 'ecdh-sha2-nistp384', 'ecdh-sha2-nistp521', 'diffie-hellman-group-exchange-sha256', 'diffie-hellman-group16-sha512', 'diffie-hellman-group18-sha512', 'diffie-hellman-group14-sha256', 'ext-info-c', 'kex-strict-c-v00@openssh.com'],
  hostKey: ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256'],
  ciphersClientToServer: ['chacha20-poly1305@openssh.com', 'aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'aes128-ctr', 'aes192-ctr', 'aes256-ctr'],
  ciphersServerToClient: ['chacha20-poly1305@openssh.com', 'aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'aes128-ctr', 'aes192-ctr', 'aes256-ctr'],
  macsClientToServer: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'umac-128-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha2-512'],
  macsServerToClient: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'umac-128-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha2-512'],
  compressionClientToServer: ['none'],
  compressionServerToClient: ['none'],
  languagesClientToServer: [],
  languagesServerToClient: [],
  firstKexPacketFollows: false,
};

function socketErrorCode(err: NodeJS.ErrnoException): ScanErrorCode {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'CONNECT_REFUSED';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return 'DNS_FAILED';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return 'UNREACHABLE';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'CONNECTION_RESET';
    default:
      return 'SOCKET_ERROR';
  }
}

/** Runs the one-connection probe against host:port. Resolves (never rejects) within timeoutMs (+ a tick). */
export function probeKexinit(host: string, port: number, opts: ProbeOptions): Promise<ProbeOutcome> {
  const start = performance.now();
  const ms = () => Math.round((performance.now() - start) * 10) / 10;
  const machine = new ProbeMachine(opts.limits ?? DEFAULT_PROBE_LIMITS);
  const timings: ProbeTimings = { totalMs: 0 };
  let kexinit: Kexinit | undefined;
  let settled = false;
  let closeEmitted = false;

  return new Promise<ProbeOutcome>((resolve) => {
    let socket: Socket | undefined;
    const finish = (error?: ScanError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      timings.totalMs = ms();
      const address = socket?.remoteAddress;
      const outcome = { ident: machine.ident, preamble: machine.preamble, kexinit, error, timings, ...(address ? { address } : {}) };
      if (!socket || closeEmitted) {
        resolve(outcome);
        return;
      }
      socket.removeAllListeners('data');
      socket.on('error', () => {}); // late errors after destroy are not ours to report
      // Resolve once the socket is really closed, so a pool slot never holds more than one
      // socket: --concurrency bounds open sockets exactly, not just probes in flight.
      socket.once('close', () => resolve(outcome));
      socket.destroy();
    };
    const timer = setTimeout(() => {
      const phase = timings.connectMs === undefined ? 'while connecting' : machine.describePosition();
      finish({ code: 'TIMEOUT', message: `no complete answer within ${opts.timeoutMs} ms (${phase})` });
    }, opts.timeoutMs);

    try {
      socket = connect({ host, port, noDelay: true });
    } catch (e) {
      finish({ code: 'SOCKET_ERROR', message: (e as Error).message });
      return;
    }
    socket.once('connect', () => {
      timings.connectMs = ms();
      socket!.write(`${CLIENT_IDENT}\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      for (const ev of machine.push(chunk)) {
        if (ev.kind === 'ident') {
          timings.identMs = ms();
          if (!machine.finished) socket!.write(encodeUnencryptedPacket(encodeKexinit(OUR_KEXINIT, randomBytes(16))));
        } else if (ev.kind === 'kexinit') {
          timings.kexinitMs = ms();
          kexinit = ev.kexinit;
          finish();
          return;
        } else {
          finish(ev.error);
          return;
        }
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const code = socketErrorCode(err);
      const where = timings.connectMs === undefined ? 'connecting' : machine.describePosition();
      finish({ code, message: `${err.code ?? 'error'} ${where}: ${err.message}` });
    });
    socket.on('end', () => {
      finish({ code: 'CLOSED_EARLY', message: `server closed the connection ${machine.describePosition()}` });
    });
    socket.on('close', () => {
      closeEmitted = true;
      finish({ code: 'CLOSED_EARLY', message: `connection closed ${machine.describePosition()}` });
    });
  });
}
