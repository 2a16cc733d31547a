// Byte-exact text. Config files are held as "byte strings": one UTF-16 code unit per byte
// (latin1), so slicing, offsets and printing are exact for any input, invalid UTF-8 and NUL
// included. Only messages meant for people are decoded as UTF-8 (displayText). This module
// must stay dependency-free: every other room builds on it.

/** A string whose char codes are all < 256, each one byte of the original file. */
export type ByteString = string & { readonly __bytes?: never };

export function bytesToText(bytes: Uint8Array): ByteString {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

export function textToBytes(text: ByteString): Buffer {
  return Buffer.from(text, 'latin1');
}

/** Decodes a byte string as UTF-8 for display (invalid sequences become U+FFFD). */
export function displayText(text: ByteString): string {
  return textToBytes(text).toString('utf8');
}

/** Encodes ordinary (UTF-16) text, e.g. a value typed by the user, into a byte string. */
export function utf8ToByteString(text: string): ByteString {
  return Buffer.from(text, 'utf8').toString('latin1');
}
