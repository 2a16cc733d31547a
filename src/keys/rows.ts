// One row per authorized key for `sshield keys list` (text and JSON): user, file:line, type,
// bits, SHA256 fingerprint, comment, options, what the options still allow, certificate facts.
// Pure.
import type { UserKeyFile } from './inventory.js';
import { effectivePermissions, PERMISSIONS, type KeyOption } from './options.js';
import type { KeyLine } from './parser.js';
import { displayText } from '../text/bytes.js';

function optionsText(o: readonly KeyOption[] | undefined): string {
  return o ? o.map((x) => displayText(x.text)).join(',') : '';
}

export function keyRow(f: UserKeyFile, k: KeyLine) {
  const perms = k.options ? effectivePermissions(k.options) : undefined;
  return {
    user: f.user.name,
    file: f.info.path,
    line: k.line,
    type: k.typeName,
    bits: k.key.bits,
    fingerprint: k.key.fingerprint,
    comment: displayText(k.comment),
    options: optionsText(k.options),
    ...(k.optionsError ? { ignoredBySshd: `bad options: ${k.optionsError}` } : {}),
    ...(perms ? { allows: PERMISSIONS.filter((p) => perms[p]) } : {}),
    ...(k.key.certificate ? { certificate: { keyId: k.key.certificate.keyId, serial: String(k.key.certificate.serial), principals: k.key.certificate.principals, ca: k.key.certificate.caFingerprint } } : {}),
  };
}
