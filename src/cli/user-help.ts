// The help text of `sshield user` (not a command file: text only).
import { NOLOGIN } from '../users/shell.js';

export const USER_HELP = `
What each command does:
  nologin NAME   shell -> ${NOLOGIN} (usermod; under --root DIR/etc/passwd is edited, other
                 bytes untouched) and a "Match User NAME" block at the end of sshd_config:
                 ForceCommand internal-sftp (SFTP keeps working: sftp-server would otherwise be
                 started through the nologin shell), no forwarding, no TTY.
  add NAME --nologin
                 useradd -m -s ${NOLOGIN} NAME, then the same block.
  sftp NAME --chroot DIR [--create]
                 the block plus ChrootDirectory DIR. sshd demands that DIR and every parent be
                 root-owned and not writable by group/others (session.c safely_chroot); this is
                 checked before anything is reloaded: --create makes missing directories,
                 --fix-permissions repairs owner/mode, otherwise it refuses with the exact fix.
                 DIR/upload (--upload NAME) is created owned by the user: the writable place.
  list           per account: shell, password state, whether it can log in (access lists
                 evaluated with the effective config), keys, restrictions. With --host,
                 --inventory or --cluster: every host's accounts over SSH (read-only, nothing
                 installed), one table with a HOST column; an unreachable host is an error, exit 2.
Refuses root and the account running the command (exit 3). Changes show a diff first, take
--dry-run and --yes, -f FILE for a daemon started with -f (reloaded via its PidFile), and
--root DIR for an offline root (files only, no reload).

Examples:
  sshield user nologin backup --dry-run
  sshield user add upload-bot --nologin --yes
  sshield user sftp alex --chroot /srv/sftp/alex --create --yes
  sshield user list --json
  sshield user list --cluster root@pve1 --all`;
