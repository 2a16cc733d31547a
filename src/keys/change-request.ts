// The request of `keys restrict|unrestrict` from its flags: which options to add or give back,
// checked as sshd reads them (from= patterns, a command authorized_keys can hold). Pure; a bad
// flag is a message for the admin, never a throw.
import { PERMISSIONS, type Permission } from './options.js';
import { validateFromList, type KeyChangeRequest } from './restrict.js';
import { utf8ToByteString } from '../text/bytes.js';

export interface KeyChangeFlags {
  readonly restrict?: boolean;
  readonly options?: string;
  readonly from?: string;
  readonly command?: string;
  readonly removeFrom?: boolean;
  readonly removeCommand?: boolean;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

export function parsePermissions(list: string | undefined): Parsed<Permission[] | undefined> {
  if (list === undefined) return { ok: true, value: undefined };
  const out: Permission[] = [];
  for (const raw of list.split(',').map((s) => s.trim()).filter(Boolean)) {
    const name = raw.toLowerCase().replace(/^no-/, '');
    if (!(PERMISSIONS as readonly string[]).includes(name)) return { ok: false, message: `--options: unknown option "${raw}" (choose from no-agent-forwarding, no-port-forwarding, no-pty, no-user-rc, no-X11-forwarding)` };
    if (!out.includes(name as Permission)) out.push(name as Permission);
  }
  return out.length ? { ok: true, value: out } : { ok: false, message: '--options: empty list' };
}

export function keyChangeRequest(mode: 'restrict' | 'unrestrict', o: KeyChangeFlags): Parsed<KeyChangeRequest> {
  const perms = parsePermissions(o.options);
  if (!perms.ok) return perms;
  if (mode === 'unrestrict') {
    return { ok: true, value: { mode, ...(o.restrict ? { restrict: true } : {}), ...(perms.value ? { allow: perms.value } : {}), ...(o.removeFrom ? { removeFrom: true } : {}), ...(o.removeCommand ? { removeCommand: true } : {}) } };
  }
  if (o.from !== undefined) {
    const errs = validateFromList(o.from);
    if (errs.length) return { ok: false, message: `--from: ${errs.join('; ')}` };
  }
  if (o.command !== undefined && (/[\n\r\0]/.test(o.command) || o.command.endsWith('\\'))) return { ok: false, message: '--command cannot contain a newline or NUL or end with a backslash (authorized_keys cannot hold it)' };
  if (!o.restrict && !perms.value && o.from === undefined && o.command === undefined) return { ok: false, message: 'nothing to do: give --restrict, --options, --from and/or --command' };
  return { ok: true, value: { mode, ...(o.restrict ? { restrict: true } : {}), ...(perms.value ? { deny: perms.value } : {}), ...(o.from !== undefined ? { from: utf8ToByteString(o.from) } : {}), ...(o.command !== undefined ? { command: utf8ToByteString(o.command) } : {}) } };
}
