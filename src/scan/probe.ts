// The clear-text probe as a pure state machine: bytes from the server go in (`push`), events
// come out (the server's identification, its KEXINIT, or a per-target error). It enforces every
// limit against hostile servers: identification line length, preamble lines and bytes, packet
// length, total bytes, packets before KEXINIT. It owns no socket and no clock (the transport
// applies the deadline), so recorded byte transcripts replay through it exactly.
import { bytesToText, type ByteString } from '../text/bytes.js';
import { parseIdentLine, speaksSsh2, type IdentLine } from './ident.js';
import { frameUnencryptedPacket, parseDisconnect, parseKexinit, SSH_MSG_DEBUG, SSH_MSG_DISCONNECT, SSH_MSG_IGNORE, SSH_MSG_KEXINIT, MAX_PACKET_LENGTH, type Kexinit } from './wire.js';

export interface ProbeLimits {
  /** RFC 4253 §4.2: the identification string is at most 255 bytes including CR LF. */
  readonly identMaxBytes: number;
  /** Lines before the identification (RFC 4253 §4.2 allows them). OpenSSH's client: 1024 lines of <= 8192 bytes (kex.c, 9.2). */
  readonly preambleMaxLines: number;
  readonly preambleLineMaxBytes: number;
  readonly preambleMaxBytes: number;
  readonly packetMaxBytes: number;
  /** Packets (IGNORE/DEBUG) tolerated before KEXINIT. */
  readonly maxPacketsBeforeKexinit: number;
  /** Everything read from one target. */
  readonly totalMaxBytes: number;
}

export const DEFAULT_PROBE_LIMITS: ProbeLimits = {
  identMaxBytes: 255,
  preambleMaxLines: 1024,
  preambleLineMaxBytes: 8192,
  preambleMaxBytes: 64 * 1024,
  packetMaxBytes: MAX_PACKET_LENGTH,
  maxPacketsBeforeKexinit: 32,
  totalMaxBytes: 128 * 1024,
};

export type ProbeErrorCode =
  | 'IDENT_TOO_LONG'
  | 'PREAMBLE_TOO_LONG'
  | 'BAD_IDENT'
  | 'NOT_SSH2'
  | 'PACKET_TOO_LARGE'
  | 'BAD_PACKET'
  | 'BAD_KEXINIT'
  | 'UNEXPECTED_MESSAGE'
  | 'SERVER_DISCONNECT'
  | 'TOO_MUCH_DATA';

export interface ProbeError {
  readonly code: ProbeErrorCode;
  readonly message: string;
}

export type ProbeEvent =
  | { readonly kind: 'ident'; readonly ident: IdentLine; readonly preamble: readonly ByteString[] }
  | { readonly kind: 'kexinit'; readonly kexinit: Kexinit }
  | { readonly kind: 'error'; readonly error: ProbeError };

type Phase = 'ident' | 'packets' | 'done';

export class ProbeMachine {
  private phase: Phase = 'ident';
  private buf: Buffer = Buffer.alloc(0);
  private total = 0;
  private preambleBytes = 0;
  private packets = 0;
  readonly preamble: ByteString[] = [];
  ident: IdentLine | undefined;

  constructor(private readonly limits: ProbeLimits = DEFAULT_PROBE_LIMITS) {}

  get finished(): boolean {
    return this.phase === 'done';
  }

  /** Where the stream stopped, for error messages on EOF/timeout. */
  describePosition(): string {
    if (this.phase === 'ident') return this.preamble.length ? `after ${this.preamble.length} preamble line(s), before the SSH identification` : 'before the SSH identification';
    if (this.phase === 'packets') return this.buf.length ? `in the middle of a packet (${this.buf.length} bytes buffered)` : 'after the identification, before KEXINIT';
    return 'after KEXINIT';
  }

  /** Feeds bytes; returns the events they complete (at most one ident, then a kexinit or an error). */
  push(chunk: Buffer): ProbeEvent[] {
    if (this.phase === 'done') return [];
    this.total += chunk.length;
    if (this.total > this.limits.totalMaxBytes) return this.fail('TOO_MUCH_DATA', `server sent more than ${this.limits.totalMaxBytes} bytes without a complete KEXINIT`);
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const events: ProbeEvent[] = [];
    if (this.phase === 'ident') {
      events.push(...this.readIdent());
      if ((this.phase as Phase) !== 'packets') return events;
    }
    const e = this.readPackets();
    if (e) events.push(e);
    return events;
  }

