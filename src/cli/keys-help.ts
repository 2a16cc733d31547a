// The help text of `keys restrict|unrestrict` (not a command file: text only).
import { DEFAULT_BACKUP_ROOT } from '../apply/backup.js';
import { WITHOUT_ROOT } from './user-scope.js';

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
no TTY to ask on, changed since planning, or another change awaits \`sshield confirm\`.

${WITHOUT_ROOT}`;

export const KEYS_ADD_HELP = `
Reads the key line(s) with the same parser as \`keys list\` and refuses
what sshd would not use or what is weak: an unknown type, a certificate
(trust its CA instead), DSA, RSA below --min-rsa-bits (default 3072:
NIST SP 800-57 gives 3072-bit RSA 128-bit security, the strength of
ed25519) or below sshd's RequiredRSASize, a type PubkeyAcceptedAlgorithms
does not offer, options sshd rejects. A key the account already has
(same fingerprint, in any of its files) is left as it is: running the
same command again changes nothing (exit 0). The key goes to the
account's first effective AuthorizedKeysFile (as \`sshd -T -C user=U\`
resolves it); when that file or ~/.ssh is missing it is created, owned
by the account, 0600 and 0700. --restrict, --options, --from and
--command give the new key the same options \`keys restrict\` would.
Shows a diff, asks (needs a TTY unless --yes), writes through the same
safe-edit pipeline as every change (backup, journal, atomic install);
\`sshield restore ID\` takes the key (and the created file and
directory) away again. Here --file is the key; the sshd_config is
--config FILE.

Examples:
  sshield keys add --user alice --key 'ssh-ed25519 AAAAC3Nz... alice@laptop' --yes
  sshield keys add --user alice --file alice.pub --restrict --from 192.0.2.0/24 --dry-run
  ssh-add -L | sshield keys add --user alice - --yes

Exit codes: 0 added, nothing to do or --dry-run; 2 bad usage or a key refused (the
message names source:line); 3 refused, declined or no TTY to ask on.

${WITHOUT_ROOT}`;

export const KEYS_REMOVE_HELP = `
Chooses keys of one account as \`sshield keys list\` shows them: by
fingerprint, by line (N, or FILE:N when the account has keys in several
files), by exact comment, or all of them, and deletes exactly those
lines; every other byte stays. Refused (exit 3) unless overridden:
removing the key your current SSH session logged in with (--force), and
removing the last key sshd would accept for an account that can become
root (root while PermitRootLogin allows it, sudo/wheel/admin members
where sudo is installed; --allow-no-key-admin). Shows a diff, asks
(needs a TTY unless --yes), writes through the same safe-edit pipeline
as every change; \`sshield restore ID\` puts the keys back.

Examples:
  sshield keys remove --user alice --fingerprint SHA256:... --dry-run
  sshield keys remove --user alice --comment 'old laptop' --yes
  sshield keys remove --user alice --line /home/alice/.ssh/authorized_keys:3 --yes

Exit codes: 0 removed or --dry-run; 2 bad usage or no such key; 3 refused by a
guard, declined or no TTY to ask on.

${WITHOUT_ROOT}`;
