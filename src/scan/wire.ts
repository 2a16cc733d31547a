// SSH wire format for the clear-text start of a connection (RFC 4251 §5, RFC 4253 §6-7): a
// bounds-checked reader of uint32/string/name-list/boolean, the binary packet framing before
// any key is in use, and the KEXINIT message (parse the server's, build ours). Pure: no I/O, and
// malformed input gives a result with an error code, never an exception.

export const SSH_MSG_DISCONNECT = 1;
export const SSH_MSG_IGNORE = 2;
export const SSH_MSG_DEBUG = 4;
export const SSH_MSG_KEXINIT = 20;

/** RFC 4253 §6.1: implementations must accept packets of 35000 bytes; we accept no more. */
export const MAX_PACKET_LENGTH = 35_000;

/** The ten name-lists of a KEXINIT (RFC 4253 §7.1) and first_kex_packet_follows. */
export interface KexinitNameLists {
  readonly kex: readonly string[];
  readonly hostKey: readonly string[];
  readonly ciphersClientToServer: readonly string[];
  readonly ciphersServerToClient: readonly string[];
  readonly macsClientToServer: readonly string[];
  readonly macsServerToClient: readonly string[];
  readonly compressionClientToServer: readonly string[];
  readonly compressionServerToClient: readonly string[];
  readonly languagesClientToServer: readonly string[];
  readonly languagesServerToClient: readonly string[];
  readonly firstKexPacketFollows: boolean;
}

export interface Kexinit extends KexinitNameLists {
  readonly cookie: string; // 16 bytes, hex
  readonly reserved: number;
}

export type WireError = 'BAD_PACKET' | 'PACKET_TOO_LARGE' | 'BAD_KEXINIT';

