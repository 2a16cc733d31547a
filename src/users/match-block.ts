// The per-user restriction block sshield writes for `user nologin` and `user sftp`:
//   # sshield user NAME: ...            (marker)
//   Match User NAME
//   	ForceCommand internal-sftp
//   	[ChrootDirectory DIR]
//   	AllowTcpForwarding no / AllowAgentForwarding no / X11Forwarding no / PermitTunnel no / PermitTTY no
// Placement: appended at the very end of the main file, after everything, so it captures no
// other line (a Match block runs to the next Match line or the end of the file: sshd_config(5)).
// Values set in a Match override global ones for the connections it matches, and among Match
// blocks the first satisfied one wins per keyword (servconf.c, OpenSSH 9.2p1), so an earlier
// Match could still override ours: the planner proves the result with the evaluator and
// refuses when another block wins. ForceCommand internal-sftp is what makes SFTP work for a
// /usr/sbin/nologin account: the sftp-server subsystem is otherwise started through the
// user's shell (session.c do_child, `shell -c command`), which nologin refuses. An existing
// sshield block for the same user is rewritten in place. Pure.
import type { ByteString } from '../text/bytes.js';
import { applyEdits, type TextEdit } from '../text/edit.js';
import type { ConfigFile } from '../sshd/cst.js';
import { eolStyle, quoteArg } from '../sshd/edit.js';
import { findKeyword } from '../sshd/keywords/index.js';

export interface RestrictSpec {
  readonly user: string;
  /** ChrootDirectory for SFTP-only accounts; undefined for a nologin account. */
  readonly chroot?: string;
}

/** What the evaluator must print for the user once the block is in place (`sshd -T -C user=NAME`). */
export function expectedValues(spec: RestrictSpec): Record<string, string> {
  return {
    forcecommand: 'internal-sftp',
    ...(spec.chroot ? { chrootdirectory: spec.chroot } : {}),
    allowtcpforwarding: 'no',
    allowagentforwarding: 'no',
    x11forwarding: 'no',
    permittunnel: 'no',
    permittty: 'no',
  };
}

export function markerFor(user: string): string {
  return `# sshield user ${user}:`;
}

export function blockLines(spec: RestrictSpec): string[] {
  const what = spec.chroot ? `SFTP only, locked into ${spec.chroot}` : 'no shell (nologin), SFTP only';
  return [
    `${markerFor(spec.user)} ${what}; no forwarding, no TTY`,
    `Match User ${spec.user}`,
    '\tForceCommand internal-sftp',
    ...(spec.chroot ? [`\tChrootDirectory ${quoteArg(spec.chroot)}`] : []),
    '\tAllowTcpForwarding no',
    '\tAllowAgentForwarding no',
    '\tX11Forwarding no',
    '\tPermitTunnel no',
    '\tPermitTTY no',
  ];
}

/** Span of an existing sshield block for this user: marker line through the last directive of its Match block. */
export function findBlock(file: ConfigFile, user: string): { start: number; end: number } | undefined {
  const lines = file.lines;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.kind !== 'comment' || !l.comment.value.startsWith(`${markerFor(user)} `)) continue;
    const m = lines[i + 1];
    if (!m || m.kind !== 'directive' || findKeyword(m.keyword.value)?.name !== 'Match') continue;
    if (m.rest.value.trim().split(/\s+/).join(' ') !== `User ${user}`) continue;
    // The block ends with its last directive: blank lines and comments after it belong to
    // whatever follows (the blank line sshield puts before the next block, an admin's note), so
    // rewriting or removing this block never takes them along.
    let end = m.end;
    for (let j = i + 2; j < lines.length; j++) {
      const n = lines[j]!;
      if (n.kind === 'directive' && findKeyword(n.keyword.value)?.name === 'Match') break;
      if (n.kind === 'comment' && n.comment.value.startsWith('# sshield ')) break;
      if (n.kind === 'directive') end = n.end;
    }
    return { start: l.start, end };
  }
  return undefined;
}

export interface BlockPlan {
  readonly after: ByteString;
  readonly edits: readonly TextEdit[];
  readonly replaced: boolean;
}

export function planBlock(file: ConfigFile, spec: RestrictSpec): BlockPlan {
  const eol = eolStyle(file);
  const body = blockLines(spec).join(eol) + eol;
  const existing = findBlock(file, spec.user);
  let edits: TextEdit[];
  if (existing) {
    const cur = file.text.slice(existing.start, existing.end);
    edits = cur === body ? [] : [{ start: existing.start, end: existing.end, text: body }];
  } else {
    const t = file.text;
    const lead = t.length === 0 ? '' : t.endsWith('\n') ? eol : eol + eol;
    edits = [{ start: t.length, end: t.length, text: lead + body }];
  }
  return { after: edits.length ? applyEdits(file.text, edits) : file.text, edits, replaced: existing !== undefined };
}

/** Removes an sshield block for the user (used when an sftp account is turned back). */
export function removeBlockEdits(file: ConfigFile, user: string): TextEdit[] {
  const b = findBlock(file, user);
  if (!b) return [];
  // With the blank line planBlock put before it, so adding and removing a block is a round trip.
  const i = file.lines.findIndex((l) => l.start === b.start);
  const prev = i > 0 ? file.lines[i - 1] : undefined;
  return [{ start: prev?.kind === 'blank' ? prev.start : b.start, end: b.end, text: '' }];
}
