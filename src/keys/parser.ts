// authorized_keys lexer/parser: every byte of the file belongs to exactly one line record, and
// printing is concatenation (printAuthorizedKeys), so the round trip is byte-exact for any input.
// Line semantics follow OpenSSH 9.2 auth_check_authkeys_file / auth_check_authkey_line
// (auth2-pubkeyfile.c): leading spaces/tabs skipped, empty and `#` lines ignored; a key is tried
// first at the line start (sshkey_read), else the options field is skipped
// (sshkey_advance_past_options) and the key tried after it; options are then parsed
// (sshauthopt_parse) and an error there makes sshd ignore the key. Lines sshd would ignore become
// diagnostics with file:line:column. The line terminator is "\n"; a "\r" before it belongs to the
// terminator (sshd's base64 decoder and comment handling ignore it). Pure: no I/O, never throws.
import type { ByteString } from '../text/bytes.js';
import { analyseBlob, B64_CODE, type KeyInfo } from './blob.js';
import { keyTypeByName } from './key-types.js';
import { advancePastOptions, parseKeyOptions, type KeyOption } from './options.js';

export type KeysDiagnosticCode = 'BAD_KEY' | 'NO_KEY' | 'BAD_OPTIONS' | 'NUL_BYTE';

export interface KeysDiagnostic {
  readonly code: KeysDiagnosticCode;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly hint?: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

interface LineBase {
  /** 1-based line number. */
  readonly line: number;
  /** Offset of the line's first byte in the file. */
  readonly start: number;
  /** The line without its terminator. */
  readonly content: ByteString;
  /** "\n", "\r\n" or "" (last line without a newline). */
  readonly eol: ByteString;
}

export interface KeyLine extends LineBase {
  readonly kind: 'key';
  /** The options field [start, end) in content offsets; undefined when the line has none. */
  readonly optionsSpan?: { readonly start: number; readonly end: number };
  /** Parsed options (empty when none); undefined when sshd rejects them (see optionsError). */
  readonly options: readonly KeyOption[] | undefined;
  readonly optionsError?: string;
  /** Content offset where the key type starts. */
  readonly keyStart: number;
  readonly typeName: string;
  readonly blobText: string;
  readonly comment: ByteString;
  readonly key: KeyInfo;
}

export interface OtherLine extends LineBase {
  readonly kind: 'blank' | 'comment' | 'invalid';
}

export type AuthorizedKeysLine = KeyLine | OtherLine;

export interface AuthorizedKeysFile {
  readonly file: string;
  readonly text: ByteString;
  readonly lines: readonly AuthorizedKeysLine[];
  readonly diagnostics: readonly KeysDiagnostic[];
}

// Scanning works on char codes (no one-character strings): the file is a latin1 byte string.
const isSpaceCode = (c: number): boolean => c === 32 || c === 9;

function skipSpace(s: string, i: number): number {
  while (isSpaceCode(s.charCodeAt(i))) i++;
  return i;
}

/** Index of the first space or tab at or after i, or s.length. */
function nextSpace(s: string, i: number): number {
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9) return i;
    i++;
  }
  return n;
}

type ReadKey = { ok: true; key: KeyInfo; typeName: string; blobText: string; commentStart: number } | { ok: false; knownType: boolean; message: string };

/** sshkey_read at `at`: type word, blanks, base64 blob, blanks; the rest is the comment. */
function readKey(s: string, at: number): ReadKey {
  let i = nextSpace(s, at);
  const typeName = s.slice(at, i);
  const type = keyTypeByName(typeName);
  // sshd needs a blank after the type (strcspn == strlen is INVALID_FORMAT).
  if (!type) return { ok: false, knownType: false, message: `"${typeName.slice(0, 40)}" is not a key type` };
  if (i >= s.length) return { ok: false, knownType: true, message: `${typeName} without a key` };
  i = skipSpace(s, i);
  if (i >= s.length) return { ok: false, knownType: true, message: `${typeName} without a key` };
  // One pass finds the blob's end and checks it as decodeBase64Strict does
  // (/^[A-Za-z0-9+/]*={0,2}$/, whole quanta).
  const b = i;
  let bad = false;
  let pad = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9) break;
    if (c === 61) pad++;
    else if (pad > 0 || c > 255 || B64_CODE[c] !== 1) bad = true;
  }
  const blobText = s.slice(b, i);
  const blob = bad || pad > 2 || blobText.length === 0 || blobText.length % 4 !== 0 ? undefined : Buffer.from(blobText, 'base64');
  if (!blob) return { ok: false, knownType: true, message: `the ${typeName} key is not valid base64` };
  const r = analyseBlob(blob, type);
  if (!r.ok) return { ok: false, knownType: true, message: `the ${typeName} key is invalid: ${r.message}` };
  return { ok: true, key: r.key, typeName, blobText, commentStart: skipSpace(s, i) };
}