/** Sequential reader over one buffer; every read checks the remaining length. */
export class WireReader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}
  get remaining(): number {
    return this.buf.length - this.pos;
  }
  byte(): number | undefined {
    if (this.remaining < 1) return undefined;
    return this.buf[this.pos++];
  }
  uint32(): number | undefined {
    if (this.remaining < 4) return undefined;
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  bytes(n: number): Buffer | undefined {
    if (n < 0 || this.remaining < n) return undefined;
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  string(): Buffer | undefined {
    const n = this.uint32();
    return n === undefined ? undefined : this.bytes(n);
  }
  /** RFC 4251 §5 name-list: comma-separated US-ASCII names; the empty string is the empty list. */
  nameList(): string[] | undefined {
    const b = this.string();
    if (b === undefined) return undefined;
    if (b.length === 0) return [];
    return b.toString('latin1').split(',');
  }
  boolean(): boolean | undefined {
    const b = this.byte();
    return b === undefined ? undefined : b !== 0;
  }
}

export type FrameResult =
  | { readonly kind: 'need-more' }
  | { readonly kind: 'packet'; readonly payload: Buffer; readonly consumed: number }
  | { readonly kind: 'error'; readonly code: WireError; readonly message: string };

/**
 * Cuts one unencrypted binary packet (RFC 4253 §6) from the front of `buf`:
 * uint32 packet_length, byte padding_length, payload, padding; no MAC before NEWKEYS.
 * The length is checked before waiting for the body, so a hostile length costs nothing.
 */
export function frameUnencryptedPacket(buf: Buffer, maxLength = MAX_PACKET_LENGTH): FrameResult {
  if (buf.length < 5) return { kind: 'need-more' };
  const packetLength = buf.readUInt32BE(0);
  if (packetLength > maxLength) {
    return { kind: 'error', code: 'PACKET_TOO_LARGE', message: `server announced a ${packetLength}-byte packet (limit ${maxLength})` };
  }
  const padding = buf[4]!;
  // RFC 4253 §6: at least 4 bytes of padding, so packet_length >= 1 + 4; payload must fit.
  if (packetLength < 5 || padding < 4 || padding + 1 > packetLength) {
    return { kind: 'error', code: 'BAD_PACKET', message: `malformed packet header (length ${packetLength}, padding ${padding})` };
  }
  if (buf.length < 4 + packetLength) return { kind: 'need-more' };
  return { kind: 'packet', payload: buf.subarray(5, 4 + packetLength - padding), consumed: 4 + packetLength };
}

/** Wraps a payload into an unencrypted packet padded to a multiple of 8 bytes (RFC 4253 §6). */
export function encodeUnencryptedPacket(payload: Buffer): Buffer {
  let padding = 8 - ((5 + payload.length) % 8);
  if (padding < 4) padding += 8;
  const out = Buffer.alloc(5 + payload.length + padding);
  out.writeUInt32BE(1 + payload.length + padding, 0);
  out[4] = padding;
  payload.copy(out, 5);
  return out;
}

export type KexinitResult = { readonly kind: 'ok'; readonly kexinit: Kexinit } | { readonly kind: 'error'; readonly code: 'BAD_KEXINIT'; readonly message: string };

/** Parses an SSH_MSG_KEXINIT payload (RFC 4253 §7.1), message byte included. */
export function parseKexinit(payload: Buffer): KexinitResult {
  const r = new WireReader(payload);
  const bad = (what: string): KexinitResult => ({ kind: 'error', code: 'BAD_KEXINIT', message: `KEXINIT truncated or malformed at ${what}` });
  if (r.byte() !== SSH_MSG_KEXINIT) return bad('message number');
  const cookie = r.bytes(16);
  if (!cookie) return bad('cookie');
  const names = ['kex_algorithms', 'server_host_key_algorithms', 'encryption_algorithms_client_to_server', 'encryption_algorithms_server_to_client', 'mac_algorithms_client_to_server', 'mac_algorithms_server_to_client', 'compression_algorithms_client_to_server', 'compression_algorithms_server_to_client', 'languages_client_to_server', 'languages_server_to_client'] as const;
  const lists: string[][] = [];
  for (const n of names) {
    const l = r.nameList();
    if (!l) return bad(n);
    lists.push(l);
  }
  const follows = r.boolean();
  if (follows === undefined) return bad('first_kex_packet_follows');
  const reserved = r.uint32();
  if (reserved === undefined) return bad('reserved');
  const [kex, hostKey, cc, cs, mc, ms, zc, zs, lc, ls] = lists as [string[], string[], string[], string[], string[], string[], string[], string[], string[], string[]];
  return {
    kind: 'ok',
    kexinit: {
      cookie: cookie.toString('hex'),
      kex,
      hostKey,
      ciphersClientToServer: cc,
      ciphersServerToClient: cs,
      macsClientToServer: mc,
      macsServerToClient: ms,
      compressionClientToServer: zc,
      compressionServerToClient: zs,
      languagesClientToServer: lc,
      languagesServerToClient: ls,
      firstKexPacketFollows: follows,
      reserved,
    },
  };
}

function putString(parts: Buffer[], s: string): void {
  const b = Buffer.from(s, 'latin1');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length, 0);
  parts.push(len, b);
}

/** Builds a KEXINIT payload from the given lists (cookie random unless given). */
export function encodeKexinit(k: Omit<Kexinit, 'cookie' | 'reserved'>, cookie: Buffer): Buffer {
  const parts: Buffer[] = [Buffer.from([SSH_MSG_KEXINIT]), cookie.subarray(0, 16)];
  for (const l of [k.kex, k.hostKey, k.ciphersClientToServer, k.ciphersServerToClient, k.macsClientToServer, k.macsServerToClient, k.compressionClientToServer, k.compressionServerToClient, k.languagesClientToServer, k.languagesServerToClient]) {
    putString(parts, l.join(','));
  }
  parts.push(Buffer.from([k.firstKexPacketFollows ? 1 : 0, 0, 0, 0, 0]));
  return Buffer.concat(parts);
}

/** Parses an SSH_MSG_DISCONNECT payload for its reason code and description. */
export function parseDisconnect(payload: Buffer): { reason: number; description: string } | undefined {
  const r = new WireReader(payload);
  if (r.byte() !== SSH_MSG_DISCONNECT) return undefined;
  const reason = r.uint32();
  const desc = r.string();
  if (reason === undefined || desc === undefined) return undefined;
  return { reason, description: desc.toString('utf8') };
}
