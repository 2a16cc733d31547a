// The one remote program of a fleet audit: a POSIX sh script (coreutils, findutils, sed: every
// Debian, Ubuntu and PVE host has them) that the controller runs with `sh -c SCRIPT` over the
// host's shared SSH connection. It installs nothing, writes nothing, and answers a list of
// requests in one batch: lstat of every component of each path (and of its resolved path when a
// symlink is on the way, so the controller can walk links itself), file contents, directory
// listings (a backup directory's with each backup's manifest and journal), and the output of a
// few programs the audit asks (sshd -V, apt-cache policy, pveversion). Output is a line-framed
// stream: a magic line, one record per line with every path, name and content base64-encoded (or
// plain when it holds only safe characters), an END line with the record count. /etc/shadow is
// read with each password hash replaced by a marker that keeps its state (set, locked '!', none
// '*', empty): hashes never leave the host. Private host keys are never read (only stat-ed).
// Parsing the answer is gather-stream.ts's job.
import { commandLine, shellQuote } from './ssh.js';

/**
 * What to fetch: `stat` lstat chain only; `read` plus content; `tail` plus the last TAIL_BYTES only;
 * `list` entries (with their lstat); `readdir` list and read every file in it; `shadow` read
 * redacted; `keys` every passwd user's ~/.ssh/authorized_keys{,2} and the lstat of their shell;
 * `backups` a backup directory (src/apply/backup.ts): list it, and of every subdirectory named like
 * a backup id (not a link) its listing, manifest.json and journal.json, never the saved copies;
 * `run` a command line.
 */
export type GatherOp = 'stat' | 'read' | 'tail' | 'list' | 'readdir' | 'shadow' | 'keys' | 'backups' | 'run';

/** How much of a `tail` file is sent: the readers of such files keep their last 4 MiB (latin1). */
export const TAIL_BYTES = 4 << 20;

/** Files whose readers keep only their end (the auth log: host/facts/admin-facts.ts): fetched as tails. */
export const TAIL_PATHS: ReadonlySet<string> = new Set(['/var/log/auth.log']);

export interface GatherRequest {
  readonly op: GatherOp;
  /** An absolute path, or for `run` the command line (built with commandLine()). */
  readonly arg: string;
}

const OP_CODE: Record<GatherOp, string> = { stat: 's', read: 'r', tail: 'T', list: 'd', readdir: 'D', shadow: 'S', keys: 'k', backups: 'B', run: 'x' };

/** A backup id's directory name (backup.ts newBackupId: 20261124T100000Z, -2, -3 ... when taken), as a sh glob. */
const BACKUP_GLOB = '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z*';

export const GATHER_MAGIC = 'SSHIELD-GATHER 1';

/** sshd refuses to start with private host keys others can read; they are never copied off a host. */
export function isPrivateHostKey(path: string): boolean {
  return /^\/etc\/ssh\/[^/]*_key$/.test(path);
}

// `find -printf` fields: type mode uid gid size mtime, NUL, path (or name), NUL, link target, NUL.
const FIND_FMT = '%y %m %U %G %s %T@\\0%p\\0%l\\0';
const LIST_FMT = '%y %m %U %G %s %T@\\0%f\\0%l\\0';

export const GATHER_SCRIPT = `
export LC_ALL=C LANG=C
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
cap=$1; shift
n=0
enc() { case $1 in ''|*[!A-Za-z0-9._/@:+,=-]*) printf 'b:'; printf %s "$1" | base64 -w0;; *) printf 'r:%s' "$1";; esac; }
pre() { q=$1; l=; while [ -n "$q" ]; do printf '%s\\0' "$q"; [ -L "$q" ] && l=1; q=\${q%/*}; done
  if [ -n "$l" ]; then r=$(readlink -m -- "$1") && [ -n "$r" ] && [ "$r" != "$1" ] && pre "$r"; fi; return 0; }
walk() { h=$1; shift; while [ $# -gt 1 ]; do o=$1; p=$2; shift 2
  if [ "$o" = k ]; then
    while IFS=: read -r u x1 x2 x3 x4 home x5; do case $home in *//*|*/./*|*/../*|*/.|*/..|*/./|*/../) ;; /*) home=\${home%/}; $h r "$home/.ssh/authorized_keys"; $h r "$home/.ssh/authorized_keys2";; esac
      case $x5 in /*) $h s "$x5";; esac; done < /etc/passwd
  else $h "$o" "$p"; fi; done; }
pa() { case $1 in x) ;; D) pre "$2"; for f in "$2"/* "$2"/.[!.]* "$2"/..?*; do [ -L "$f" ] && pre "$f"; done;; *) pre "$2";; esac; }
content() { n=$((n+1)); printf 'C '; enc "$2"; printf ' '
  if [ "$1" = S ]; then sed 's/^\\([^:]*\\):\\([!*]*\\)[^:!*][^:]*:/\\1:\\2sshield-redacted:/' -- "$2" | head -c $((cap+1)); else head -c $((cap+1)) -- "$2"; fi | base64 -w0; echo; }
readable() { case $2 in /etc/ssh/*_key) return 0;; esac; if [ -f "$2" ]; then if [ -r "$2" ]; then content "$@"; else n=$((n+1)); printf 'E '; enc "$2"; echo ' unreadable'; fi; fi; }
listing() { n=$((n+1)); printf 'D '; enc "$1"; printf ' '; find -H "$1" -mindepth 1 -maxdepth 1 -printf '${LIST_FMT}' 2>/dev/null | base64 -w0; echo; }
pb() { case $1 in
  r|S) readable "$1" "$2";;
  T) [ -f "$2" ] && [ -r "$2" ] && { n=$((n+1)); printf 'T '; enc "$2"; printf ' '; tail -c ${TAIL_BYTES} -- "$2" | base64 -w0; echo; };;
  d) [ -d "$2" ] && [ -r "$2" ] && listing "$2";;
  D) if [ -d "$2" ] && [ -r "$2" ]; then listing "$2"; for f in "$2"/* "$2"/.[!.]* "$2"/..?*; do readable r "$f"; done; fi;;
  B) if [ -d "$2" ] && [ -r "$2" ]; then listing "$2"; for f in "$2"/${BACKUP_GLOB}; do
      if [ -d "$f" ] && [ ! -L "$f" ] && [ -r "$f" ]; then listing "$f"; readable r "$f/manifest.json"; readable r "$f/journal.json"; fi; done; fi;;
  x) n=$((n+1)); printf 'X '; enc "$2"; printf ' '; { timeout -s KILL 30 sh -c "$2" 2>&1 </dev/null; printf '\\n%s' "$?"; } | head -c $((cap+1)) | base64 -w0; echo;;
  esac; return 0; }
echo '${GATHER_MAGIC}'
n=$((n+1)); printf 'F '
walk pa "$@" | xargs -0 -r sh -c 'exec find -P "$@" -maxdepth 0 -printf "${FIND_FMT}" 2>/dev/null' sh | base64 -w0; echo
walk pb "$@"
echo "END $n"
`;