  private fail(code: ProbeErrorCode, message: string): ProbeEvent[] {
    this.phase = 'done';
    this.buf = Buffer.alloc(0);
    return [{ kind: 'error', error: { code, message } }];
  }

  private readIdent(): ProbeEvent[] {
    for (;;) {
      const nl = this.buf.indexOf(0x0a);
      const lineLen = nl === -1 ? this.buf.length : nl + 1;
      const isIdent = this.buf.length >= 4 ? this.buf.subarray(0, 4).toString('latin1') === 'SSH-' : 'SSH-'.startsWith(this.buf.toString('latin1'));
      if (isIdent && lineLen > this.limits.identMaxBytes) {
        return this.fail('IDENT_TOO_LONG', `identification line longer than ${this.limits.identMaxBytes} bytes (RFC 4253 §4.2)`);
      }
      if (!isIdent && lineLen > this.limits.preambleLineMaxBytes) {
        return this.fail('PREAMBLE_TOO_LONG', `a line before the identification is longer than ${this.limits.preambleLineMaxBytes} bytes`);
      }
      if (nl === -1) return [];
      let line = this.buf.subarray(0, nl);
      if (line.length && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
      this.buf = this.buf.subarray(nl + 1);
      const text = bytesToText(line);
      if (isIdent) {
        if (text.includes('\0') || text.includes('\r')) return this.fail('BAD_IDENT', 'identification line contains NUL or CR');
        const ident = parseIdentLine(text);
        if (!ident) return this.fail('BAD_IDENT', 'malformed identification line (expected SSH-protoversion-softwareversion)');
        this.ident = ident;
        if (!speaksSsh2(ident)) {
          return [{ kind: 'ident', ident, preamble: this.preamble }, ...this.fail('NOT_SSH2', `server speaks SSH protocol ${ident.protoVersion} only`)];
        }
        this.phase = 'packets';
        return [{ kind: 'ident', ident, preamble: this.preamble }];
      }
      this.preambleBytes += nl + 1;
      if (this.preamble.length >= this.limits.preambleMaxLines || this.preambleBytes > this.limits.preambleMaxBytes) {
        return this.fail('PREAMBLE_TOO_LONG', `more than ${this.limits.preambleMaxLines} lines or ${this.limits.preambleMaxBytes} bytes before the identification`);
      }
      this.preamble.push(text);
    }
  }

  private readPackets(): ProbeEvent | undefined {
    for (;;) {
      const f = frameUnencryptedPacket(this.buf, this.limits.packetMaxBytes);
      if (f.kind === 'need-more') return undefined;
      if (f.kind === 'error') return this.fail(f.code, f.message)[0];
      this.buf = this.buf.subarray(f.consumed);
      const type = f.payload[0];
      if (type === SSH_MSG_KEXINIT) {
        const k = parseKexinit(f.payload);
        if (k.kind === 'error') return this.fail(k.code, k.message)[0];
        this.phase = 'done';
        this.buf = Buffer.alloc(0);
        return { kind: 'kexinit', kexinit: k.kexinit };
      }
      if (type === SSH_MSG_DISCONNECT) {
        const d = parseDisconnect(f.payload);
        return this.fail('SERVER_DISCONNECT', d ? `server disconnected (reason ${d.reason}): ${d.description.slice(0, 200)}` : 'server disconnected')[0];
      }
      if ((type === SSH_MSG_IGNORE || type === SSH_MSG_DEBUG) && ++this.packets <= this.limits.maxPacketsBeforeKexinit) continue;
      return this.fail('UNEXPECTED_MESSAGE', type === SSH_MSG_IGNORE || type === SSH_MSG_DEBUG ? `more than ${this.limits.maxPacketsBeforeKexinit} packets before KEXINIT` : `expected KEXINIT (20), got message ${type ?? 'empty'}`)[0];
    }
  }
}
