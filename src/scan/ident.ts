// The identification line (RFC 4253 §4.2): `SSH-protoversion-softwareversion SP comments CR LF`.
// Parses one line already cut from the stream (CR LF removed). Pure; byte strings in, plain
// strings out (the banner is ASCII by the RFC; other bytes are kept, one char per byte).
import type { ByteString } from '../text/bytes.js';

export interface IdentLine {
  /** The whole line without CR LF, byte-exact (latin1). */
  readonly raw: ByteString;
  /** "2.0", "1.99" (SSH-2 with SSH-1 fallback), "1.5"... */
  readonly protoVersion: string;
  /** e.g. "OpenSSH_9.2p1" */
  readonly softwareVersion: string;
  /** Text after the first space, e.g. "Debian-2+deb12u10", or null when absent. */
  readonly comments: string | null;
}

/** Returns null when the line is not an SSH identification line. */
export function parseIdentLine(line: ByteString): IdentLine | null {
  if (!line.startsWith('SSH-')) return null;
  const rest = line.slice(4);
  const dash = rest.indexOf('-');
  if (dash <= 0) return null;
  const protoVersion = rest.slice(0, dash);
  const after = rest.slice(dash + 1);
  const sp = after.indexOf(' ');
  const softwareVersion = sp === -1 ? after : after.slice(0, sp);
  const comments = sp === -1 ? null : after.slice(sp + 1);
  return { raw: line, protoVersion, softwareVersion, comments };
}

/** SSH-2 servers say "2.0"; "1.99" means SSH-2 with SSH-1 compatibility (RFC 4253 §5.1). */
export function speaksSsh2(ident: IdentLine): boolean {
  return ident.protoVersion === '2.0' || ident.protoVersion === '1.99';
}

/** Printable for people and JSON: control bytes shown as \xNN, the rest as-is. */
export function printable(s: string): string {
  return s.replace(/[\x00-\x1f\x7f-\xff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
