// The help text of `keys restrict|unrestrict` (not a command file: text only).
import { DEFAULT_BACKUP_ROOT } from '../apply/backup.js';

export const KEYS_CHANGE_HELP = `
Selects keys of one account by fingerprint (as \`sshield keys list\`
prints it) or all of them, changes only those lines' options and keeps
every other byte. Shows a diff, asks (needs a TTY unless --yes), then
writes through the same safe-edit pipeline as harden, allow and user:
a lock, a backup with a manifest and a journal under --backup-dir
(default ${DEFAULT_BACKUP_ROOT}, on this machine also with --root), a
candidate beside the file with the same owner, group and mode, an
atomic rename, and recovery of a run killed half way. sshd reads
authorized_keys at every login, so there is nothing to validate with
sshd -t and nothing to reload. \`sshield backups\` lists the change
(kind keys) and \`sshield restore ID\` puts the old bytes back.
A symlinked file (e.g. Proxmox's /root/.ssh/authorized_keys ->
/etc/pve/priv/authorized_keys) is edited at its target, and stays a
link, when the target is owned by root or the account. A file changed
since it was read is not written (exit 3). Running it again changes
nothing (exit 0).

Examples:
  sshield keys restrict --user root --fingerprint SHA256:... --options no-pty --dry-run
  sshield keys restrict --user alice --all --from 192.0.2.0/24 --yes
  sshield keys unrestrict --user alice --all --remove-from --yes
  sshield backups                    # the change, kind keys
  sshield restore ID --yes           # undo it

Exit codes (the same for every changing command): 0 done, nothing to do or --dry-run; 2 bad
usage, an error, or a change that failed and was rolled back; 3 refused by a guard, declined,
no TTY to ask on, changed since planning, or another change awaits \`sshield confirm\`.`;
