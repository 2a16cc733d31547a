// Plans per-key option changes for `sshield keys restrict|unrestrict`: from a parsed key line and
// a request, the one text edit that rewrites that line's options field (or inserts one), leaving
// every other byte of the file alone. The result is re-parsed and checked (same key, options sshd
// accepts, the requested permissions in force) before it is offered. Also validates from= lists
// the way addr_match_list (addrmatch.c, OpenSSH 9.2) reads them. Pure: no I/O.
import ipaddr from 'ipaddr.js';
import type { ByteString } from '../text/bytes.js';
import type { TextEdit } from '../text/edit.js';
import { effectivePermissions, flagText, parseKeyOptions, PERMISSIONS, quoteOptionValue, type KeyOption, type Permission } from './options.js';
import { parseAuthorizedKeys, type KeyLine } from './parser.js';

export interface RestrictRequest {
  readonly mode: 'restrict';
  readonly restrict?: boolean;
  readonly deny?: readonly Permission[];
  readonly from?: string;
  readonly command?: string;
}
export interface UnrestrictRequest {
  readonly mode: 'unrestrict';
  /** Remove `restrict` (default when nothing else is asked). */
  readonly restrict?: boolean;
  /** Permissions to give back (default: all five when nothing else is asked). */
  readonly allow?: readonly Permission[];
  readonly removeFrom?: boolean;
  readonly removeCommand?: boolean;
}
export type KeyChangeRequest = RestrictRequest | UnrestrictRequest;

export type LinePlan =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'change'; readonly edit: TextEdit; readonly before: ByteString; readonly after: ByteString }
  | { readonly kind: 'refused'; readonly message: string };

interface Item {
  readonly text: ByteString;
  readonly opt: KeyOption;
}

function reparseOptions(texts: readonly ByteString[]): KeyOption[] {
  const s = `${texts.join(',')} `;
  const r = parseKeyOptions(s, 0);
  if (!r.ok) throw new Error(`sshield built options sshd would reject: ${s} (${r.message})`);
  return [...r.options];
}

/** Plans the change of one key line. `line.start` is its offset in the file. */
export function planKeyLine(line: KeyLine, req: KeyChangeRequest): LinePlan {
  if (line.options === undefined) return { kind: 'refused', message: `line ${line.line}: sshd already ignores this key (bad options: ${line.optionsError}); fix it by hand` };
  let items: Item[] = line.options.map((o) => ({ text: o.text, opt: o }));
  let rebuilt = false; // an existing item was removed or replaced
  const prepend: ByteString[] = [];
  const append: ByteString[] = [];
  const current = (): Record<Permission, boolean> => effectivePermissions([...reparseOptions(prepend), ...items.map((i) => i.opt), ...reparseOptions(append)]);
  const removeWhere = (pred: (o: KeyOption) => boolean): void => {
    const kept = items.filter((i) => !pred(i.opt));
    if (kept.length !== items.length) rebuilt = true;
    items = kept;
  };
  const setValue = (name: 'from' | 'command', value: string): LinePlan | undefined => {
    const quoted = quoteOptionValue(value);
    if (quoted === undefined) return { kind: 'refused', message: `${name} value cannot be written in authorized_keys (newline, NUL or a trailing backslash)` };
    const text = `${name}=${quoted}`;
    const idx = items.findIndex((i) => i.opt.kind === 'value' && i.opt.name === name);
    if (idx >= 0) {
      const old = items[idx]!;
      if (old.opt.kind === 'value' && old.opt.value === value) return undefined;
      items[idx] = { text, opt: reparseOptions([text])[0]! };
      rebuilt = true;
    } else append.push(text);
    return undefined;
  };

  if (req.mode === 'restrict') {
    const hasRestrict = items.some((i) => i.opt.kind === 'flag' && i.opt.flag === 'restrict');
    // `restrict` goes first so any re-enabler already on the line (e.g. "restrict,pty") keeps working.
    if (req.restrict && !hasRestrict) prepend.push('restrict');
    for (const p of req.deny ?? []) {
      if (!current()[p]) continue;
      removeWhere((o) => o.kind === 'flag' && o.flag === p && !o.negated);
      if (current()[p]) append.push(flagText(p, true));
    }
    if (req.from !== undefined) {
      const bad = setValue('from', req.from);
      if (bad) return bad;
    }
    if (req.command !== undefined) {
      const bad = setValue('command', req.command);
      if (bad) return bad;
    }
  } else {
    const nothingAsked = !req.restrict && !req.allow && !req.removeFrom && !req.removeCommand;
    if (req.restrict || nothingAsked) removeWhere((o) => o.kind === 'flag' && o.flag === 'restrict');
    for (const p of req.allow ?? (nothingAsked ? PERMISSIONS : [])) {
      if (current()[p]) continue;
      removeWhere((o) => o.kind === 'flag' && o.flag === p && o.negated);
      if (!current()[p]) append.push(flagText(p, false));
    }
    if (req.removeFrom) removeWhere((o) => o.kind === 'value' && o.name === 'from');
    if (req.removeCommand) removeWhere((o) => o.kind === 'value' && o.name === 'command');
  }
  if (!rebuilt && prepend.length === 0 && append.length === 0) return { kind: 'unchanged' };

  const span = line.optionsSpan;
  let newField: ByteString;
  if (!rebuilt && span) {
    const old = line.content.slice(span.start, span.end);
    newField = [...prepend, old, ...append].join(',');
  } else newField = [...prepend, ...items.map((i) => i.text), ...append].join(',');

  let edit: TextEdit;
  if (span) {
    edit = newField === ''
      ? { start: line.start + span.start, end: line.start + line.keyStart, text: '' }
      : { start: line.start + span.start, end: line.start + span.end, text: newField };
  } else edit = { start: line.start + line.keyStart, end: line.start + line.keyStart, text: `${newField} ` };

  const after = line.content.slice(0, edit.start - line.start) + edit.text + line.content.slice(edit.end - line.start);
  const check = checkResult(line, after, req);
  if (check) return { kind: 'refused', message: `line ${line.line}: ${check} (sshield bug; nothing changed)` };
  return { kind: 'change', edit, before: line.content, after };
}