function diagnostic(code: KeysDiagnosticCode, message: string, file: string, line: number, column: number, hint?: string): KeysDiagnostic {
  return { code, severity: 'error', message, file, line, column: column + 1, ...(hint ? { hint } : {}) };
}

/** Shared by every line without options (read-only: parsed lines are never mutated). */
const NO_OPTIONS: readonly KeyOption[] = Object.freeze([]);

export function parseAuthorizedKeys(text: ByteString, file: string): AuthorizedKeysFile {
  const lines: AuthorizedKeysLine[] = [];
  const diagnostics: KeysDiagnostic[] = [];
  let pos = 0;
  let n = 0;
  while (pos < text.length) {
    n++;
    const nl = text.indexOf('\n', pos);
    const lineEnd = nl < 0 ? text.length : nl;
    const cr = lineEnd > pos && text.charCodeAt(lineEnd - 1) === 13;
    const contentEnd = cr ? lineEnd - 1 : lineEnd;
    const content = text.slice(pos, contentEnd);
    const eol = text.slice(contentEnd, nl < 0 ? text.length : nl + 1);
    const start = pos;
    pos = nl < 0 ? text.length : nl + 1;
    const p = skipSpace(content, 0);
    if (p >= content.length) {
      lines.push({ line: n, start, content, eol, kind: 'blank' });
      continue;
    }
    if (content.charCodeAt(p) === 35 /* # */) {
      lines.push({ line: n, start, content, eol, kind: 'comment' });
      continue;
    }
    const nul = content.indexOf('\0');
    if (nul >= 0) {
      // C string handling in sshd stops at the NUL; we do not guess what it makes of the rest.
      diagnostics.push(diagnostic('NUL_BYTE', 'line contains a NUL byte', file, n, nul, 'sshd reads the line only up to the NUL; remove it'));
      lines.push({ line: n, start, content, eol, kind: 'invalid' });
      continue;
    }
    let r = readKey(content, p);
    if (!r.ok) {
      const first = r;
      const end = advancePastOptions(content, p);
      if (end < 0) {
        diagnostics.push(diagnostic('BAD_OPTIONS', 'invalid key option string: unterminated quote; sshd ignores this line', file, n, p));
        lines.push({ line: n, start, content, eol, kind: 'invalid' });
        continue;
      }
      const q = skipSpace(content, end);
      r = readKey(content, q);
      if (!r.ok) {
        const why = first.knownType ? first : r.knownType ? r : undefined;
        if (why) diagnostics.push(diagnostic('BAD_KEY', `${why.message}; sshd ignores this line`, file, n, why === first ? p : q));
        else diagnostics.push(diagnostic('NO_KEY', 'no public key found on this line; sshd ignores it', file, n, p, 'an authorized_keys line is [options] keytype base64-key [comment]'));
        lines.push({ line: n, start, content, eol, kind: 'invalid' });
        continue;
      }
      const optionsSpan = { start: p, end };
      const parsed = parseKeyOptions(content, p);
      if (!parsed.ok) {
        diagnostics.push(diagnostic('BAD_OPTIONS', `bad key options: ${parsed.message}; sshd ignores this key`, file, n, parsed.offset));
        lines.push({ line: n, start, content, eol, kind: 'key', optionsSpan, options: undefined, optionsError: parsed.message, keyStart: q, typeName: r.typeName, blobText: r.blobText, comment: content.slice(r.commentStart), key: r.key });
        continue;
      }
      lines.push({ line: n, start, content, eol, kind: 'key', optionsSpan, options: parsed.options, keyStart: q, typeName: r.typeName, blobText: r.blobText, comment: content.slice(r.commentStart), key: r.key });
      continue;
    }
    lines.push({ line: n, start, content, eol, kind: 'key', options: NO_OPTIONS, keyStart: p, typeName: r.typeName, blobText: r.blobText, comment: content.slice(r.commentStart), key: r.key });
  }
  return { file, text, lines, diagnostics };
}

/** Printing is concatenation: content + terminator of every line. */
export function printAuthorizedKeys(f: Pick<AuthorizedKeysFile, 'lines'>): ByteString {
  let out = '';
  for (const l of f.lines) out += l.content + l.eol;
  return out;
}

export function keyLines(f: AuthorizedKeysFile): KeyLine[] {
  return f.lines.filter((l): l is KeyLine => l.kind === 'key');
}