/** The remote command line: `sh -c SCRIPT sshield-gather CAP OP ARG OP ARG ...`. */
export function gatherCommand(requests: readonly GatherRequest[], perFileCap: number): string {
  const words = ['sh', '-c', GATHER_SCRIPT, 'sshield-gather', String(perFileCap)];
  for (const r of requests) words.push(OP_CODE[r.op], r.op === 'keys' ? '-' : r.arg);
  return words.map(shellQuote).join(' ');
}

/**
 * The longest command line one gather call sends. sshd hands the whole line to the login shell as
 * ONE argument (`$SHELL -c LINE`), and Linux refuses a single argument over 128 KiB
 * (MAX_ARG_STRLEN: E2BIG), so a round with many requests (a config naming a key file per user on a
 * host with thousands of accounts, a backup directory with thousands of links) is sent as several
 * calls.
 */
export const MAX_GATHER_COMMAND = 96 * 1024;

/** The requests cut into batches whose command line stays within `max` (order kept; a request is never split). */
export function gatherBatches(requests: readonly GatherRequest[], perFileCap: number, max = MAX_GATHER_COMMAND): GatherRequest[][] {
  const base = gatherCommand([], perFileCap).length;
  const out: GatherRequest[][] = [];
  let batch: GatherRequest[] = [];
  let size = base;
  for (const r of requests) {
    const len = shellQuote(OP_CODE[r.op]).length + shellQuote(r.op === 'keys' ? '-' : r.arg).length + 2;
    if (batch.length > 0 && size + len > max) {
      out.push(batch);
      batch = [];
      size = base;
    }
    batch.push(r);
    size += len;
  }
  if (batch.length > 0 || out.length === 0) out.push(batch);
  return out;
}

/** What round one asks of every host: what an audit of a Debian/PVE host reads, by experience. */
export const PREFETCH: readonly GatherRequest[] = [
  { op: 'readdir', arg: '/etc/ssh' },
  { op: 'readdir', arg: '/etc/ssh/sshd_config.d' },
  ...['/etc/passwd', '/etc/group', '/etc/shells', '/etc/os-release', '/usr/lib/os-release', '/etc/hostname', '/etc/hosts', '/var/lib/dpkg/status',
    '/usr/share/doc/openssh-server/changelog.Debian.gz', '/usr/share/doc/openssh-client/changelog.Debian.gz',
    '/etc/pve/.members', '/etc/pve/corosync.conf', '/etc/corosync/corosync.conf'].map((arg) => ({ op: 'read' as const, arg })),
  { op: 'shadow', arg: '/etc/shadow' },
  { op: 'keys', arg: '' },
  ...['/etc/systemd/system/multi-user.target.wants', '/etc/systemd/system/sockets.target.wants'].map((arg) => ({ op: 'list' as const, arg })),
  ...['/etc/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system'].flatMap((d) => ['ssh.service', 'sshd.service', 'ssh.socket', 'ssh@.service'].map((u) => ({ op: 'stat' as const, arg: `${d}/${u}` }))),
  { op: 'stat', arg: '/run/systemd/system' },
  { op: 'stat', arg: '/etc/pve' },
  { op: 'stat', arg: '/usr/bin/sudo' },
  // Who must keep a way in (host/facts/admin-facts.ts): sudoers, and recent logins on a live host.
  { op: 'read', arg: '/etc/sudoers' },
  { op: 'readdir', arg: '/etc/sudoers.d' },
  { op: 'tail', arg: '/var/log/auth.log' },
  { op: 'run', arg: commandLine('last', ['-i', '-w', '-n', '1000']) },
  // How sshd's PAM stack and login(1) would answer (the credential model, src/access).
  { op: 'readdir', arg: '/etc/pam.d' },
  { op: 'stat', arg: '/etc/nologin' },
  { op: 'stat', arg: '/bin/sudo' },
  ...['/bin/bash', '/usr/bin/bash', '/bin/sh', '/usr/bin/sh', '/usr/sbin/nologin', '/bin/false', '/usr/bin/zsh'].map((arg) => ({ op: 'stat' as const, arg })),
  // PVE detection asks it whenever /etc/pve or pve-manager is there; elsewhere it is one failed exec.
  { op: 'run', arg: commandLine('pveversion', []) },
];