function checkResult(line: KeyLine, after: ByteString, req: KeyChangeRequest): string | undefined {
  const re = parseAuthorizedKeys(after, 'check');
  const k = re.lines[0];
  if (!k || k.kind !== 'key' || re.lines.length !== 1) return 'the edited line is no longer a key line';
  if (k.key.fingerprint !== line.key.fingerprint || k.comment !== line.comment) return 'the edited line changed the key or its comment';
  if (!k.options) return `sshd would reject the new options: ${k.optionsError}`;
  const p = effectivePermissions(k.options);
  if (req.mode === 'restrict') {
    for (const d of req.deny ?? []) if (p[d]) return `${d} still allowed`;
    if (req.restrict && !k.options.some((o) => o.kind === 'flag' && o.flag === 'restrict')) return 'restrict missing';
  } else {
    for (const a of req.allow ?? []) if (!p[a]) return `${a} still denied`;
  }
  return undefined;
}

/** Checks a --from list as addr_match_list would; returns one message per bad entry. */
export function validateFromList(list: string): string[] {
  const errors: string[] = [];
  if (list.trim() === '') return ['the --from list is empty'];
  for (const raw of list.split(',')) {
    const entry = raw.startsWith('!') ? raw.slice(1) : raw;
    if (entry === '') {
      errors.push(`empty entry in "${list}" (sshd refuses the key)`);
      continue;
    }
    if (entry.includes('/')) {
      try {
        const [addr, len] = ipaddr.parseCIDR(entry);
        const net = ipaddr.parse(ipaddr.IPv4.isValid(entry.split('/')[0]!) ? entry.split('/')[0]! : addr.toString());
        const masked = addr.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(entry) : ipaddr.IPv6.networkAddressFromCIDR(entry);
        if (masked.toString() !== net.toString()) errors.push(`${entry}: host bits set below /${len} (sshd: inconsistent mask length); did you mean ${masked.toString()}/${len}?`);
      } catch {
        errors.push(`${entry}: not an address/prefix-length network`);
      }
      continue;
    }
    if (ipaddr.isValid(entry)) continue;
    if (!/^[A-Za-z0-9.*?:_-]+$/.test(entry)) errors.push(`${entry}: not an address, network or host pattern`);
  }
  return errors;
}
